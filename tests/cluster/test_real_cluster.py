"""The whole flow on a real cluster: fresh install, HA on, HA off, rollback, rollout undo,
dry run, and the takeover of a namespace laid out the way Halyard left it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cluster.conftest import KUBECONFIG, kubectl, set_ha, write_hal
from tests.helpers import run_hal

pytestmark = [
    pytest.mark.skipif(not KUBECONFIG, reason="set PYHALYARD_TEST_KUBECONFIG to run the "
                       "real-cluster suite (README: kind or minikube)"),
    pytest.mark.usefixtures("stand_in_render"),
]
TIMEOUT = ("--wait-for-completion-timeout-minutes", "8", "--no-live-checks")


def deployments(namespace: str) -> dict[str, dict[str, Any]]:
    items = json.loads(kubectl("-n", namespace, "get", "deployments", "-o", "json"))["items"]
    return {i["metadata"]["name"]: i for i in items if not i["metadata"].get("deletionTimestamp")}


def apply(hal: Path, *extra: str) -> Any:
    return run_hal("deploy", "apply", *TIMEOUT, *extra, hal_dir=hal)


def test_fresh_install_ha_on_ha_off_and_rollback(tmp_path: Path, namespace: str) -> None:
    hal = write_hal(tmp_path, namespace, ha=False)
    first = apply(hal)
    assert first.code == 0, first.err
    assert "spin-clouddriver" in deployments(namespace)
    set_ha(hal, True)
    on = apply(hal)
    assert on.code == 0, on.err
    names = deployments(namespace)
    assert {"spin-clouddriver-caching", "spin-clouddriver-rw", "spin-clouddriver-ro",
            "spin-echo-scheduler", "spin-echo-worker"} <= set(names)
    assert "spin-clouddriver" not in names and "spin-echo" not in names
    set_ha(hal, False)
    off = apply(hal)
    assert off.code == 0, off.err
    names = deployments(namespace)
    assert "spin-clouddriver" in names and "spin-echo-scheduler" not in names
    back = run_hal("deploy", "rollback", "--to", "2", *TIMEOUT[:2], hal_dir=hal)
    assert back.code == 0, back.err
    assert "spin-echo-scheduler" in deployments(namespace)


def test_rollout_undo_still_finds_its_config_secret(tmp_path: Path, namespace: str) -> None:
    hal = write_hal(tmp_path, namespace, ha=False)
    assert apply(hal).code == 0
    profile = hal / "default" / "profiles" / "gate-local.yml"
    profile.parent.mkdir(parents=True, exist_ok=True)
    profile.write_text("example: changed\n")
    changed = apply(hal)
    assert changed.code == 0, changed.err
    kubectl("-n", namespace, "rollout", "undo", "deployment/spin-gate")
    kubectl("-n", namespace, "rollout", "status", "deployment/spin-gate", "--timeout=300s")


def test_dry_run_changes_nothing(tmp_path: Path, namespace: str) -> None:
    hal = write_hal(tmp_path, namespace, ha=False)
    assert apply(hal).code == 0
    before = {n: d["metadata"]["resourceVersion"] for n, d in deployments(namespace).items()}
    set_ha(hal, True)
    preview = apply(hal, "--dry-run")
    assert preview.code == 0, preview.err
    assert "Deployment/spin-clouddriver-caching: create" in preview.out
    after = {n: d["metadata"]["resourceVersion"] for n, d in deployments(namespace).items()}
    assert after == before


def test_edited_service_is_reported_then_taken_with_force(tmp_path: Path,
                                                         namespace: str) -> None:
    hal = write_hal(tmp_path, namespace, ha=False)
    assert apply(hal).code == 0
    kubectl("-n", namespace, "patch", "service", "spin-deck", "--type", "merge",
            "-p", '{"spec":{"type":"NodePort"}}')
    refused = apply(hal)
    assert refused.code == 1
    assert "Service/spin-deck: .spec.type is owned by kubectl-patch" in refused.err
    svc = json.loads(kubectl("-n", namespace, "get", "service", "spin-deck", "-o", "json"))
    assert svc["spec"]["type"] == "NodePort"
    forced = apply(hal, "--force-conflicts")
    assert forced.code == 0, forced.err
    svc = json.loads(kubectl("-n", namespace, "get", "service", "spin-deck", "-o", "json"))
    assert svc["spec"]["type"] == "ClusterIP"


def test_takeover_of_a_halyard_style_namespace(tmp_path: Path, namespace: str) -> None:
    """Objects shaped like Halyard's (exec probes, its config volumes, the monitoring
    sidecar, orca's preStop), created the way Halyard did: Secrets by ``kubectl create``,
    the rest by client-side ``kubectl apply``."""
    from pyhalyard import pipeline
    from pyhalyard.halconfig.paths import HalPaths
    from tests.cluster.conftest import stand_in_object
    from tests.deploy.halyard_objects import halyard_objects

    hal = write_hal(tmp_path, namespace, ha=False)
    plan = pipeline.plan(pipeline.load(HalPaths(hal)))
    objects = halyard_objects(sorted(sp.name for sp in plan.managed()), namespace=namespace,
                              metrics=True)
    kubectl("create", "namespace", namespace)
    for obj in objects:
        verb = ["create"] if obj["kind"] == "Secret" else ["apply"]
        kubectl(*verb, "-f", "-", stdin=json.dumps(stand_in_object(obj)))
    kubectl("-n", namespace, "rollout", "status", "deployment/spin-gate", "--timeout=300s")
    result = apply(hal)
    assert result.code == 0, result.err
    assert "spin-redis: left alone" in result.out
    gate = deployments(namespace)["spin-gate"]
    pod = gate["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["containers"]] == ["gate"]
    assert "exec" not in pod["containers"][0]["readinessProbe"]
    assert [v["name"] for v in pod["volumes"]] == ["spin-config"]
    assert "kubectl.kubernetes.io/last-applied-configuration" not in (
        gate["metadata"].get("annotations") or {})
    managers = {e["manager"] for e in gate["metadata"]["managedFields"]}
    assert "kubectl-client-side-apply" not in managers and "pyhalyard" in managers
