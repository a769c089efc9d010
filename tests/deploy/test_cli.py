"""`hal deploy apply|diff|rollback|clean|connect` end to end: real renderer, real lightkube,
the API double on a loopback port."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from pyhalyard.deploy.apply import secret_refs
from tests.deploy.apiserver_double import ApiServerDouble
from tests.deploy.bundles import NAMESPACE as NS
from tests.deploy.bundles import make_hal, set_ha
from tests.helpers import Result, run_hal

FAST = ("--no-live-checks", "--poll-interval", "0.02")
PASSWORD = "example-secret"
STORAGE_KEY = "example-storage-key"


def hal(hal_dir: Path, *args: str) -> Result:
    return run_hal(*args, hal_dir=hal_dir)


def apply(hal_dir: Path, *args: str) -> Result:
    return hal(hal_dir, "deploy", "apply", *FAST, *args)


@pytest.fixture
def hal_dir(tmp_path: Path, kubeconfig: Path) -> Path:
    return make_hal(tmp_path, kubeconfig, clouddriver_ha=False, echo_ha=False)


def no_secrets(result: Result) -> None:
    for text in (result.out, result.err):
        assert PASSWORD not in text and STORAGE_KEY not in text


def test_apply_switch_on_and_off_through_the_cli(api: ApiServerDouble, hal_dir: Path) -> None:
    first = apply(hal_dir)
    assert first.code == 0, first.err
    assert "+ Deployed Spinnaker 2025.2.1 to namespace spinnaker: 11 services ready" in first.out
    assert "(history #1)" in first.out
    set_ha(hal_dir, clouddriver_ha=True, echo_ha=True)
    t0 = api.now()
    on = apply(hal_dir)
    assert on.code == 0, on.err
    assert "== phase 6/6 scheduler: echo-scheduler" in on.out
    assert "14 services ready, 2 removed" in on.out and "(history #2)" in on.out
    no_secrets(on)
    timeline = api.timeline()
    assert timeline.unanswered_reads("spin-gate", "clouddriver", since=t0) == []
    assert timeline.unanswered_reads("spin-orca", "echo", since=t0) == []
    assert timeline.max_alive(lambda p: p.scheduler) == 1
    gate = {p.targets["clouddriver"] for p in timeline.of("spin-gate")}
    assert gate == {"spin-clouddriver", "spin-clouddriver-ro"}  # from the rendered profiles
    orca = {p.targets["clouddriver"] for p in timeline.of("spin-orca")}
    assert orca == {"spin-clouddriver", "spin-clouddriver-rw"}

    set_ha(hal_dir, clouddriver_ha=False, echo_ha=False)
    t1 = api.now()
    off = apply(hal_dir)
    assert off.code == 0, off.err
    assert "== phase 3/6 stop: echo-scheduler" in off.out
    timeline = api.timeline()
    assert timeline.unanswered_reads("spin-gate", "clouddriver", since=t1) == []
    assert timeline.unanswered_reads("spin-igor", "echo", since=t1) == []
    assert timeline.max_alive(lambda p: p.scheduler) == 1
    time.sleep(0.05)
    assert "spin-echo-scheduler" not in api.names("Deployment", NS)
    assert "spin-clouddriver" in api.names("Deployment", NS)


def test_unchanged_reapply_through_the_cli_restarts_nothing(api: ApiServerDouble,
                                                            hal_dir: Path) -> None:
    assert apply(hal_dir).code == 0
    pods = len(api.timeline().pods)
    generations = {n: api.get("Deployment", n, NS)["metadata"]["generation"]  # type: ignore[index]
                   for n in api.names("Deployment", NS)}
    patches = api.counts("PATCH")
    again = apply(hal_dir, "-o", "json")
    assert again.code == 0, again.err
    data = json.loads(again.out)
    assert data["ok"] is True and data["history"] == 2 and data["collectedSecrets"] == []
    assert {o["action"] for o in data["objects"]} == {"unchanged"}
    assert len(api.timeline().pods) == pods
    assert api.counts("PATCH") > patches  # applied again (after a dry run of each) ...
    assert {n: api.get("Deployment", n, NS)["metadata"]["generation"]  # type: ignore[index]
            for n in api.names("Deployment", NS)} == generations  # ... and changed nothing


def test_a_role_that_never_gets_ready_exits_1_with_a_report(api: ApiServerDouble,
                                                            hal_dir: Path) -> None:
    assert apply(hal_dir).code == 0
    set_ha(hal_dir, clouddriver_ha=True, echo_ha=False)
    api.set_delay("spin-clouddriver-caching", None)
    result = apply(hal_dir, "--wait-for-completion-timeout-minutes", "0.005")
    assert result.code == 1
    assert "error: deploy stopped in phase 'start': 1 service failed" in result.err
    assert "spin-clouddriver-caching: not ready after" in result.err
    assert "0/2 available" in result.err
    assert "Progressing=True (ReplicaSetUpdated)" in result.err or \
        "MinimumReplicasUnavailable" in result.err
    assert "Traceback" not in result.err
    assert "spin-clouddriver" in api.names("Deployment", NS)
    # A failed apply records nothing: diff still compares with #1.
    assert sorted(os.listdir(hal_dir / "default" / "history")) == [".lock", "1"]


def test_preflight_validation_errors_stop_before_the_cluster(api: ApiServerDouble,
                                                             hal_dir: Path) -> None:
    set_ha(hal_dir, clouddriver_ha=True, echo_ha=True, edit=lambda dep: dep[
        "deploymentEnvironment"]["customSizing"].update({"spin-echo-scheduler":
                                                         {"replicas": 2}}))
    refused = apply(hal_dir)
    assert refused.code == 1
    assert "refusing to deploy: the configuration has errors" in refused.err
    assert "echo-scheduler" in refused.err
    assert api.requests == []
    forced = apply(hal_dir, "--no-validate")
    assert forced.code == 0, forced.err
    assert api.get("Deployment", "spin-echo-scheduler", NS)["spec"]["replicas"] == 1


def test_service_names_limit_the_apply(api: ApiServerDouble, hal_dir: Path) -> None:
    result = apply(hal_dir, "--service-names", "redis,gate", "--service-names", "deck")
    assert result.code == 0, result.err
    assert api.names("Deployment", NS) == ["spin-deck", "spin-gate", "spin-redis"]
    rest = apply(hal_dir, "--exclude-service-names", "kayenta")
    assert rest.code == 0, rest.err
    names = api.names("Deployment", NS)
    assert "spin-kayenta" not in names and "spin-orca" in names
    bad = apply(hal_dir, "--service-names", "nonsense")
    assert bad.code == 2 and "unknown service 'nonsense'" in bad.err


def test_prune_through_the_cli(api: ApiServerDouble, hal_dir: Path) -> None:
    assert apply(hal_dir).code == 0
    set_ha(hal_dir, clouddriver_ha=False, echo_ha=False,
           edit=lambda dep: dep["canary"].update({"enabled": False}))
    kept = apply(hal_dir)
    assert kept.code == 0 and "spin-kayenta" in api.names("Deployment", NS)
    pruned = apply(hal_dir, "--delete-orphaned-services")
    assert pruned.code == 0, pruned.err
    assert "spin-kayenta: deleted" in pruned.out
    time.sleep(0.05)
    assert "spin-kayenta" not in api.names("Deployment", NS)


def test_rollback_restores_the_previous_objects(api: ApiServerDouble, hal_dir: Path) -> None:
    assert apply(hal_dir).code == 0
    before = {n: api.get("Deployment", n, NS)["spec"]["template"] for n in
              api.names("Deployment", NS)}
    secrets = set(api.names("Secret", NS))
    set_ha(hal_dir, clouddriver_ha=True, echo_ha=True)
    assert apply(hal_dir).code == 0
    assert "spin-clouddriver" not in api.names("Deployment", NS) or api.get(
        "Deployment", "spin-clouddriver", NS)["metadata"].get("deletionTimestamp")
    t0 = api.now()
    back = hal(hal_dir, "deploy", "rollback", "--poll-interval", "0.02")
    assert back.code == 0, back.err
    assert "+ Rolled back to #1" in back.out and "(history #3)" in back.out
    time.sleep(0.05)
    after = {n: api.get("Deployment", n, NS)["spec"]["template"] for n in
             api.names("Deployment", NS)}
    assert after == before
    left = set(api.names("Secret", NS))
    assert secrets <= left
    # Newer config Secrets stay only while a ReplicaSet the cluster keeps mounts them.
    kept = set().union(*(secret_refs(api.get("ReplicaSet", n, NS) or {})
                         for n in api.names("ReplicaSet", NS)))
    assert left - secrets <= kept
    timeline = api.timeline()
    assert timeline.unanswered_reads("spin-gate", "clouddriver", since=t0) == []
    assert timeline.max_alive(lambda p: p.scheduler) == 1
    again = hal(hal_dir, "deploy", "rollback", "--to", "2", "--poll-interval", "0.02")
    assert again.code == 0, again.err
    time.sleep(0.05)
    assert "spin-echo-scheduler" in api.names("Deployment", NS)
    missing = hal(hal_dir, "deploy", "rollback", "--to", "9")
    assert missing.code == 1 and "no applied bundle number 9" in missing.err


def test_rollback_needs_two_entries(api: ApiServerDouble, hal_dir: Path) -> None:
    assert apply(hal_dir).code == 0
    result = hal(hal_dir, "deploy", "rollback")
    assert result.code == 1 and "nothing to roll back to: 1 applied bundle" in result.err


def test_diff_shows_changed_keys_never_secret_values(api: ApiServerDouble,
                                                    hal_dir: Path) -> None:
    empty = hal(hal_dir, "deploy", "diff")
    assert empty.code == 0 and "Against nothing (no bundle applied yet)" in empty.out
    assert "+ Secret spin-front50-files-" in empty.out
    no_secrets(empty)
    assert apply(hal_dir).code == 0
    same = hal(hal_dir, "deploy", "diff")
    assert same.out.strip() == "No changes against the last applied bundle (#1)."

    def rotate(dep: dict) -> None:
        dep["persistentStorage"]["s3"]["secretAccessKey"] = "rotated-storage-key"
    set_ha(hal_dir, clouddriver_ha=False, echo_ha=False, edit=rotate)
    changed = hal(hal_dir, "deploy", "diff")
    assert changed.code == 0
    assert "~ Secret spin-front50-files-" in changed.out
    assert "~ key front50.yml changed (value hidden)" in changed.out
    assert "secretName: spin-front50-files-" in changed.out  # the Deployment's new reference
    assert "rotated-storage-key" not in changed.out
    no_secrets(changed)
    as_json = hal(hal_dir, "deploy", "diff", "-o", "json")
    assert "rotated-storage-key" not in as_json.out
    kinds = {(c["action"], c["kind"]) for c in json.loads(as_json.out)["changes"]}
    assert kinds == {("~", "Secret"), ("~", "Deployment")}


def test_diff_live_compares_with_the_cluster(api: ApiServerDouble, hal_dir: Path,
                                             kube: object) -> None:
    assert apply(hal_dir).code == 0
    same = hal(hal_dir, "deploy", "diff", "--live")
    assert same.code == 0, same.err
    assert same.out.strip() == "No changes against the cluster (namespace spinnaker)."
    # Someone edits the cluster by hand: scale gate, and a stray object appears.
    gate = api.get("Deployment", "spin-gate", NS)
    gate["spec"]["replicas"] = 5
    with api.lock:
        api.objects[("Deployment", NS, "spin-gate")]["spec"]["replicas"] = 5
    api.seed({"apiVersion": "v1", "kind": "Service",
              "metadata": {"name": "spin-stray", "namespace": NS, "labels": {"app": "spin"}},
              "spec": {"ports": [{"port": 1}]}})
    drift = hal(hal_dir, "deploy", "diff", "--live")
    assert "~ Deployment spin-gate" in drift.out
    assert "-  replicas: 5" in drift.out and "+  replicas: 1" in drift.out
    assert "- Service spin-stray (in the cluster, not in the bundle" in drift.out
    no_secrets(drift)


def test_clean_asks_first(api: ApiServerDouble, hal_dir: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    assert apply(hal_dir).code == 0
    count = len(api.names("Deployment", NS))
    monkeypatch.setattr(sys, "stdin", io.StringIO("n\n"))
    declined = hal(hal_dir, "deploy", "clean")
    assert declined.code == 1 and "Aborted." in declined.err
    assert len(api.names("Deployment", NS)) == count
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))
    accepted = hal(hal_dir, "deploy", "clean")
    assert accepted.code == 0, accepted.err
    assert "namespace 'spinnaker' of context 'double'" in accepted.err
    time.sleep(0.05)
    assert api.names("Deployment", NS) == []
    assert api.names("Service", NS) == [] and api.names("Secret", NS) == []
    assert api.get("Namespace", NS) is not None


def test_clean_yes_spares_services_managed_elsewhere(api: ApiServerDouble,
                                                     hal_dir: Path) -> None:
    assert apply(hal_dir).code == 0
    settings = hal_dir / "default" / "service-settings"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "redis.yml").write_text("skipLifeCycleManagement: true\n")
    result = hal(hal_dir, "deploy", "clean", "--yes")
    assert result.code == 0, result.err
    assert "kept, managed elsewhere: redis" in result.out
    assert "- Deployment/spin-gate" in result.out
    time.sleep(0.05)
    assert api.names("Deployment", NS) == ["spin-redis"]


def test_skip_lifecycle_service_is_never_touched(api: ApiServerDouble, hal_dir: Path) -> None:
    settings = hal_dir / "default" / "service-settings"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "redis.yml").write_text("skipLifeCycleManagement: true\n"
                                        "overrideBaseUrl: redis://redis-ext:6379\n")
    result = apply(hal_dir, "--delete-orphaned-services")
    assert result.code == 0, result.err
    assert "spin-redis" not in api.names("Deployment", NS)
    assert api.counts("PATCH", "spin-redis") == 0


def test_connect_prints_port_forwards(hal_dir: Path, kubeconfig: Path) -> None:
    result = hal(hal_dir, "deploy", "connect")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        f"kubectl --kubeconfig {kubeconfig} --context double --namespace spinnaker "
        "port-forward service/spin-deck 9000:9000",
        f"kubectl --kubeconfig {kubeconfig} --context double --namespace spinnaker "
        "port-forward service/spin-gate 8084:8084",
    ]
    roles = hal(hal_dir, "deploy", "connect", "--service-names", "clouddriver,echo-slave")
    assert roles.code == 2 and "echo-worker is not enabled" in roles.err
    set_ha(hal_dir, clouddriver_ha=True, echo_ha=True)
    roles = hal(hal_dir, "deploy", "connect", "--service-names", "clouddriver,echo-slave",
                "-o", "json")
    data = json.loads(roles.out)
    assert [d["service"] for d in data] == ["clouddriver-caching", "clouddriver-rw",
                                            "clouddriver-ro", "echo-worker"]
    assert data[-1]["command"][-2:] == ["service/spin-echo-worker", "8089:8089"]


def test_connect_run_starts_kubectl(hal_dir: Path, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "calls.log"
    fake = bin_dir / "kubectl"
    fake.write_text(f"#!/bin/sh\necho \"$@\" >> {log}\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = hal(hal_dir, "deploy", "connect", "--run")
    assert result.code == 0, result.err
    calls = sorted(log.read_text().splitlines())
    assert len(calls) == 2
    assert calls[0].endswith("port-forward service/spin-deck 9000:9000")
    assert calls[1].endswith("port-forward service/spin-gate 8084:8084")
    fake.write_text("#!/bin/sh\nexit 3\n")
    failed = hal(hal_dir, "deploy", "connect", "--run")
    assert failed.code == 1 and "2 port-forwards ended with an error (exit 3)" in failed.err


def test_unknown_deploy_account_names_the_field(hal_dir: Path) -> None:
    def rename(dep: dict) -> None:
        dep["deploymentEnvironment"]["accountName"] = "nope"
    set_ha(hal_dir, clouddriver_ha=False, echo_ha=False, edit=rename)
    result = apply(hal_dir, "--no-validate")
    assert result.code == 1
    assert ("deploymentConfigurations[0].deploymentEnvironment.accountName: no Kubernetes "
            "account named 'nope'") in result.err


def test_unreachable_cluster_is_one_line(hal_dir: Path, tmp_path: Path,
                                         api: ApiServerDouble) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = yaml.safe_load((tmp_path / "kubeconfig").read_text())
    config["clusters"][0]["cluster"]["server"] = f"http://127.0.0.1:{port}"
    (tmp_path / "kubeconfig").write_text(yaml.safe_dump(config))
    result = apply(hal_dir)
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if not line.startswith(
        ("WARNING", "  ?"))]
    assert len(errors) == 1
    # The first call of a deploy reads the server's version.
    assert errors[0].startswith("error: read the server version: cannot reach http://127.0.0.1:")
    assert "Connection refused" in errors[0]


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[int]:
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is required (apt-get install redis-server)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--requirepass", PASSWORD],
                            stdout=subprocess.DEVNULL, cwd=tmp_path)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.02)
        yield port
    finally:
        proc.terminate()
        proc.wait()


def test_redis_preflight_warns_but_deploys(api: ApiServerDouble, hal_dir: Path,
                                           redis_server: int) -> None:
    """The replica endpoint is really a master: a warning, not a failure."""
    url = f"redis://:{PASSWORD}@127.0.0.1:{redis_server}"

    def point(dep: dict) -> None:
        cd = dep["deploymentEnvironment"]["haServices"]["clouddriver"]
        cd["redisMasterEndpoint"] = url
        cd["redisSlaveEndpoint"] = url
    set_ha(hal_dir, clouddriver_ha=True, echo_ha=False, edit=point)
    result = hal(hal_dir, "deploy", "apply", "--poll-interval", "0.02")
    assert result.code == 0, result.err
    assert "warning: Redis redisSlaveEndpoint" in result.err
    assert "not role:slave" in result.err
    no_secrets(result)
    skipped = hal(hal_dir, "deploy", "apply", "--no-live-checks", "--poll-interval", "0.02")
    assert skipped.code == 0 and "warning: Redis" not in skipped.err


def test_a_relative_kubeconfig_is_under_the_hal_folder(api: ApiServerDouble, hal_dir: Path,
                                                      kubeconfig: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file the config names is looked up under the hal folder when relative (Halyard's
    FileService), the deploy account's kubeconfig too: ``hal`` works from any directory."""
    (hal_dir / "kube").mkdir()
    shutil.copy(kubeconfig, hal_dir / "kube" / "config")

    def relative(dep: dict[str, object]) -> None:
        account = dep["providers"]["kubernetes"]["accounts"][0]  # type: ignore[index]
        account["kubeconfigFile"] = "kube/config"

    set_ha(hal_dir, clouddriver_ha=False, echo_ha=False, edit=relative)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = apply(hal_dir)
    assert result.code == 0, result.err
    assert api.get("Deployment", "spin-gate", NS) is not None
