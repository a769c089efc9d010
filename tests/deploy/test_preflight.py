"""What a deploy checks before its first write, and the waits it must not get wrong.

References: kubernetes ``pkg/apis/policy`` (policy/v1 served from 1.21); spinnaker.io's
"minimal" ``spinnaker-role`` (no ``policy`` group); kubectl
``polymorphichelpers/rollout_status.go`` (paused Deployments make no progress);
kubernetes/kubernetes#84810 (a foreground-deleted object stays until its dependents are gone).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from pyhalyard.deploy.kube import Kube
from tests.deploy.apiserver_double import ApiServerDouble
from tests.deploy.test_takeover import FAST, make_hal, without_status
from tests.helpers import run_hal
from tests.render_manifests.configs import deployment, write_hal

NS = "spinnaker"


def apply(hal: Path, *args: str) -> Any:
    return run_hal("deploy", "apply", *FAST, *args, hal_dir=hal)


def snapshot(api: ApiServerDouble) -> dict[tuple[str, str], Any]:
    return {(kind, name): without_status(api.get(kind, name, "" if kind == "Namespace" else NS))
            for kind in ("Namespace", "Deployment", "Service", "Secret", "PodDisruptionBudget")
            for name in api.names(kind, "" if kind == "Namespace" else NS)}


def scaled_hal(tmp_path: Path, kubeconfig: Path) -> Path:
    """Gate with two replicas, so the deploy needs a PodDisruptionBudget."""
    dep = deployment(sizing={"spin-gate": {"replicas": 2}})
    account = dep["providers"]["kubernetes"]["accounts"][0]
    account["kubeconfigFile"] = str(kubeconfig)
    account["serviceAccount"] = False  # the kubeconfig, not an in-cluster token
    account["context"] = "double"
    return write_hal(tmp_path / "hal", dep)


def test_server_older_than_1_21_is_refused_before_any_write(api: ApiServerDouble,
                                                            kubeconfig: Path,
                                                            tmp_path: Path) -> None:
    api.set_version("v1.20.15")
    result = apply(make_hal(tmp_path, kubeconfig, ha=False))
    assert result.code == 1
    assert ("error: the cluster runs Kubernetes v1.20.15; pyhalyard needs 1.21 or newer"
            in result.err)
    assert api.counts("PATCH") == 0 and api.counts("POST") == 0
    assert api.counts("GET", "/version") == 1


def test_missing_pdb_permission_is_one_message_with_the_rule(api: ApiServerDouble,
                                                             kubeconfig: Path,
                                                             tmp_path: Path) -> None:
    """The role spinnaker.io documented for Halyard has no policy group."""
    api.deny("*", "policy", "poddisruptionbudgets")
    result = apply(scaled_hal(tmp_path, kubeconfig))
    assert result.code == 1
    err = result.err
    assert "error: account 'acct-0' may not do everything this deploy needs" in err
    for verb in ("create", "get", "patch"):
        assert f"  {verb} poddisruptionbudgets.policy in namespace spinnaker" in err
    assert '  - apiGroups: ["policy"]\n    resources: ["poddisruptionbudgets"]' in err
    assert '    verbs: ["create", "get", "patch"]' in err
    assert err.count("error:") == 1
    assert api.counts("PATCH") == 0  # nothing written, not even the Secrets


def test_another_refusal_shows_the_servers_reason(api: ApiServerDouble, kubeconfig: Path,
                                                  tmp_path: Path) -> None:
    """A refusal the access review cannot foresee (an admission webhook, a policy engine):
    the server's own words, also for a Secret (a 403 carries no Secret values)."""
    hal = make_hal(tmp_path, kubeconfig, ha=False)
    assert apply(hal).code == 0
    profile = hal / "default" / "profiles" / "gate-local.yml"
    profile.parent.mkdir(parents=True, exist_ok=True)
    profile.write_text("example: hunter2-value\n")
    api.inject(403, method="PATCH", path="/secrets/spin-gate-files-")
    result = apply(hal)
    assert result.code == 1
    lines = [line for line in result.err.splitlines() if "Secret/spin-gate-files-" in line]
    assert len(lines) == 1 and lines[0].endswith(": rejected: 403 injected fault 403")
    assert "hunter2" not in result.err  # the profile's content never shows


def test_a_paused_deployment_fails_its_wait_at_once(api: ApiServerDouble, kubeconfig: Path,
                                                    tmp_path: Path) -> None:
    hal = make_hal(tmp_path, kubeconfig, ha=False)
    assert apply(hal).code == 0
    api.update(lambda o: o["spec"].update(paused=True), kind="Deployment", name="spin-gate",
               namespace=NS, manager="kubectl-rollout")
    profile = hal / "default" / "profiles" / "gate-local.yml"
    profile.parent.mkdir(parents=True, exist_ok=True)
    profile.write_text("example: changed\n")
    started = time.monotonic()
    result = apply(hal, "--wait-for-completion-timeout-minutes", "5")
    assert result.code == 1
    assert time.monotonic() - started < 30
    assert ("spin-gate: not ready after 0s: Deployment spin-gate is paused, so no new pods "
            "start; resume it: kubectl -n spinnaker rollout resume deployment/spin-gate"
            in result.err)


def test_apply_during_a_pending_delete_waits_and_recreates(api: ApiServerDouble, kube: Kube,
                                                           kubeconfig: Path,
                                                           tmp_path: Path) -> None:
    hal = make_hal(tmp_path, kubeconfig, ha=False)
    assert apply(hal).code == 0
    old_uid = api.get("Deployment", "spin-gate", NS)["metadata"]["uid"]  # type: ignore[index]
    api.hold_deletion("Deployment", "spin-gate", NS, seconds=0.6)
    kube.delete("Deployment", "spin-gate", NS, foreground=True)
    terminating = api.get("Deployment", "spin-gate", NS)
    assert terminating is not None and terminating["metadata"].get("deletionTimestamp")
    result = apply(hal)
    assert result.code == 0, result.err
    gate = api.get("Deployment", "spin-gate", NS)
    assert gate is not None and not gate["metadata"].get("deletionTimestamp")
    assert gate["metadata"]["uid"] != old_uid  # created afresh, never patched while dying


def test_a_deletion_that_never_ends_fails_with_what_to_do(api: ApiServerDouble, kube: Kube,
                                                          kubeconfig: Path,
                                                          tmp_path: Path) -> None:
    hal = make_hal(tmp_path, kubeconfig, ha=False)
    assert apply(hal).code == 0
    api.hold_deletion("Deployment", "spin-gate", NS, seconds=None)
    kube.delete("Deployment", "spin-gate", NS, foreground=True)
    before = without_status(api.get("Deployment", "spin-gate", NS))
    result = apply(hal, "--wait-for-completion-timeout-minutes", "0.01")
    assert result.code == 1
    assert "Deployment spin-gate is still being deleted" in result.err
    assert without_status(api.get("Deployment", "spin-gate", NS)) == before
