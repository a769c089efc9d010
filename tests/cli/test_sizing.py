"""``hal config deploy component-sizing NAME [edit|delete]``."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from tests.cli.conftest import Hal, deployment


def sizing(hal: Hal, name: str = "default") -> Any:
    return deployment(hal, name)["deploymentEnvironment"]["customSizing"]


@pytest.mark.parametrize("name", ["spin-clouddriver-caching", "clouddriver-caching"])
def test_role_names_with_or_without_prefix(hal: Hal, name: str) -> None:
    result = hal("config", "deploy", "component-sizing", name, "edit", "--replicas", "3",
                 "--pod-requests-cpu", "1", "--pod-limits-memory", "4Gi",
                 "--container-requests-memory", "2Gi", "--container-limits-cpu", "1500m")
    assert result.code == 0, result.err
    got = sizing(hal)
    assert got["spin-clouddriver-caching"] == {"replicas": 3, "requests": {"cpu": "1"},
                                               "limits": {"memory": "4Gi"}}
    assert got["clouddriver-caching"] == {"requests": {"memory": "2Gi"},
                                          "limits": {"cpu": "1500m"}}
    # HA is off in the fixture: sizing a role has no effect yet, which is a WARNING
    assert "WARNING" in result.err and "size spin-clouddriver instead" in result.err


@pytest.mark.parametrize("alias", ["echo-slave", "spin-echo-slave", "echo-replica",
                                   "spin-echo-worker"])
def test_aliases_write_canonical_keys(hal: Hal, alias: str) -> None:
    assert hal("config", "deploy", "ha", "echo", "enable").code == 0
    result = hal("config", "deploy", "component-sizing", alias, "edit", "--replicas", "1",
                 "--container-limits-memory", "1Gi")
    assert result.code == 0, result.err
    got = sizing(hal)
    assert got["spin-echo-worker"] == {"replicas": 1}
    assert got["echo-worker"] == {"limits": {"memory": "1Gi"}}
    assert "spin-echo-slave" not in got  # the fixture's alias entry moved


def test_edit_without_replicas_keeps_the_count(hal: Hal) -> None:
    result = hal("config", "deploy", "component-sizing", "spin-clouddriver", "edit",
                 "--pod-limits-cpu", "2")
    assert result.code == 0, result.err
    assert sizing(hal)["spin-clouddriver"] == {"replicas": 2,
                                               "requests": {"cpu": "1", "memory": "2Gi"},
                                               "limits": {"cpu": "2"}}


def test_delete_removes_pod_container_and_alias_entries(hal: Hal) -> None:
    assert hal("config", "deploy", "component-sizing", "echo-worker", "edit",
               "--container-requests-cpu", "100m").code == 0
    result = hal("config", "deploy", "component-sizing", "echo-slave", "delete")
    assert result.code == 0, result.err
    assert "spin-echo-slave" in result.out and "echo-worker" in result.out
    got = sizing(hal)
    assert not {"spin-echo-slave", "spin-echo-worker", "echo-worker"} & set(got)
    assert "spin-clouddriver" in got
    result = hal("config", "deploy", "component-sizing", "echo-slave", "delete")
    assert result.code == 0 and "nothing to remove" in result.out


def test_delete_leaves_an_empty_mapping_valid(hal: Hal) -> None:
    for name in ("spin-clouddriver", "spin-echo-slave"):
        assert hal("config", "deploy", "component-sizing", name, "delete").code == 0
    assert sizing(hal) == {}


def test_scheduler_above_one_is_refused(hal: Hal) -> None:
    before = hal.bytes()
    result = hal("--deployment", "prod", "config", "deploy", "component-sizing",
                 "echo-scheduler", "edit", "--replicas", "2")
    assert result.code == 1
    assert "echo-scheduler must run exactly one pod (asked for 2)" in result.err
    assert hal.bytes() == before


def test_unknown_service_is_one_line_exit_1(hal: Hal) -> None:
    before = hal.bytes()
    result = hal("config", "deploy", "component-sizing", "clouddriver-rx", "edit",
                 "--replicas", "1")
    assert result.code == 1
    assert result.err.startswith("error: unknown service 'clouddriver-rx'")
    assert result.err.count("\n") == 1
    assert hal.bytes() == before


@pytest.mark.parametrize("flag, value", [("--pod-requests-cpu", "lots"),
                                         ("--container-limits-memory", "2GB"),
                                         ("--pod-limits-memory", "-1Gi")])
def test_malformed_quantity_is_one_line_exit_1(hal: Hal, flag: str, value: str) -> None:
    before = hal.bytes()
    result = hal("config", "deploy", "component-sizing", "gate", "edit", flag, value)
    assert result.code == 1 and flag in result.err and result.err.count("\n") == 1
    assert hal.bytes() == before


def test_negative_replicas_is_a_usage_error(hal: Hal) -> None:
    result = hal("config", "deploy", "component-sizing", "gate", "edit", "--replicas", "-2")
    assert result.code == 2


def test_edit_needs_a_flag_and_a_name(hal: Hal) -> None:
    assert hal("config", "deploy", "component-sizing", "gate", "edit").code == 2


def test_show_one_service_and_all(hal: Hal) -> None:
    result = hal("config", "deploy", "component-sizing", "echo-worker", "-o", "json")
    assert result.code == 0
    assert json.loads(result.out) == {"spin-echo-slave": {"replicas": 1}}
    result = hal("config", "deploy", "component-sizing")
    assert set(yaml.safe_load(result.out)) == {"spin-clouddriver", "spin-echo-slave"}


def test_first_sizing_edit_on_empty_dir(hal_empty: Hal) -> None:
    result = hal_empty("config", "deploy", "component-sizing", "gate", "edit", "--replicas", "2")
    assert result.code == 0, result.err
    assert sizing(hal_empty)["spin-gate"] == {"replicas": 2}
