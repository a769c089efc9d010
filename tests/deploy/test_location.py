"""``hal deploy apply`` with a service in another namespace (service-settings ``location``).

Followed: halyard-deploy ``KubernetesV2Service.getNamespace`` (a service's namespace is its
settings' ``location``; ``getNamespaceYaml``/``getServiceYaml`` put it there) and
``KubectlDeployer.deploy`` (per service: apply its Namespace when it does not exist, then its
objects, then wait in that namespace).  Halyard's ``--delete-orphaned-services`` deleted only
disabled services, in their current ``location``: the old copy of a moved service was never
found.  pyhalyard finds it (every namespace the bundle and the history used) and removes it
only with that flag, as for a disabled service.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from pyhalyard.deploy.phases import plan_phases
from pyhalyard.errors import UsageError
from pyhalyard.render.bundle import Bundle, ServiceBundle
from tests.deploy.apiserver_double import ApiServerDouble
from tests.deploy.bundles import NAMESPACE as NS
from tests.deploy.bundles import make_hal, set_ha
from tests.helpers import Result, run_hal

FAST = ("--no-live-checks", "--poll-interval", "0.02")
BAKE = "spin-bake"
ROSCO_KINDS = ("Deployment", "Service", "Secret")


def hal(hal_dir: Path, *args: str) -> Result:
    return run_hal(*args, hal_dir=hal_dir)


def apply(hal_dir: Path, *args: str) -> Result:
    return hal(hal_dir, "deploy", "apply", *FAST, *args)


def locate(hal_dir: Path, namespace: str | None) -> None:
    """service-settings/rosco.yml with ``location`` (None: no file, rosco goes home)."""
    settings = hal_dir / "default" / "service-settings"
    settings.mkdir(parents=True, exist_ok=True)
    path = settings / "rosco.yml"
    if namespace is None:
        path.unlink(missing_ok=True)
    else:
        path.write_text(f"location: {namespace}\n")


@pytest.fixture
def hal_dir(tmp_path: Path, kubeconfig: Path) -> Path:
    root = make_hal(tmp_path, kubeconfig, clouddriver_ha=False, echo_ha=False)
    locate(root, BAKE)
    return root


def generations(api: ApiServerDouble) -> dict[tuple[str, str], int]:
    return {(ns, n): int(api.get("Deployment", n, ns)["metadata"]["generation"])  # type: ignore[index]
            for ns in (NS, BAKE) for n in api.names("Deployment", ns)}


def rosco_secrets(api: ApiServerDouble, namespace: str) -> list[str]:
    return [n for n in api.names("Secret", namespace) if n.startswith("spin-rosco-files-")]


def test_fresh_apply_puts_rosco_in_its_namespace(api: ApiServerDouble, hal_dir: Path) -> None:
    result = apply(hal_dir)
    assert result.code == 0, result.err
    assert ("+ Deployed Spinnaker 2025.2.1 to namespaces spin-bake, spinnaker: "
            "11 services ready") in result.out
    assert api.names("Deployment", BAKE) == ["spin-rosco"]
    assert "spin-rosco" not in api.names("Deployment", NS)
    assert "spin-orca" in api.names("Deployment", NS)
    assert api.names("Service", BAKE) == ["spin-rosco"]
    assert len(rosco_secrets(api, BAKE)) == 1 and rosco_secrets(api, NS) == []
    namespace = api.get("Namespace", BAKE, "")
    assert namespace is not None
    assert namespace["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "pyhalyard"
    # The Deployment mounts the Secret of its own namespace.
    pod = api.get("Deployment", "spin-rosco", BAKE)["spec"]["template"]["spec"]  # type: ignore[index]
    mounted = {v["secret"]["secretName"] for v in pod["volumes"] if "secret" in v}
    assert mounted <= set(api.names("Secret", BAKE))
    # Orca, in the deployment's namespace, is pointed at rosco's address in spin-bake.
    orca = api.get("Deployment", "spin-orca", NS)["spec"]["template"]["spec"]  # type: ignore[index]
    config = next(v["secret"]["secretName"] for v in orca["volumes"]
                  if "-files-" in v.get("secret", {}).get("secretName", ""))
    data = api.get("Secret", config, NS)["data"]  # type: ignore[index]
    services = yaml.safe_load(base64.b64decode(data["spinnaker.yml"]))["services"]
    assert services["rosco"]["baseUrl"] == "http://spin-rosco.spin-bake:8087"


def test_unchanged_reapply_touches_nothing(api: ApiServerDouble, hal_dir: Path) -> None:
    assert apply(hal_dir).code == 0
    before = generations(api)
    pods = len(api.timeline().pods)
    again = apply(hal_dir, "-o", "json")
    assert again.code == 0, again.err
    data = json.loads(again.out)
    assert {o["action"] for o in data["objects"]} == {"unchanged"}
    assert data["collectedSecrets"] == [] and not any(
        s["action"] == "delete" for s in data["services"])
    assert generations(api) == before and len(api.timeline().pods) == pods


def test_ha_switch_keeps_the_safe_order_and_rosco(api: ApiServerDouble, hal_dir: Path) -> None:
    assert apply(hal_dir).code == 0
    rosco = generations(api)[(BAKE, "spin-rosco")]
    set_ha(hal_dir, clouddriver_ha=True, echo_ha=True)
    t0 = api.now()
    on = apply(hal_dir)
    assert on.code == 0, on.err
    assert "14 services ready, 2 removed" in on.out
    timeline = api.timeline()
    assert timeline.unanswered_reads("spin-gate", "clouddriver", since=t0) == []
    assert timeline.max_alive(lambda p: p.scheduler) == 1
    time.sleep(0.05)
    assert "spin-echo" not in api.names("Deployment", NS)
    assert "spin-echo-scheduler" in api.names("Deployment", NS)
    assert api.names("Deployment", BAKE) == ["spin-rosco"]
    # Rosco's own profile lists the new services, so it rolled, in its namespace.
    assert generations(api)[(BAKE, "spin-rosco")] == rosco + 1
    assert api.get("Deployment", "spin-rosco", BAKE)["status"]["availableReplicas"] == 1  # type: ignore[index]


def test_dry_run_changes_nothing_in_either_namespace(api: ApiServerDouble,
                                                   hal_dir: Path) -> None:
    result = apply(hal_dir, "--dry-run")
    assert result.code == 0, result.err
    assert "Deployment/spin-rosco: create (in the new namespace)" in result.out
    assert "Dry run (server-side, nothing changed)" in result.out
    assert api.names("Deployment", NS) == api.names("Deployment", BAKE) == []
    assert api.get("Namespace", BAKE, "") is None


def test_moving_rosco_back_deletes_the_old_copy_only_when_asked(api: ApiServerDouble,
                                                               hal_dir: Path) -> None:
    assert apply(hal_dir).code == 0
    locate(hal_dir, None)
    moved = apply(hal_dir, "-o", "json")
    assert moved.code == 0, moved.err
    assert "spin-rosco" in api.names("Deployment", NS)
    for kind in ROSCO_KINDS[:2]:
        assert api.names(kind, BAKE) == ["spin-rosco"]  # kept, as a disabled service
    assert len(rosco_secrets(api, BAKE)) == 1  # its Deployment still mounts it
    assert not any(s["action"] == "delete" for s in json.loads(moved.out)["services"])

    dry = apply(hal_dir, "--delete-orphaned-services", "--dry-run")
    assert dry.code == 0, dry.err
    assert "Deployment/spin-rosco in spin-bake: delete" in dry.out
    assert api.names("Deployment", BAKE) == ["spin-rosco"]

    pruned = apply(hal_dir, "--delete-orphaned-services")
    assert pruned.code == 0, pruned.err
    assert "1 removed" in pruned.out
    time.sleep(0.05)
    for kind in ROSCO_KINDS:
        assert api.names(kind, BAKE) == [], kind
    assert "spin-rosco" in api.names("Deployment", NS)
    assert len(rosco_secrets(api, NS)) == 1
    assert api.get("Namespace", BAKE, "") is not None  # namespaces are never deleted


def test_a_namespace_someone_else_made_is_not_relabelled(api: ApiServerDouble,
                                                         hal_dir: Path) -> None:
    api.seed({"apiVersion": "v1", "kind": "Namespace",
              "metadata": {"name": BAKE, "labels": {"team": "bakery"}}})
    result = apply(hal_dir)
    assert result.code == 0, result.err
    namespace: Any = api.get("Namespace", BAKE, "")
    assert namespace["metadata"]["labels"] == {"team": "bakery",
                                              "kubernetes.io/metadata.name": BAKE} or \
        namespace["metadata"]["labels"] == {"team": "bakery"}
    assert api.names("Deployment", BAKE) == ["spin-rosco"]


def test_rbac_denial_in_the_second_namespace_is_one_message(api: ApiServerDouble,
                                                            hal_dir: Path) -> None:
    api.deny("*", "apps", "deployments", BAKE)
    result = apply(hal_dir)
    assert result.code == 1
    err = result.err
    assert "error: account 'prod-cluster' may not do everything this deploy needs" in err
    for verb in ("create", "get", "list", "patch"):
        assert f"  {verb} deployments.apps in namespace spin-bake" in err
    assert "in namespace spinnaker" not in err
    assert err.count("error:") == 1 and "Traceback" not in err
    assert api.counts("PATCH") == 0 and api.counts("POST", "/api/v1/namespaces") == 0


def test_diff_live_compares_both_namespaces(api: ApiServerDouble, hal_dir: Path) -> None:
    assert apply(hal_dir).code == 0
    clean = hal(hal_dir, "deploy", "diff", "--live")
    assert clean.code == 0, clean.err
    assert "the cluster (namespaces spin-bake, spinnaker)" in clean.out
    assert "spin-rosco" not in clean.out
    api.update(lambda o: o["spec"].update(replicas=3), kind="Deployment", name="spin-rosco",
               namespace=BAKE)
    changed = hal(hal_dir, "deploy", "diff", "--live", "-o", "json")
    assert changed.code == 0, changed.err
    names = {(c["kind"], c["name"]) for c in json.loads(changed.out)["changes"]}
    assert names == {("Deployment", "spin-rosco")}


def test_config_secret_gc_and_details_in_the_other_namespace(api: ApiServerDouble,
                                                             hal_dir: Path) -> None:
    assert apply(hal_dir).code == 0
    old = rosco_secrets(api, BAKE)
    local = hal_dir / "default" / "profiles" / "rosco-local.yml"
    local.write_text("rosco:\n  jobs:\n    local:\n      timeoutMinutes: 45\n")
    result = apply(hal_dir, "-o", "json")
    assert result.code == 0, result.err
    new = rosco_secrets(api, BAKE)
    assert len(new) == 2 and set(old) < set(new)  # the old ReplicaSet still mounts it
    assert json.loads(result.out)["collectedSecrets"] == []
    orphan = "spin-rosco-files-0123456789"
    api.seed({"apiVersion": "v1", "kind": "Secret",
              "metadata": {"name": orphan, "namespace": BAKE, "labels": {
                  "app": "spin", "cluster": "spin-rosco",
                  "app.kubernetes.io/managed-by": "pyhalyard"}}, "data": {}})
    again = apply(hal_dir, "-o", "json")
    assert again.code == 0, again.err
    assert json.loads(again.out)["collectedSecrets"] == [orphan]
    assert rosco_secrets(api, BAKE) == new
    time.sleep(0.05)
    details = hal(hal_dir, "deploy", "details", "--service-name", "rosco", "-o", "json")
    assert details.code == 0, details.err
    found = json.loads(details.out)
    assert found["namespace"] == BAKE
    assert found["internalEndpoint"] == "http://spin-rosco.spin-bake:8087"
    assert found["instances"] and all(p["location"] == BAKE for p in found["instances"])


def test_clean_removes_both_namespaces(api: ApiServerDouble, hal_dir: Path) -> None:
    assert apply(hal_dir).code == 0
    result = hal(hal_dir, "deploy", "clean", "--yes", "-o", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["namespaces"] == [BAKE, NS]
    time.sleep(0.05)
    for namespace in (NS, BAKE):
        assert api.names("Deployment", namespace) == []


def _bundle(**homes: str) -> Bundle:
    def objects(name: str, namespace: str) -> tuple[dict[str, Any], ...]:
        return ({"kind": "Deployment", "metadata": {"name": f"spin-{name}",
                                                     "namespace": namespace}},)
    return Bundle(NS, "1.30.1", (), {n.replace("_", "-"): ServiceBundle(
        n.replace("_", "-"), {}, objects(n.replace("_", "-"), ns)) for n, ns in homes.items()})


def test_a_moved_scheduler_never_runs_twice() -> None:
    """Two echo schedulers (old namespace and new) would fire every cron trigger twice."""
    bundle = _bundle(echo_scheduler=BAKE, echo_worker=NS, orca=NS)
    before = {"echo-scheduler", "echo-worker", "orca"}
    with pytest.raises(UsageError, match="--delete-orphaned-services"):
        plan_phases(bundle, before, moved={"echo-scheduler"})
    phases = plan_phases(bundle, before, moved={"echo-scheduler"}, prune=True)
    assert [(p.name, p.services) for p in phases if not p.shared] == [
        ("stop", ("echo-scheduler",)), ("start", ("echo-scheduler", "echo-worker", "orca"))]
    moved = plan_phases(_bundle(rosco=BAKE, orca=NS), {"rosco", "orca"}, moved={"rosco"},
                        prune=True)
    assert [(p.name, p.services) for p in moved if not p.shared] == [
        ("start", ("orca", "rosco")), ("retire", ("rosco",))]


def test_rollback_returns_rosco_to_where_it_was(api: ApiServerDouble, hal_dir: Path) -> None:
    assert apply(hal_dir).code == 0
    locate(hal_dir, None)
    assert apply(hal_dir).code == 0
    assert "spin-rosco" in api.names("Deployment", NS)
    back = hal(hal_dir, "deploy", "rollback", "--to", "1", "--delete-orphaned-services",
               "--poll-interval", "0.02")
    assert back.code == 0, back.err
    assert "Rolled back to #1" in back.out and "1 removed" in back.out
    time.sleep(0.05)
    assert api.names("Deployment", BAKE) == ["spin-rosco"]
    assert "spin-rosco" not in api.names("Deployment", NS)
    assert "spin-rosco" not in api.names("Service", NS)


def test_halyards_objects_in_both_namespaces_are_taken_over(api: ApiServerDouble,
                                                            tmp_path: Path,
                                                            kubeconfig: Path) -> None:
    """Halyard wrote rosco to its location with kubectl (client-side apply)."""
    from tests.deploy.halyard_objects import seed_halyard
    from tests.deploy.test_takeover import make_hal as takeover_hal
    from tests.deploy.test_takeover import services_of

    root = takeover_hal(tmp_path, kubeconfig, ha=False, settings={"rosco": {"location": BAKE}})
    services = services_of(root)
    seed_halyard(api, [s for s in services if s != "rosco"])
    seed_halyard(api, ["rosco"], namespace=BAKE)
    result = apply(root, "-o", "json")
    assert result.code == 0, result.err
    taken = set(json.loads(result.out)["takenOver"])
    assert {"Deployment/spin-rosco", "Service/spin-rosco", "Deployment/spin-gate"} <= taken
    rosco: Any = api.get("Deployment", "spin-rosco", BAKE)
    managers = {e["manager"] for e in rosco["metadata"]["managedFields"]}
    assert "kubectl-client-side-apply" not in managers and "pyhalyard" in managers
    assert api.names("Deployment", BAKE) == ["spin-rosco"]
    assert "spin-rosco" not in api.names("Deployment", NS)
