"""Which container image each service runs: ``<registry>/<artifact>:<tag>``.

Halyard's rule (KubernetesService.getArtifactId): the tag is the service's version
in the release's BOM (a ``local:`` prefix stripped), followed by ``-<variant>`` for
every imageVariant but SLIM (``UBUNTU_JAVA11`` -> ``-ubuntu-java11``); the registry is
the BOM's ``artifactSources.dockerRegistry``, which a service's own
``artifactSources`` may override.  Releases from 2025.0.0 on ship every service
together, tagged with the release version.

Where the BOM comes from, first match wins: ``--bom FILE``; Halyard's cache
``<hal-dir>/.boms/bom/<version>.yml`` (``local:X`` reads ``X.yml``, as Halyard does);
the bundled release table (``pyhalyard.releases``).  A BOM whose ``version`` is not the
requested release is refused, so a file saved under the wrong name cannot deploy
another release's images.  The BOM is only read when some service needs a tag from
it, so a config that pins every image with ``artifactId`` renders without one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pyhalyard import catalog
from pyhalyard.errors import ConfigError, HalError
from pyhalyard.halconfig.document import parse
from pyhalyard.halconfig.paths import HalPaths
from pyhalyard.plan import ServicePlan
from pyhalyard.releases import (
    TAGS_FROM_BOM,
    TAGS_UNKNOWN,
    Release,
    release_tuple,
    strip_local,
)

__all__ = ["Bom", "Images", "check_registry", "default_registry", "read_bom",
           "release_tuple", "resolve_bom"]

# From this release on every image is tagged with the release version.
UNIFIED_TAGS_FROM = (2025, 0, 0)
# The last release line published to the legacy registry (SPEC §5).
LAST_LEGACY_REGISTRY_LINE = (2026, 0)
TABLE_SOURCE = "release table"

# An image registry as the first part of an image reference: a host (optionally with a
# port) and optional lowercase path components -- what Docker and Kubernetes accept.
_HOST_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_PATH_PART = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REGISTRY = re.compile(rf"(?:{_HOST_LABEL}(?:\.{_HOST_LABEL})*|\[[0-9A-Fa-f:]+\])(?::[0-9]+)?"
                       rf"(?:/{_PATH_PART})*")


def check_registry(value: str, where: str) -> str:
    """The registry without a trailing '/'; anything that cannot start an image
    reference (spaces, a scheme, uppercase paths, empty) is an error naming ``where``."""
    registry = value.strip().rstrip("/")
    if not _REGISTRY.fullmatch(registry):
        shown = value if value.strip() else "(empty)"
        raise HalError(f"{where}: '{shown}' is not an image registry; expected a host with "
                       "an optional port and path, e.g. ghcr.io/spinnaker or "
                       "mirror.example.com:5000/spinnaker")
    return registry


def default_registry(version: str) -> str:
    """SPEC §5: the legacy registry up to 2026.0.x, ghcr.io for later releases."""
    release = release_tuple(strip_local(version))
    if release is not None and release[:2] > LAST_LEGACY_REGISTRY_LINE:
        return catalog.GHCR_REGISTRY
    return catalog.LEGACY_REGISTRY


@dataclass(frozen=True)
class Bom:
    """The parts of a Halyard BOM that decide images."""

    source: str
    version: str
    tags: dict[str, str]
    registry: str | None
    registries: dict[str, str] = field(default_factory=dict)  # per-service overrides
    dependencies: dict[str, str] = field(default_factory=dict)
    timestamp: str | None = None

    def tag(self, artifact: str) -> str:
        try:
            return self.tags[artifact]
        except KeyError:
            raise HalError(f"{self.source}: the BOM has no version for '{artifact}' "
                           f"(expected services.{artifact}.version)") from None

    def as_halyard(self, registry: str) -> dict[str, object]:
        """This BOM in Halyard's layout (what ``hal version bom`` prints)."""
        services: dict[str, object] = {}
        for name, version in self.tags.items():
            entry: dict[str, object] = {"version": version}
            if name in self.registries:
                entry["artifactSources"] = {"dockerRegistry": self.registries[name]}
            services[name] = entry
        data: dict[str, object] = {"version": self.version}
        if self.timestamp:
            data["timestamp"] = self.timestamp
        data["services"] = services
        data["dependencies"] = {k: {"version": v} for k, v in self.dependencies.items()}
        data["artifactSources"] = {"dockerRegistry": self.registry or registry}
        return data


def _version_of(entry: dict[object, object], source: str, where: str) -> str | None:
    version = entry.get("version")
    if version is None:
        return None
    if not isinstance(version, (str, int, float)) or isinstance(version, bool):
        raise ConfigError(source, f"{where}.version: expected a string")
    return strip_local(str(version))


def read_bom(path: Path) -> Bom:
    """Parse a BOM in Halyard's layout; malformed input is a ConfigError naming the field."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise HalError(f"{source}: cannot read BOM ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigError(source, "BOM is not UTF-8 text") from None
    data = parse(text, source)[1]
    if not isinstance(data, dict):
        raise ConfigError(source, "expected a BOM mapping with 'services:' and "
                                  "'artifactSources:'")
    services = data.get("services")
    if not isinstance(services, dict):
        raise ConfigError(source, "services: expected a mapping of artifact -> {version: ...}")
    tags: dict[str, str] = {}
    registries: dict[str, str] = {}
    for artifact, entry in services.items():
        if not isinstance(entry, dict):
            continue  # Halyard BOMs carry a few non-service entries (e.g. defaultArtifact)
        version = _version_of(entry, source, f"services.{artifact}")
        if version is None:
            continue
        tags[str(artifact)] = version
        own = entry.get("artifactSources")
        if isinstance(own, dict) and isinstance(own.get("dockerRegistry"), str) \
                and own["dockerRegistry"].strip():
            registries[str(artifact)] = check_registry(
                own["dockerRegistry"], f"{source}: services.{artifact}.artifactSources."
                                       "dockerRegistry")
    dependencies: dict[str, str] = {}
    deps = data.get("dependencies") or {}
    if isinstance(deps, dict):
        for name, entry in deps.items():
            if isinstance(entry, dict):
                version = _version_of(entry, source, f"dependencies.{name}")
                if version is not None:
                    dependencies[str(name)] = version
    sources = data.get("artifactSources") or {}
    if not isinstance(sources, dict):
        raise ConfigError(source, "artifactSources: expected a mapping")
    registry = sources.get("dockerRegistry")
    if registry is not None and not isinstance(registry, str):
        raise ConfigError(source, "artifactSources.dockerRegistry: expected a string")
    if registry:
        registry = check_registry(registry, f"{source}: artifactSources.dockerRegistry")
    version = data.get("version")
    timestamp = data.get("timestamp")
    return Bom(source=source, version=strip_local(str(version)) if version is not None else "",
               tags=tags, registry=registry or None, registries=registries,
               dependencies=dependencies,
               timestamp=str(timestamp) if timestamp is not None else None)


def table_bom(release: Release) -> Bom:
    """A bundled table row as a BOM (services and the optional artifacts it records,
    e.g. monitoring-daemon); its source names the changelog it came from."""
    from pyhalyard.releases import table

    facts = table()
    return Bom(source=f"{TABLE_SOURCE} {release.version} ({facts.source_of(release)})",
               version=release.version, tags={**release.services, **release.optional},
               registry=None,
               dependencies=dict(facts.dependencies), timestamp=release.date or None)


def unknown_version_message(version: str, paths: HalPaths,
                            release: Release | None = None) -> str:
    shown = version or "(not set)"
    name = strip_local(version) if version and "/" not in version else "VERSION"
    if release is not None and release.tags == TAGS_UNKNOWN:
        why = (f"Spinnaker {release.version} is a release, but its image tags are in no "
               f"public source pyhalyard's release table is built from ({release.missing})")
    else:
        why = (f"no image tags known for Spinnaker version '{shown}': it is not in the "
               "bundled release table (`hal version list`)")
    return (f"{why}. Supply its BOM: save Halyard's BOM for it (from a Halyard "
            f"install's ~/.hal/.boms/bom/, or `hal version bom {name}` run by Halyard) as "
            f"{paths.boms_dir / (name + '.yml')} or pass --bom FILE, or pin each image with "
            "artifactId in service-settings/<service>.yml")


def check_version(bom: Bom, requested: str) -> Bom:
    """A BOM that names another release is refused: its tags are not this release's."""
    wanted = strip_local(requested)
    if bom.version and wanted and bom.version != wanted:
        raise HalError(f"{bom.source}: the BOM is for version '{bom.version}', not the "
                       f"requested '{wanted}'; use the BOM of {wanted} (or set the version "
                       f"to {bom.version} with `hal config version edit`)")
    return bom


def resolve_bom(version: str, paths: HalPaths, bom_file: Path | None = None) -> Bom | None:
    """The BOM giving ``version``'s tags, or None when the tags are the release version."""
    if bom_file is not None:
        return check_version(read_bom(bom_file), version)
    name = strip_local(version)
    if name and "/" not in name:
        cached = paths.boms_dir / f"{name}.yml"
        if cached.is_file():
            return check_version(read_bom(cached), version)
    release_key = release_tuple(name)
    if release_key is not None and release_key >= UNIFIED_TAGS_FROM:
        return None
    from pyhalyard.releases import table

    release = table().find(name) if name else None
    if release is not None and release.tags == TAGS_FROM_BOM:
        return table_bom(release)
    raise HalError(unknown_version_message(version, paths, release))


class Images:
    """Resolves images for one deployment; the BOM is looked up once, on first need."""

    def __init__(self, version: str, paths: HalPaths, *, registry: str | None = None,
                 bom: Path | None = None, variant: str | None = None) -> None:
        self.version = version.strip()
        self.paths = paths
        self.registry_override = (check_registry(registry, "--registry")
                                  if registry is not None else None)
        self.bom_override = bom
        variant_name = (variant or "SLIM").upper()
        if variant_name not in catalog.IMAGE_VARIANTS:
            known = ", ".join(catalog.IMAGE_VARIANTS)
            raise HalError(f"deploymentEnvironment.imageVariant: unknown variant '{variant}' "
                           f"(expected one of: {known})")
        self.suffix = catalog.IMAGE_VARIANTS[variant_name]
        self._bom: Bom | None = None
        self._resolved = False

    # ---------------------------------------------------------------- sources
    def bom(self) -> Bom | None:
        """The BOM in use, or None when tags are the release version."""
        if not self._resolved:
            self._bom = resolve_bom(self.version, self.paths, self.bom_override)
            self._resolved = True
        return self._bom

    @property
    def registry(self) -> str:
        return self.registry_for(None)

    def registry_for(self, artifact: str | None) -> str:
        """``--registry``, else the service's own BOM registry, the BOM's, the release's."""
        if self.registry_override:
            return self.registry_override
        bom = self.bom()
        if bom is not None and artifact is not None and artifact in bom.registries:
            return bom.registries[artifact]
        if bom is not None and bom.registry:
            return bom.registry
        return default_registry(self.version)

    def tag(self, artifact: str) -> str:
        bom = self.bom()
        base = bom.tag(artifact) if bom is not None else strip_local(self.version)
        return base + self.suffix

    # ---------------------------------------------------------------- images
    def image(self, sp: ServicePlan) -> str:
        """The image of ``sp``'s main container; ``artifactId`` in its settings wins.

        Halyard writes ``artifactId`` as a full reference (``registry/name:tag``), used
        as is; a bare name (``my-clouddriver``) gets this release's registry and tag.
        """
        artifact_id = sp.settings.get("artifactId")
        if isinstance(artifact_id, str) and artifact_id.strip():
            ref = artifact_id.strip()
            if "/" in ref:
                return ref
            registry = self.registry_for(sp.service.artifact)
            if "@" in ref or ":" in ref:
                return f"{registry}/{ref}"
            return f"{registry}/{ref}:{self.tag(sp.service.artifact)}"
        artifact = sp.service.artifact
        return f"{self.registry_for(artifact)}/{artifact}:{self.tag(artifact)}"

    def describe(self) -> str:
        """Where the tags come from, for the render summary."""
        bom = self.bom()
        if bom is None:
            return f"release {strip_local(self.version)}"
        if bom.source.startswith(TABLE_SOURCE):
            return f"the bundled {TABLE_SOURCE} ({bom.version})"
        return f"BOM {bom.source}"

