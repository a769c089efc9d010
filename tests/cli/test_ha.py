"""``hal config deploy ha ...``: switches, Redis endpoints, ro-deck, in-cluster replicas, table."""

from __future__ import annotations

import json
import os
import stat
from typing import Any

import pytest
import yaml

from tests.cli.conftest import Hal, deployment


def ha(hal: Hal, name: str = "default") -> Any:
    return deployment(hal, name)["deploymentEnvironment"]["haServices"]


def test_enable_and_disable_both_splits(hal: Hal) -> None:
    assert hal("config", "deploy", "ha", "clouddriver", "enable").code == 0
    assert hal("config", "deploy", "ha", "echo", "enable").code == 0
    assert ha(hal)["clouddriver"]["enabled"] is True
    assert ha(hal)["echo"]["enabled"] is True
    assert ha(hal)["clouddriver"]["disableClouddriverRoDeck"] is False  # untouched
    result = hal("config", "deploy", "ha", "echo", "disable")
    assert result.code == 0 and "HA echo disabled" in result.out
    assert ha(hal)["echo"]["enabled"] is False


def test_enable_is_refused_on_a_non_distributed_deployment(hal: Hal) -> None:
    before = hal.bytes()
    result = hal("--deployment", "sandbox", "config", "deploy", "ha", "clouddriver", "enable")
    assert result.code == 1
    assert "needs a Distributed deployment, not 'LocalDebian'" in result.err
    assert "Traceback" not in result.err
    assert hal.bytes() == before


def test_enable_is_refused_on_a_v1_account(hal: Hal) -> None:
    assert hal("config", "deploy", "edit", "--account-name", "legacy").code == 0
    before = hal.bytes()
    result = hal("config", "deploy", "ha", "echo", "enable")
    assert result.code == 1 and "'legacy' is V1" in result.err
    assert hal.bytes() == before


def test_no_validate_saves_anyway(hal: Hal) -> None:
    result = hal("--deployment", "sandbox", "--no-validate", "config", "deploy", "ha", "echo",
                 "enable")
    assert result.code == 0, result.err
    assert ha(hal, "sandbox")["echo"]["enabled"] is True


def test_no_validate_also_works_after_the_command(hal: Hal) -> None:
    result = hal("config", "deploy", "ha", "echo", "enable", "--deployment", "sandbox",
                 "--no-validate")
    assert result.code == 0, result.err
    assert ha(hal, "sandbox")["echo"]["enabled"] is True


def test_first_edit_on_an_empty_dir_creates_default(hal_empty: Hal) -> None:
    # HA needs Distributed, so the very first edit is refused and writes nothing ...
    result = hal_empty("config", "deploy", "ha", "clouddriver", "enable")
    assert result.code == 1 and not hal_empty.config.exists()
    # ... while --no-validate creates the default deployment with the switch on.
    result = hal_empty("--no-validate", "config", "deploy", "ha", "clouddriver", "enable")
    assert result.code == 0, result.err
    data = yaml.safe_load(hal_empty.text())
    assert data["currentDeployment"] == "default"
    assert [d["name"] for d in data["deploymentConfigurations"]] == ["default"]
    assert ha(hal_empty)["clouddriver"]["enabled"] is True
    assert stat.S_IMODE(os.stat(hal_empty.config).st_mode) == 0o600


def test_unknown_deployment_is_one_line_exit_1(hal: Hal) -> None:
    before = hal.bytes()
    result = hal("--deployment", "nope", "config", "deploy", "ha", "echo", "enable")
    assert result.code == 1
    assert result.err.count("\n") == 1 and "no deployment named 'nope'" in result.err
    assert hal.bytes() == before


def test_unknown_flag_is_a_usage_error(hal: Hal) -> None:
    result = hal("config", "deploy", "ha", "clouddriver", "enable", "--bogus")
    assert result.code == 2 and "No such option" in result.err


def test_redis_endpoints_all_or_none(hal: Hal) -> None:
    before = hal.bytes()
    # ro-deck is on in the fixture (disableClouddriverRoDeck: false): three endpoints needed
    result = hal("config", "deploy", "ha", "clouddriver", "edit",
                 "--redis-master-endpoint", "redis://:pw@m:6379",
                 "--redis-slave-endpoint", "redis://:pw@r:6379")
    assert result.code == 1
    assert "missing: redisSlaveDeckEndpoint" in result.err
    assert "pw" not in result.err
    assert hal.bytes() == before
    # without ro-deck two are enough
    result = hal("config", "deploy", "ha", "clouddriver", "edit", "--ro-deck", "false",
                 "--redis-master-endpoint", "redis://:pw@m:6379",
                 "--redis-replica-endpoint", "redis://:pw@r:6379")
    assert result.code == 0, result.err
    cd = ha(hal)["clouddriver"]
    assert cd["redisMasterEndpoint"] == "redis://:pw@m:6379"
    assert cd["redisSlaveEndpoint"] == "redis://:pw@r:6379"
    assert cd["disableClouddriverRoDeck"] is True
    # one alone is refused, both removed together is fine
    result = hal("config", "deploy", "ha", "clouddriver", "edit", "--redis-master-endpoint", "")
    assert result.code == 1 and "all-or-none" in result.err
    result = hal("config", "deploy", "ha", "clouddriver", "edit", "--redis-master-endpoint", "",
                 "--redis-slave-endpoint", "")
    assert result.code == 0, result.err
    assert "redisMasterEndpoint" not in ha(hal)["clouddriver"]


def test_seed_spelling_with_services(hal: Hal) -> None:
    result = hal("config", "deploy", "ha", "services", "clouddriver", "edit",
                 "--redis-master-endpoint", "redis://m", "--redis-slave-endpoint", "redis://r",
                 "--redis-slave-deck-endpoint", "rediss://d:6380")
    assert result.code == 0, result.err
    cd = ha(hal)["clouddriver"]
    assert cd["redisSlaveDeckEndpoint"] == "rediss://d:6380"
    assert hal("config", "deploy", "ha", "services", "echo", "enable").code == 0
    assert ha(hal)["echo"]["enabled"] is True


def test_bad_endpoint_is_one_masked_line(hal: Hal) -> None:
    before = hal.bytes()
    result = hal("config", "deploy", "ha", "clouddriver", "edit",
                 "--redis-master-endpoint", "http://:topsecret@m:6379",
                 "--redis-slave-endpoint", "redis://r", "--redis-slave-deck-endpoint", "redis://d")
    assert result.code == 1
    assert "--redis-master-endpoint" in result.err and "redis://" in result.err
    assert "topsecret" not in result.err and result.err.count("\n") == 1
    assert hal.bytes() == before


def test_edit_without_flags_is_a_usage_error(hal: Hal) -> None:
    result = hal("config", "deploy", "ha", "clouddriver", "edit")
    assert result.code == 2 and "nothing to change" in result.err


def test_ro_deck_flag_takes_true_or_false(hal: Hal) -> None:
    result = hal("config", "deploy", "ha", "clouddriver", "edit", "--ro-deck", "maybe")
    assert result.code == 2 and "not true or false" in result.err


def test_in_cluster_replicas_go_to_service_settings_only(hal: Hal) -> None:
    before = hal.bytes()
    settings = hal.root / "default" / "service-settings" / "redis-replica.yml"
    settings.parent.mkdir(parents=True)
    settings.write_text("# replicas for the ro roles\nkubernetes:\n  podLabels: {team: x}\n"
                        "enabled: false\n")
    result = hal("config", "deploy", "ha", "clouddriver", "edit",
                 "--in-cluster-redis-replicas", "2")
    assert result.code == 0, result.err
    assert hal.bytes() == before  # nothing pyhalyard-only in Halyard's config
    assert settings.read_text() == ("# replicas for the ro roles\nkubernetes:\n"
                                    "  podLabels: {team: x}\nenabled: true\ntargetSize: 2\n")
    assert stat.S_IMODE(os.stat(settings).st_mode) == 0o600
    # clouddriver HA is off in the fixture: the replicas serve nobody, say so
    assert "in-cluster Redis replicas only serve clouddriver-ro" in result.err
    result = hal("config", "deploy", "ha", "clouddriver", "edit",
                 "--in-cluster-redis-replicas", "0")
    assert result.code == 0
    assert yaml.safe_load(settings.read_text())["enabled"] is False
    assert yaml.safe_load(settings.read_text())["targetSize"] == 0


def test_in_cluster_replicas_are_put_back_when_the_config_edit_is_refused(hal: Hal) -> None:
    settings = hal.root / "default" / "service-settings" / "redis-replica.yml"
    result = hal("config", "deploy", "ha", "clouddriver", "edit",
                 "--in-cluster-redis-replicas", "3",
                 "--redis-master-endpoint", "redis://m")  # refused: replica missing
    assert result.code == 1
    assert not settings.exists()


def test_in_cluster_replicas_must_not_be_negative(hal: Hal) -> None:
    result = hal("config", "deploy", "ha", "clouddriver", "edit",
                 "--in-cluster-redis-replicas", "-1")
    assert result.code == 2


def test_ha_table_plain_text(hal: Hal) -> None:
    result = hal("--deployment", "prod", "config", "deploy", "ha")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith("clouddriver HA: on (ro-deck: on, Redis: external)")
    assert lines[1].split() == ["SERVICE", "ENABLED", "REPLICAS", "REDIS"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[2:]}
    assert rows["spin-clouddriver"][0] == "no"
    assert rows["spin-clouddriver-ro"] == ["yes", "3", "redis://:****@redis-replica.redis:6379"]
    assert rows["spin-clouddriver-ro-deck"] == ["yes", "1",
                                                "redis://:****@redis-replica-deck.redis:6379"]
    assert rows["spin-clouddriver-rw"][2] == "redis://:****@redis-master.redis:6379"
    assert rows["spin-echo-scheduler"] == ["yes", "1", "-"]
    assert "hunter2" not in result.out
    # the seed spelling shows the same table
    assert hal("--deployment", "prod", "config", "deploy", "ha", "services").out == result.out


def test_ha_table_as_json(hal: Hal) -> None:
    result = hal("config", "deploy", "ha", "-o", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["clouddriver"] == {"enabled": False, "roDeck": False, "redis": "shared"}
    rows = {r["service"]: r for r in data["services"]}
    assert rows["spin-clouddriver"] == {"service": "spin-clouddriver", "enabled": True,
                                        "replicas": 2,
                                        "redis": "redis://spin-redis.spinnaker:6379"}
    assert rows["spin-echo-worker"]["enabled"] is False


def test_ha_service_show(hal: Hal) -> None:
    result = hal("--deployment", "prod", "config", "deploy", "ha", "clouddriver", "-o", "yaml")
    assert result.code == 0
    shown = yaml.safe_load(result.out)
    assert shown["enabled"] is True
    assert shown["redisMasterEndpoint"] == "redis://:****@redis-master.redis:6379"


def test_check_subcommand_is_offered_only_when_its_module_exists(hal: Hal) -> None:
    import importlib.util

    result = hal("config", "deploy", "ha", "clouddriver", "--help")
    assert result.code == 0
    present = importlib.util.find_spec("pyhalyard.cli.redis_check") is not None
    assert ("check" in result.out.split("Commands:")[1]) is present
    for name in ("edit", "enable", "disable"):
        assert name in result.out


def test_ha_table_uses_rich_on_a_colour_terminal(hal: Hal,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from pyhalyard.cli import config_deploy

    monkeypatch.setattr(config_deploy, "is_tty", lambda: True)
    result = hal("--deployment", "prod", "config", "deploy", "ha")
    assert result.code == 0, result.err
    assert "┃ SERVICE" in result.out and "spin-clouddriver-ro-deck" in result.out
    assert "hunter2" not in result.out
    plain = hal("--deployment", "prod", "config", "deploy", "ha", "--no-color")
    assert "┃" not in plain.out and plain.out.splitlines()[1].startswith("SERVICE ")
    monkeypatch.setenv("NO_COLOR", "1")
    assert "┃" not in hal("--deployment", "prod", "config", "deploy", "ha").out


def test_malformed_config_refuses_edits_with_its_position(hal: Hal) -> None:
    hal.config.write_text(hal.text().replace("    location: spinnaker\n",
                                             "    location: [spinnaker\n", 1))
    before = hal.bytes()
    result = hal("config", "deploy", "ha", "echo", "enable")
    assert result.code == 1 and "Traceback" not in result.err
    assert result.err.startswith(f"error: {hal.config}:") and "invalid YAML" in result.err
    assert result.err.count("\n") == 1
    assert hal.bytes() == before


def test_wrongly_typed_field_refuses_edits_naming_the_field(hal: Hal) -> None:
    hal.config.write_text(hal.text().replace("        enabled: false\n        disable",
                                             "        enabled: 'yes'\n        disable", 1))
    before = hal.bytes()
    result = hal("config", "deploy", "ha", "echo", "enable")
    assert result.code == 1
    assert "deploymentConfigurations[0].deploymentEnvironment.haServices.clouddriver.enabled: " \
           "expected true or false" in result.err
    assert hal.bytes() == before


def test_in_cluster_replicas_with_a_config_change_warn_once(hal: Hal) -> None:
    result = hal("config", "deploy", "ha", "clouddriver", "edit", "--ro-deck", "false",
                 "--in-cluster-redis-replicas", "2")
    assert result.code == 0, result.err
    assert ha(hal)["clouddriver"]["disableClouddriverRoDeck"] is True
    assert result.err.count("in-cluster Redis replicas only serve clouddriver-ro") == 1
