"""Defaulting as the API server does it, for the fields the DOUBLE's objects use.

Each rule names the Kubernetes function it follows (kubernetes/kubernetes, ``pkg/apis/...``).
The double runs ``default()`` on every write: on the decoded body of a create/update/patch
(so a client-side-apply manager owns the defaulted values, as ``DefaultTrackOnCreateProbability
= 1`` makes a real server record them) and on the result of a server-side apply merge
(``structuredmerge.go`` defaults the merged object, so nobody owns those values).
"""

from __future__ import annotations

from typing import Any


def _probe(probe: dict[str, Any] | None) -> None:
    """``SetDefaults_Probe`` (core/v1/defaults.go) and ``SetDefaults_HTTPGetAction``."""
    if not isinstance(probe, dict):
        return
    probe.setdefault("timeoutSeconds", 1)
    probe.setdefault("periodSeconds", 10)
    probe.setdefault("successThreshold", 1)
    probe.setdefault("failureThreshold", 3)
    _handler(probe)


def _handler(handler: dict[str, Any] | None) -> None:
    if not isinstance(handler, dict):
        return
    http = handler.get("httpGet")
    if isinstance(http, dict):
        http.setdefault("path", "/")
        http.setdefault("scheme", "HTTP")


def _container(container: dict[str, Any]) -> None:
    """``SetDefaults_Container``: pull policy from the tag, termination message; ports TCP
    (``SetDefaults_ContainerPort``); probes; lifecycle handlers."""
    image = str(container.get("image") or "")
    if "imagePullPolicy" not in container:
        tag = image.rsplit("/", 1)[-1]
        latest = "@" not in tag and (":" not in tag or tag.rsplit(":", 1)[1] == "latest")
        container["imagePullPolicy"] = "Always" if latest else "IfNotPresent"
    container.setdefault("terminationMessagePath", "/dev/termination-log")
    container.setdefault("terminationMessagePolicy", "File")
    for port in container.get("ports") or ():
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
    for name in ("livenessProbe", "readinessProbe", "startupProbe"):
        _probe(container.get(name))
    lifecycle = container.get("lifecycle")
    if isinstance(lifecycle, dict):
        _handler(lifecycle.get("preStop"))
        _handler(lifecycle.get("postStart"))
    for env in container.get("env") or ():
        field_ref = ((env or {}).get("valueFrom") or {}).get("fieldRef")
        if isinstance(field_ref, dict):
            field_ref.setdefault("apiVersion", "v1")  # SetDefaults_ObjectFieldSelector


def pod_spec(spec: dict[str, Any]) -> None:
    """``SetDefaults_PodSpec``; volumes: ``SetDefaults_SecretVolumeSource`` /
    ``SetDefaults_ConfigMapVolumeSource`` (defaultMode 0644 = 420)."""
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    if spec.get("serviceAccountName") and not spec.get("serviceAccount"):
        spec["serviceAccount"] = spec["serviceAccountName"]  # SetDefaults_PodSpec (deprecated)
    for container in [*(spec.get("initContainers") or ()), *(spec.get("containers") or ())]:
        if isinstance(container, dict):
            _container(container)
    for volume in spec.get("volumes") or ():
        if not isinstance(volume, dict):
            continue
        for source in ("secret", "configMap"):
            if isinstance(volume.get(source), dict):
                volume[source].setdefault("defaultMode", 420)
        if isinstance(volume.get("hostPath"), dict):
            volume["hostPath"].setdefault("type", "")


def deployment(obj: dict[str, Any]) -> None:
    """``SetDefaults_Deployment`` (apps/v1/defaults.go): replicas 1; strategy RollingUpdate
    with 25%/25% *only when* the type is RollingUpdate (never cleared when it is Recreate);
    revisionHistoryLimit 10; progressDeadlineSeconds 600; then the pod template."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    strategy = spec.get("strategy")
    if not isinstance(strategy, dict):
        strategy = spec["strategy"] = {}
    if not strategy.get("type"):
        strategy["type"] = "RollingUpdate"
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if not isinstance(rolling, dict):
            rolling = strategy["rollingUpdate"] = {}
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    template = spec.setdefault("template", {})
    pod_spec(template.setdefault("spec", {}))


def replica_set(obj: dict[str, Any]) -> None:
    """``SetDefaults_ReplicaSet``: replicas 1; the pod template as for a Deployment."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    pod_spec(spec.setdefault("template", {}).setdefault("spec", {}))


def service(obj: dict[str, Any]) -> None:
    """``SetDefaults_Service``: type ClusterIP, sessionAffinity None, port protocol TCP and
    targetPort = port; externalTrafficPolicy Cluster for NodePort/LoadBalancer;
    internalTrafficPolicy Cluster (1.22+). IP allocation (clusterIP(s), ipFamilies,
    ipFamilyPolicy) happens in the registry: see ``ApiServerDouble._allocate``."""
    spec = obj.setdefault("spec", {})
    spec.setdefault("type", "ClusterIP")
    spec.setdefault("sessionAffinity", "None")
    for port in spec.get("ports") or ():
        if isinstance(port, dict):
            port.setdefault("protocol", "TCP")
            if "targetPort" not in port:
                port["targetPort"] = port.get("port")
    if spec["type"] in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
    if spec["type"] != "ExternalName":
        spec.setdefault("internalTrafficPolicy", "Cluster")
    if spec["type"] == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)


def secret(obj: dict[str, Any]) -> None:
    """``SetDefaults_Secret``: type Opaque."""
    obj.setdefault("type", "Opaque")


def namespace(obj: dict[str, Any]) -> None:
    """``SetDefaults_Namespace`` (1.21+): label ``kubernetes.io/metadata.name`` = name;
    ``spec.finalizers: [kubernetes]`` is added by the namespace registry's PrepareForCreate."""
    meta = obj.setdefault("metadata", {})
    labels = meta.get("labels")
    if not isinstance(labels, dict):
        labels = meta["labels"] = {}
    labels["kubernetes.io/metadata.name"] = meta.get("name", "")


def pod_disruption_budget(obj: dict[str, Any]) -> None:
    """policy/v1 has no defaults for the fields rendered (``SetDefaults_PodDisruptionBudgetSpec``
    sets nothing before ``unhealthyPodEvictionPolicy`` gating)."""


DEFAULTERS = {
    "Deployment": deployment,
    "ReplicaSet": replica_set,
    "Service": service,
    "Secret": secret,
    "Namespace": namespace,
    "PodDisruptionBudget": pod_disruption_budget,
}


def default(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    DEFAULTERS[kind](obj)
    return obj
