"""Targeted assertions on the rendered Kubernetes objects (SPEC §5)."""

from __future__ import annotations

import base64
import copy
import re
from pathlib import Path

import pytest

from pyhalyard import catalog
from pyhalyard.errors import HalError
from pyhalyard.render.bundle import Bundle, KubeObject
from pyhalyard.render.output import dump_object
from tests.render_manifests.configs import (
    DECK_REPLICA,
    MASTER,
    REPLICA,
    deployment,
    find,
    kinds,
    render,
    write_hal,
)

# Config Secret, required-files Secret, AWS credentials Secret.
SECRET_NAME = re.compile(r"^spin-(?P<name>[a-z0-9-]+?)-(required-|aws-)?files-[0-9a-f]{10}$")


def pod(bundle: Bundle, name: str) -> KubeObject:
    spec: KubeObject = find(bundle, "Deployment", f"spin-{name}")["spec"]["template"]["spec"]
    return spec


def main_container(bundle: Bundle, name: str) -> KubeObject:
    container: KubeObject = pod(bundle, name)["containers"][0]
    return container


def env_of(bundle: Bundle, name: str) -> dict[str, KubeObject]:
    return {e["name"]: e for e in main_container(bundle, name).get("env", [])}


# ------------------------------------------------------------------ services and names
def test_services_per_topology(bundles: dict[str, Bundle]) -> None:
    assert set(bundles["no-ha"].services) >= {"clouddriver", "echo", "deck", "gate", "orca",
                                              "front50", "rosco", "redis"}
    assert not set(bundles["no-ha"].services) & {"clouddriver-ro", "echo-worker"}
    cd = set(bundles["clouddriver-ha"].services)
    assert {"clouddriver-caching", "clouddriver-rw", "clouddriver-ro", "echo"} <= cd
    assert not cd & {"clouddriver", "clouddriver-ro-deck", "echo-scheduler"}
    echo = set(bundles["echo-ha"].services)
    assert {"echo-scheduler", "echo-worker", "clouddriver"} <= echo and "echo" not in echo
    assert "clouddriver-ro-deck" in bundles["ro-deck"].services
    assert "clouddriver-ro-deck" not in bundles["both-ha"].services


@pytest.mark.parametrize("config", ["no-ha", "both-ha", "ro-deck", "examples"])
def test_labels_selectors_and_names(bundles: dict[str, Bundle], config: str) -> None:
    bundle = bundles[config]
    version = bundle.version
    for name, service in bundle.services.items():
        expected = {"app": "spin", "cluster": f"spin-{name}",
                    "app.kubernetes.io/name": name,
                    "app.kubernetes.io/part-of": "spinnaker",
                    "app.kubernetes.io/managed-by": "pyhalyard",
                    "app.kubernetes.io/version": version}
        selector = {"app": "spin", "cluster": f"spin-{name}"}
        assert service.objects, name
        for obj in service.objects:
            assert obj["metadata"]["namespace"] == bundle.namespace
            assert obj["metadata"]["labels"] == expected, (name, obj["kind"])
            if obj["kind"] == "Secret":
                match = SECRET_NAME.match(obj["metadata"]["name"])
                assert match and match["name"] == name
            else:
                assert obj["metadata"]["name"] == f"spin-{name}"
        dep = find(bundle, "Deployment", f"spin-{name}")
        assert dep["spec"]["selector"] == {"matchLabels": selector}
        pod_labels = dict(expected)
        if name in ("redis", "redis-replica"):
            # Redis keeps its data only in memory: a version bump must not restart it.
            del pod_labels["app.kubernetes.io/version"]
        assert dep["spec"]["template"]["metadata"]["labels"] == pod_labels
        svc = find(bundle, "Service", f"spin-{name}")
        assert svc["spec"]["selector"] == selector
        assert svc["spec"]["type"] == "ClusterIP"
        container = dep["spec"]["template"]["spec"]["containers"][0]
        assert container["name"] == name
        port = catalog.BY_NAME[name].port
        assert svc["spec"]["ports"][0]["port"] == port
        assert svc["spec"]["ports"][0]["targetPort"] == port
        assert container["ports"][0]["containerPort"] == port
    namespace = find(bundle, "Namespace", bundle.namespace)
    assert namespace["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "pyhalyard"


def test_config_secret_is_mounted_and_holds_every_profile(bundles: dict[str, Bundle]) -> None:
    bundle = bundles["examples"]
    for name in ("clouddriver-ro", "gate", "echo-scheduler"):
        service = bundle.services[name]
        secret = next(o for o in service.objects if o["kind"] == "Secret")
        data = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
        assert data == service.profiles
        spec = pod(bundle, name)
        volume = next(v for v in spec["volumes"] if v["name"] == "spin-config")
        assert volume["secret"]["secretName"] == secret["metadata"]["name"]
        mounts = main_container(bundle, name)["volumeMounts"]
        assert {"name": "spin-config", "mountPath": "/opt/spinnaker/config"} in mounts
        assert secret["immutable"] is True


def test_port_from_settings(tmp_path: Path) -> None:
    hal = write_hal(tmp_path / "hal", deployment(), settings={"orca": {"port": 8183}})
    bundle = render(hal)
    svc = find(bundle, "Service", "spin-orca")
    assert svc["spec"]["ports"][0]["port"] == 8183
    assert main_container(bundle, "orca")["ports"][0]["containerPort"] == 8183
    assert main_container(bundle, "orca")["readinessProbe"]["httpGet"]["port"] == 8183


# ------------------------------------------------------------------ content hash
def _secret_names(bundle: Bundle) -> dict[str, str]:
    return {name: next(o["metadata"]["name"] for o in s.objects if o["kind"] == "Secret")
            for name, s in bundle.services.items()
            if any(o["kind"] == "Secret" for o in s.objects)}


def test_secret_name_changes_iff_its_contents_change(tmp_path: Path) -> None:
    dep = deployment(cd_ha=True)
    before = _secret_names(render(write_hal(tmp_path / "a", copy.deepcopy(dep))))
    again = _secret_names(render(write_hal(tmp_path / "b", copy.deepcopy(dep))))
    assert before == again
    after = _secret_names(render(write_hal(
        tmp_path / "c", copy.deepcopy(dep),
        profiles={"clouddriver-caching-local.yml": "caching:\n  threads: 4\n"})))
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"clouddriver-caching"}
    # the Deployment follows the new name, so only caching pods roll
    bundle = render(tmp_path / "c")
    volume = next(v for v in pod(bundle, "clouddriver-caching")["volumes"]
                  if v["name"] == "spin-config")
    assert volume["secret"]["secretName"] == after["clouddriver-caching"]


# ------------------------------------------------------------------ replicas and HA rules
def test_replicas_pdb_and_spread(bundles: dict[str, Bundle]) -> None:
    bundle = bundles["examples"]
    expected = {"clouddriver-ro": 3, "clouddriver-caching": 2, "clouddriver-rw": 1,
                "echo-scheduler": 1, "gate": 1}
    for name, count in expected.items():
        dep = find(bundle, "Deployment", f"spin-{name}")
        assert dep["spec"]["replicas"] == count
        has_pdb = "PodDisruptionBudget" in kinds(bundle, name)
        assert has_pdb is (count > 1), name
        spread = pod(bundle, name).get("topologySpreadConstraints")
        if count > 1:
            assert spread is not None
            pdb = find(bundle, "PodDisruptionBudget", f"spin-{name}")
            assert pdb["apiVersion"] == "policy/v1"
            assert pdb["spec"] == {"maxUnavailable": 1, "selector": {
                "matchLabels": {"app": "spin", "cluster": f"spin-{name}"}}}
            assert [c["topologyKey"] for c in spread] == [
                "kubernetes.io/hostname", "topology.kubernetes.io/zone"]
            assert {c["whenUnsatisfiable"] for c in spread} == {"ScheduleAnyway"}
            assert all(c["labelSelector"]["matchLabels"]["cluster"] == f"spin-{name}"
                       for c in spread)
        else:
            assert spread is None


def test_echo_scheduler_is_one_pod_recreated(tmp_path: Path) -> None:
    hal = write_hal(tmp_path / "hal", deployment(
        echo_ha=True, sizing={"spin-echo-scheduler": {"replicas": 3},
                              "spin-echo-slave": {"replicas": 2}}))
    bundle = render(hal)
    scheduler = find(bundle, "Deployment", "spin-echo-scheduler")
    assert scheduler["spec"]["replicas"] == 1
    assert scheduler["spec"]["strategy"] == {"type": "Recreate"}
    assert "PodDisruptionBudget" not in kinds(bundle, "echo-scheduler")
    worker = find(bundle, "Deployment", "spin-echo-worker")  # sized by its alias
    assert worker["spec"]["replicas"] == 2
    assert "strategy" not in worker["spec"]
    assert "PodDisruptionBudget" in kinds(bundle, "echo-worker")


def test_clouddriver_roles_get_720s_grace(bundles: dict[str, Bundle]) -> None:
    """KubernetesV2Service.terminationGracePeriodSeconds: 60, clouddriver's 720."""
    bundle = bundles["ro-deck"]
    for role in catalog.SPLITS["clouddriver"]:
        assert pod(bundle, role)["terminationGracePeriodSeconds"] == 720
    for name in ("gate", "orca", "echo-worker"):
        assert pod(bundle, name)["terminationGracePeriodSeconds"] == 60


# ------------------------------------------------------------------ sizing
def test_sizing_container_entry_wins_and_roles_inherit_nothing(tmp_path: Path) -> None:
    hal = write_hal(tmp_path / "hal", deployment(cd_ha=True, sizing={
        "spin-clouddriver": {"replicas": 5, "requests": {"memory": "8Gi"}},
        "spin-clouddriver-ro": {"replicas": 2, "requests": {"cpu": "1", "memory": "2Gi"},
                                "limits": {"memory": "3Gi"}},
        "clouddriver-ro": {"limits": {"memory": "4Gi", "cpu": 2}},
    }))
    bundle = render(hal)
    assert main_container(bundle, "clouddriver-ro")["resources"] == {
        "requests": {"cpu": "1", "memory": "2Gi"},
        "limits": {"memory": "4Gi", "cpu": 2},
    }
    for role in ("clouddriver-caching", "clouddriver-rw"):
        assert "resources" not in main_container(bundle, role)
        assert find(bundle, "Deployment", f"spin-{role}")["spec"]["replicas"] == 1


def test_bad_quantity_is_a_clear_error(tmp_path: Path) -> None:
    hal = write_hal(tmp_path / "hal", deployment(sizing={
        "spin-gate": {"requests": {"memory": "lots"}}}))
    with pytest.raises(HalError, match=r"customSizing\.spin-gate\.requests\.memory"):
        render(hal)


# ------------------------------------------------------------------ probes
def test_probes(bundles: dict[str, Bundle]) -> None:
    bundle = bundles["examples"]
    gate = main_container(bundle, "gate")
    assert gate["readinessProbe"] == {"httpGet": {"path": "/health", "port": 8084}}
    assert "livenessProbe" not in gate  # livenessProbeConfig.enabled: false
    deck = main_container(bundle, "deck")
    assert deck["readinessProbe"] == {"tcpSocket": {"port": 9000}}
    kitchen = bundles["kitchen-sink"]
    assert main_container(kitchen, "orca")["readinessProbe"] == {"tcpSocket": {"port": 8083}}
    assert main_container(kitchen, "rosco")["readinessProbe"] == {"exec": {"command": [
        "wget", "-q", "-O-", "http://localhost:8087/health"]}}
    liveness = main_container(kitchen, "gate")["livenessProbe"]
    assert liveness == {"httpGet": {"path": "/health", "port": 8084},
                        "initialDelaySeconds": 600}


# ------------------------------------------------------------------ settings
def test_kubernetes_settings_reach_the_objects(bundles: dict[str, Bundle]) -> None:
    bundle = bundles["kitchen-sink"]
    gate_pod = pod(bundle, "gate")
    gate_dep = find(bundle, "Deployment", "spin-gate")
    assert gate_dep["spec"]["template"]["metadata"]["annotations"] == {
        "example.com/scrape": "true"}
    assert gate_dep["spec"]["template"]["metadata"]["labels"]["team"] == "platform"
    assert gate_pod["serviceAccountName"] == "spinnaker-gate"
    assert gate_pod["imagePullSecrets"] == [{"name": "regcred"}]
    assert gate_pod["nodeSelector"] == {"pool": "spin"}
    assert gate_pod["securityContext"] == {"runAsUser": 1000, "fsGroup": 1000}
    assert gate_dep["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": 1,
                                                             "maxUnavailable": 0}
    volumes = {v["name"]: v for v in gate_pod["volumes"]}
    assert volumes["secret-gate-certs"]["secret"] == {"secretName": "gate-certs"}
    assert volumes["configmap-gate-extra"]["configMap"] == {"name": "gate-extra"}
    mounts = {m["mountPath"] for m in main_container(bundle, "gate")["volumeMounts"]}
    assert {"/opt/certs", "/opt/extra", "/tmp/scratch", "/opt/spinnaker/config"} == mounts
    svc = find(bundle, "Service", "spin-gate")
    assert svc["spec"]["type"] == "NodePort"
    assert svc["spec"]["ports"][0]["nodePort"] == 30084
    assert svc["metadata"]["labels"]["expose"] == "yes"
    assert svc["metadata"]["annotations"] == {"example.com/lb": "internal"}


def test_deployment_environment_maps_by_service_name(bundles: dict[str, Bundle]) -> None:
    bundle = bundles["kitchen-sink"]
    caching = pod(bundle, "clouddriver-caching")
    assert caching["tolerations"][0]["value"] == "caching"
    assert caching["affinity"]["nodeAffinity"]
    rw = pod(bundle, "clouddriver-rw")
    assert rw["nodeSelector"] == {"pool": "rw"}  # keyed without the spin- prefix
    assert [c["name"] for c in rw["containers"]] == ["clouddriver-rw", "cloudsql-proxy",
                                                     "plain"]
    proxy = rw["containers"][1]
    assert proxy["image"] == "gcr.io/cloudsql-docker/gce-proxy:1.33"
    assert proxy["ports"] == [{"containerPort": 3306, "protocol": "TCP"}]
    assert {m["mountPath"] for m in proxy["volumeMounts"]} == {"/opt/shared-config",
                                                              "/secrets", "/cfg"}
    assert pod(bundle, "front50")["initContainers"][0]["name"] == "wait"
    assert pod(bundle, "orca")["hostAliases"] == [{"ip": "10.0.0.9",
                                                   "hostnames": ["jenkins.internal"]}]
    # read by the service's own name only: the other roles get none of it
    for role in ("clouddriver-ro", "clouddriver-ro-deck"):
        spec = pod(bundle, role)
        assert not {"tolerations", "affinity", "nodeSelector", "initContainers"} & set(spec)
        assert len(spec["containers"]) == 1


def test_unknown_kubernetes_setting_is_an_error(tmp_path: Path) -> None:
    hal = write_hal(tmp_path / "hal", deployment(),
                    settings={"gate": {"kubernetes": {"podAnotations": {"a": "b"}}}})
    with pytest.raises(HalError, match=r"service-settings/gate\.yml: kubernetes\.podAnotations"):
        render(hal)


def test_skip_lifecycle_management_gets_no_objects(tmp_path: Path) -> None:
    hal = write_hal(tmp_path / "hal", deployment(), settings={"redis": {
        "overrideBaseUrl": "redis://:pw@external-redis:6379",
        "skipLifeCycleManagement": True}})
    bundle = render(hal)
    assert bundle.services["redis"].objects == ()
    assert not [o for o in bundle.objects() if o["metadata"]["name"].startswith("spin-redis")]


def test_invalid_namespace_is_an_error(tmp_path: Path) -> None:
    hal = write_hal(tmp_path / "hal", deployment(location="SPINNAKER_NAMESPACE"))
    with pytest.raises(HalError, match="not a valid Kubernetes namespace"):
        render(hal)


# ------------------------------------------------------------------ secrets
def _clear_text(bundle: Bundle) -> str:
    """Everything except Secret objects, as YAML."""
    return "".join(dump_object(o) for o in bundle.objects() if o["kind"] != "Secret")


def test_secret_env_uses_secret_key_ref(bundles: dict[str, Bundle]) -> None:
    bundle = bundles["kitchen-sink"]
    env = env_of(bundle, "gate")
    secret = next(o for o in bundle.services["gate"].objects if o["kind"] == "Secret")
    assert env["GATE_TOKEN"] == {"name": "GATE_TOKEN", "valueFrom": {"secretKeyRef": {
        "name": secret["metadata"]["name"], "key": "env.GATE_TOKEN"}}}
    assert env["PLAIN"] == {"name": "PLAIN", "value": "visible"}
    assert base64.b64decode(secret["data"]["env.GATE_TOKEN"]).decode() == "tok-secret-1"
    # the env key is not mounted as a file: the volume lists its items
    volume = next(v for v in pod(bundle, "gate")["volumes"] if v["name"] == "spin-config")
    assert "env.GATE_TOKEN" not in {i["key"] for i in volume["secret"]["items"]}
    assert "tok-secret-1" not in _clear_text(bundle)


def test_redis_url_in_env_is_a_secret(tmp_path: Path) -> None:
    hal = write_hal(tmp_path / "hal", deployment(), settings={"orca": {"env": {
        "REDIS_URL": "redis://:env-pw-42@elsewhere:6379", "LOG_LEVEL": "info"}}})
    bundle = render(hal)
    env = env_of(bundle, "orca")
    assert "valueFrom" in env["REDIS_URL"] and env["LOG_LEVEL"]["value"] == "info"
    assert "env-pw-42" not in _clear_text(bundle)


@pytest.mark.parametrize("config", ["both-ha", "ro-deck", "examples"])
def test_redis_passwords_only_inside_secrets(bundles: dict[str, Bundle], config: str) -> None:
    bundle = bundles[config]
    clear = _clear_text(bundle)
    for secret_value in ("master-pw-123", "replica-pw-456", "deck-pw-789", "example-secret",
                         "example-storage-key"):
        assert secret_value not in clear
    inside = "".join(base64.b64decode(v).decode() for o in bundle.objects()
                     if o["kind"] == "Secret" for v in o["data"].values())
    if config != "examples":
        assert MASTER in inside and REPLICA in inside
    if config == "ro-deck":
        assert DECK_REPLICA in inside


def test_nested_profile_files_get_an_items_mapping(tmp_path: Path) -> None:
    hal = write_hal(tmp_path / "hal", deployment(),
                    profiles={"rosco/packer/custom.json": '{"builders": []}\n'})
    bundle = render(hal)
    secret = next(o for o in bundle.services["rosco"].objects if o["kind"] == "Secret")
    assert all("/" not in key for key in secret["data"])
    volume = next(v for v in pod(bundle, "rosco")["volumes"] if v["name"] == "spin-config")
    items = {i["path"]: i["key"] for i in volume["secret"]["items"]}
    assert "rosco/packer/custom.json" in items
    key = items["rosco/packer/custom.json"]
    assert base64.b64decode(secret["data"][key]).decode() == '{"builders": []}\n'
    # every file of the service is still mounted
    assert set(items) == set(bundle.services["rosco"].profiles)


def test_in_cluster_redis_replica(bundles: dict[str, Bundle]) -> None:
    bundle = bundles["in-cluster-replica"]
    replica = find(bundle, "Deployment", "spin-redis-replica")
    assert replica["spec"]["replicas"] == 2
    container = replica["spec"]["template"]["spec"]["containers"][0]
    assert container["name"] == "redis-replica"
    assert "--replicaof" in container["args"]
    assert "PodDisruptionBudget" in kinds(bundle, "redis-replica")
    assert find(bundle, "Service", "spin-redis-replica")["spec"]["ports"][0]["port"] == 6379
    assert "PodDisruptionBudget" not in kinds(bundle, "redis")


def test_profile_names_escaping_the_config_folder_are_refused(tmp_path: Path) -> None:
    from pyhalyard import pipeline
    from pyhalyard.halconfig.paths import HalPaths
    from pyhalyard.render.manifests import service_objects

    hal = write_hal(tmp_path / "hal", deployment())
    plan = pipeline.plan(pipeline.load(HalPaths(hal)))
    for bad in ("../escape.yml", "/etc/passwd", "rosco/../../x.yml"):
        with pytest.raises(HalError, match="must stay inside the config folder"):
            service_objects(plan, plan["gate"], {bad: "a: 1\n"}, {"image": "gate:1"})
