"""Writing rendered profiles to ``<dep>/staging/<service>/`` all at once, or not at all.

Everything is written into a fresh temporary folder beside ``staging``; only
when every file is on disk is the old folder moved aside and the new one renamed
into place.  A failure at any point leaves the previous ``staging`` as it was.
Files hold secrets (Redis passwords, storage keys), so they are private (0600).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from pyhalyard.errors import HalError
from pyhalyard.halconfig.custom import profile_bytes

FILE_MODE = 0o600
DIR_MODE = 0o700


def safe_relative(name: str, where: str) -> PurePosixPath:
    """A file name that stays inside its folder (no absolute paths, no ``..``)."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or any(part in ("", ".", "..") for part in path.parts):
        raise HalError(f"{where}: profile file name '{name}' would leave its service folder")
    return path


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(profile_bytes(text))
        fh.flush()
        os.fsync(fh.fileno())


def write_tree(root: Path, profiles: Mapping[str, Mapping[str, str]]) -> None:
    """Write ``service/file`` for every file into the (empty) folder ``root``."""
    for service in sorted(profiles):
        safe_relative(service, "service")
        for name in sorted(profiles[service]):
            rel = safe_relative(name, service)
            _write(root / service / Path(*rel.parts), profiles[service][name])


def replace_staging(staging: Path, profiles: Mapping[str, Mapping[str, str]]) -> None:
    """Make ``staging`` hold exactly ``profiles`` (services without files get no folder)."""
    parent = staging.parent
    parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{staging.name}.new-", dir=parent))
    aside: Path | None = None
    try:
        write_tree(tmp, {s: f for s, f in profiles.items() if f})
        if staging.exists() or staging.is_symlink():
            aside = Path(tempfile.mkdtemp(prefix=f".{staging.name}.old-", dir=parent))
            os.rename(staging, aside / staging.name)
        os.rename(tmp, staging)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if aside is not None and (aside / staging.name).exists() and not staging.exists():
            os.rename(aside / staging.name, staging)
        raise
    finally:
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)
    dir_fd = os.open(parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
