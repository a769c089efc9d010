"""Objects exactly as Java Halyard (1.30) left them in a namespace, for the API server DOUBLE.

Built from spinnaker/halyard@23e66d69 (read with the ``fetch`` tool):
``halyard-deploy/src/main/resources/kubernetes/manifests/{deployment,service}.yml`` (templates);
``.../kubernetes/v2/KubernetesV2Service.java``: exec ``wget`` readiness probe when
``useExecHealthCheck`` (the default; ``getProbe`` L436-453), tcpSocket without a health endpoint
(deck, redis), grace 60 s (L84-86), config volume named like its Secret;
``KubernetesV2ClouddriverService.java``: grace 720 s for every clouddriver;
``KubernetesV2OrcaService``: preStop ``bash /opt/spinnaker/scripts/shutdown.sh``;
``KubectlDeployer.java``: Deployments and Services by client-side ``kubectl apply``, Services
only when missing, Redis never redeployed; ``KubernetesV2Executor.java``: Secrets by
``kubectl replace --force`` (no last-applied annotation).  Summarised in
/work/shared/research/real-k8s-semantics.md ("What Java Halyard left in the cluster").

``seed_halyard(api, ...)`` creates them in the double the way Halyard's kubectl did, so the
server defaults them and ``kubectl-client-side-apply`` owns every defaulted field.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from pyhalyard import catalog

HALYARD_VERSION = "1.30.1"
REGISTRY = "us-docker.pkg.dev/spinnaker-community/docker"
REDIS_IMAGE = "redis:6.2"
HALYARD_HOME = "/home/spinnaker/.hal"

BASE = ("deck", "echo", "fiat", "front50", "gate", "igor", "orca", "redis", "rosco")
HA_ON = ("clouddriver-caching", "clouddriver-ro", "clouddriver-ro-deck", "clouddriver-rw",
         "echo-scheduler", "echo-worker", *(s for s in BASE if s != "echo"))
HA_OFF = ("clouddriver", *BASE)

# Halyard's java hash of the profile set is a (possibly negative) int: keep realistic digits.
DEFAULT_SECRET_SUFFIX = "1234567890"


def _labels(name: str, version: str) -> dict[str, str]:
    return {"app": "spin", "cluster": f"spin-{name}", "app.kubernetes.io/name": name,
            "app.kubernetes.io/managed-by": "halyard", "app.kubernetes.io/part-of": "spinnaker",
            "app.kubernetes.io/version": version}


def _secret(name: str, namespace: str, suffix: str, files: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": {"name": f"spin-{name}-files-{suffix}", "namespace": namespace,
                         "labels": {"app": "spin", "cluster": f"spin-{name}"}},
            "data": {k: base64.b64encode(v.encode()).decode() for k, v in files.items()}}


def _probe(service: catalog.Service) -> dict[str, Any]:
    if service.health_endpoint is None:
        return {"tcpSocket": {"port": service.port}}
    return {"exec": {"command": ["wget", "--no-check-certificate", "--spider", "-q",
                                 f"http://localhost:{service.port}{service.health_endpoint}"]}}


def halyard_objects(services: tuple[str, ...] | list[str] = HA_OFF, *,
                    namespace: str = "spinnaker", version: str = HALYARD_VERSION,
                    deployment: str = "default", staging: bool = False,
                    metrics: bool = False, secret_suffix: str = DEFAULT_SECRET_SUFFIX,
                    strategy: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Halyard's Secret, Service and Deployment for each service name (catalog names:
    ``clouddriver-caching``, ``echo-scheduler``, ``redis``, ...).

    ``staging``: a second config Secret mounted at ``<hal home>/<deployment>/staging/dependencies``
    (Halyard does that when the config references local files).  ``metrics``: the
    ``monitoring-daemon`` sidecar.  ``strategy``: the ``spec.strategy`` Halyard's template
    rendered from ``kubernetes.deploymentStrategy`` (none by default).
    """
    objects: list[dict[str, Any]] = []
    for name in services:
        service = catalog.BY_NAME[name]
        labels = _labels(name, version)
        selector = {"app": "spin", "cluster": f"spin-{name}"}
        config = _secret(name, namespace, secret_suffix,
                         {f"{service.base}.yml": f"server:\n  port: {service.port}\n",
                          "spinnaker.yml": "services: {}\n"})
        volumes = [{"name": config["metadata"]["name"],
                    "secret": {"secretName": config["metadata"]["name"]}}]
        mounts = [{"name": config["metadata"]["name"], "mountPath": "/opt/spinnaker/config"}]
        objects.append(config)
        if staging:
            extra = _secret(name, namespace, str(int(secret_suffix) + 1),
                            {"kubeconfig": "apiVersion: v1\nkind: Config\n"})
            objects.append(extra)
            volumes.append({"name": extra["metadata"]["name"],
                            "secret": {"secretName": extra["metadata"]["name"]}})
            mounts.append({"name": extra["metadata"]["name"],
                           "mountPath": f"{HALYARD_HOME}/{deployment}/staging/dependencies"})
        if service.base == "redis":
            image = REDIS_IMAGE
            env = [{"name": "MASTER", "value": "true"}]
        else:
            image = f"{REGISTRY}/{service.artifact}:{version}"
            env = [{"name": "SPRING_PROFILES_ACTIVE", "value": "local"}] if service.java else []
            if service.java:
                env.append({"name": "JAVA_OPTS", "value": "-XX:MaxRAMPercentage=50.0"})
        container: dict[str, Any] = {
            "name": name, "image": image,
            "ports": [{"containerPort": service.port}],
            "readinessProbe": _probe(service),
            "lifecycle": {},
            "resources": {"requests": {}, "limits": {}},
            "volumeMounts": mounts,
        }
        if env:
            container["env"] = env
        if service.base == "orca":
            container["lifecycle"] = {"preStop": {"exec": {
                "command": ["bash", "/opt/spinnaker/scripts/shutdown.sh"]}}}
        containers = [container]
        if metrics and service.java:
            containers.append({
                "name": "monitoring-daemon",
                "image": f"{REGISTRY}/monitoring-daemon:1.4.0",
                "ports": [{"containerPort": 8008}],
                "volumeMounts": [{"name": config["metadata"]["name"],
                                  "mountPath": "/opt/spinnaker-monitoring/config"}]})
        grace = (catalog.CLOUDDRIVER_TERMINATION_GRACE if service.base == "clouddriver" else 60)
        spec: dict[str, Any] = {
            "replicas": 1,
            "selector": {"matchLabels": selector},
            "template": {"metadata": {"annotations": {}, "labels": dict(labels)},
                         "spec": {"containers": containers,
                                  "terminationGracePeriodSeconds": grace,
                                  "volumes": volumes}},
        }
        if strategy is not None:
            spec["strategy"] = strategy
        meta = {"name": f"spin-{name}", "namespace": namespace,
                "annotations": {"moniker.spinnaker.io/application": json.dumps("spin"),
                                "moniker.spinnaker.io/cluster": json.dumps(name)},
                "labels": dict(labels)}
        objects.append({"apiVersion": "v1", "kind": "Service",
                        "metadata": {"name": f"spin-{name}", "namespace": namespace,
                                     "labels": dict(selector)},
                        "spec": {"selector": dict(selector), "type": "ClusterIP", "ports": [
                            {"protocol": "TCP", "port": service.port,
                             "targetPort": service.port}]}})
        objects.append({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
                        "spec": spec})
    return objects


def seed_halyard(api: Any, services: tuple[str, ...] | list[str] = HA_OFF, *,
                 namespace: str = "spinnaker", **options: Any) -> list[dict[str, Any]]:
    """Create the namespace (as an operator did, ``kubectl create namespace``) and Halyard's
    objects the way Halyard did: Secrets by ``kubectl replace --force`` (a plain create by
    ``kubectl-replace``), Services and Deployments by client-side ``kubectl apply``."""
    if api.get("Namespace", namespace) is None:
        api.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}},
                 manager="kubectl-create")
    objects = halyard_objects(services, namespace=namespace, **options)
    for obj in objects:
        if obj["kind"] == "Secret":
            api.seed(obj, manager="kubectl-replace")
        else:
            api.seed_client_side_apply(obj)
    return objects
