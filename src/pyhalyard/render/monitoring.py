"""The spinnaker-monitoring daemon sidecar, as Halyard deployed it for ``metricStores``.

Halyard (DistributedService.getSidecars, KubernetesV2MonitoringDaemonService,
SpinnakerMonitoringDaemonService) added a ``monitoring-daemon`` container to the pod
of every monitored service (the Spring services; ``monitored: false`` in
service-settings opts one out) when ``metricStores.enabled`` is true.  The daemon
polls the service's ``/spectator/metrics`` and forwards to the enabled stores.  Its
files, next to the service's own in the config Secret:

- ``/opt/spinnaker-monitoring/config/spinnaker-monitoring.yml``: the ``metricStores``
  block, ``server`` (host/port) and ``monitor`` (period, enabled stores)
  (SpinnakerMonitoringDaemonProfileFactory);
- ``/opt/spinnaker-monitoring/registry/<service>.yml``: ``metrics_url`` of the service
  (MetricRegistryProfileFactoryBuilder);
- the user's ``profiles/spinnaker-monitoring-local.yml`` and
  ``profiles/monitoring-daemon/filters/default.yml`` when present.

The daemon image is released only with the releases whose BOM lists
``monitoring-daemon``: a user's BOM, or a bundled table row whose public BOM record
names it (``optional`` in data/releases.yml, e.g. 1.26.7); releases from 2025.0.0 on
ship none, and then nothing is added (validation warns).
"""

from __future__ import annotations

from typing import Any

from pyhalyard import catalog
from pyhalyard.errors import HalError
from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render.images import Images
from pyhalyard.render.profiles.base import dump

ARTIFACT = "monitoring-daemon"
CONTAINER = "monitoring-daemon"
PORT = catalog.BY_NAME["monitoring-daemon"].port
CONFIG_DIR = "/opt/spinnaker-monitoring/config"
REGISTRY_DIR = "/opt/spinnaker-monitoring/registry"
FILTERS_DIR = "/opt/spinnaker-monitoring/filters"
PREFIX = "monitoring-daemon/"
STORES = ("datadog", "prometheus", "stackdriver", "newrelic")
DEFAULT_PERIOD = 30
# Custom profile -> where the daemon reads it (SpinnakerMonitoringDaemonService).
CUSTOM_FILES = {"spinnaker-monitoring-local.yml": f"{CONFIG_DIR}/spinnaker-monitoring-local.yml",
                "monitoring-daemon/filters/default.yml": f"{FILTERS_DIR}/default.yml"}


def image(images: Images, plan: Plan | None = None) -> str | None:
    """The daemon's image for this release, or None when the release ships none;
    ``artifactId`` in service-settings/monitoring-daemon.yml names one explicitly."""
    daemon = plan.services.get("monitoring-daemon") if plan is not None else None
    if daemon is not None and str(daemon.settings.get("artifactId") or "").strip():
        try:
            return images.image(daemon)
        except HalError:
            return None
    try:
        bom = images.bom()
    except HalError:
        return None
    if bom is None or ARTIFACT not in bom.tags:
        return None
    return f"{images.registry}/{ARTIFACT}:{images.tag(ARTIFACT)}"


def monitored(plan: Plan, sp: ServicePlan) -> bool:
    daemon = plan.services.get("monitoring-daemon")
    return (daemon is not None and daemon.enabled and sp.service.java
            and sp.settings.get("monitored") is not False)


def enabled_stores(raw: dict[str, Any]) -> list[str]:
    stores = raw.get("metricStores") or {}
    return [name for name in STORES
            if isinstance(stores.get(name), dict) and stores[name].get("enabled") is True]


def daemon_config(plan: Plan) -> dict[str, Any]:
    raw = plan.deployment.raw
    stores = raw.get("metricStores") or {}
    period = stores.get("period") if isinstance(stores.get("period"), int) else DEFAULT_PERIOD
    out: dict[str, Any] = {k: v for k, v in stores.items() if k in (*STORES, "period", "enabled")}
    out["server"] = {"host": "0.0.0.0", "port": PORT}
    out["monitor"] = {"period": period, "metric_store": enabled_stores(raw)}
    return out


def metrics_url(sp: ServicePlan) -> str:
    scheme = str(sp.settings.get("scheme") or sp.service.scheme)
    return f"{scheme}://localhost:{sp.port}/spectator/metrics"


def files(plan: Plan, sp: ServicePlan) -> dict[str, str]:
    """The daemon's files for ``sp``'s config Secret, by name inside the Secret."""
    out = {f"{PREFIX}spinnaker-monitoring.yml": dump(daemon_config(plan)),
           f"{PREFIX}registry/{sp.name}.yml": dump({"metrics_url": metrics_url(sp)})}
    for name in CUSTOM_FILES:
        if name in plan.custom.profiles:
            out[PREFIX + name.removeprefix(PREFIX)] = plan.custom.profiles[name]
    return out


def _target(name: str) -> str:
    rel = name.removeprefix(PREFIX)
    if rel.startswith("registry/"):
        return f"{REGISTRY_DIR}/{rel.removeprefix('registry/')}"
    if rel.startswith("filters/"):
        return f"{FILTERS_DIR}/{rel.removeprefix('filters/')}"
    return f"{CONFIG_DIR}/{rel}"


def container(image_ref: str, names: list[str], volume: str) -> dict[str, Any]:
    """The sidecar: TCP readiness on its port (no health endpoint), its files mounted
    one by one from the service's config volume."""
    mounts = [{"name": volume, "mountPath": _target(n), "subPath": n, "readOnly": True}
              for n in sorted(names)]
    return {"name": CONTAINER, "image": image_ref,
            "ports": [{"name": "metrics", "containerPort": PORT, "protocol": "TCP"}],
            "readinessProbe": {"tcpSocket": {"port": PORT}},
            "volumeMounts": mounts}


def attach(objects: list[dict[str, Any]], image_ref: str, names: list[str],
           volume: str) -> None:
    """Add the sidecar to the service's Deployment (built by manifests.service_objects)."""
    for obj in objects:
        if obj.get("kind") == "Deployment":
            pod = obj["spec"]["template"]["spec"]
            if not any(c.get("name") == CONTAINER for c in pod["containers"]):
                pod["containers"].append(container(image_ref, names, volume))
