"""Every `hal config ...` command README.md and SPEC §6 name, as a user runs them.

Good inputs on copies of the bundled example and the real team's config: the command
succeeds, changes exactly what it says (read back from the file), keeps comments,
writes 0600 with a backup, and shows no secret in any output form.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.support import assert_ok, hal, mode, run_in_pty, snapshot
from tests.test_cli_tree import all_commands

SHOW_COMMANDS: list[tuple[str, ...]] = [
    ("config",),
    ("config", "deploy"),
    ("config", "deploy", "ha"),
    ("config", "deploy", "ha", "services"),
    ("config", "deploy", "ha", "clouddriver"),
    ("config", "deploy", "ha", "echo"),
    ("config", "deploy", "component-sizing"),
    ("config", "storage"),
    ("config", "storage", "s3"),
    ("config", "provider", "kubernetes", "account", "list"),
    ("config", "version"),
    ("config", "validate"),
]


def dep(hal_dir: Path, name: str = "default") -> dict[str, Any]:
    config = yaml.safe_load((hal_dir / "config").read_text())
    return next(d for d in config["deploymentConfigurations"] if d["name"] == name)


@pytest.mark.parametrize("fixture", ["example", "realworld_ns"])
@pytest.mark.parametrize("output", [None, "json", "yaml"])
def test_show_commands_parse_and_hide_secrets(fixture: str, output: str | None,
                                              request: pytest.FixtureRequest) -> None:
    hal_dir: Path = request.getfixturevalue(fixture)
    before = snapshot(hal_dir)
    for command in SHOW_COMMANDS:
        args = [*command, *(["-o", output] if output else [])]
        result = hal(hal_dir, *args)
        assert_ok(result)
        assert result.out.strip(), command
        if output == "json":
            json.loads(result.out)
        elif output == "yaml":
            yaml.safe_load(result.out)
    assert snapshot(hal_dir) == before  # showing never writes


def test_config_shows_masked_values_in_place(example: Path) -> None:
    shown = json.loads(hal(example, "config", "-o", "json").out)
    s3 = shown["persistentStorage"]["s3"]
    assert s3["secretAccessKey"] == "****" and s3["accessKeyId"] == "AKIAEXAMPLE"
    cd = shown["deploymentEnvironment"]["haServices"]["clouddriver"]
    assert cd["redisMasterEndpoint"] == "redis://:****@redis-master.redis:6379"
    table = hal(example, "config", "deploy", "ha").out
    rows = {line.split()[0]: line.split()[1:] for line in table.splitlines()[2:]}
    assert rows["spin-clouddriver-ro"] == ["yes", "3", "redis://:****@redis-replica.redis:6379"]


def test_realworld_redis_override_is_masked_in_the_ha_table(realworld: Path) -> None:
    data = json.loads(hal(realworld, "config", "deploy", "ha", "-o", "json").out)
    rows = {r["service"]: r for r in data["services"]}
    assert rows["spin-clouddriver"]["redis"] == "redis://:****@oss-spin-redis-master:6379"
    assert data["clouddriver"] == {"enabled": False, "roDeck": False, "redis": "shared"}


def test_readme_edit_commands_in_sequence(example: Path) -> None:
    """Each README edit: exit 0, the named keys changed, comments kept, 0600, a backup."""
    config = example / "config"
    header = config.read_text().splitlines()[:2]

    def edit(*args: str) -> str:
        result = hal(example, *args)
        assert_ok(result)
        assert config.read_text().splitlines()[:2] == header  # comments stay
        assert mode(config) == 0o600
        return result.out + result.err

    edit("config", "version", "edit", "--version", "1.30.1")
    assert dep(example)["version"] == "1.30.1"
    edit("config", "deploy", "edit", "--type", "distributed", "--account-name", "prod-cluster",
         "--location", "spin-ha", "--image-variant", "ubuntu", "--liveness-probe-enabled",
         "true", "--liveness-probe-initial-delay-seconds", "30")
    env = dep(example)["deploymentEnvironment"]
    assert (env["type"], env["location"], env["imageVariant"]) == (
        "Distributed", "spin-ha", "UBUNTU")
    assert env["livenessProbeConfig"] == {"enabled": True, "initialDelaySeconds": 30}

    assert "HA echo disabled" in edit("config", "deploy", "ha", "echo", "disable")
    assert dep(example)["deploymentEnvironment"]["haServices"]["echo"]["enabled"] is False
    assert "was already disabled" in edit("config", "deploy", "ha", "echo", "disable")
    edit("config", "deploy", "ha", "echo", "enable")

    edit("config", "deploy", "ha", "clouddriver", "edit",
         "--redis-master-endpoint", "redis://:example-secret@m.redis:6379",
         "--redis-slave-endpoint", "redis://:example-secret@s.redis:6379",
         "--redis-slave-deck-endpoint", "redis://:example-secret@d.redis:6379",
         "--ro-deck", "true")
    cd = dep(example)["deploymentEnvironment"]["haServices"]["clouddriver"]
    assert cd["disableClouddriverRoDeck"] is False
    assert cd["redisSlaveDeckEndpoint"] == "redis://:example-secret@d.redis:6379"
    ha = json.loads(hal(example, "config", "deploy", "ha", "-o", "json").out)
    assert ha["clouddriver"]["roDeck"] is True
    # the seed's spelling and the replica alias
    edit("config", "deploy", "ha", "services", "clouddriver", "edit",
         "--redis-replica-endpoint", "redis://:example-secret@s2.redis:6379")
    cd = dep(example)["deploymentEnvironment"]["haServices"]["clouddriver"]
    assert cd["redisSlaveEndpoint"] == "redis://:example-secret@s2.redis:6379"

    edit("config", "deploy", "component-sizing", "spin-echo-slave", "edit", "--replicas", "1",
         "--container-limits-memory", "1Gi")
    sizing = dep(example)["deploymentEnvironment"]["customSizing"]
    assert sizing["spin-echo-worker"] == {"replicas": 1}
    assert sizing["echo-worker"] == {"limits": {"memory": "1Gi"}}
    assert "Removed the sizing entries spin-echo-worker, echo-worker" in edit(
        "config", "deploy", "component-sizing", "echo-worker", "delete")
    assert "spin-echo-worker" not in dep(example)["deploymentEnvironment"]["customSizing"]

    edit("config", "provider", "kubernetes", "account", "add", "staging", "--context", "stg",
         "--namespaces", "a,b", "--docker-registries", "dockerhub")
    account = json.loads(hal(example, "config", "provider", "kubernetes", "account", "get",
                             "staging", "-o", "json").out)
    assert account["providerVersion"] == "V2" and account["namespaces"] == ["a", "b"]
    assert account["dockerRegistries"] == [{"accountName": "dockerhub", "namespaces": []}]
    edit("config", "provider", "kubernetes", "account", "edit", "staging", "--context", "stg2")
    listed = hal(example, "config", "provider", "kubernetes", "account", "list").out
    assert "staging [V2, context stg2]" in listed
    edit("config", "provider", "kubernetes", "account", "delete", "staging")
    assert "staging" not in hal(example, "config", "provider", "kubernetes", "account",
                                "list").out

    edit("config", "storage", "s3", "edit", "--bucket", "other-bucket")
    edit("config", "storage", "edit", "--type", "s3")
    assert dep(example)["persistentStorage"]["s3"]["bucket"] == "other-bucket"
    assert dep(example)["persistentStorage"]["s3"]["secretAccessKey"] == "example-storage-key"

    backups = sorted((example / ".backup").iterdir())
    assert len(backups) >= 10
    assert mode(example / ".backup") == 0o700
    assert {mode(b) for b in backups} == {0o600}


def test_in_cluster_replicas_go_to_service_settings_not_config(example: Path) -> None:
    config_before = (example / "config").read_bytes()
    result = hal(example, "config", "deploy", "ha", "clouddriver", "edit",
                 "--redis-master-endpoint", "", "--redis-slave-endpoint", "",
                 "--in-cluster-redis-replicas", "2")
    assert_ok(result)
    settings = example / "default" / "service-settings" / "redis-replica.yml"
    assert yaml.safe_load(settings.read_text()) == {"enabled": True, "targetSize": 2}
    assert mode(settings) == 0o600
    assert b"redisMasterEndpoint" not in (example / "config").read_bytes()
    assert (example / "config").read_bytes() != config_before
    ha = json.loads(hal(example, "config", "deploy", "ha", "-o", "json").out)
    assert ha["clouddriver"]["redis"] == "in-cluster"
    rows = {r["service"]: r["redis"] for r in ha["services"]}
    assert rows["spin-clouddriver-ro"] == "redis://spin-redis-replica.spinnaker:6379"


def test_redis_check_of_cluster_internal_names_is_unknown_not_failure(example: Path) -> None:
    result = hal(example, "config", "deploy", "ha", "clouddriver", "check", "--timeout", "0.5")
    assert_ok(result)
    assert "Verdict: unknown" in result.out
    data = json.loads(hal(example, "config", "deploy", "ha", "clouddriver", "check",
                          "--timeout", "0.5", "-o", "json").out)
    assert data["verdict"] == "unknown"
    assert [e["url"] for e in data["endpoints"]] == [
        "redis://:****@redis-master.redis:6379", "redis://:****@redis-replica.redis:6379"]


def test_second_deployment_is_edited_alone(example: Path) -> None:
    assert_ok(hal(example, "config", "--set-current-deployment", "second"))
    assert yaml.safe_load((example / "config").read_text())["currentDeployment"] == "second"
    assert json.loads(hal(example, "config", "-o", "json").out)["name"] == "second"
    assert_ok(hal(example, "config", "--set-current-deployment", "default"))
    text = (example / "config").read_text()
    default_block = text[:text.index("- name: second")]

    for args in (
        ("config", "provider", "kubernetes", "account", "add", "k2", "--context", "c2"),
        ("config", "deploy", "edit", "--type", "Distributed", "--account-name", "k2",
         "--location", "second-ns"),
        ("config", "deploy", "ha", "echo", "enable"),
        ("config", "deploy", "component-sizing", "spin-gate", "edit", "--replicas", "2"),
    ):
        assert_ok(hal(example, *args, "--deployment", "second"))
    text = (example / "config").read_text()
    assert text[:text.index("- name: second")] == default_block
    second = dep(example, "second")["deploymentEnvironment"]
    assert second["haServices"] == {"echo": {"enabled": True}}
    assert second["customSizing"] == {"spin-gate": {"replicas": 2}}
    # --deployment before the command (root) works as well as after it
    ha = json.loads(hal(example, "--deployment", "second", "config", "deploy", "ha",
                        "-o", "json").out)
    assert ha["echo"]["enabled"] is True and ha["clouddriver"]["enabled"] is False
    shown = hal(example, "config", "deploy", "ha", "echo", "--deployment", "default").out
    assert shown.strip() == "enabled: true"


def test_hal_dir_env_and_flag(example: Path, realworld: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HAL_DIR", str(example))
    assert hal(None, "config", "version").out.strip() == "2025.2.1"
    # --hal-dir wins over $HAL_DIR
    assert hal(realworld, "config", "version").out.strip() == "1.30.1"
    monkeypatch.delenv("HAL_DIR")
    monkeypatch.setenv("HOME", str(example.parent / "home"))
    result = hal(None, "config", "version")
    assert result.code == 1 and str(example.parent / "home" / ".hal") in result.err


def test_help_on_every_command_needs_no_config(tmp_path: Path) -> None:
    empty = tmp_path / "nothing-here"
    commands = all_commands()
    assert len(commands) > 40
    for path in commands:
        argv = list(path)
        if "component-sizing" in argv[:-1]:
            argv.insert(argv.index("component-sizing") + 1, "spin-gate")
        for flag in ("-h", "--help"):
            result = hal(empty, *argv, flag)
            assert result.code == 0 and result.err == "", (path, result.err)
            assert result.out.startswith("Usage: hal "), path
        unknown = hal(empty, *argv, "--no-such-flag")
        assert unknown.code == 2 and "No such option '--no-such-flag'" in unknown.err, path
    assert not empty.exists()


def _run_in_pty(args: list[str], env: dict[str, str]) -> bytes:
    return run_in_pty(args, env)[1]


@pytest.mark.parametrize("how", ["NO_COLOR", "--no-color"])
def test_no_colour_on_a_terminal(example: Path, how: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "HAL_DIR")}
    env["COLUMNS"] = "200"
    args = ["--hal-dir", str(example), "config", "deploy", "ha"]
    coloured = _run_in_pty(args, env)
    assert b"\x1b[" in coloured and b"spin-clouddriver-ro" in coloured  # the test can fail
    if how == "NO_COLOR":
        plain = _run_in_pty(args, {**env, "NO_COLOR": "1"})
    else:
        plain = _run_in_pty([*args, "--no-color"], env)
    assert b"\x1b[" not in plain
    assert b"spin-clouddriver-ro       yes      3" in plain
    assert_clean_bytes(plain)


def assert_clean_bytes(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    assert "Traceback" not in text and "example-secret" not in text
