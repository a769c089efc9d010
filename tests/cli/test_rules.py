"""Every validation rule, on small hand-built deployments (positive and negative cases)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from pyhalyard.halconfig.paths import HalPaths
from pyhalyard.merge import deep_merge
from pyhalyard.pipeline import Loaded, load
from pyhalyard.validate import Problem, Severity, rules, validate
from tests.cli.conftest import Hal

BASE: dict[str, Any] = {
    "name": "default",
    "version": "2025.2.1",
    "providers": {
        "kubernetes": {"enabled": True, "accounts": [{"name": "k", "providerVersion": "V2",
                                                     "serviceAccount": True}],
                       "primaryAccount": "k"},
        "dockerRegistry": {"enabled": False, "accounts": [{"name": "hub"}]},
    },
    "deploymentEnvironment": {"type": "Distributed", "accountName": "k",
                              "location": "spinnaker", "customSizing": {}},
}


def loaded(tmp_path: Path, extra: dict[str, Any] | None = None,
           settings: dict[str, str] | None = None,
           profiles: dict[str, str] | None = None) -> Loaded:
    dep = deep_merge(copy.deepcopy(BASE), extra or {})
    root = tmp_path / "hal"
    root.mkdir(exist_ok=True)
    (root / "config").write_text(yaml.safe_dump(
        {"currentDeployment": "default", "deploymentConfigurations": [dep]}))
    for folder, files in (("service-settings", settings or {}), ("profiles", profiles or {})):
        for name, text in files.items():
            path = root / "default" / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    return load(HalPaths(root))


def env(**values: Any) -> dict[str, Any]:
    return {"deploymentEnvironment": values}


def ha(clouddriver: dict[str, Any] | None = None, echo: bool | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {}
    if clouddriver is not None:
        block["clouddriver"] = clouddriver
    if echo is not None:
        block["echo"] = {"enabled": echo}
    return env(haServices=block)


def sizing(**entries: Any) -> dict[str, Any]:
    return env(customSizing={k.replace("_", "-"): v for k, v in entries.items()})


def run(rule: rules.Rule, load_: Loaded) -> list[Problem]:
    return list(rule(load_))


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_clean_base_has_no_problems(tmp_path: Path) -> None:
    assert validate(loaded(tmp_path, deep_merge(ha({"enabled": True}, True),
                                           sizing(spin_echo_scheduler={"replicas": 1}))),
                    rendering=False) == []


# -------------------------------------------------- HA on Distributed/V2 only
def test_ha_needs_distributed(tmp_path: Path) -> None:
    load_ = loaded(tmp_path, deep_merge(ha({"enabled": True}, True), env(type="LocalDebian")))
    problems = run(rules.ha_needs_distributed_v2, load_)
    assert [(p.severity, p.location) for p in problems] == [
        (Severity.ERROR, "deploymentEnvironment.haServices.clouddriver.enabled"),
        (Severity.ERROR, "deploymentEnvironment.haServices.echo.enabled")]
    assert "not 'LocalDebian'" in problems[0].message
    assert problems[0].remediation.startswith("hal config deploy edit --type Distributed")


def test_ha_needs_v2(tmp_path: Path) -> None:
    load_ = loaded(tmp_path, deep_merge(ha(echo=True), {"providers": {"kubernetes": {
        "accounts": [{"name": "k", "providerVersion": "V1"}]}}}))
    problem = only(run(rules.ha_needs_distributed_v2, load_))
    assert problem.severity is Severity.ERROR and "'k' is V1" in problem.message
    assert run(rules.ha_needs_distributed_v2, loaded(tmp_path, ha(echo=False))) == []


# ------------------------------------------------- Distributed needs account
def test_distributed_needs_an_account_name(tmp_path: Path) -> None:
    load_ = loaded(tmp_path, env(accountName=None))
    problem = only(run(rules.distributed_needs_account, load_))
    assert problem.severity is Severity.ERROR
    assert problem.location == "deploymentEnvironment.accountName"
    assert "(Kubernetes accounts: k)" in problem.message


def test_distributed_needs_a_known_account(tmp_path: Path) -> None:
    problem = only(run(rules.distributed_needs_account, loaded(tmp_path, env(accountName="x"))))
    assert "accountName 'x' is not a Kubernetes account" in problem.message
    assert run(rules.distributed_needs_account,
               loaded(tmp_path, env(type="LocalDebian", accountName="x"))) == []


# ------------------------------------------------------ Redis all-or-none
M, R, D = "redis://:pw@m:6379", "redis://:pw@r:6379", "redis://:pw@d:6379"


@pytest.mark.parametrize("cd, missing", [
    ({"redisMasterEndpoint": M}, "redisSlaveEndpoint"),
    ({"redisSlaveEndpoint": R}, "redisMasterEndpoint"),
    ({"redisMasterEndpoint": M, "redisSlaveEndpoint": R, "disableClouddriverRoDeck": False},
     "redisSlaveDeckEndpoint"),
    ({"redisSlaveDeckEndpoint": D, "disableClouddriverRoDeck": False}, "redisMasterEndpoint"),
])
def test_endpoints_partial_is_an_error(tmp_path: Path, cd: dict[str, Any], missing: str) -> None:
    problem = only(run(rules.redis_endpoints_all_or_none,
                       loaded(tmp_path, ha({"enabled": True, **cd}))))
    assert problem.severity is Severity.ERROR
    assert problem.location == f"deploymentEnvironment.haServices.clouddriver.{missing}"
    assert "all-or-none" in problem.message


@pytest.mark.parametrize("cd", [
    {},
    {"redisMasterEndpoint": M, "redisSlaveEndpoint": R},
    {"redisMasterEndpoint": M, "redisSlaveEndpoint": R, "disableClouddriverRoDeck": True},
    {"redisMasterEndpoint": M, "redisSlaveEndpoint": R, "redisSlaveDeckEndpoint": D,
     "disableClouddriverRoDeck": False},
])
def test_endpoints_complete_sets_are_fine(tmp_path: Path, cd: dict[str, Any]) -> None:
    assert run(rules.redis_endpoints_all_or_none,
               loaded(tmp_path, ha({"enabled": True, **cd}))) == []


def test_deck_endpoint_without_ro_deck_is_a_warning(tmp_path: Path) -> None:
    problem = only(run(rules.redis_endpoints_all_or_none, loaded(tmp_path, ha({
        "enabled": True, "redisMasterEndpoint": M, "redisSlaveEndpoint": R,
        "redisSlaveDeckEndpoint": D}))))
    assert problem.severity is Severity.WARNING and "unused" in problem.message


# ------------------------------------------------------ Redis URI syntax
@pytest.mark.parametrize("bad", ["http://:pw@m:6379", "redis://:pw@", "m:6379",
                                 "redis://:pw@m:99999"])
def test_endpoint_must_be_a_redis_uri(tmp_path: Path, bad: str) -> None:
    problem = only(run(rules.redis_endpoint_uris, loaded(tmp_path, ha({
        "enabled": True, "redisMasterEndpoint": bad, "redisSlaveEndpoint": R}))))
    assert problem.severity is Severity.ERROR
    assert problem.location == "deploymentEnvironment.haServices.clouddriver.redisMasterEndpoint"
    assert ":pw@" not in problem.message  # masked
    assert "--redis-master-endpoint" in problem.remediation


def test_good_endpoints_pass(tmp_path: Path) -> None:
    assert run(rules.redis_endpoint_uris, loaded(tmp_path, ha({
        "enabled": True, "redisMasterEndpoint": "rediss://user:pw@m.example:6380/2",
        "redisSlaveEndpoint": "redis://r"}))) == []


# --------------------------------------------------- sizing vs HA state
def test_base_sizing_while_ha_on(tmp_path: Path) -> None:
    load_ = loaded(tmp_path, deep_merge(ha({"enabled": True, "disableClouddriverRoDeck": False}),
                                   sizing(spin_clouddriver={"replicas": 2},
                                          clouddriver={"limits": {"cpu": "1"}})))
    found = {p.location.rsplit(".", 1)[1]: p for p in run(rules.sizing_matches_ha, load_)}
    pod, container = found["spin-clouddriver"], found["clouddriver"]
    assert pod.severity is Severity.WARNING and container.severity is Severity.WARNING
    assert pod.remediation.startswith("size spin-clouddriver-caching, spin-clouddriver-rw, "
                                      "spin-clouddriver-ro, spin-clouddriver-ro-deck instead")
    assert container.remediation.startswith("size clouddriver-caching, clouddriver-rw, "
                                            "clouddriver-ro, clouddriver-ro-deck instead")


def test_role_sizing_while_ha_off(tmp_path: Path) -> None:
    load_ = loaded(tmp_path, sizing(spin_echo_slave={"replicas": 1}))
    problem = only(run(rules.sizing_matches_ha, load_))
    assert problem.severity is Severity.WARNING
    assert "ignored while echo HA is off" in problem.message
    assert "size spin-echo instead" in problem.remediation


def test_ro_deck_sizing_without_ro_deck(tmp_path: Path) -> None:
    load_ = loaded(tmp_path, deep_merge(ha({"enabled": True}), sizing(spin_clouddriver_ro_deck={})))
    assert "ro-deck is not deployed" in only(run(rules.sizing_matches_ha, load_)).message


def test_matching_sizing_is_fine(tmp_path: Path) -> None:
    load_ = loaded(tmp_path, deep_merge(ha({"enabled": True}, False),
                                   sizing(spin_clouddriver_ro={"replicas": 3},
                                          spin_echo={"replicas": 1})))
    assert run(rules.sizing_matches_ha, load_) == []


# ----------------------------------------------------------- singletons
@pytest.mark.parametrize("count", [0, 2, 5])
def test_scheduler_must_be_one(tmp_path: Path, count: int) -> None:
    load_ = loaded(tmp_path, deep_merge(ha(echo=True), sizing(spin_echo_scheduler={
        "replicas": count})))
    problem = only(run(rules.echo_scheduler_singleton, load_))
    assert problem.severity is Severity.ERROR
    assert problem.location == "deploymentEnvironment.customSizing.spin-echo-scheduler.replicas"


def test_scheduler_target_size_counts_too(tmp_path: Path) -> None:
    load_ = loaded(tmp_path, ha(echo=True), settings={"echo-scheduler.yml": "targetSize: 2\n"})
    problem = only(run(rules.echo_scheduler_singleton, load_))
    assert problem.location == "service-settings/echo-scheduler.yml: targetSize"


@pytest.mark.parametrize("name, text", [
    ("echo-local.yml", "sql:\n  enabled: true\n  connectionPools: {}\n"),
    ("echo-scheduler-local.yml", "sql.enabled: true\n"),
    ("spinnaker-local.yml", "sql: {enabled: 'true'}\n"),
])
def test_sql_clustered_scheduler_allows_several(tmp_path: Path, name: str, text: str) -> None:
    load_ = loaded(tmp_path, deep_merge(ha(echo=True), sizing(spin_echo_scheduler={"replicas": 2})),
                   profiles={name: text})
    assert rules.sql_clustered_scheduler(load_) is True
    assert run(rules.echo_scheduler_singleton, load_) == []


@pytest.mark.parametrize("profiles", [
    {"echo-local.yml": "scheduler:\n  compensationJob:\n    enabled: true\n"},
    {"echo-local.yml": "sql:\n  enabled: true\n",
     "echo-scheduler-local.yml": "sql:\n  enabled: false\n"},  # the later file wins
    {"echo-worker-local.yml": "sql:\n  enabled: true\n"},  # does not reach the scheduler
    {"clouddriver-local.yml": "sql:\n  enabled: true\n"},
])
def test_not_a_clustered_scheduler(tmp_path: Path, profiles: dict[str, str]) -> None:
    load_ = loaded(tmp_path, deep_merge(ha(echo=True), sizing(spin_echo_scheduler={"replicas": 2})),
                   profiles=profiles)
    assert rules.sql_clustered_scheduler(load_) is False
    assert only(run(rules.echo_scheduler_singleton, load_)).severity is Severity.ERROR


def test_sql_scheduler_with_zero_is_still_an_error(tmp_path: Path) -> None:
    load_ = loaded(tmp_path, deep_merge(ha(echo=True), sizing(spin_echo_scheduler={"replicas": 0})),
                   profiles={"echo-local.yml": "sql:\n  enabled: true\n"})
    assert "no cron trigger fires" in only(run(rules.echo_scheduler_singleton, load_)).message


def test_worker_above_one_is_a_warning_citing_the_seed(tmp_path: Path) -> None:
    load_ = loaded(tmp_path, deep_merge(ha(echo=True), sizing(spin_echo_slave={"replicas": 2})))
    problem = only(run(rules.echo_worker_single, load_))
    assert problem.severity is Severity.WARNING
    assert problem.location == "deploymentEnvironment.customSizing.spin-echo-slave.replicas"
    assert "must be deployed with exactly one pod" in problem.message
    ok = loaded(tmp_path, deep_merge(ha(echo=True), sizing(spin_echo_worker={"replicas": 1})))
    assert run(rules.echo_worker_single, ok) == []


def test_several_echo_pods_without_ha(tmp_path: Path) -> None:
    load_ = loaded(tmp_path, sizing(spin_echo={"replicas": 3}))
    problem = only(run(rules.echo_replicas_without_ha, load_))
    assert problem.severity is Severity.WARNING and "once per pod" in problem.message
    assert run(rules.echo_replicas_without_ha,
               loaded(tmp_path, deep_merge(ha(echo=True), sizing(spin_echo={"replicas": 3})))) == []


# ------------------------------------------------------------ sizing values
@pytest.mark.parametrize("entry, location, text", [
    ({"replicas": -1}, "spin-gate.replicas", "must not be negative"),
    ({"replicas": "two"}, "spin-gate.replicas", "expected a whole number"),
    ({"replicas": True}, "spin-gate.replicas", "expected a whole number"),
    ({"requests": {"cpu": "lots"}}, "spin-gate.requests.cpu", "not a Kubernetes quantity"),
    ({"limits": {"memory": "2GB"}}, "spin-gate.limits.memory", "not a Kubernetes quantity"),
    ({"limits": {"memory": "-1Gi"}}, "spin-gate.limits.memory", "negative"),
    ({"requests": "1"}, "spin-gate.requests", "expected a mapping"),
    ({"requests": {"cpu": "2"}, "limits": {"cpu": "1500m"}}, "spin-gate.requests.cpu",
     "above the limit"),
    ("big", "spin-gate", "expected a mapping"),
])
def test_bad_sizing_values_are_errors(tmp_path: Path, entry: Any, location: str,
                                      text: str) -> None:
    problem = only(run(rules.sizing_values, loaded(tmp_path, sizing(spin_gate=entry))))
    assert problem.severity is Severity.ERROR
    assert problem.location == f"deploymentEnvironment.customSizing.{location}"
    assert text in problem.message


def test_good_sizing_values(tmp_path: Path) -> None:
    load_ = loaded(tmp_path, sizing(spin_gate={"replicas": 0, "requests": {
        "cpu": 0.5, "memory": "512Mi"}, "limits": {"cpu": 2, "memory": "1Gi"}},
        gate={"requests": {"cpu": "250m", "memory": None}, "limits": {"memory": "1e9"}}))
    assert run(rules.sizing_values, load_) == []


def test_container_replicas_are_ignored(tmp_path: Path) -> None:
    problem = only(run(rules.sizing_values, loaded(tmp_path, sizing(gate={"replicas": 2}))))
    assert problem.severity is Severity.WARNING and "spin-gate" in problem.remediation


def test_negative_target_size(tmp_path: Path) -> None:
    load_ = loaded(tmp_path, settings={"gate.yml": "targetSize: -1\n"})
    problem = only(run(rules.settings_values, load_))
    assert problem.severity is Severity.ERROR
    assert problem.location == "service-settings/gate.yml: targetSize"


# ---------------------------------------------------------- unknown names
def test_unknown_sizing_name(tmp_path: Path) -> None:
    problem = only(run(rules.unknown_sizing_names,
                       loaded(tmp_path, sizing(spin_clouddriver_rx={"replicas": 1}))))
    assert problem.severity is Severity.WARNING
    assert problem.location == "deploymentEnvironment.customSizing.spin-clouddriver-rx"


def test_alias_shadowed_by_canonical(tmp_path: Path) -> None:
    load_ = loaded(tmp_path, sizing(spin_echo_slave={"replicas": 1},
                                    spin_echo_worker={"replicas": 1}))
    problem = only(run(rules.unknown_sizing_names, load_))
    assert "'spin-echo-slave' is ignored because 'spin-echo-worker'" in problem.message


def test_unknown_settings_file(tmp_path: Path) -> None:
    load_ = loaded(tmp_path, settings={"clouddriver-rx.yml": "enabled: true\n",
                                       "echo-slave.yml": "env: {A: b}\n"})
    problem = only(run(rules.unknown_settings_files, load_))
    assert problem.severity is Severity.WARNING
    assert problem.location == "service-settings/clouddriver-rx.yml"


# ------------------------------------------------------------ metric stores
def test_metric_stores(tmp_path: Path) -> None:
    """The daemon image exists only for releases whose BOM lists monitoring-daemon; the
    warning names the newest releases whose bundled-table row (from public BOMs) does."""
    from pyhalyard.releases import table

    problem = only(run(rules.metric_stores, loaded(tmp_path, {"version": "2025.2.1",
                                                              "metricStores": {"enabled": True}})))
    assert problem.severity is Severity.WARNING
    assert "ships no monitoring-daemon image" in problem.message
    assert "e.g. 1.26.7, 1.21.0, 1.19.14)" in problem.message
    for version in ("1.26.7", "1.21.0", "1.19.14"):
        row = table().find(version)
        assert row is not None and "monitoring-daemon" in row.optional, version
    assert run(rules.metric_stores, loaded(tmp_path, {"metricStores": {"enabled": False}})) == []
    assert run(rules.metric_stores, loaded(tmp_path, {"version": "1.26.7",
                                                      "metricStores": {"enabled": True}})) == []
    # 1.30.1's tags come from changelogs, which never name the daemon: no image known
    assert only(run(rules.metric_stores, loaded(tmp_path, {
        "version": "1.30.1", "metricStores": {"enabled": True}}))).severity is Severity.WARNING


# ------------------------------------------------------ in-cluster replicas
def test_in_cluster_replicas_without_ha(tmp_path: Path) -> None:
    settings = {"redis-replica.yml": "enabled: true\ntargetSize: 2\n"}
    problem = only(run(rules.redis_replica_unused, loaded(tmp_path, settings=settings)))
    assert "clouddriver HA is off" in problem.message
    with_external = loaded(tmp_path, ha({"enabled": True, "redisMasterEndpoint": M,
                                         "redisSlaveEndpoint": R}), settings=settings)
    assert "external Redis endpoints" in only(run(rules.redis_replica_unused,
                                                  with_external)).message
    used = loaded(tmp_path, ha({"enabled": True}), settings=settings)
    assert run(rules.redis_replica_unused, used) == []


# ------------------------------------------------------- kubernetes accounts
def test_namespaces_and_omit_namespaces(tmp_path: Path) -> None:
    load_ = loaded(tmp_path, {"providers": {"kubernetes": {"accounts": [
        {"name": "k", "providerVersion": "V2", "namespaces": ["a"],
         "omitNamespaces": ["b"]}]}}})
    problem = only(run(rules.kubernetes_accounts, load_))
    assert problem.location == "providers.kubernetes.accounts[0].omitNamespaces"


def test_docker_registry_must_exist(tmp_path: Path) -> None:
    load_ = loaded(tmp_path, {"providers": {"kubernetes": {"accounts": [
        {"name": "k", "providerVersion": "V2",
         "dockerRegistries": [{"accountName": "hub"}, {"accountName": "quay"}]}]}}})
    problem = only(run(rules.kubernetes_accounts, load_))
    assert problem.location == "providers.kubernetes.accounts[0].dockerRegistries[1]"


def test_every_rule_is_listed() -> None:
    listed = set(rules.RULES) | set(rules.RENDER_RULES)
    from pyhalyard.validate import files

    modules = (rules, rules.table_rules, rules.ops_rules, files)
    defined = {f for module in modules for name, f in vars(module).items()
               if callable(f) and getattr(f, "__module__", "") == module.__name__
               and not name.startswith("_") and name not in ("sql_clustered_scheduler",)}
    from pyhalyard.validate import reading

    in_reading = {reading.duplicate_keys, reading.distributed_kubernetes_only,
                  reading.custom_overrides, reading.service_location}
    assert defined | in_reading == listed


def test_every_problem_has_location_message_and_remediation(tmp_path: Path) -> None:
    load_ = loaded(tmp_path, deep_merge(
        deep_merge(ha({"enabled": True, "redisMasterEndpoint": "http://x"}, True),
              sizing(spin_echo_scheduler={"replicas": 2}, spin_echo={"replicas": 1},
                     spin_nope={}, spin_gate={"replicas": -1})),
        {"metricStores": {"enabled": True}}))
    problems = validate(load_)
    assert {p.severity for p in problems} == {Severity.ERROR, Severity.WARNING}
    assert [p.severity for p in problems] == sorted((p.severity for p in problems),
                                                    reverse=True)
    for p in problems:
        assert p.location and p.message and p.remediation


# --------------------------------------------------------- validate command
def test_validate_command(hal: Hal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # spin-cluster has neither kubeconfigFile nor serviceAccount: this machine's ~/.kube/config
    home = tmp_path / "home"
    (home / ".kube").mkdir(parents=True)
    (home / ".kube" / "config").write_text("apiVersion: v1\nclusters: []\n")
    monkeypatch.setenv("HOME", str(home))
    result = hal("--deployment", "prod", "config", "validate")
    assert result.code == 0 and "no problems" in result.out
    result = hal("config", "validate", "-o", "json")
    assert result.code == 0
    assert json.loads(result.out) == [{
        "severity": "WARNING",
        "location": "deploymentEnvironment.customSizing.spin-echo-slave",
        "message": "'spin-echo-slave' is ignored while echo HA is off",
        "remediation": "size spin-echo instead, or turn the split on: "
                       "hal config deploy ha echo enable"}, *({
        "severity": "WARNING",
        "location": f"providers.kubernetes.accounts[{i}]",
        "message": "sets neither kubeconfigFile nor serviceAccount: true, so (as with Halyard) "
                   f"clouddriver gets this machine's {home}/.kube/config",
        "remediation": "hal config provider kubernetes account edit NAME --kubeconfig-file FILE "
                       "(or --service-account true)"} for i in (0, 1))]


def test_validate_command_exits_1_on_error(hal: Hal) -> None:
    text = hal.text().replace("redisMasterEndpoint: 'redis://:hunter2@redis-master.redis:6379'",
                              "redisMasterEndpoint: 'http://:hunter2@redis-master.redis:6379'")
    hal.config.write_text(text)
    result = hal("--deployment", "prod", "config", "validate")
    assert result.code == 1
    assert "ERROR: deploymentEnvironment.haServices.clouddriver.redisMasterEndpoint" in result.out
    assert "hunter2" not in result.out + result.err
    assert result.err == "error: deployment 'prod' has 1 error\n"
    data = json.loads(hal("--deployment", "prod", "config", "validate", "-o", "json").out)
    assert [d["severity"] for d in data] == ["ERROR"]


def test_validate_malformed_yaml_names_the_line(hal: Hal) -> None:
    hal.config.write_text("deploymentConfigurations:\n- name: default\n  version: [1.30\n")
    result = hal("config", "validate")
    assert result.code == 1 and "Traceback" not in result.err
    assert f"{hal.config}:" in result.err and result.err.count("\n") == 1


def test_validate_wrong_type_names_the_field(hal: Hal) -> None:
    hal.config.write_text("deploymentConfigurations:\n- name: default\n"
                          "  deploymentEnvironment:\n    customSizing: []\n")
    result = hal("config", "validate")
    assert result.code == 1
    assert "deploymentEnvironment.customSizing: expected a mapping" in result.err
