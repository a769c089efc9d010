"""Reading and safely writing ``~/.hal/config``.

Every edit runs as a transaction: take an exclusive lock, read the file, apply
the edit to a :class:`Document`, check the result reads back as intended,
validate it, copy the old file to ``.backup/``, write a temp file, fsync,
rename, fsync the directory.  Concurrent ``hal`` processes therefore
serialise on the lock and each sees the previous one's result; a failed or
refused edit leaves the file exactly as it was (bytes and mtime).

The lock is ``fcntl.flock`` on a side file: importing ``filelock`` alone costs
~27 ms, more than a quarter of an edit's budget, and hal only runs on POSIX.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyhalyard.errors import ConfigError, HalError
from pyhalyard.halconfig.document import Document
from pyhalyard.halconfig.paths import HalPaths

FILE_MODE = 0o600
DIR_MODE = 0o700
BACKUPS_KEPT = 10
LOCK_TIMEOUT = 60.0  # seconds; another hal holding the lock longer is stuck
DEPLOYMENTS_KEY = "deploymentConfigurations"


@contextmanager
def locked(paths: HalPaths, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Exclusive advisory lock on the hal dir, held for a whole read-modify-write.

    Not re-entrant: taking it again in the same process waits for itself until the
    timeout, so callers take it once around their whole transaction.
    """
    try:
        paths.root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        fd = os.open(paths.lock, os.O_RDWR | os.O_CREAT, FILE_MODE)
    except OSError as exc:
        raise HalError(f"{paths.lock}: cannot open the lock file ({exc.strerror})") from None
    try:
        deadline = time.monotonic() + timeout
        pause = 0.002
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise HalError(f"{paths.root}: another hal command has held the config "
                                   f"lock for {timeout:.0f} s ({paths.lock}); try again "
                                   "when it has finished") from None
                time.sleep(pause)
                pause = min(pause * 2, 0.05)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def atomic_write(path: Path, text: str | bytes, mode: int = FILE_MODE) -> None:
    """Write via temp file + fsync + rename so readers see the old or the new file, never half.

    A symlinked config (a GitOps checkout) stays a symlink: the file it points
    to is replaced instead.
    """
    if path.is_symlink():
        path = path.resolve()
    data = text.encode("utf-8") if isinstance(text, str) else text
    # not tempfile.mkstemp: importing tempfile costs ~4 ms, a pid + clock name is as unique
    tmp = str(path.parent / f".{path.name}.{os.getpid()}.{time.time_ns()}.tmp")
    try:
        path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except OSError as exc:
        raise HalError(f"{path.parent}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            os.fchmod(fh.fileno(), mode)  # exact mode whatever the umask
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise HalError(f"{path}: cannot write ({exc.strerror})") from None
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (the new directory entry)."""
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def read_text(path: Path) -> str:
    """The file's exact text: no newline translation, so CRLF files are written back as CRLF."""
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return fh.read()
    except FileNotFoundError:
        return ""
    except UnicodeDecodeError as exc:
        raise ConfigError(str(path), f"not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise HalError(f"{path}: cannot read ({exc.strerror})") from None


@dataclass
class HalConfig:
    """The loaded config file: its document plus which deployment a command acts on."""

    paths: HalPaths
    doc: Document

    @classmethod
    def load(cls, paths: HalPaths) -> HalConfig:
        text = read_text(paths.config)
        doc = Document(text, str(paths.config))
        config = cls(paths, doc)
        config.check_shape()
        return config

    @property
    def data(self) -> dict[str, Any]:
        data = self.doc.data
        return data if isinstance(data, dict) else {}

    def check_shape(self) -> None:
        """The top level must be a mapping with a list of named deployments."""
        data = self.doc.data
        if data is None:
            return
        if not isinstance(data, dict):
            raise ConfigError(self.doc.source, "expected a mapping at the top level", 1, 1)
        deployments = data.get(DEPLOYMENTS_KEY, [])
        if deployments is None:
            return
        if not isinstance(deployments, list):
            raise ConfigError(self.doc.source, f"{DEPLOYMENTS_KEY}: expected a list")
        for i, dep in enumerate(deployments):
            if not isinstance(dep, dict) or not isinstance(dep.get("name"), str):
                raise ConfigError(self.doc.source,
                                  f"{DEPLOYMENTS_KEY}[{i}]: expected a mapping with a 'name'")

    def deployment_names(self) -> list[str]:
        return [d["name"] for d in self.data.get(DEPLOYMENTS_KEY) or []]

    def current_deployment(self) -> str:
        current = self.data.get("currentDeployment")
        return current if isinstance(current, str) and current else "default"

    def resolve(self, name: str | None) -> str:
        """The deployment a command acts on: ``--deployment`` or ``currentDeployment``."""
        return name or self.current_deployment()

    def index_of(self, name: str) -> int:
        names = self.deployment_names()
        if name not in names:
            known = ", ".join(names) or "none"
            raise HalError(f"{self.doc.source}: no deployment named '{name}' "
                           f"(deployments: {known})")
        return names.index(name)

    def deployment(self, name: str | None = None) -> dict[str, Any]:
        """The raw mapping of one deployment (read-only by convention)."""
        index = self.index_of(self.resolve(name))  # names the file when there is none
        dep: dict[str, Any] = self.data[DEPLOYMENTS_KEY][index]
        return dep

    def ensure_deployment(self, name: str) -> int:
        """Index of ``name``, creating a minimal Halyard-shaped deployment when missing."""
        if name in self.deployment_names():
            return self.index_of(name)
        if (self.doc.data is None or not self.deployment_names()) \
                and self.data.get("currentDeployment") is None:
            self.doc.set(["currentDeployment"], name)
        self.doc.append([DEPLOYMENTS_KEY], new_deployment(name))
        return self.index_of(name)


def new_deployment(name: str) -> dict[str, Any]:
    """What Halyard's ``hal config`` writes for a new deployment, minus defaults it fills in."""
    return {
        "name": name,
        "version": "",
        "providers": {"kubernetes": {"enabled": False, "accounts": []}},
        "deploymentEnvironment": {"type": "LocalDebian", "location": "spinnaker",
                                  "customSizing": {}},
    }


Change = Callable[[HalConfig], Any]
Validator = Callable[[HalConfig], None]


def edit(paths: HalPaths, change: Change, validator: Validator | None = None) -> Any:
    """Run ``change`` on the config under the lock and save the result atomically.

    ``validator`` raises (e.g. ValidationFailed) to refuse the result; then
    nothing is written, as when ``change`` raises.  Returns what ``change``
    returned.
    """
    with locked(paths):
        config = HalConfig.load(paths)
        before = config.doc.text
        result = change(config)
        after = config.doc.text  # re-parsed here: an edit that would not read back raises
        if after == before:
            return result
        config.check_shape()
        if validator is not None:
            validator(config)
        backup(paths, before)
        atomic_write(paths.config, after)
        return result


def backup(paths: HalPaths, text: str) -> Path | None:
    """Keep the previous config in ``.backup/`` (the newest BACKUPS_KEPT copies, mode 0600).

    Names sort by time (``config.<UTC timestamp>-<ns>``), so the last one is the
    version the newest edit replaced.
    """
    if not text:
        return None
    folder = paths.backup_dir
    folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    now = time.time_ns()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now // 10**9)) + f"-{now % 10**9:09d}"
    target = folder / f"config.{stamp}"
    atomic_write(target, text)
    old = sorted(p for p in folder.iterdir() if p.name.startswith("config."))
    for stale in old[:-BACKUPS_KEPT]:
        stale.unlink(missing_ok=True)
    return target
