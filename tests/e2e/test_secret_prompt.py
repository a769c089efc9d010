"""Secret flags given without a value: asked for without echo on a terminal, one stdin line
otherwise, as Halyard's ``password = true`` flags (JCommander reads them from the console).

Followed: halyard-cli ``config/persistentStorage/s3/S3EditCommand`` (``--secret-access-key``
declared ``password = true``).
"""

from __future__ import annotations

import os
import pty
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from tests.e2e.support import assert_clean, hal_cmd, prompt_env, read_pty
from tests.helpers import run_hal

SECRET = "pty-typed-s3cr3t"


def _s3(hal_dir: Path) -> dict[str, object]:
    data = yaml.safe_load((hal_dir / "config").read_text())
    s3: dict[str, object] = data["deploymentConfigurations"][0]["persistentStorage"]["s3"]
    return s3


def test_piped_stdin_gives_the_secret(tmp_path: Path) -> None:
    hal_dir = tmp_path / "hal"
    proc = subprocess.run(
        hal_cmd(hal_dir, "config", "storage", "s3", "edit", "--secret-access-key",
                "--bucket", "b"),
        input=f"{SECRET}\nsecond line is not read\n", capture_output=True, text=True,
        env=prompt_env(), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert SECRET not in proc.stdout + proc.stderr
    assert "Warning" not in proc.stderr and "getpass" not in proc.stderr, proc.stderr
    assert _s3(hal_dir)["secretAccessKey"] == SECRET
    assert _s3(hal_dir)["bucket"] == "b"


def test_empty_stdin_is_a_usage_error_and_nothing_is_written(tmp_path: Path) -> None:
    hal_dir = tmp_path / "hal"
    proc = subprocess.run(
        hal_cmd(hal_dir, "config", "storage", "s3", "edit", "--secret-access-key"),
        input="", capture_output=True, text=True, env=prompt_env(), timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: --secret-access-key: no value given")
    assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr
    assert not (hal_dir / "config").exists()


def test_value_given_inline_never_reads_stdin(tmp_path: Path) -> None:
    hal_dir = tmp_path / "hal"
    proc = subprocess.run(
        hal_cmd(hal_dir, "config", "storage", "s3", "edit", "--secret-access-key", "inline"),
        input="from-stdin\n", capture_output=True, text=True, env=prompt_env(), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert _s3(hal_dir)["secretAccessKey"] == "inline"


@pytest.mark.parametrize(("args", "flag", "shown_text", "where"), [
    (("config", "storage", "s3", "edit", "--secret-access-key"), "--secret-access-key",
     "secretAccessKey=****", ("persistentStorage", "s3", "secretAccessKey")),
    # a command generated from the table (halyard-cli notifications/slack/EditSlackCommand)
    (("config", "notification", "slack", "edit", "--token"), "--token", "token=****",
     ("notifications", "slack", "token")),
])
def test_terminal_prompt_hides_the_secret(tmp_path: Path, args: tuple[str, ...], flag: str,
                                          shown_text: str, where: tuple[str, ...]) -> None:
    """On a terminal the flag prompts; the typed secret is not echoed back."""
    hal_dir = tmp_path / "hal"
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        hal_cmd(hal_dir, *args),
        stdin=slave, stdout=slave, stderr=slave, env=prompt_env(), start_new_session=True)
    os.close(slave)
    try:
        deadline = time.monotonic() + 60
        before = read_pty(master, deadline, proc, until=f"{flag}: ".encode())
        assert f"{flag}: ".encode() in before, before
        os.write(master, f"{SECRET}\n".encode())
        after = read_pty(master, deadline, proc)
        code = proc.wait(timeout=30)
    finally:
        os.close(master)
    shown = (before + after).decode("utf-8", "replace")
    assert code == 0, shown
    assert SECRET not in shown  # echo was off while typing
    assert "Warning" not in shown and "Traceback" not in shown
    assert shown_text in shown
    value: object = yaml.safe_load((hal_dir / "config").read_text())[
        "deploymentConfigurations"][0]
    for key in where:
        assert isinstance(value, dict)
        value = value[key]
    assert value == SECRET


def test_in_process_stdin_and_no_echo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same through the in-process runner other tests use (stdin replaced)."""
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("abc\r\n"))
    result = run_hal("config", "storage", "s3", "edit", "--secret-access-key",
                     hal_dir=tmp_path / "hal")
    assert result.code == 0, result.err
    assert_clean(result)
    assert _s3(tmp_path / "hal")["secretAccessKey"] == "abc"
