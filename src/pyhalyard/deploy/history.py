"""Bundles that were applied, under ``<hal-dir>/<deployment>/history/<n>/``.

``hal deploy diff`` compares against the newest one and ``hal deploy rollback``
re-applies an older one, so each successful apply records exactly what reached
the cluster.  The bundle holds Secrets (profiles with passwords): directories
are 0700 and files 0600.  Entries are numbered 1, 2, 3 ...; the newest
:data:`KEEP` are kept.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pyhalyard.errors import ConfigError, HalError
from pyhalyard.halconfig.paths import DeploymentPaths
from pyhalyard.halconfig.store import atomic_write
from pyhalyard.render.bundle import Bundle, ServiceBundle

KEEP = 20
FILE = "bundle.json"
FORMAT = 1
DIR_MODE = 0o700


def to_data(bundle: Bundle) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "namespace": bundle.namespace,
        "version": bundle.version,
        "shared": list(bundle.shared),
        "services": {name: {"profiles": dict(sb.profiles), "objects": list(sb.objects)}
                     for name, sb in sorted(bundle.services.items())},
    }


def from_data(data: Any, source: str) -> Bundle:
    try:
        if data.get("format") != FORMAT:
            raise ConfigError(source, f"unknown history format {data.get('format')!r}, "
                                      f"expected {FORMAT}")
        services = {
            str(name): ServiceBundle(str(name), dict(entry["profiles"]),
                                     tuple(entry["objects"]))
            for name, entry in data["services"].items()
        }
        return Bundle(namespace=str(data["namespace"]), version=str(data["version"]),
                      shared=tuple(data["shared"]), services=services)
    except (AttributeError, KeyError, TypeError) as exc:
        raise ConfigError(source, f"not a recorded bundle (missing or malformed {exc})") from None


def numbers(paths: DeploymentPaths) -> list[int]:
    """Recorded entries, oldest first."""
    try:
        entries = [p for p in paths.history.iterdir() if p.is_dir() and p.name.isdigit()]
    except FileNotFoundError:
        return []
    return sorted(int(p.name) for p in entries if (p / FILE).is_file())


def load(paths: DeploymentPaths, number: int) -> Bundle:
    path = paths.history / str(number) / FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        known = ", ".join(map(str, numbers(paths))) or "none"
        raise HalError(f"no applied bundle number {number} in {paths.history} "
                       f"(recorded: {known})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(str(path), exc.msg, exc.lineno, exc.colno) from None
    return from_data(data, str(path))


def latest(paths: DeploymentPaths) -> tuple[int, Bundle] | None:
    recorded = numbers(paths)
    if not recorded:
        return None
    return recorded[-1], load(paths, recorded[-1])


def namespaces_used(paths: DeploymentPaths) -> set[str]:
    """Every namespace a recorded bundle put objects in: where copies of services a
    ``location`` change moved away may still run (kept until an apply with
    --delete-orphaned-services removes them)."""
    used: set[str] = set()
    for number in numbers(paths):
        bundle = load(paths, number)
        used.add(bundle.namespace)
        used.update(str(o["metadata"]["namespace"]) for o in bundle.objects()
                    if o.get("kind") != "Namespace" and o["metadata"].get("namespace"))
    return used


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def record(paths: DeploymentPaths, bundle: Bundle) -> int:
    """Store ``bundle`` as the newest entry; returns its number."""
    root = paths.history
    with _locked(root):
        os.chmod(root, DIR_MODE)
        recorded = numbers(paths)
        number = (recorded[-1] if recorded else 0) + 1
        staging = root / f".new-{number}-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(mode=DIR_MODE)
        text = json.dumps(to_data(bundle), indent=1, sort_keys=True) + "\n"
        atomic_write(staging / FILE, text, mode=0o600)
        os.replace(staging, root / str(number))
        for old in [*recorded, number][:-KEEP]:
            shutil.rmtree(root / str(old), ignore_errors=True)
    return number


def merged(previous: Bundle | None, new: Bundle, selected: Collection[str] | None,
           removed: Collection[str] = ()) -> Bundle:
    """What the cluster runs after applying only ``selected`` services of ``new``.

    Services outside the selection keep their previously applied objects, so the
    next diff compares against what is really there.
    """
    if selected is None or previous is None:
        services = dict(new.services)
    else:
        services = {name: sb for name, sb in previous.services.items() if name not in selected}
        services.update({name: sb for name, sb in new.services.items() if name in selected})
    for name in removed:
        services.pop(name, None)
    return Bundle(namespace=new.namespace, version=new.version, shared=new.shared,
                  services=dict(sorted(services.items())))
