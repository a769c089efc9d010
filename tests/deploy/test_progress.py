"""Progress: plain lines off a terminal, only final lines with -q, a live table on a TTY."""

from __future__ import annotations

import io
import sys

from pyhalyard.deploy.progress import LiveProgress, PlainProgress, make_progress


def drive(progress: object) -> None:
    p = progress
    p.phase(1, 2, "start", "all services in parallel", ("gate", "orca"))  # type: ignore[attr-defined]
    p.update("gate", "applying")  # type: ignore[attr-defined]
    p.update("gate", "rolling out", "1/2 updated, 0/2 available")  # type: ignore[attr-defined]
    p.update("gate", "rolling out", "1/2 updated, 0/2 available")  # type: ignore[attr-defined]
    p.update("gate", "ready", "2/2 updated, 2/2 available")  # type: ignore[attr-defined]
    p.update("orca", "failed", "redis://:pw@x:1 refused")  # type: ignore[attr-defined]
    p.close()  # type: ignore[attr-defined]


def test_plain_lines() -> None:
    out = io.StringIO()
    drive(make_progress(quiet=False, tty=False, stream=out))
    lines = out.getvalue().splitlines()
    assert lines[0] == "== phase 1/2 start: gate, orca (all services in parallel)"
    assert lines[1:3] == ["spin-gate: applying",
                          "spin-gate: rolling out - 1/2 updated, 0/2 available"]
    assert lines[3].startswith("spin-gate: ready in ") and lines[3].endswith(
        " - 2/2 updated, 2/2 available")
    assert lines[4].startswith("spin-orca: failed in ") and "redis://:****@x:1" in lines[4]
    assert len(lines) == 5  # the repeated update printed nothing


def test_quiet_prints_only_final_lines() -> None:
    out = io.StringIO()
    progress = make_progress(quiet=True, tty=True, stream=out)
    assert isinstance(progress, PlainProgress)
    drive(progress)
    assert [line.split(":")[0] for line in out.getvalue().splitlines()] == ["spin-gate",
                                                                           "spin-orca"]


def test_live_table_on_a_terminal() -> None:
    out = io.StringIO()
    progress = make_progress(quiet=False, tty=True, stream=out)
    assert isinstance(progress, LiveProgress)
    drive(progress)
    text = out.getvalue()
    assert "spin-gate" in text and "ready" in text and "failed" in text
    assert "pw@" not in text


def test_rich_is_not_imported_for_plain_output() -> None:
    import subprocess

    code = ("import sys, io; from pyhalyard.deploy.progress import make_progress; "
            "make_progress(quiet=False, tty=False, stream=io.StringIO()); "
            "from pyhalyard.cli import deploy_cluster; "
            "print('rich' in sys.modules, 'lightkube' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "False"]
