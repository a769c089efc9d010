"""``hal deploy details`` and ``hal deploy collect-logs``: read what runs in the cluster.

Thin: resolve the service names, connect through the deploy account and call
``pyhalyard.deploy.details``.  Read-only: nothing in the cluster changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pyhalyard import catalog
from pyhalyard.cli.context import AppContext, common_options, get_app
from pyhalyard.errors import HalError, UsageError

if TYPE_CHECKING:
    from pyhalyard.pipeline import Loaded
    from pyhalyard.plan import Plan, ServicePlan


def _loaded(app: AppContext) -> tuple[Loaded, Plan]:
    from pyhalyard import pipeline

    loaded = pipeline.load(app.paths, app.deployment)
    return loaded, pipeline.plan(loaded)


def _enabled(plan: Plan, name: str) -> ServicePlan:
    try:
        canonical = catalog.canonical_name(name)
    except catalog.UnknownServiceError as exc:
        raise UsageError(f"--service-name: {exc}") from None
    sp = plan.services.get(canonical)
    if sp is not None and sp.enabled and sp.service.deployable:
        return sp
    roles = [r.name for r in catalog.roles_of(canonical)
             if r.name in plan.services and plan.services[r.name].enabled]
    hint = f"; its HA roles are: {', '.join(roles)}" if roles else ""
    raise HalError(f"--service-name: {canonical} is not deployed by deployment "
                   f"'{plan.deployment.name}'{hint}")


@click.command()
@click.option("--service-name", required=True, metavar="NAME",
              help="The name of the service to inspect (e.g. gate, clouddriver-ro).")
@common_options
def details(service_name: str) -> None:
    """Get details about your currently deployed Spinnaker installation (one service)."""
    from pyhalyard.deploy.details import read_details
    from pyhalyard.deploy.kube import Kube, credentials

    app = get_app()
    loaded, plan = _loaded(app)
    sp = _enabled(plan, service_name)
    with Kube.connect(credentials(loaded.deployment, loaded.paths.root)) as kube:
        found = read_details(kube, plan, sp)
    app.emit(found, lambda: _show(app, found))


def _show(app: AppContext, found: dict[str, Any]) -> None:
    replicas = found["replicas"]
    lines = [
        f"{found['kubernetesName']} ({found['service']}) in namespace {found['namespace']}",
        f"  artifact:  {found['artifactId']}",
        f"  version:   {found['version'] or 'unknown'}",
        f"  internal:  {found['internalEndpoint']}",
        f"  external:  {found['externalEndpoint'] or 'none'}",
        f"  service:   {'exists' if found['loadBalancer']['exists'] else 'missing'}",
        f"  replicas:  {replicas['ready']}/{replicas['desired']} ready, "
        f"{replicas['available']} available, {replicas['updated']} updated",
        "  instances:" + ("" if found["instances"] else " none"),
    ]
    for pod in found["instances"]:
        state = "running" if pod["running"] else "not running"
        health = "healthy" if pod["healthy"] else "not ready"
        restarts = f", {pod['restarts']} restarts" if pod["restarts"] else ""
        lines.append(f"    - {pod['id']}: {state}, {health}{restarts}")
    for line in lines:
        app.info(line)


@click.command("collect-logs")
@click.option("--service-names", multiple=True, metavar="NAMES",
              help="Only these services (comma-separated or repeated).")
@click.option("--exclude-service-names", multiple=True, metavar="NAMES",
              help="Every service but these.")
@click.option("--output-dir", metavar="DIR", type=click.Path(file_okay=False),
              help="Where to write the logs (default: <hal dir>/<deployment>/service-logs, "
                   "as Halyard).")
@common_options
def collect_logs(service_names: tuple[str, ...], exclude_service_names: tuple[str, ...],
                 output_dir: str | None) -> None:
    """Collect logs from the specified Spinnaker services (every container of every pod)."""
    from pyhalyard.cli.deploy_cluster import selection
    from pyhalyard.deploy.details import collect_logs as collect
    from pyhalyard.deploy.kube import Kube, credentials

    app = get_app()
    loaded, plan = _loaded(app)
    chosen = selection(service_names, exclude_service_names)
    services = [sp for sp in plan.enabled() if sp.service.deployable
                and (chosen is None or sp.name in chosen)]
    if not services:
        raise UsageError("no enabled service matches --service-names/--exclude-service-names")
    out = Path(output_dir).expanduser() if output_dir else \
        app.paths.deployment(loaded.deployment.name).root / "service-logs"
    with Kube.connect(credentials(loaded.deployment, loaded.paths.root)) as kube:
        written, missing = collect(kube, plan, services, out)

    def human() -> None:
        for log in written:
            app.info(f"+ {log.service}: {log.path} ({log.lines} lines)")
        for name in missing:
            app.warn(f"warning: {name}: no running pod, no logs collected")
        app.info(f"+ Successfully collected service logs: {len(written)} file(s) in {out}")

    app.emit({"outputDir": str(out),
              "logs": [{"service": w.service, "pod": w.pod, "container": w.container,
                        "path": str(w.path), "lines": w.lines} for w in written],
              "noRunningPods": missing}, human)
