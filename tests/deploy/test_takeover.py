"""Taking over a namespace Halyard deployed, on the double with real server-side-apply semantics.

The seeded objects follow Halyard's KubernetesV2 templates (``tests/deploy/halyard_objects.py``:
spinnaker/halyard ``halyard-deploy/src/main/resources/kubernetes/manifests/deployment.yml``,
``KubernetesV2Service.java`` exec probe / grace 60, ``KubernetesV2ClouddriverService.java``
grace 720, ``KubernetesV2OrcaService.java`` preStop, ``KubectlDeployer.java`` client-side
``kubectl apply`` and Redis never redeployed).  The ownership move follows client-go
``util/csaupgrade/upgrade.go``.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from pyhalyard import pipeline
from pyhalyard.deploy.kube import Kube
from pyhalyard.deploy.preview import changed_fields
from pyhalyard.halconfig.paths import HalPaths
from tests.deploy.apiserver_double import ApiServerDouble
from tests.deploy.halyard_objects import seed_halyard
from tests.helpers import run_hal
from tests.render_manifests.configs import deployment, write_hal

NS = "spinnaker"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
FAST = ("--no-live-checks", "--poll-interval", "0.02")


def make_hal(root: Path, kubeconfig: Path, *, ha: bool,
             settings: dict[str, Any] | None = None) -> Path:
    """A halconfig with the in-cluster Redis (like most Halyard installs), pointed at the
    double."""
    dep = deployment(cd_ha=ha, echo_ha=ha)
    account = dep["providers"]["kubernetes"]["accounts"][0]
    account["kubeconfigFile"] = str(kubeconfig)
    account["serviceAccount"] = False  # the kubeconfig, not an in-cluster token
    account["context"] = "double"
    hal = root / "hal"
    write_hal(hal, dep, settings=settings)
    return hal


def services_of(hal: Path) -> list[str]:
    plan = pipeline.plan(pipeline.load(HalPaths(hal)))
    return sorted(sp.name for sp in plan.managed())


def apply(hal: Path, *args: str) -> Any:
    return run_hal("deploy", "apply", *FAST, *args, hal_dir=hal)


def without_status(obj: dict[str, Any] | None) -> dict[str, Any]:
    assert obj is not None
    return {k: v for k, v in obj.items() if k != "status"}


def comparable(obj: dict[str, Any] | None) -> dict[str, Any]:
    """What a user sees of an object: its spec and labels/annotations, without what the
    server assigns per object (cluster IPs, revision numbers, ownership records)."""
    assert obj is not None
    obj = copy.deepcopy(obj)
    meta = obj["metadata"]
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items()
                   if k != "deployment.kubernetes.io/revision"}
    spec = obj.get("spec") or {}
    for key in ("clusterIP", "clusterIPs"):
        spec.pop(key, None)
    for volume in ((spec.get("template") or {}).get("spec") or {}).get("volumes") or ():
        # The shipped kubeconfig names the double's random port, so the required-files
        # Secret's content hash differs from run to run; its presence is what counts.
        if volume.get("name") == "spin-required-files" and "secret" in volume:
            volume["secret"]["secretName"] = "spin-required-files-<hash>"
    return {"labels": meta.get("labels"), "annotations": annotations, "spec": spec,
            "data": obj.get("data"), "type": obj.get("type")}


def fresh_install(tmp_path: Path, *, ha: bool) -> dict[tuple[str, str], dict[str, Any]]:
    """The objects a first install of the same config leaves (the reference render).  The
    hal dir and kubeconfig path are the ones the test uses next: profiles name them, and the
    config Secrets are named by content."""
    with ApiServerDouble(ready_delay=0.02, grace=0.01) as api:
        hal = make_hal(tmp_path, api.write_kubeconfig(tmp_path / "kubeconfig"), ha=ha)
        assert apply(hal).code == 0
        found = {(kind, name): comparable(api.get(kind, name, NS))
                 for kind in ("Deployment", "Service", "Secret")
                 for name in api.names(kind, NS)}
    shutil.rmtree(hal)
    return found


@pytest.mark.parametrize("ha", [False, True], ids=["ha-off", "ha-on"])
def test_takeover_apply_leaves_exactly_the_render(api: ApiServerDouble, tmp_path: Path,
                                                  ha: bool) -> None:
    expected = fresh_install(tmp_path, ha=ha)
    hal = make_hal(tmp_path, api.write_kubeconfig(tmp_path / "kubeconfig"), ha=ha)
    halyard = seed_halyard(api, services_of(hal), staging=True, metrics=True)
    redis_before = without_status(api.get("Deployment", "spin-redis", NS))
    result = apply(hal, "-o", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    # Halyard's Redis is left as it is (it keeps its data); everything else is taken over.
    assert report["skipped"].keys() == {"redis"}
    assert without_status(api.get("Deployment", "spin-redis", NS)) == redis_before
    taken = {f"{o['kind']}/{o['metadata']['name']}" for o in halyard
             if o["kind"] != "Secret" and "redis" not in o["metadata"]["name"]}
    assert set(report["takenOver"]) == taken

    shipped = {n.rsplit("-", 1)[0] for n in api.names("Secret", NS) if "-required-files-" in n}
    for (kind, name), want in expected.items():
        if "redis" in name:
            continue
        if "-required-files-" in name:  # named by content, which holds the double's port
            assert name.rsplit("-", 1)[0] in shipped, name
            continue
        live = api.get(kind, name, NS)
        # Lists of named items compare by name: a server-side merge keeps the live order of
        # entries both sides have (Halyard's env order), which means the same to Kubernetes.
        assert changed_fields(want, comparable(live)) == [], (kind, name)
        assert live is not None
        managers = {e["manager"] for e in live["metadata"]["managedFields"]}
        assert not managers & {"kubectl-client-side-apply", "kubectl", "before-first-apply"}
    gate = api.get("Deployment", "spin-gate", NS)
    assert gate is not None
    pod = gate["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["containers"]] == ["gate"]  # no monitoring-daemon
    assert set(pod["containers"][0]["readinessProbe"]) >= {"httpGet"}
    assert "exec" not in pod["containers"][0]["readinessProbe"]
    assert [v["name"] for v in pod["volumes"]] == ["spin-config"]
    assert LAST_APPLIED not in (gate["metadata"].get("annotations") or {})
    orca = api.get("Deployment", "spin-orca", NS)
    assert orca is not None
    # Halyard's preStop ran a script from Halyard's image layout; pyhalyard's runs the drain
    # script it ships in orca's config Secret (mounted over that path), and nothing else.
    orca_main = orca["spec"]["template"]["spec"]["containers"][0]
    assert orca_main["lifecycle"] == {"preStop": {"exec": {"command": [
        "bash", "/opt/spinnaker/scripts/shutdown.sh"]}}}
    assert {m["mountPath"] for m in orca_main["volumeMounts"]} >= {
        "/opt/spinnaker/scripts/shutdown.sh"}
    # Halyard's Secrets are left (nothing mounts them any more), never half-deleted.
    assert {o["metadata"]["name"] for o in halyard if o["kind"] == "Secret"} <= set(
        api.names("Secret", NS))


def test_halyard_redis_is_replaced_only_when_asked(api: ApiServerDouble, kubeconfig: Path,
                                                   tmp_path: Path) -> None:
    hal = make_hal(tmp_path, kubeconfig, ha=False)
    seed_halyard(api, services_of(hal))
    first = apply(hal)
    assert first.code == 0, first.err
    assert "spin-redis: left alone (spin-redis was deployed by Halyard" in first.out
    pods = [p for p in api.timeline().pods if p.deployment == "spin-redis"]
    assert len(pods) == 1
    replaced = apply(hal, "--restart-redis")
    assert replaced.code == 0, replaced.err
    redis = api.get("Deployment", "spin-redis", NS)
    assert redis is not None
    container = redis["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["redis-server"] and "env" not in container


def test_edited_load_balancer_is_reported_not_reverted(api: ApiServerDouble, kubeconfig: Path,
                                                       tmp_path: Path) -> None:
    hal = make_hal(tmp_path, kubeconfig, ha=False)
    seed_halyard(api, services_of(hal))
    api.update(lambda o: o["spec"].update(type="LoadBalancer"), kind="Service",
               name="spin-deck", namespace=NS)
    state = {(k, n): without_status(api.get(k, n, NS))
             for k in ("Deployment", "Service", "Secret") for n in api.names(k, NS)}
    refused = apply(hal)
    assert refused.code == 1
    assert "nothing was changed" in refused.err
    assert "  Service/spin-deck: .spec.type is owned by kubectl-edit" in refused.err
    assert "--force-conflicts" in refused.err
    # Stopped before any change: not even the ownership records moved.
    assert {(k, n): without_status(api.get(k, n, NS))
            for k in ("Deployment", "Service", "Secret") for n in api.names(k, NS)} == state
    forced = apply(hal, "--force-conflicts")
    assert forced.code == 0, forced.err
    deck = api.get("Service", "spin-deck", NS)
    assert deck is not None and deck["spec"]["type"] == "ClusterIP"


def test_a_namespace_another_tool_made_is_not_relabelled(api: ApiServerDouble,
                                                         kubeconfig: Path,
                                                         tmp_path: Path) -> None:
    api.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": NS, "labels": {"app.kubernetes.io/managed-by": "Helm"}}}, manager="helm")
    hal = make_hal(tmp_path, kubeconfig, ha=False)
    assert apply(hal).code == 0
    namespace = api.get("Namespace", NS)
    assert namespace is not None
    assert namespace["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm"
    assert {e["manager"] for e in namespace["metadata"]["managedFields"]} == {"helm"}


def test_recreate_after_a_rolling_update_install(api: ApiServerDouble, kubeconfig: Path,
                                                 tmp_path: Path) -> None:
    """The rollingUpdate block the server defaulted must not survive a switch to Recreate
    (the server rejects Recreate with rollingUpdate)."""
    hal = make_hal(tmp_path, kubeconfig, ha=False)
    assert apply(hal).code == 0
    gate = api.get("Deployment", "spin-gate", NS)
    assert gate is not None and "rollingUpdate" in gate["spec"]["strategy"]
    settings = hal / "default" / "service-settings" / "gate.yml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(yaml.safe_dump({"kubernetes": {"deploymentStrategy": {
        "type": "recreate"}}}))
    switched = apply(hal)
    assert switched.code == 0, switched.err
    gate = api.get("Deployment", "spin-gate", NS)
    assert gate is not None and gate["spec"]["strategy"] == {"type": "Recreate"}
    # ... and back: Halyard's rollingUpdate format.
    settings.write_text(yaml.safe_dump({"kubernetes": {"deploymentStrategy": {
        "type": "rollingUpdate", "strategySettings": {"maxSurge": 1, "maxUnavailable": 0}}}}))
    back = apply(hal)
    assert back.code == 0, back.err
    gate = api.get("Deployment", "spin-gate", NS)
    assert gate is not None and gate["spec"]["strategy"] == {
        "type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}


def test_halyard_echo_scheduler_with_defaulted_rolling_update_becomes_recreate(
        api: ApiServerDouble, kubeconfig: Path, tmp_path: Path) -> None:
    hal = make_hal(tmp_path, kubeconfig, ha=True)
    seed_halyard(api, services_of(hal))
    assert "rollingUpdate" in api.get("Deployment", "spin-echo-scheduler",  # type: ignore[index]
                                      NS)["spec"]["strategy"]
    result = apply(hal)
    assert result.code == 0, result.err
    scheduler = api.get("Deployment", "spin-echo-scheduler", NS)
    assert scheduler is not None and scheduler["spec"]["strategy"] == {"type": "Recreate"}


def test_halyard_monolith_to_pyhalyard_ha_keeps_one_scheduler(api: ApiServerDouble,
                                                              kubeconfig: Path,
                                                              tmp_path: Path) -> None:
    """The usual migration: Halyard ran HA off; the first pyhalyard apply turns HA on."""
    hal = make_hal(tmp_path, kubeconfig, ha=False)
    seed_halyard(api, services_of(hal))
    hal = make_hal(tmp_path, kubeconfig, ha=True)
    t0 = api.now()
    result = apply(hal, "-o", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert [p["name"] for p in report["phases"]] == [
        "namespace", "start", "callers", "retire", "scheduler"]
    names = api.names("Deployment", NS)
    assert "spin-clouddriver" not in names or api.get(  # foreground deletion may still run
        "Deployment", "spin-clouddriver", NS)["metadata"].get("deletionTimestamp")  # type: ignore[index]
    assert api.timeline().max_alive(lambda p: p.scheduler, since=t0) == 1
    scheduler = api.get("Deployment", "spin-echo-scheduler", NS)
    assert scheduler is not None and scheduler["spec"]["strategy"] == {"type": "Recreate"}


@pytest.mark.parametrize("manager", ["kubectl", "before-first-apply"])
def test_older_client_side_managers_are_taken_over_too(api: ApiServerDouble, kubeconfig: Path,
                                                       tmp_path: Path, manager: str) -> None:
    """kubectl before 1.19 wrote as ``kubectl``; objects older than managed fields get
    ``before-first-apply`` -- both Update entries, both Halyard's."""
    from tests.deploy.halyard_objects import halyard_objects

    hal = make_hal(tmp_path, kubeconfig, ha=False)
    api.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}},
             manager="kubectl-create")
    for obj in halyard_objects(services_of(hal)):
        if obj["kind"] == "Secret":
            api.seed(obj, manager="kubectl-replace")
        else:
            api.seed_client_side_apply(obj, manager=manager)
    result = apply(hal)
    assert result.code == 0, result.err
    assert_gate_is_pyhalyards(api)


def assert_gate_is_pyhalyards(api: ApiServerDouble) -> None:
    """spin-gate after a takeover: pyhalyard owns every field, Halyard's exec probe and the
    last-applied annotation are gone."""
    gate = api.get("Deployment", "spin-gate", NS)
    assert gate is not None
    assert {e["manager"] for e in gate["metadata"]["managedFields"]} == {"pyhalyard"}
    assert "exec" not in gate["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
    assert LAST_APPLIED not in (gate["metadata"].get("annotations") or {})


def test_hand_scaled_replicas_are_a_conflict_with_the_sizing_hint(api: ApiServerDouble,
                                                                  kubeconfig: Path,
                                                                  tmp_path: Path) -> None:
    hal = make_hal(tmp_path, kubeconfig, ha=False)
    assert apply(hal).code == 0
    api.update(lambda o: o["spec"].update(replicas=3), kind="Deployment", name="spin-gate",
               namespace=NS, manager="kubectl-scale")
    result = apply(hal)
    assert result.code == 1
    assert "  Deployment/spin-gate: .spec.replicas is owned by kubectl-scale" in result.err
    assert "hal config deploy component-sizing <service> edit --replicas N" in result.err
    gate = api.get("Deployment", "spin-gate", NS)
    assert gate is not None and gate["spec"]["replicas"] == 3


def test_objects_older_than_managed_fields_are_taken_over(api: ApiServerDouble, kube: Kube,
                                                          kubeconfig: Path,
                                                          tmp_path: Path) -> None:
    """Created before Kubernetes tracked field ownership: the first apply would file all
    of Halyard's fields under ``before-first-apply`` and conflict with it.  An apply that sets
    nothing makes the server record that entry; then it moves like the others."""
    hal = make_hal(tmp_path, kubeconfig, ha=False)
    halyard = seed_halyard(api, services_of(hal))
    for obj in halyard:
        if obj["kind"] != "Secret":
            kube.patch_json(obj["kind"], obj["metadata"]["name"], NS, [
                {"op": "replace", "path": "/metadata/managedFields", "value": [{}]}])
    assert not api.get("Deployment", "spin-gate", NS)["metadata"].get(  # type: ignore[index]
        "managedFields")
    preview = apply(hal, "--dry-run")
    assert preview.code == 0, preview.err + preview.out
    assert ("Deployment/spin-gate: change (taken over from before-first-apply)"
            in preview.out)
    result = apply(hal)
    assert result.code == 0, result.err
    assert_gate_is_pyhalyards(api)
