"""What is running for a service (``hal deploy details``) and its pods' logs (``collect-logs``).

Halyard's ``DetailsDeployCommand`` printed a ``RunningServiceDetails``: the image
(``artifactId``), the internal and external endpoints, whether the load balancer
(Service) exists, and each instance with ``running``/``healthy``.  The same facts
are read here from the Deployment, Service and pods through the one cluster seam.

Halyard's ``collect-logs`` wrote ``<hal dir>/<deployment>/service-logs/<pod>/<service>/``;
pyhalyard writes one file per container there, mode 0600 (logs can carry
credentials a service printed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pyhalyard.errors import HalError
from pyhalyard.halconfig.store import atomic_write

if TYPE_CHECKING:
    from pyhalyard.deploy.kube import Kube
    from pyhalyard.plan import Plan, ServicePlan


def selector(sp: ServicePlan) -> dict[str, str]:
    """Halyard's pod labels for a service (what render/manifests puts on every pod)."""
    return {"app": "spin", "cluster": sp.k8s_name}


def _pod_view(pod: dict[str, Any]) -> dict[str, Any]:
    meta = pod.get("metadata") or {}
    status = pod.get("status") or {}
    containers = status.get("containerStatuses") or []
    ready = bool(containers) and all(c.get("ready") for c in containers)
    return {
        "id": meta.get("name", ""),
        "location": meta.get("namespace", ""),
        "running": status.get("phase") == "Running",
        "healthy": ready,
        "restarts": sum(int(c.get("restartCount") or 0) for c in containers),
    }


def _external(service: dict[str, Any] | None) -> str | None:
    """The address a LoadBalancer/NodePort Service is reached at from outside, if any."""
    if not service:
        return None
    spec = service.get("spec") or {}
    ports = spec.get("ports") or [{}]
    port = ports[0].get("port")
    for ingress in ((service.get("status") or {}).get("loadBalancer") or {}).get(
            "ingress") or ():
        host = ingress.get("hostname") or ingress.get("ip")
        if host:
            return f"{host}:{port}" if port else str(host)
    if spec.get("type") == "NodePort" and ports[0].get("nodePort"):
        return f"<node>:{ports[0]['nodePort']}"
    return None


def namespace(plan: Plan, sp: ServicePlan) -> str:
    """Where the service runs: its service-settings ``location``, else the deployment's."""
    from pyhalyard.render.pod_details import namespace_of

    return namespace_of(plan, sp)


def details(plan: Plan, sp: ServicePlan, deployment: dict[str, Any] | None,
            service: dict[str, Any] | None, pods: list[dict[str, Any]]) -> dict[str, Any]:
    """Halyard's RunningServiceDetails for one service, from what the cluster holds."""
    where = namespace(plan, sp)
    if deployment is None:
        raise HalError(f"{sp.name}: not deployed in namespace '{where}' "
                       f"(no Deployment {sp.k8s_name}); deploy it with: hal deploy apply")
    meta = deployment.get("metadata") or {}
    spec = deployment.get("spec") or {}
    status = deployment.get("status") or {}
    containers = ((spec.get("template") or {}).get("spec") or {}).get("containers") or [{}]
    labels = meta.get("labels") or {}
    internal = f"{sp.service.scheme}://{sp.k8s_name}.{where}:{sp.port}"
    # the URL users reach it at: a load balancer's address, else an overrideBaseUrl
    external = _external(service) or (sp.base_url if sp.base_url != internal else None)
    return {
        "service": sp.name,
        "kubernetesName": sp.k8s_name,
        "namespace": where,
        "artifactId": containers[0].get("image"),
        "version": labels.get("app.kubernetes.io/version"),
        "internalEndpoint": internal,
        "externalEndpoint": external,
        "loadBalancer": {"exists": service is not None},
        "replicas": {
            "desired": int(spec.get("replicas", 1)),
            "ready": int(status.get("readyReplicas") or 0),
            "available": int(status.get("availableReplicas") or 0),
            "updated": int(status.get("updatedReplicas") or 0),
        },
        "instances": sorted((_pod_view(p) for p in pods), key=lambda v: str(v["id"])),
    }


def read_details(kube: Kube, plan: Plan, sp: ServicePlan) -> dict[str, Any]:
    from pyhalyard.deploy.kube import list_pods

    where = namespace(plan, sp)
    deployment = kube.get("Deployment", sp.k8s_name, where)
    service = kube.get("Service", sp.k8s_name, where)
    pods = list_pods(kube, where, selector(sp)) if deployment is not None else []
    return details(plan, sp, deployment, service, pods)


@dataclass(frozen=True)
class CollectedLog:
    service: str
    pod: str
    container: str
    path: Path
    lines: int


def collect_logs(kube: Kube, plan: Plan, services: list[ServicePlan],
                 out_dir: Path) -> tuple[list[CollectedLog], list[str]]:
    """Each running container's log of ``services`` under ``out_dir/<pod>/<service>/``.

    Returns the logs written and the services that had no running pod.
    """
    from pyhalyard.deploy.kube import list_pods

    written: list[CollectedLog] = []
    missing: list[str] = []
    for sp in services:
        pods = [p for p in list_pods(kube, namespace(plan, sp), selector(sp))
                if (p.get("status") or {}).get("phase") == "Running"]
        if not pods:
            missing.append(sp.name)
            continue
        for pod in sorted(pods, key=lambda p: str((p.get("metadata") or {}).get("name"))):
            name = str((pod.get("metadata") or {}).get("name", ""))
            containers = [str(c.get("name")) for c in (pod.get("spec") or {}).get(
                "containers") or () if c.get("name")]
            for container in containers:
                text = _pod_log(kube, name, namespace(plan, sp), container)
                path = out_dir / _safe(name) / sp.name / f"{_safe(container)}.log"
                atomic_write(path, text)
                written.append(CollectedLog(sp.name, name, container, path,
                                            text.count("\n")))
    return written, missing


def _pod_log(kube: Kube, name: str, namespace: str, container: str) -> str:
    from pyhalyard.deploy.kube import KubeError, pod_log

    try:
        return pod_log(kube, name, namespace, container)
    except KubeError as exc:
        if exc.code in (400, 404):  # not started yet, or gone since the listing
            return f"# no log: {exc}\n"
        raise


def _safe(name: str) -> str:
    """A Kubernetes name as one path component (they are DNS labels; be defensive)."""
    cleaned = "".join(c if c.isalnum() or c in "-._" else "-" for c in name).strip(".")
    return cleaned or "unnamed"
