"""``hal backup create|restore``: the hal dir as a tarball that restores on another machine.

Follows Halyard's ``BackupService`` (halyard-backup): the tarball holds every file
of the hal dir except ``service-logs`` folders, plus a copy of each file the config
names (``kubeconfigFile``, ``jsonPath``, ... see :mod:`local_files`) under
``.backup/required-files/<hash>-<name>``, and the config inside the tarball points
at those copies with hal-dir-relative paths.  The config on disk is not touched
(Halyard rewrote and then put back its own file; pyhalyard writes the rewritten
text straight into the archive).  Secrets stay exactly as they are in the config:
plain values stay plain, ``encrypted:`` references stay references.

Restore extracts into a staging folder inside the hal dir first: an unreadable or
malicious archive (absolute names, ``..``, links, devices) is refused with nothing
changed.  Only then are the files moved into place, the config last, after the
current config has been kept in ``.backup/`` as every edit does.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import tarfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO

from pyhalyard.errors import ConfigError, HalError
from pyhalyard.halconfig import local_files
from pyhalyard.halconfig.document import Document, format_path
from pyhalyard.halconfig.paths import HalPaths
from pyhalyard.halconfig.store import (
    DIR_MODE,
    FILE_MODE,
    HalConfig,
    atomic_write,
    backup,
    fsync_dir,
    locked,
    read_text,
)

REQUIRED_FILES = PurePosixPath(".backup") / "required-files"
OMIT_NAMES = frozenset({"service-logs"})  # Halyard's BackupService.omitPaths
# pyhalyard's own transient files: the lock and half-written temp files.
SKIP_NAMES = frozenset({".config.lock"})
MAX_RESTORE_BYTES = 1 << 30  # a hal dir is megabytes; refuse archives that unpack to more


@dataclass(frozen=True)
class Created:
    path: Path
    files: int
    required: list[str]  # config fields whose files were copied in


def default_backup_path(now: datetime | None = None) -> Path:
    """``~/halyard-yyyy-MM-dd_HH-mm-ss-SSSXXX.tar`` as Halyard names it."""
    now = (now or datetime.now()).astimezone()
    offset = now.strftime("%z")
    zone = "Z" if offset in ("+0000", "-0000") else f"{offset[:3]}:{offset[3:]}"
    stamp = now.strftime("%Y-%m-%d_%H-%M-%S-") + f"{now.microsecond // 1000:03d}{zone}"
    return Path.home() / f"halyard-{stamp}.tar"


# ------------------------------------------------------------------ create
def _rewrite(paths: HalPaths, text: str) -> tuple[str, dict[str, Path], list[str]]:
    """The config text pointing at the copies; archive name -> source file; fields copied."""
    doc = Document(text, str(paths.config))
    copies: dict[str, Path] = {}
    fields: list[str] = []
    root = paths.root
    for path, value in list(local_files.references(doc.data)):
        if local_files.is_remote(value):
            continue
        source = local_files.resolve(root, value)
        where = f"{paths.config}: {format_path(path)}"
        if not source.is_file():
            raise HalError(f"{where}: {source} is not a readable file; the backup needs it "
                           "(fix the path, or remove the setting)")
        try:
            rel = source.relative_to(root)
        except ValueError:
            rel = None
        if rel is not None and PurePosixPath(rel.as_posix()).parent == REQUIRED_FILES:
            name = rel.as_posix()  # already a required file: Halyard leaves it where it is
        else:
            name = (REQUIRED_FILES / local_files.backup_name(source)).as_posix()
            copies[name] = source
        doc.set(list(path), name)
        fields.append(format_path(path))
    return doc.text, copies, fields


def _hal_files(root: Path, skip: set[Path]) -> Iterator[tuple[str, Path]]:
    """(archive name, file) of every regular file under ``root``, symlinks followed once."""
    seen_dirs: set[Path] = set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        real = Path(folder).resolve()
        if real in seen_dirs:  # a symlink loop
            dirs[:] = []
            continue
        seen_dirs.add(real)
        dirs[:] = sorted(d for d in dirs if d not in OMIT_NAMES)
        for name in sorted(files):
            if name in SKIP_NAMES or name in OMIT_NAMES or name.endswith(".tmp"):
                continue
            path = Path(folder) / name
            if path in skip or path.resolve() in skip or not path.is_file():
                continue
            yield path.relative_to(root).as_posix(), path


def _add(tar: tarfile.TarFile, name: str, data: IO[bytes] | None, size: int,
         mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = FILE_MODE
    info.mtime = int(mtime)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    tar.addfile(info, data)


def create(paths: HalPaths, target: Path) -> Created:
    """Write the backup tarball to ``target`` (mode 0600, atomically) and describe it."""
    if not paths.config.is_file():
        raise HalError(f"no halconfig found at {paths.config}: nothing to back up")
    target = target.expanduser().absolute()
    tmp = target.parent / f".{target.name}.{os.getpid()}.{time.time_ns()}.tmp"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except OSError as exc:
        raise HalError(f"{target.parent}: cannot write the backup ({exc.strerror})") from None
    count = 0
    try:
        with locked(paths), os.fdopen(fd, "wb") as raw:
            os.fchmod(raw.fileno(), FILE_MODE)
            text = read_text(paths.config)
            rewritten, copies, fields = _rewrite(paths, text)
            with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                for name, path in _hal_files(paths.root, {target, tmp}):
                    if name in copies or (name == "config"):
                        continue
                    with open(path, "rb") as fh:
                        _add(tar, name, fh, os.fstat(fh.fileno()).st_size, path.stat().st_mtime)
                    count += 1
                for name, source in sorted(copies.items()):
                    with open(source, "rb") as fh:
                        _add(tar, name, fh, os.fstat(fh.fileno()).st_size,
                             source.stat().st_mtime)
                    count += 1
                data = rewritten.encode("utf-8")
                _add(tar, "config", io.BytesIO(data), len(data), paths.config.stat().st_mtime)
                count += 1
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise HalError(f"cannot write the backup {target}: {exc.strerror or exc}") from None
        raise
    return Created(target, count, fields)


# ------------------------------------------------------------------ restore
@dataclass(frozen=True)
class Restored:
    files: int
    rewritten: list[str]  # config fields made absolute


def _member_name(member: tarfile.TarInfo, source: Path) -> str | None:
    """The safe relative name of a member, None to skip it; refuses anything unsafe."""
    raw = member.name
    where = f"{source}: entry '{raw}'"
    if "\0" in raw or "\\" in raw:
        raise HalError(f"{where}: not a plain path; refusing to restore this archive")
    parts = [p for p in raw.lstrip("/").split("/") if p not in ("", ".")]
    if ".." in parts:
        raise HalError(f"{where}: leads outside the hal dir; refusing to restore this archive")
    if member.isdir():
        return None
    if not member.isreg():
        what = "a link" if (member.issym() or member.islnk()) else "not a regular file"
        raise HalError(f"{where}: {what}; a Halyard backup holds only files, "
                       "refusing to restore this archive")
    if not parts:
        raise HalError(f"{where}: has no name; refusing to restore this archive")
    if parts[-1] in SKIP_NAMES:
        return None
    return "/".join(parts)


def _members(tar: tarfile.TarFile, source: Path) -> list[tuple[str, tarfile.TarInfo]]:
    found: dict[str, tarfile.TarInfo] = {}
    total = 0
    for member in tar.getmembers():
        name = _member_name(member, source)
        if name is None:
            continue
        total += member.size
        if total > MAX_RESTORE_BYTES:
            raise HalError(f"{source}: unpacks to more than {MAX_RESTORE_BYTES >> 20} MiB; "
                           "not a hal dir backup")
        found[name] = member  # a later entry of the same name wins, as when untarring
    names = set(found)
    for name in names:
        parent = name.rsplit("/", 1)[0] if "/" in name else ""
        while parent:
            if parent in names:
                raise HalError(f"{source}: '{parent}' is both a file and a folder")
            parent = parent.rsplit("/", 1)[0] if "/" in parent else ""
    if "config" not in found:
        raise HalError(f"{source}: not a hal backup (it has no 'config' file at its top)")
    return sorted(found.items())


def _absolute_config(paths: HalPaths, text: str, source: str) -> tuple[str, list[str]]:
    """Drop old backups' ``{%halconfig-dir%}`` prefix and make relative file paths absolute.

    Halyard resolves relative local-file paths against its hal dir; pyhalyard hands
    them to kubectl and client libraries, which resolve against the working
    directory, so the restored config names the restored files by absolute path.
    """
    doc = Document(text, source)
    changed: list[str] = []
    for path, value in list(local_files.references(doc.data)):
        if local_files.is_remote(value):
            continue
        rel = value
        if rel.startswith(local_files.HALCONFIG_DIR_PLACEHOLDER):
            rel = rel[len(local_files.HALCONFIG_DIR_PLACEHOLDER):].lstrip("/")
        if rel.startswith(("/", "~")):
            continue
        doc.set(list(path), str(paths.root / rel))
        changed.append(format_path(path))
    return doc.text, changed


def _open(source: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(source, mode="r:*")
    except FileNotFoundError:
        raise HalError(f"{source}: no such backup file") from None
    except IsADirectoryError:
        raise HalError(f"{source}: a folder, not a backup tarball") from None
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise HalError(f"{source}: not a readable tar archive ({exc})") from None


def restore(paths: HalPaths, source: Path,
            confirm: Callable[[list[str]], None] | None = None) -> Restored:
    """Unpack ``source`` over the hal dir; ``confirm(names)`` may abort before anything moves."""
    source = source.expanduser()
    root = paths.root
    with _open(source) as tar:
        members = _members(tar, source)
        if confirm is not None:
            confirm([name for name, _ in members])
        root.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        staging = root / f".restore.{os.getpid()}.{time.time_ns()}"
        staging.mkdir(mode=DIR_MODE)
        try:
            return _restore_staged(paths, tar, members, staging, source)
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _restore_staged(paths: HalPaths, tar: tarfile.TarFile,
                    members: list[tuple[str, tarfile.TarInfo]], staging: Path,
                    source: Path) -> Restored:
    root = paths.root
    try:
        for name, member in members:
            target = staging / name
            target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
            data = tar.extractfile(member)
            if data is None:
                raise HalError(f"{source}: entry '{member.name}' cannot be read")
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(data, out)
    except (tarfile.TarError, EOFError) as exc:
        raise HalError(f"{source}: damaged archive ({exc}); nothing was restored") from None
    except OSError as exc:
        raise HalError(f"{source}: cannot unpack into {root} ({exc.strerror or exc}); "
                       "nothing was restored") from None
    staged_config = staging / "config"
    text = read_text(staged_config)
    try:
        rewritten, changed = _absolute_config(paths, text, f"{source}:config")
        HalConfig(paths, Document(rewritten, f"{source}:config")).check_shape()
    except ConfigError as exc:
        raise HalError(f"the backup's config is not usable: {exc}; nothing was restored") \
            from None
    # Every target must be a file (or free) before anything moves.
    for name, _ in members:
        target = root / name
        if target.is_dir() and not target.is_symlink():
            raise HalError(f"{target}: a folder where the backup has a file; "
                           "nothing was restored")
        for parent in target.relative_to(root).parents:
            if parent != Path(".") and (root / parent).is_file():
                raise HalError(f"{root / parent}: a file where the backup has a folder; "
                               "nothing was restored")
    with locked(paths):
        backup(paths, read_text(paths.config))
        for name, _ in members:
            if name == "config":
                continue
            target = root / name
            target.parent.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
            if target.is_symlink():
                target.unlink()
            os.replace(staging / name, target)
            fsync_dir(target.parent)
        atomic_write(paths.config, rewritten)
    return Restored(len(members), changed)


def is_empty(paths: HalPaths) -> bool:
    """Nothing a restore could overwrite: no config and no other file."""
    root = paths.root
    if not root.exists():
        return True
    return not any(p.is_file() and p.name not in SKIP_NAMES and stat.S_ISREG(p.stat().st_mode)
                   for p in root.rglob("*"))
