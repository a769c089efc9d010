"""The bundled table of Spinnaker releases (``data/releases.yml``).

Halyard looked each release's BOM up in a bucket that is no longer served; pyhalyard
ships the facts instead, generated from spinnaker.io's changelogs by
``scripts/gen_release_table.py`` (never edited by hand).  Each 1.x entry gives every
service's image tag; from 2025.0.0 every image is tagged with the release version; a
few releases are known to exist but their tags are not in any public source pyhalyard
reads (``tags: none``), and those need a BOM from the user.  Artifacts a BOM lists
beside the services but a deployment needs only in some configurations (the
monitoring daemon) are in ``optional``, present only where a public BOM record gave
their version.

Loaded once per process and only by commands that need it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TABLE = Path(__file__).resolve().parent / "data" / "releases.yml"
LOCAL_PREFIX = "local:"  # Halyard's spelling for "the BOM in ~/.hal/.boms/bom/"

TAGS_FROM_BOM = "bom"
TAGS_ARE_RELEASE = "release"
TAGS_UNKNOWN = "none"

_RELEASE = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def release_tuple(version: str) -> tuple[int, int, int] | None:
    """``2025.2.1`` -> (2025, 2, 1); None for anything that is not a plain release."""
    match = _RELEASE.match(version.strip())
    if not match:
        return None
    return int(match[1]), int(match[2]), int(match[3])


def strip_local(version: str) -> str:
    """``local:1.28.1`` -> ``1.28.1`` (Halyard's Versions.fromLocal)."""
    version = version.strip()
    return version[len(LOCAL_PREFIX):] if version.startswith(LOCAL_PREFIX) else version


@dataclass(frozen=True)
class Release:
    version: str
    date: str
    changelog: str
    tags: str
    services: Mapping[str, str]
    listed_in: Mapping[str, str]
    missing: str | None
    # artifact -> tag, for OPTIONAL artifacts a public BOM record names (monitoring-daemon)
    optional: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, int, int]:
        found = release_tuple(self.version)
        assert found is not None
        return found


@dataclass(frozen=True)
class Table:
    repository: str
    commit: str
    path: str
    dependencies: Mapping[str, str]
    releases: tuple[Release, ...]  # newest first

    def find(self, version: str) -> Release | None:
        return self._by_version.get(strip_local(version))

    @functools.cached_property
    def _by_version(self) -> dict[str, Release]:
        return {r.version: r for r in self.releases}

    def latest(self) -> Release:
        return self.releases[0]

    def shipping(self, artifact: str) -> list[str]:
        """Releases deployable from this table whose BOM lists ``artifact`` (e.g.
        monitoring-daemon), newest first."""
        return [r.version for r in self.releases if r.tags == TAGS_FROM_BOM
                and (artifact in r.services or artifact in r.optional)]

    def source_of(self, release: Release) -> str:
        return f"{self.repository}@{self.commit[:12]}:{release.changelog}"


def _strings(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in (value or {}).items()}


@functools.cache
def table() -> Table:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(TABLE.read_text(encoding="utf-8"), Loader=loader)
    releases = tuple(
        Release(version=str(r["version"]), date=str(r.get("date") or ""),
                changelog=str(r.get("changelog") or ""), tags=str(r["tags"]),
                services=_strings(r.get("services")), listed_in=_strings(r.get("listedIn")),
                missing=r.get("missing"), optional=_strings(r.get("optional")))
        for r in data["releases"])
    source = data["source"]
    return Table(repository=str(source["repository"]), commit=str(source["commit"]),
                 path=str(source["path"]), dependencies=_strings(data.get("dependencies")),
                 releases=tuple(sorted(releases, key=lambda r: r.key, reverse=True)))
