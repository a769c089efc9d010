"""What Halyard last deployed, from ``<hal-dir>/<deployment>/history/service-settings.yml``.

Halyard writes that file on every ``hal deploy apply``: each service's resolved
settings, including the ``artifactId`` (the full image reference) it deployed.  When
pyhalyard takes over such an install, ``hal deploy diff`` names every image that
would differ from Halyard's, so the first pyhalyard apply changes no image by surprise
(only because the configured version changed, and then visibly).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyhalyard import catalog
from pyhalyard.halconfig.paths import DeploymentPaths
from pyhalyard.render.bundle import Bundle

RECORD = "service-settings.yml"


@dataclass(frozen=True)
class ImageChange:
    service: str
    halyard: str
    new: str


@dataclass(frozen=True)
class Takeover:
    record: Path
    changes: tuple[ImageChange, ...]
    same: int

    def as_dict(self) -> dict[str, Any]:
        return {"record": str(self.record), "unchanged": self.same,
                "changes": [{"service": c.service, "halyard": c.halyard, "new": c.new}
                            for c in self.changes]}

    def text(self) -> str:
        if not self.changes:
            return (f"Images: all {self.same} match what Halyard last deployed "
                    f"({self.record}).")
        width = max(len(c.service) for c in self.changes) + len("spin-")
        lines = [f"Images that differ from what Halyard last deployed ({self.record}):"]
        lines += [f"  {('spin-' + c.service).ljust(width)}  {c.halyard} -> {c.new}"
                  for c in self.changes]
        return "\n".join(lines)


def recorded_images(record: Path) -> dict[str, str]:
    """Halyard's service key (``clouddriverRo``) -> artifactId; unreadable -> empty."""
    import yaml

    try:
        data = yaml.safe_load(record.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    services = data.get("services") if isinstance(data, dict) else None
    if not isinstance(services, dict):
        return {}
    return {str(key): str(entry["artifactId"]) for key, entry in services.items()
            if isinstance(entry, dict) and isinstance(entry.get("artifactId"), str)}


def _image(service_objects: tuple[dict[str, Any], ...]) -> str | None:
    for obj in service_objects:
        if obj.get("kind") == "Deployment":
            return str(obj["spec"]["template"]["spec"]["containers"][0]["image"])
    return None


def takeover_report(paths: DeploymentPaths, bundle: Bundle) -> Takeover | None:
    """None when Halyard left no record; else each managed image compared with it."""
    record = paths.history / RECORD
    if not record.is_file():
        return None
    halyard = recorded_images(record)
    changes: list[ImageChange] = []
    same = 0
    for name, service in sorted(bundle.services.items()):
        image = _image(service.objects)
        if image is None or catalog.get(name).base == "redis":
            continue  # not managed, or pyhalyard's own Redis (Halyard's differs by design)
        previous = halyard.get(catalog.get(name).camel)
        if previous is None:
            continue  # a service Halyard never deployed is an addition, shown by the diff
        if previous == image:
            same += 1
        else:
            changes.append(ImageChange(name, previous, image))
    return Takeover(record, tuple(changes), same)
