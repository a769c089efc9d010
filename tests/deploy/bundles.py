"""Test inputs: hal dirs wired to the API double, and bundles built by hand from a plan.

The hand-built bundle mirrors what render produces (SPEC §5: config Secret named
by content hash with base64 data, Service, Deployment with Halyard's selector,
Recreate for the scheduler, PDB above one replica) so the library-level tests
do not depend on every renderer detail; the CLI tests use the real renderer.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from pyhalyard import catalog, pipeline
from pyhalyard.halconfig.paths import HalPaths
from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render.bundle import Bundle, KubeObject, ServiceBundle
from tests.helpers import EXAMPLES

NAMESPACE = "spinnaker"
SECRET_PASSWORD = "example-secret"


def make_hal(root: Path, kubeconfig: Path, *, clouddriver_ha: bool = True,
             echo_ha: bool = True, edit: Any = None) -> Path:
    """A copy of examples/hal whose deploy account points at ``kubeconfig``."""
    hal = root / "hal"
    if hal.exists():
        shutil.rmtree(hal)
    shutil.copytree(EXAMPLES / "hal", hal)
    set_ha(hal, clouddriver_ha=clouddriver_ha, echo_ha=echo_ha, kubeconfig=kubeconfig,
           edit=edit)
    return hal


def set_ha(hal: Path, *, clouddriver_ha: bool, echo_ha: bool, kubeconfig: Path | None = None,
           edit: Any = None) -> None:
    config = yaml.safe_load((hal / "config").read_text())
    dep = config["deploymentConfigurations"][0]
    if kubeconfig is not None:
        account = dep["providers"]["kubernetes"]["accounts"][0]
        account["kubeconfigFile"] = str(kubeconfig)
        account["context"] = "double"
    ha = dep["deploymentEnvironment"]["haServices"]
    ha["clouddriver"]["enabled"] = clouddriver_ha
    ha["echo"]["enabled"] = echo_ha
    if edit is not None:
        edit(dep)
    (hal / "config").write_text(yaml.safe_dump(config, sort_keys=False))


def plan_for(hal: Path) -> Plan:
    return pipeline.plan(pipeline.load(HalPaths(hal)))


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=True)


def _files(plan: Plan, sp: ServicePlan) -> dict[str, str]:
    services = {
        s.service.camel: {"host": s.address, "port": s.port, "baseUrl": s.base_url,
                          "enabled": s.enabled}
        for s in plan.services.values() if not s.service.pyhalyard_only
    }
    base, role = sp.service.base, sp.service.role
    files = {"spinnaker.yml": _dump({"services": services}),
             f"{base}.yml": _dump({"server": {"port": sp.port}})}
    if role is not None:
        settings: dict[str, Any] = {"server": {"port": f"${{services.{sp.service.camel}.port:"
                                                       f"{sp.port}}}"}}
        if base == "echo":
            settings["scheduler"] = {"enabled": role == "scheduler"}
        if base == "clouddriver":
            settings["caching"] = {"writeEnabled": role == "caching"}
        files[f"{base}-{role}.yml"] = _dump(settings)
    if sp.overrides:
        name = f"{base}-{role}-overrides.yml" if role else f"{base}-overrides.yml"
        files[name] = _dump(sp.overrides)
    return files


def _labels(sp: ServicePlan, version: str) -> dict[str, str]:
    return {"app": "spin", "cluster": sp.k8s_name, "app.kubernetes.io/name": sp.name,
            "app.kubernetes.io/part-of": "spinnaker",
            "app.kubernetes.io/managed-by": "pyhalyard", "app.kubernetes.io/version": version}


def service_bundle(plan: Plan, sp: ServicePlan,
                   extra: dict[str, str] | None = None) -> ServiceBundle:
    version = plan.deployment.version
    ns = plan.namespace
    labels = _labels(sp, version)
    selector = {"app": "spin", "cluster": sp.k8s_name}
    redis = sp.service.base == "redis"
    # Like the renderer: Redis has no profiles, and nothing in its pod template depends on
    # the Spinnaker version or the other services (a change would restart it empty).
    files = {} if redis else {**_files(plan, sp), **(extra or {})}
    pod_labels = {k: v for k, v in labels.items()
                  if not (redis and k == "app.kubernetes.io/version")}
    data = {k: base64.b64encode(v.encode()).decode() for k, v in sorted(files.items())}
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:10]
    secret = f"{sp.k8s_name}-files-{digest}"
    image = (catalog.REDIS_IMAGE if sp.service.base == "redis"
             else f"{catalog.LEGACY_REGISTRY}/{sp.service.artifact}:{version}")
    container: dict[str, Any] = {
        "name": sp.name, "image": image,
        "ports": [{"name": "http", "containerPort": sp.port, "protocol": "TCP"}],
    }
    if files:
        container["volumeMounts"] = [{"name": "spin-config",
                                      "mountPath": "/opt/spinnaker/config"}]
    if sp.env:
        container["env"] = [{"name": k, "value": v} for k, v in sorted(sp.env.items())]
    replicas = sp.replicas
    spec: dict[str, Any] = {
        "replicas": replicas,
        "selector": {"matchLabels": dict(selector)},
        "template": {"metadata": {"labels": pod_labels}, "spec": {
            "containers": [container]}},
    }
    if files:
        spec["template"]["spec"]["volumes"] = [{"name": "spin-config",
                                                "secret": {"secretName": secret}}]
    if sp.lone_scheduler:
        spec["strategy"] = {"type": "Recreate"}
    meta = {"name": sp.k8s_name, "namespace": ns, "labels": dict(labels)}
    objects: list[KubeObject] = [
        {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "immutable": True,
         "metadata": {**copy.deepcopy(meta), "name": secret}, "data": data},
    ] if files else []
    objects += [
        {"apiVersion": "v1", "kind": "Service", "metadata": copy.deepcopy(meta),
         "spec": {"selector": dict(selector), "ports": [
             {"name": "http", "port": sp.port, "targetPort": sp.port, "protocol": "TCP"}]}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": copy.deepcopy(meta),
         "spec": spec},
    ]
    if replicas > 1:
        objects.append({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                        "metadata": copy.deepcopy(meta),
                        "spec": {"maxUnavailable": 1,
                                 "selector": {"matchLabels": dict(selector)}}})
    return ServiceBundle(sp.name, files, tuple(objects))


def make_bundle(plan: Plan, files: dict[str, dict[str, str]] | None = None) -> Bundle:
    """``files``: extra profile files per service (like a custom ``profiles/`` file)."""
    files = files or {}
    services = {sp.name: service_bundle(plan, sp, files.get(sp.name))
                for sp in sorted(plan.managed(), key=lambda s: s.name)}
    namespace = {"apiVersion": "v1", "kind": "Namespace",
                 "metadata": {"name": plan.namespace,
                              "labels": {"app.kubernetes.io/managed-by": "pyhalyard"}}}
    return Bundle(plan.namespace, plan.deployment.version, (namespace,), services)


def bundle_for(root: Path, kubeconfig: Path, *,
               files: dict[str, dict[str, str]] | None = None, **kwargs: Any) -> Bundle:
    return make_bundle(plan_for(make_hal(root, kubeconfig, **kwargs)), files)
