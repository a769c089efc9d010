"""Hal dirs for the render tests, built from one base deployment plus the changes a test names."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import yaml

from pyhalyard import pipeline
from pyhalyard.halconfig.paths import HalPaths
from pyhalyard.render.build import build_bundle
from pyhalyard.render.bundle import Bundle, KubeObject
from tests.helpers import EXAMPLES, realworld

MASTER = "redis://:master-pw-123@redis-master.redis:6379"
REPLICA = "redis://:replica-pw-456@redis-replica.redis:6379"
DECK_REPLICA = "redis://:deck-pw-789@redis-replica-deck.redis:6380"


def base_deployment(accounts: int = 1) -> dict[str, Any]:
    return {
        "name": "default",
        "version": "2025.2.1",
        "providers": {"kubernetes": {
            "enabled": True,
            "primaryAccount": "acct-0",
            "accounts": [{"name": f"acct-{i}", "providerVersion": "V2", "context": f"ctx-{i}",
                          "serviceAccount": True,
                          "namespaces": [], "omitNamespaces": ["kube-system"]}
                         for i in range(accounts)],
        }},
        "deploymentEnvironment": {
            "type": "Distributed",
            "accountName": "acct-0",
            "location": "spinnaker",
            "customSizing": {},
            "haServices": {"clouddriver": {"enabled": False}, "echo": {"enabled": False}},
        },
        "persistentStorage": {"persistentStoreType": "s3",
                              "s3": {"bucket": "b", "rootFolder": "front50",
                                     "region": "us-east-1"}},
        "security": {"authz": {"enabled": False}},
    }


def write_hal(root: Path, deployment: dict[str, Any], *,
              settings: dict[str, dict[str, Any]] | None = None,
              profiles: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    config = {"halyardVersion": "1.45.0", "currentDeployment": "default",
              "deploymentConfigurations": [deployment]}
    (root / "config").write_text(yaml.safe_dump(config, sort_keys=False))
    for name, data in (settings or {}).items():
        folder = root / "default" / "service-settings"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{name}.yml").write_text(yaml.safe_dump(data, sort_keys=False))
    for name, text in (profiles or {}).items():
        path = root / "default" / "profiles" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def deployment(*, cd_ha: bool = False, echo_ha: bool = False, ro_deck: bool = False,
               endpoints: bool = False, accounts: int = 1,
               sizing: dict[str, Any] | None = None, **env: Any) -> dict[str, Any]:
    dep = base_deployment(accounts)
    denv = dep["deploymentEnvironment"]
    cd: dict[str, Any] = {"enabled": cd_ha}
    if ro_deck:
        cd["disableClouddriverRoDeck"] = False
    if endpoints:
        cd["redisMasterEndpoint"] = MASTER
        cd["redisSlaveEndpoint"] = REPLICA
        if ro_deck:
            cd["redisSlaveDeckEndpoint"] = DECK_REPLICA
    denv["haServices"] = {"clouddriver": cd, "echo": {"enabled": echo_ha}}
    denv["customSizing"] = copy.deepcopy(sizing or {})
    denv.update(env)
    return dep


# Every Kubernetes-facing setting at once: validates what the translations produce.
KITCHEN_SETTINGS: dict[str, dict[str, Any]] = {
    "gate": {
        "env": {"GATE_TOKEN": "tok-secret-1", "PLAIN": "visible"},
        "kubernetes": {
            "podAnnotations": {"example.com/scrape": "true"},
            "podLabels": {"team": "platform"},
            "serviceLabels": {"expose": "yes"},
            "serviceAnnotations": {"example.com/lb": "internal"},
            "serviceType": "NodePort",
            "nodePort": 30084,
            "serviceAccountName": "spinnaker-gate",
            "imagePullSecrets": ["regcred"],
            "nodeSelector": {"pool": "spin"},
            "securityContext": {"runAsUser": 1000, "fsGroup": 1000},
            "deploymentStrategy": {"type": "RollingUpdate",
                                   "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "volumes": [{"id": "gate-certs", "type": "secret", "mountPath": "/opt/certs"},
                        {"id": "gate-extra", "type": "configMap", "mountPath": "/opt/extra"},
                        {"id": "scratch", "type": "emptyDir", "mountPath": "/tmp/scratch"}],
        },
    },
    "orca": {"kubernetes": {"useTcpProbe": True}},
    "rosco": {"kubernetes": {"customHealthCheckExecCommands": ["wget", "-q", "-O-",
                                                               "http://localhost:8087/health"]}},
}


def kitchen_deployment() -> dict[str, Any]:
    return deployment(
        cd_ha=True, echo_ha=True, ro_deck=True, endpoints=True,
        sizing={"spin-clouddriver-ro": {"replicas": 2, "requests": {"cpu": "1", "memory": "2Gi"},
                                        "limits": {"memory": "3Gi"}},
                "clouddriver-ro": {"limits": {"memory": "4Gi", "cpu": 2}},
                "spin-echo-worker": {"replicas": 2}},
        livenessProbeConfig={"enabled": True, "initialDelaySeconds": 600},
        tolerations={"spin-clouddriver-caching": [
            {"key": "dedicated", "operator": "Equal", "value": "caching",
             "effect": "NoSchedule"}]},
        affinity={"spin-clouddriver-caching": {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "pool", "operator": "In",
                                       "values": ["caching"]}]}]}}}},
        nodeSelectors={"clouddriver-rw": {"pool": "rw"}},
        sidecars={"spin-clouddriver-rw": [
            {"name": "cloudsql-proxy", "dockerImage": "gcr.io/cloudsql-docker/gce-proxy:1.33",
             "command": ["/cloud_sql_proxy"], "args": ["-instances=x"], "port": 3306,
             "env": {"LOG": "debug"}, "mountPath": "/opt/shared-config",
             "secretVolumeMounts": [{"secretName": "sql-creds", "mountPath": "/secrets"}],
             "configMapVolumeMounts": [{"configMapName": "sql-cfg", "mountPath": "/cfg"}]},
            {"name": "plain", "image": "busybox:1.36", "command": ["sleep", "infinity"]}]},
        initContainers={"spin-front50": [{"name": "wait", "image": "busybox:1.36",
                                          "command": ["true"]}]},
        hostAliases={"spin-orca": [{"ip": "10.0.0.9", "hostnames": ["jenkins.internal"]}]},
    )


def transforms_deployment() -> dict[str, Any]:
    """Every deploy-time transform of issue 11 at once, on release 1.26.7: the bundled
    table's row for it comes from public copies of its Halyard BOM, which list the
    monitoring-daemon image (1.30.1, with no public BOM, ships none from the table)."""
    dep = deployment(
        cd_ha=True, echo_ha=True,
        tolerations={"clouddriver": [{"key": "pool", "operator": "Equal", "value": "cd",
                                      "effect": "NoSchedule"}],
                     "spin-clouddriver-caching": [{"key": "pool", "operator": "Equal",
                                                   "value": "caching", "effect": "NoSchedule"}]},
        sidecars={"echo": [{"dockerImage": "hashicorp/vault:1.15", "mountPath": "/vault/secrets",
                            "args": ["agent"]}]},
    )
    dep["version"] = "1.26.7"
    dep["metricStores"] = {"enabled": True, "period": 30,
                           "prometheus": {"enabled": True, "add_source_metalabels": True},
                           "datadog": {"enabled": False}}
    dep["security"]["authz"]["enabled"] = "true"  # quoted, as hand-edited configs have it
    return dep


TRANSFORMS_SETTINGS: dict[str, dict[str, Any]] = {
    "gate": {"kubernetes": {"useExecHealthCheck": True,
                            "volumes": [{"id": "gate-tls", "mountPath": "/opt/tls"}]}},
    "front50": {"kubernetes": {"useTcpProbe": "true"}},
    "orca": {"monitored": False, "baseUrl": "http://orca.example:8083"},
    "rosco": {"location": "spin-bake"},
}
TRANSFORMS_PROFILES: dict[str, str] = {
    "rosco/packer/custom.json": '{"builders": []}\n',
    "clouddriver/custom-kubeconfig": "apiVersion: v1\nkind: Config\n",
    "settings-local.js": "window.spinnakerSettings.feature.ci = true;\n",
}

CONFIGS: dict[str, dict[str, Any]] = {
    "no-ha": {"deployment": deployment()},
    "clouddriver-ha": {"deployment": deployment(cd_ha=True)},
    "echo-ha": {"deployment": deployment(echo_ha=True)},
    "both-ha": {"deployment": deployment(cd_ha=True, echo_ha=True, endpoints=True)},
    "ro-deck": {"deployment": deployment(cd_ha=True, echo_ha=True, ro_deck=True,
                                         endpoints=True)},
    "kitchen-sink": {"deployment": kitchen_deployment(), "settings": KITCHEN_SETTINGS},
    # clouddriver-ro reads from spin-redis-replica (pyhalyard's in-cluster read replica)
    "in-cluster-replica": {"deployment": deployment(cd_ha=True),
                           "settings": {"redis-replica": {"enabled": True, "targetSize": 2}}},
    "transforms": {"deployment": transforms_deployment(), "settings": TRANSFORMS_SETTINGS,
                   "profiles": TRANSFORMS_PROFILES},
}


def make_hal(tmp: Path, name: str) -> Path:
    """A hal dir for one of CONFIGS, or a copy of examples/hal ("examples") or of the
    realworld Halyard fixture ("realworld")."""
    if name == "examples":
        target = tmp / "examples-hal"
        shutil.copytree(EXAMPLES / "hal", target)
        return target
    if name == "realworld":  # Halyard's own config (1.30.1), namespace placeholder filled in
        target = tmp / "realworld-hal"
        shutil.copytree(realworld(), target)
        config = target / "config"
        config.write_text(config.read_text().replace("SPINNAKER_NAMESPACE", "oss-spinnaker"))
        return target
    if name == "files":  # every required file, TLS, SAML and AWS keys (files_config.py)
        from tests.render_manifests.files_config import files_deployment, write_files

        target = write_hal(tmp / name, files_deployment())
        write_files(target)
        return target
    spec = CONFIGS[name]
    return write_hal(tmp / name, copy.deepcopy(spec["deployment"]),
                     settings=copy.deepcopy(spec.get("settings")), profiles=spec.get("profiles"))


def render(hal_dir: Path, **kwargs: Any) -> Bundle:
    paths = HalPaths(hal_dir)
    return build_bundle(pipeline.plan(pipeline.load(paths)), paths, **kwargs)


def find(bundle: Bundle, kind: str, name: str) -> KubeObject:
    for obj in bundle.objects():
        if obj["kind"] == kind and obj["metadata"]["name"] == name:
            return obj
    raise AssertionError(f"no {kind}/{name} in the bundle")


def kinds(bundle: Bundle, service: str) -> list[str]:
    return [o["kind"] for o in bundle.services[service].objects]


ALL_CONFIGS = [*CONFIGS, "examples", "realworld", "files"]
