"""What every end-to-end test checks about a `hal` run, the way a user would notice it.

A run must never show a traceback or a secret; a failure is one clear line; a failed
command leaves every byte (and mode) of the hal dir as it was.
"""

from __future__ import annotations

import hashlib
import os
import pty
import re
import select
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

from tests.helpers import EXAMPLES, Result, realworld, run_hal

# Secrets of the two fixtures: none may ever reach stdout or stderr.
EXAMPLE_SECRETS = ("example-secret", "example-storage-key")
# The realworld config uses 'spinnakeradmin' as both accessKeyId (not a secret, shown like
# Halyard shows it) and secretAccessKey; its redis.yml overrideBaseUrl carries 'password'.
REALWORLD_KEY = "spinnakeradmin"
REALWORLD_REDIS_PASSWORD = "redis://:password@"
# Files that may appear without changing anything a user owns.
LOCK_FILES = frozenset({".config.lock"})


def hal(hal_dir: Path | None, *args: str) -> Result:
    return run_hal(*args, hal_dir=hal_dir)


def copy_example(root: Path) -> Path:
    target = root / "example-hal"
    shutil.copytree(EXAMPLES / "hal", target)
    return target


def copy_realworld(root: Path, *, location: str | None = None) -> Path:
    """The real team's config + default/ (read-only in the shared folder: made writable).

    ``location`` replaces its ``SPINNAKER_NAMESPACE`` placeholder (a GitOps template
    variable, not a namespace Kubernetes accepts).
    """
    target = root / "realworld-hal"
    target.mkdir()
    shutil.copy(realworld() / "config", target / "config")
    shutil.copytree(realworld() / "default", target / "default")
    for path in [target, *target.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    if location is not None:
        config = target / "config"
        config.write_text(config.read_text().replace("SPINNAKER_NAMESPACE", location))
    return target


def leaks(text: str) -> list[str]:
    """Lines of ``text`` that show a secret of either fixture."""
    found = []
    for line in text.splitlines():
        shown = (any(secret in line for secret in EXAMPLE_SECRETS)
                 or REALWORLD_REDIS_PASSWORD in line
                 or (REALWORLD_KEY in line and "accessKeyId" not in line))
        if shown:
            found.append(line)
    return found


def assert_clean(result: Result) -> None:
    """No traceback and no secret, whatever the outcome."""
    for text in (result.out, result.err):
        assert "Traceback" not in text, text
        assert "internal error" not in text, text
        assert leaks(text) == [], leaks(text)


def assert_ok(result: Result) -> None:
    assert result.code == 0, result.err
    assert_clean(result)


# Where the problem is: file:line:col, a field path (a.b[0].c), a flag, a file or a name.
_LOCATED = re.compile(r"(:\d+:\d+:|[A-Za-z]+(\[\d+\])?\.[A-Za-z]|--[a-z-]+|/|'[^']+')")


def assert_error(result: Result, *, contains: str = "", code: int = 1) -> str:
    """Exit ``code``; stderr opens with one ``error:`` line that says where; stdout empty.

    Returns that line.  Lines after it may only be the problems a refusal lists
    (``ERROR:``/``WARNING:`` and their ``  ?`` fixes).
    """
    assert result.code == code, (result.code, result.out, result.err)
    assert_clean(result)
    assert result.out == "", result.out
    lines = result.err.splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, result.err
    extra = [line for line in lines if not line.startswith(
        ("error:", "ERROR:", "WARNING:", "warning:", "  ?"))]
    assert extra == [], result.err
    assert _LOCATED.search(result.err), result.err
    assert contains in result.err, result.err
    return errors[0]


def assert_usage(result: Result, *, contains: str = "") -> None:
    """Click's usage error: exit 2, the usage line and one ``Error:`` line."""
    assert result.code == 2, (result.code, result.out, result.err)
    assert_clean(result)
    assert result.out == ""
    assert result.err.startswith("Usage: hal ") or result.err.startswith("error: "), result.err
    assert contains in result.err, result.err


def snapshot(root: Path) -> dict[str, tuple[str, int]]:
    """Every file and folder under ``root``: content hash and mode (lock files ignored)."""
    seen: dict[str, tuple[str, int]] = {}
    if not root.exists():
        return seen
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.name in LOCK_FILES:
            continue
        mode = stat.S_IMODE(os.lstat(path).st_mode)
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        seen[rel] = (digest, mode)
    return seen


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def prompt_env() -> dict[str, str]:
    """The environment for a ``hal`` that prompts: no developer hal dir or debug, and
    Python warnings shown (a GetPassWarning would mean the secret was echoed)."""
    env = {k: v for k, v in os.environ.items() if k not in ("HAL_DIR", "HAL_DEBUG")}
    env["PYTHONWARNINGS"] = "default"
    return env


def hal_cmd(hal_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "pyhalyard", "--hal-dir", str(hal_dir), *args]


def run_in_pty(args: list[str], env: dict[str, str], timeout: float = 30) -> tuple[int, bytes]:
    """Run ``hal`` with a terminal as stdout (colour and live displays only happen there)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "pyhalyard", *args], stdout=slave,
                            stderr=slave, stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    output = read_pty(master, time.monotonic() + timeout, proc)
    code = proc.wait(timeout=30)
    os.close(master)
    return code, output


def read_pty(fd: int, deadline: float, proc: subprocess.Popen[bytes],
             until: bytes | None = None) -> bytes:
    """What a pseudo-terminal shows until ``until`` appears, the deadline passes, or the
    process has exited and nothing is left to read (a closed pty reads as EOF or EIO)."""
    seen = b""
    while time.monotonic() < deadline and (until is None or until not in seen):
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    return seen
