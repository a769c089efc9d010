"""Which container image each service runs: ``<registry>/<artifact>:<tag>``.

Releases from 2025.0.0 on ship every service together, tagged with the release
version, so no lookup is needed.  Older releases tie each service to its own
version through a BOM (bill of materials); Halyard caches those under
``<hal-dir>/.boms/bom/<version>.yml`` and we read the same file, falling back
to the few BOMs bundled in ``pyhalyard/data/boms``.  The BOM is only read when
some service actually needs a tag from it, so a config that pins every image
with ``artifactId`` renders without one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pyhalyard import catalog
from pyhalyard.errors import ConfigError, HalError
from pyhalyard.halconfig.document import parse
from pyhalyard.halconfig.paths import HalPaths
from pyhalyard.plan import ServicePlan

BUNDLED_BOMS = Path(__file__).resolve().parent.parent / "data" / "boms"
# From this release on every image is tagged with the release version.
UNIFIED_TAGS_FROM = (2025, 0, 0)
# The last release line published to the legacy registry (SPEC §5).
LAST_LEGACY_REGISTRY_LINE = (2026, 0)

_RELEASE = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
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


def release_tuple(version: str) -> tuple[int, int, int] | None:
    """``2025.2.1`` -> (2025, 2, 1); None for anything that is not a plain release."""
    match = _RELEASE.match(version.strip())
    if not match:
        return None
    return int(match[1]), int(match[2]), int(match[3])


def default_registry(version: str) -> str:
    """SPEC §5: the legacy registry up to 2026.0.x, ghcr.io for later releases."""
    release = release_tuple(version)
    if release is not None and release[:2] > LAST_LEGACY_REGISTRY_LINE:
        return catalog.GHCR_REGISTRY
    return catalog.LEGACY_REGISTRY


def bundled_versions() -> list[str]:
    if not BUNDLED_BOMS.is_dir():
        return []
    return sorted(p.stem for p in BUNDLED_BOMS.glob("*.yml"))


@dataclass(frozen=True)
class Bom:
    """The parts of a Halyard BOM that decide images."""

    source: str
    version: str
    tags: dict[str, str]
    registry: str | None

    def tag(self, artifact: str) -> str:
        try:
            return self.tags[artifact]
        except KeyError:
            raise HalError(f"{self.source}: the BOM has no version for '{artifact}' "
                           f"(expected services.{artifact}.version)") from None


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
    for artifact, entry in services.items():
        if not isinstance(entry, dict):
            continue  # Halyard BOMs carry a few non-service entries (e.g. defaultArtifact)
        version = entry.get("version")
        if version is None:
            continue
        if not isinstance(version, (str, int, float)) or isinstance(version, bool):
            raise ConfigError(source, f"services.{artifact}.version: expected a string")
        tags[str(artifact)] = str(version)
    sources = data.get("artifactSources") or {}
    if not isinstance(sources, dict):
        raise ConfigError(source, "artifactSources: expected a mapping")
    registry = sources.get("dockerRegistry")
    if registry is not None and not isinstance(registry, str):
        raise ConfigError(source, "artifactSources.dockerRegistry: expected a string")
    if registry:
        registry = check_registry(registry, f"{source}: artifactSources.dockerRegistry")
    return Bom(source=source, version=str(data.get("version") or ""), tags=tags,
               registry=registry or None)


def unknown_version_message(version: str, paths: HalPaths) -> str:
    bundled = ", ".join(bundled_versions()) or "none"
    shown = version or "(not set)"
    name = version if version and "/" not in version else "VERSION"
    return (f"no image tags known for Spinnaker version '{shown}': releases from 2025.0.0 on "
            f"need no BOM, older ones do. Supply one: save Halyard's BOM for it "
            f"(`hal version bom {name} -o yaml`) as {paths.boms_dir / (name + '.yml')} "
            f"or pass --bom FILE, or pin each image with artifactId in "
            f"service-settings/<service>.yml. Bundled BOMs: {bundled}")


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
    def _find_bom(self) -> Bom | None:
        if self.bom_override is not None:
            return read_bom(self.bom_override)
        if self.version and "/" not in self.version:
            cached = self.paths.boms_dir / f"{self.version}.yml"
            if cached.is_file():
                return read_bom(cached)
        release = release_tuple(self.version)
        if release is not None and release >= UNIFIED_TAGS_FROM:
            return None
        bundled = BUNDLED_BOMS / f"{self.version}.yml"
        if self.version and "/" not in self.version and bundled.is_file():
            return read_bom(bundled)
        raise HalError(unknown_version_message(self.version, self.paths))

    def bom(self) -> Bom | None:
        """The BOM in use, or None when tags are the release version."""
        if not self._resolved:
            self._bom = self._find_bom()
            self._resolved = True
        return self._bom

    @property
    def registry(self) -> str:
        if self.registry_override:
            return self.registry_override
        bom = self.bom()
        if bom is not None and bom.registry:
            return bom.registry
        return default_registry(self.version)

    def tag(self, artifact: str) -> str:
        bom = self.bom()
        base = bom.tag(artifact) if bom is not None else self.version
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
            if "@" in ref or ":" in ref:
                return f"{self.registry}/{ref}"
            return f"{self.registry}/{ref}:{self.tag(sp.service.artifact)}"
        return f"{self.registry}/{sp.service.artifact}:{self.tag(sp.service.artifact)}"

    def describe(self) -> str:
        """Where the tags come from, for the render summary."""
        bom = self.bom()
        if bom is None:
            return f"release {self.version}"
        if Path(bom.source).parent == BUNDLED_BOMS:
            return f"bundled BOM {Path(bom.source).stem}"
        return f"BOM {bom.source}"

