"""apply against the API double: order, readiness, the HA switch invariants, faults, prune, GC."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from pyhalyard.deploy.apply import Options, deploy
from pyhalyard.deploy.kube import Kube
from pyhalyard.render.bundle import Bundle, ServiceBundle
from tests.deploy.apiserver_double import ApiServerDouble
from tests.deploy.bundles import NAMESPACE, bundle_for

NS = NAMESPACE
FAST = Options(timeout=10.0, max_poll=0.02)
CD_ROLES = ("clouddriver-caching", "clouddriver-ro", "clouddriver-rw")


def run(kube: Kube, bundle: Bundle, **overrides: Any) -> Any:
    options = Options(**{**FAST.__dict__, **overrides})
    return deploy(kube, bundle, options)


def deployments(api: ApiServerDouble) -> list[str]:
    """Deployments once foreground deletions finished (retired pods get ``grace`` to stop)."""
    time.sleep(api.grace * 3)
    return api.names("Deployment", NS)


def generations(api: ApiServerDouble) -> dict[str, int]:
    return {n: api.get("Deployment", n, NS)["metadata"]["generation"] for n in deployments(api)}


def scheduler_pods(api: ApiServerDouble) -> int:
    return api.timeline().max_alive(lambda p: p.scheduler)


def test_full_ha_apply_from_empty(api: ApiServerDouble, kube: Kube, tmp_path: Path,
                                  kubeconfig: Path) -> None:
    bundle = bundle_for(tmp_path, kubeconfig)
    report = run(kube, bundle)
    assert report.ok, report.failure_text()
    assert [p.name for p in report.phases] == ["namespace", "redis", "start"]
    assert api.get("Namespace", NS) is not None
    expected = sorted(f"spin-{n}" for n in bundle.services)
    assert deployments(api) == expected
    assert "spin-clouddriver" not in expected and "spin-echo-scheduler" in expected
    for name in expected:
        status = api.get("Deployment", name, NS)["status"]
        desired = api.get("Deployment", name, NS)["spec"]["replicas"]
        assert status["availableReplicas"] == desired == status["updatedReplicas"]
    # spin-clouddriver-ro asked for 3 replicas, so it gets a PodDisruptionBudget.
    assert api.get("PodDisruptionBudget", "spin-clouddriver-ro", NS)["spec"]["maxUnavailable"] == 1
    assert scheduler_pods(api) == 1
    # Redis was ready before any Spinnaker service was even created.
    timeline = api.timeline()
    redis_ready = min(p.ready_at for p in timeline.of("spin-redis") if p.ready_at)
    others = [p.created for p in timeline.pods if p.deployment != "spin-redis"]
    assert redis_ready <= min(others)


def test_unchanged_reapply_touches_no_deployment(api: ApiServerDouble, kube: Kube,
                                                 tmp_path: Path, kubeconfig: Path) -> None:
    bundle = bundle_for(tmp_path, kubeconfig)
    assert run(kube, bundle).ok
    before = generations(api)
    versions = {n: api.get("Deployment", n, NS)["metadata"]["resourceVersion"]
                for n in deployments(api)}
    pods = len(api.timeline().pods)
    started = time.monotonic()
    report = run(kube, bundle)
    assert report.ok
    assert generations(api) == before
    assert {n: api.get("Deployment", n, NS)["metadata"]["resourceVersion"]
            for n in deployments(api)} == versions
    assert len(api.timeline().pods) == pods  # not one pod restarted
    assert time.monotonic() - started < 2.0
    assert report.collected == []


def test_readiness_waits_for_the_new_generation(api: ApiServerDouble, kube: Kube,
                                                tmp_path: Path, kubeconfig: Path) -> None:
    """Old pods are ready the whole time; only the new ReplicaSet's readiness counts."""
    assert run(kube, bundle_for(tmp_path, kubeconfig)).ok
    api.set_delay("spin-gate", 0.3)
    changed = touch(bundle_for(tmp_path, kubeconfig), "gate")
    gen = generations(api)["spin-gate"]
    report = run(kube, changed)
    assert report.ok
    gate = api.get("Deployment", "spin-gate", NS)
    assert gate["metadata"]["generation"] == gen + 1
    assert gate["status"]["observedGeneration"] == gen + 1
    newest = [p for p in api.timeline().of("spin-gate") if p.generation == gen + 1]
    assert newest and all(p.ready(api.now()) for p in newest)
    outcome = next(o for o in report.outcomes if o.service == "gate")
    assert outcome.seconds >= 0.3


def touch(bundle: Bundle, service: str) -> Bundle:
    """The same bundle with ``service``'s pod template changed (a new generation)."""
    sb = bundle.services[service]
    objects = []
    for obj in sb.objects:
        if obj["kind"] == "Deployment":
            template = obj["spec"]["template"]
            meta = {**template["metadata"], "annotations": {"test/changed": "yes"}}
            obj = {**obj, "spec": {**obj["spec"], "template": {**template, "metadata": meta}}}
        objects.append(obj)
    bundle.services[service] = ServiceBundle(service, sb.profiles, tuple(objects))
    return bundle


def _switch(api: ApiServerDouble, kube: Kube, tmp_path: Path, kubeconfig: Path,
            first: dict[str, bool], second: dict[str, bool]) -> Any:
    """Apply ``first``, then switch to ``second``; returns (report, when the switch began)."""
    assert run(kube, bundle_for(tmp_path, kubeconfig, **first)).ok
    began = api.now()
    report = run(kube, bundle_for(tmp_path, kubeconfig, **second))
    assert report.ok, report.failure_text()
    return report, began


def test_clouddriver_ha_on_keeps_gate_reading(api: ApiServerDouble, kube: Kube, tmp_path: Path,
                                              kubeconfig: Path) -> None:
    report, t0 = _switch(api, kube, tmp_path, kubeconfig,
                     {"clouddriver_ha": False, "echo_ha": False},
                     {"clouddriver_ha": True, "echo_ha": False})
    assert [p.name for p in report.phases] == ["namespace", "redis", "start", "callers",
                                               "retire"]
    timeline = api.timeline()
    for caller in ("spin-gate", "spin-orca", "spin-igor", "spin-fiat", "spin-rosco"):
        assert timeline.unanswered_reads(caller, "clouddriver", since=t0) == []
    # gate really switched: its new pods read from clouddriver-ro.
    gate = timeline.of("spin-gate")
    assert {p.targets["clouddriver"] for p in gate} == {"spin-clouddriver", "spin-clouddriver-ro"}
    assert "spin-clouddriver" not in deployments(api)
    assert set(CD_ROLES) <= {n.removeprefix("spin-") for n in deployments(api)}
    # The monolith went only after the last old gate pod stopped serving.
    old_gate_end = max(p.terminating_at for p in gate if p.targets["clouddriver"]
                       == "spin-clouddriver")
    monolith_end = min(p.terminating_at for p in timeline.of("spin-clouddriver"))
    assert monolith_end >= old_gate_end
    assert api.names("Service", NS).count("spin-clouddriver") == 0


def test_clouddriver_ha_off_keeps_gate_reading(api: ApiServerDouble, kube: Kube, tmp_path: Path,
                                               kubeconfig: Path) -> None:
    _, t0 = _switch(api, kube, tmp_path, kubeconfig, {"clouddriver_ha": True, "echo_ha": False},
            {"clouddriver_ha": False, "echo_ha": False})
    timeline = api.timeline()
    assert timeline.unanswered_reads("spin-gate", "clouddriver", since=t0) == []
    assert timeline.unanswered_reads("spin-orca", "clouddriver", since=t0) == []
    names = deployments(api)
    assert "spin-clouddriver" in names
    assert not any(f"spin-{r}" in names for r in CD_ROLES)


def test_echo_ha_on_never_two_schedulers(api: ApiServerDouble, kube: Kube, tmp_path: Path,
                                         kubeconfig: Path) -> None:
    report, t0 = _switch(api, kube, tmp_path, kubeconfig,
                         {"clouddriver_ha": True, "echo_ha": False},
                         {"clouddriver_ha": True, "echo_ha": True})
    assert [p.name for p in report.phases][-2:] == ["retire", "scheduler"]
    timeline = api.timeline()
    assert timeline.max_alive(lambda p: p.scheduler, since=t0) == 1
    assert {p.deployment for p in timeline.pods if p.scheduler} == {"spin-echo",
                                                                   "spin-echo-scheduler"}
    for caller in ("spin-gate", "spin-orca", "spin-igor"):
        assert timeline.unanswered_reads(caller, "echo", since=t0) == []
    # The scheduler started only once every spin-echo pod was gone.
    echo_gone = max(p.gone_at for p in timeline.of("spin-echo"))
    assert min(p.created for p in timeline.of("spin-echo-scheduler")) >= echo_gone
    assert timeline.unanswered_reads("spin-gate", "clouddriver", since=t0) == []


def test_echo_ha_off_never_two_schedulers(api: ApiServerDouble, kube: Kube, tmp_path: Path,
                                          kubeconfig: Path) -> None:
    report, t0 = _switch(api, kube, tmp_path, kubeconfig,
                         {"clouddriver_ha": True, "echo_ha": True},
                         {"clouddriver_ha": True, "echo_ha": False})
    assert report.phases[2].name == "stop"
    timeline = api.timeline()
    assert timeline.max_alive(lambda p: p.scheduler) == 1
    for caller in ("spin-gate", "spin-orca", "spin-igor"):
        assert timeline.unanswered_reads(caller, "echo", since=t0) == []
    names = deployments(api)
    assert "spin-echo" in names and "spin-echo-worker" not in names
    assert "spin-echo-scheduler" not in names


def test_both_ha_on_at_once(api: ApiServerDouble, kube: Kube, tmp_path: Path,
                            kubeconfig: Path) -> None:
    _, t0 = _switch(api, kube, tmp_path, kubeconfig, {"clouddriver_ha": False, "echo_ha": False},
            {"clouddriver_ha": True, "echo_ha": True})
    timeline = api.timeline()
    assert timeline.max_alive(lambda p: p.scheduler) == 1
    assert timeline.unanswered_reads("spin-gate", "clouddriver", since=t0) == []
    assert timeline.unanswered_reads("spin-gate", "echo", since=t0) == []


def test_the_invariant_checks_catch_a_naive_switch(api: ApiServerDouble, kube: Kube,
                                                   tmp_path: Path, kubeconfig: Path) -> None:
    """Control: apply everything at once and delete the old services at once (what a plain
    `kubectl apply --prune` would do) -- the same checks must see the outage and the
    second scheduler."""
    assert run(kube, bundle_for(tmp_path, kubeconfig, clouddriver_ha=False, echo_ha=False)).ok
    # the new gate pods are slower than applying everything and the deletion, even on a
    # loaded machine (applies go through the real merge engine)
    api.set_delay("spin-gate", 2.0)
    new = bundle_for(tmp_path, kubeconfig, clouddriver_ha=True, echo_ha=True)
    for obj in new.objects():
        kube.apply(obj)
    kube.delete("Deployment", "spin-clouddriver", NS)
    time.sleep(0.2)
    timeline = api.timeline()
    assert timeline.unanswered_reads("spin-gate", "clouddriver") != []
    assert timeline.max_alive(lambda p: p.scheduler) == 2


def test_rolling_update_overlaps_recreate_never(api: ApiServerDouble, kube: Kube,
                                                tmp_path: Path, kubeconfig: Path) -> None:
    assert run(kube, bundle_for(tmp_path, kubeconfig)).ok
    changed = bundle_for(tmp_path, kubeconfig, files={
        "gate": {"gate-local.yml": "a: 1\n"}, "echo-scheduler": {"echo-local.yml": "a: 1\n"}})
    assert run(kube, changed).ok
    timeline = api.timeline()
    assert timeline.overlapped("spin-gate")  # a RollingUpdate
    assert len({p.revision for p in timeline.of("spin-echo-scheduler")}) == 2
    assert not timeline.overlapped("spin-echo-scheduler")  # Recreate
    assert timeline.max_alive(lambda p: p.scheduler) == 1


def test_role_never_ready_fails_and_keeps_the_monolith(api: ApiServerDouble, kube: Kube,
                                                       tmp_path: Path,
                                                       kubeconfig: Path) -> None:
    assert run(kube, bundle_for(tmp_path, kubeconfig, clouddriver_ha=False,
                                echo_ha=False)).ok
    gate_before = api.get("Deployment", "spin-gate", NS)["metadata"]["generation"]
    api.set_delay("spin-clouddriver-ro", None)
    t0 = api.now()
    # Long enough for the roles that do start to be ready on a loaded machine.
    report = run(kube, bundle_for(tmp_path, kubeconfig, clouddriver_ha=True, echo_ha=False),
                 timeout=2.0)
    assert not report.ok
    assert report.failed_phase is not None and report.failed_phase.name == "start"
    assert [o.service for o in report.failures] == ["clouddriver-ro"]
    text = report.failure_text()
    assert "spin-clouddriver-ro: not ready after" in text
    assert "0/3 available" in text
    assert "MinimumReplicasUnavailable" in text
    assert "callers (fiat, gate, igor, orca, rosco)" in text
    assert "retire (clouddriver)" in text
    # The monolith still serves, and gate was never re-pointed.
    assert "spin-clouddriver" in deployments(api)
    assert api.timeline().ready(api.now(), "spin-clouddriver")
    assert api.get("Deployment", "spin-gate", NS)["metadata"]["generation"] == gate_before
    assert api.timeline().unanswered_reads("spin-gate", "clouddriver", since=t0) == []


def test_500_429_and_dropped_connections_are_retried(api: ApiServerDouble, kube: Kube,
                                                     tmp_path: Path, kubeconfig: Path) -> None:
    api.inject(500, method="PATCH", path="deployments/spin-gate", times=2)
    api.inject(429, method="GET", path="deployments/spin-orca", times=2)
    api.inject("reset", method="PATCH", path="secrets/spin-deck", times=1)
    api.inject(503, method="GET", path="/apis/apps/v1/namespaces/spinnaker/deployments",
               times=1)
    report = run(kube, bundle_for(tmp_path, kubeconfig))
    assert report.ok, report.failure_text()
    codes = [c for m, p, c in api.requests if m == "PATCH" and p.endswith("deployments/spin-gate")]
    assert codes == [500, 500, 201]
    orca = [c for m, p, c in api.requests if m == "GET" and p.endswith("deployments/spin-orca")]
    assert orca[:2] == [429, 429] and orca[-1] == 200
    assert any(c == 0 for m, p, c in api.requests if "secrets/spin-deck" in p)


def test_a_4xx_is_not_retried_and_fails_the_service(api: ApiServerDouble, kube: Kube,
                                                    tmp_path: Path, kubeconfig: Path) -> None:
    bundle = bundle_for(tmp_path, kubeconfig)
    gate = bundle.services["gate"]
    broken = [dict(o) for o in gate.objects]
    dep = next(o for o in broken if o["kind"] == "Deployment")
    dep["spec"] = {**dep["spec"], "selector": {"matchLabels": {"app": "other"}}}
    bundle.services["gate"] = ServiceBundle("gate", gate.profiles, tuple(broken))
    report = run(kube, bundle)
    assert not report.ok
    failure = report.failures[0]
    assert failure.service == "gate"
    assert "422" in failure.detail and "selector" in failure.detail
    assert api.counts("PATCH", "deployments/spin-gate") == 1


def test_prune_only_with_the_flag(api: ApiServerDouble, kube: Kube, tmp_path: Path,
                                  kubeconfig: Path) -> None:
    assert run(kube, bundle_for(tmp_path, kubeconfig)).ok
    assert "spin-kayenta" in deployments(api)
    no_canary = bundle_for(tmp_path, kubeconfig, edit=lambda dep: dep["canary"].update(
        {"enabled": False}))
    assert run(kube, no_canary).ok
    assert "spin-kayenta" in deployments(api)
    report = run(kube, no_canary, prune=True)
    assert report.ok
    assert "spin-kayenta" not in deployments(api)
    assert "spin-kayenta" not in api.names("Service", NS)
    assert not [n for n in api.names("Secret", NS) if n.startswith("spin-kayenta-")]
    assert any(o.service == "kayenta" and o.action == "delete" for o in report.outcomes)


def test_unreferenced_config_secrets_are_collected(api: ApiServerDouble, kube: Kube,
                                                   tmp_path: Path, kubeconfig: Path) -> None:
    """Old config Secrets stay while a ReplicaSet the cluster keeps still mounts them
    (``kubectl rollout undo`` needs them); one that nothing mounts is collected."""
    first = bundle_for(tmp_path, kubeconfig)
    assert run(kube, first).ok
    api.seed({"apiVersion": "v1", "kind": "Secret",
              "metadata": {"name": "user-owned-files-x", "namespace": NS,
                           "labels": {"app": "spin"}}, "data": {}})
    old_secrets = set(api.names("Secret", NS))
    changed = bundle_for(tmp_path, kubeconfig, files={
        "gate": {"gate-local.yml": "a: 1\n"}, "orca": {"orca-local.yml": "a: 1\n"}})
    report = run(kube, changed)
    assert report.ok
    new_names = {o["metadata"]["name"] for o in changed.objects() if o["kind"] == "Secret"}
    replaced = old_secrets - new_names - {"user-owned-files-x"}
    assert sorted(n.split("-files-")[0] for n in replaced) == ["spin-gate", "spin-orca"]
    assert report.collected == []  # the previous ReplicaSets still mount them
    assert set(api.names("Secret", NS)) == old_secrets | new_names
    orphan = "spin-gate-files-0123456789"
    api.seed({"apiVersion": "v1", "kind": "Secret",
              "metadata": {"name": orphan, "namespace": NS, "labels": {
                  "app": "spin", "cluster": "spin-gate",
                  "app.kubernetes.io/managed-by": "pyhalyard"}}, "data": {}})
    again = run(kube, changed)
    assert again.collected == [orphan]
    assert set(api.names("Secret", NS)) == old_secrets | new_names


def test_halyard_made_monolith_is_taken_over_and_retired(api: ApiServerDouble, kube: Kube,
                                                         tmp_path: Path,
                                                         kubeconfig: Path) -> None:
    """No history, no managed-by label: the running services are read from the cluster."""
    old = bundle_for(tmp_path, kubeconfig, clouddriver_ha=False, echo_ha=False)
    api.seed(old.shared[0])
    for name in ("clouddriver", "gate"):
        for obj in old.services[name].objects:
            obj = {**obj, "metadata": {**obj["metadata"], "labels": {
                "app": "spin", "cluster": f"spin-{name}"}}}
            api.seed(obj)
    t0 = api.now()
    report = run(kube, bundle_for(tmp_path, kubeconfig, clouddriver_ha=True, echo_ha=False))
    assert report.ok
    assert [p.name for p in report.phases][-1] == "retire"
    assert "spin-clouddriver" not in deployments(api)
    assert api.timeline().unanswered_reads("spin-gate", "clouddriver", since=t0) == []
