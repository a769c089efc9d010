"""Redis keeps its data, ``kubectl rollout undo`` keeps working, and a dry run changes nothing.

References: spinnaker/halyard ``KubectlDeployer.java`` ("We do not want to bounce the Redis
pod because user data will be lost"); kubectl ``polymorphichelpers/rollback.go`` (undo
re-applies an old ReplicaSet's template, so its Secret must still exist).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import yaml

from pyhalyard.deploy.kube import Kube
from tests.deploy.apiserver_double import ApiServerDouble
from tests.deploy.halyard_objects import seed_halyard
from tests.deploy.test_preflight import apply, snapshot
from tests.deploy.test_takeover import make_hal, services_of

NS = "spinnaker"


def set_version(hal: Path, version: str) -> None:
    config = yaml.safe_load((hal / "config").read_text())
    config["deploymentConfigurations"][0]["version"] = version
    (hal / "config").write_text(yaml.safe_dump(config, sort_keys=False))


def redis_pods(api: ApiServerDouble) -> list[Any]:
    return [p for p in api.timeline().pods if p.deployment == "spin-redis"]


def test_version_change_does_not_restart_redis(api: ApiServerDouble, kubeconfig: Path,
                                               tmp_path: Path) -> None:
    hal = make_hal(tmp_path, kubeconfig, ha=False)
    assert apply(hal).code == 0
    generation = api.get("Deployment", "spin-redis", NS)["metadata"]["generation"]  # type: ignore[index]
    set_version(hal, "2025.3.0")
    result = apply(hal)
    assert result.code == 0, result.err
    redis = api.get("Deployment", "spin-redis", NS)
    assert redis is not None and redis["metadata"]["generation"] == generation
    assert redis["metadata"]["labels"]["app.kubernetes.io/version"] == "2025.3.0"
    assert len(redis_pods(api)) == 1  # the one pod of the first install, still running
    gate = [p for p in api.timeline().pods if p.deployment == "spin-gate"]
    assert len(gate) == 2  # everything else did roll


def test_a_change_that_restarts_redis_needs_restart_redis(api: ApiServerDouble,
                                                         kubeconfig: Path,
                                                         tmp_path: Path) -> None:
    hal = make_hal(tmp_path, kubeconfig, ha=False)
    assert apply(hal).code == 0
    settings = hal / "default" / "service-settings" / "redis.yml"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(yaml.safe_dump({"artifactId": "redis:7.4-alpine"}))
    before = snapshot(api)
    preview = apply(hal, "--dry-run")
    assert preview.code == 1
    assert ("Deployment/spin-redis: rejected: spin-redis would restart and lose its data"
            in preview.out)
    assert "Deployment/spin-gate: unchanged" in preview.out.splitlines()
    refused = apply(hal)
    assert refused.code == 1
    assert ("error: spin-redis would restart and lose its data: its pod template changes "
            "(spec.template.spec.containers[name=redis].image" in refused.err)
    assert "--restart-redis" in refused.err and "overrideBaseUrl" in refused.err
    assert snapshot(api) == before  # nothing else was applied either
    accepted = apply(hal, "--restart-redis")
    assert accepted.code == 0, accepted.err
    assert len(redis_pods(api)) == 2


def test_rollout_undo_still_finds_its_config_secret(api: ApiServerDouble, kube: Kube,
                                                    kubeconfig: Path, tmp_path: Path) -> None:
    hal = make_hal(tmp_path, kubeconfig, ha=False)
    assert apply(hal).code == 0
    first = api.get("Deployment", "spin-gate", NS)
    assert first is not None
    old_secret = first["spec"]["template"]["spec"]["volumes"][0]["secret"]["secretName"]
    profile = hal / "default" / "profiles" / "gate-local.yml"
    profile.parent.mkdir(parents=True, exist_ok=True)
    profile.write_text("example: changed\n")
    changed = apply(hal, "-o", "json")
    assert changed.code == 0, changed.err
    assert old_secret not in json.loads(changed.out)["collectedSecrets"]
    assert old_secret in api.names("Secret", NS)
    api.rollout_undo("spin-gate", NS)
    deadline = time.monotonic() + 5
    rollout = kube.rollout("spin-gate", NS)
    while rollout is not None and not rollout.complete and time.monotonic() < deadline:
        time.sleep(0.02)
        rollout = kube.rollout("spin-gate", NS)
    assert rollout is not None and rollout.complete, rollout and rollout.last_condition
    undone = api.get("Deployment", "spin-gate", NS)
    assert undone is not None
    assert undone["spec"]["template"]["spec"]["volumes"][0]["secret"]["secretName"] == old_secret


def test_dry_run_on_a_halyard_cluster_changes_nothing(api: ApiServerDouble, kubeconfig: Path,
                                                      tmp_path: Path) -> None:
    hal = make_hal(tmp_path, kubeconfig, ha=True)
    seed_halyard(api, services_of(hal))
    api.update(lambda o: o["spec"].update(type="LoadBalancer"), kind="Service",
               name="spin-deck", namespace=NS)
    before = snapshot(api)
    patches = api.counts("PATCH")
    result = apply(hal, "--dry-run")
    assert snapshot(api) == before
    assert api.counts("PATCH") > patches  # the server was asked (dryRun=All) ...
    assert result.code == 1  # ... and would refuse the edited Service
    lines = result.out.splitlines()
    assert ("Service/spin-deck: conflict (taken over from kubectl-client-side-apply): "
            ".spec.type owned by kubectl-edit") in lines
    gate = next(line for line in lines if line.startswith("Deployment/spin-gate: "))
    assert gate.startswith("Deployment/spin-gate: change (taken over from "
                           "kubectl-client-side-apply): ")
    assert "spin-redis: left alone (spin-redis was deployed by Halyard" in result.out
    assert any(line.startswith("Deployment/spin-clouddriver-rw: change") for line in lines)
    assert lines[-1].startswith("Dry run (server-side, nothing changed): ")
    assert "error: the API server would refuse 1 object" in result.err


def test_dry_run_reports_create_change_unchanged(api: ApiServerDouble, kubeconfig: Path,
                                                 tmp_path: Path) -> None:
    hal = make_hal(tmp_path, kubeconfig, ha=False)
    fresh = apply(hal, "--dry-run")
    assert fresh.code == 0, fresh.err
    assert "Namespace/spinnaker: create" in fresh.out.splitlines()
    assert "Deployment/spin-gate: create (in the new namespace)" in fresh.out.splitlines()
    assert api.names("Deployment", NS) == [] and api.get("Namespace", NS) is None
    assert apply(hal).code == 0
    profile = hal / "default" / "profiles" / "gate-local.yml"
    profile.parent.mkdir(parents=True, exist_ok=True)
    profile.write_text("example: changed\n")
    before = snapshot(api)
    preview = apply(hal, "--dry-run", "-o", "json")
    assert preview.code == 0, preview.err
    assert snapshot(api) == before
    objects = {(o["kind"], o["name"]): o for o in json.loads(preview.out)["objects"]}
    gate = objects[("Deployment", "spin-gate")]
    assert gate["action"] == "change"
    assert gate["fields"] == ["spec.template.spec.volumes[name=spin-config].secret.secretName"]
    assert objects[("Deployment", "spin-orca")]["action"] == "unchanged"
    assert [o["action"] for (kind, _), o in objects.items() if kind == "Secret"
            and o["action"] == "create"] == ["create"]


def test_redis_from_an_earlier_pyhalyard_needs_restart_redis_once(api: ApiServerDouble,
                                                                  kube: Kube,
                                                                  kubeconfig: Path,
                                                                  tmp_path: Path) -> None:
    """Earlier pyhalyard releases put the version label into Redis's pod template."""
    from tests.render_manifests.configs import find, render

    hal = make_hal(tmp_path, kubeconfig, ha=False)
    assert apply(hal).code == 0
    old = find(render(hal), "Deployment", "spin-redis")
    old["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/version"] = "2025.1.0"
    kube.apply(old, force=True)  # as pyhalyard wrote it before
    refused = apply(hal)
    assert refused.code == 1
    assert ("its pod template changes "
            "(spec.template.metadata.labels.app.kubernetes.io/version)" in refused.err)
    assert apply(hal, "--restart-redis").code == 0
    assert apply(hal).code == 0  # once
