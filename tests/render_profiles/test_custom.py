"""Custom profiles (SPEC §5's four matching rules) and custom service settings."""

from __future__ import annotations

from typing import Any

import yaml

from .build import NS, props, raw_config, render, url

CD_ROLES = ("clouddriver-caching", "clouddriver-rw", "clouddriver-ro", "clouddriver-ro-deck")


def load(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)


def holders(profiles: dict[str, dict[str, str]], file: str) -> set[str]:
    return {name for name, files in profiles.items() if file in files}


def test_rule_name_yml_replaces_the_generated_file() -> None:
    custom = {"gate.yml": "server:\n  port: 9999\n",
              "clouddriver-ro.yml": "caching:\n  writeEnabled: true\n"}
    plan, profiles = render(raw_config(cd=True, ro_deck=True), profiles=custom)
    assert profiles["gate"]["gate.yml"] == custom["gate.yml"]
    assert holders(profiles, "gate.yml") == {"gate"}
    assert props(plan, profiles, "gate")["server.port"] == "9999"
    assert profiles["clouddriver-ro"]["clouddriver-ro.yml"] == custom["clouddriver-ro.yml"]
    # Only that role: ro-deck keeps its generated file (rule: name.yml, not a prefix).
    assert holders(profiles, "clouddriver-ro.yml") == {"clouddriver-ro"}
    assert load(profiles["clouddriver-ro-deck"]["clouddriver-ro-deck.yml"])["caching"][
        "writeEnabled"] is False


def test_rule_name_prefix_reaches_only_that_service() -> None:
    custom = {"clouddriver-caching-local.yml": "x: caching\n", "gate-local.yml": "x: gate\n"}
    plan, profiles = render(raw_config(cd=True, ro_deck=True), profiles=custom)
    assert holders(profiles, "clouddriver-caching-local.yml") == {"clouddriver-caching"}
    assert holders(profiles, "gate-local.yml") == {"gate"}
    assert props(plan, profiles, "clouddriver-caching")["x"] == "caching"
    assert "x" not in props(plan, profiles, "clouddriver-rw")
    assert props(plan, profiles, "gate")["x"] == "gate"


def test_rule_base_local_reaches_every_role() -> None:
    custom = {"clouddriver-local.yml": "kubernetes:\n  cache:\n    cacheAll: false\n"}
    plan, profiles = render(raw_config(cd=True, ro_deck=True), profiles=custom)
    assert holders(profiles, "clouddriver-local.yml") == set(CD_ROLES)
    for role in CD_ROLES:
        assert props(plan, profiles, role)["kubernetes.cache.cacheAll"] == "false"
    # Without HA it reaches the one clouddriver.
    _, profiles = render(raw_config(), profiles=custom)
    assert holders(profiles, "clouddriver-local.yml") == {"clouddriver"}


def test_rule_spinnaker_prefix_reaches_every_spring_service() -> None:
    custom = {"spinnaker-local.yml": "shared:\n  flag: on-everywhere\n"}
    plan, profiles = render(raw_config(cd=True, echo=True), profiles=custom)
    spring = {name for name, sp in plan.services.items() if sp.managed and sp.service.java}
    assert spring <= holders(profiles, "spinnaker-local.yml")
    assert "redis" not in holders(profiles, "spinnaker-local.yml")
    for name in spring:
        assert props(plan, profiles, name)["shared.flag"] == "on-everywhere"


def test_alias_file_names_reach_echo_worker_renamed() -> None:
    custom = {"echo-slave-local.yml": "who: slave\n", "echo-slave.yml": "scheduler:\n"
              "  enabled: false\nserver:\n  port: 8089\nmarker: replaced\n"}
    plan, profiles = render(raw_config(echo=True), profiles=custom)
    worker = profiles["echo-worker"]
    assert worker["echo-worker-local.yml"] == "who: slave\n"
    assert "echo-slave-local.yml" not in worker
    assert worker["echo-worker.yml"] == custom["echo-slave.yml"]
    assert holders(profiles, "echo-worker-local.yml") == {"echo-worker"}
    effective = props(plan, profiles, "echo-worker")
    assert effective["who"] == "slave"
    assert effective["marker"] == "replaced"
    assert "who" not in props(plan, profiles, "echo-scheduler")


def test_canonical_name_wins_over_alias() -> None:
    custom = {"echo-worker-local.yml": "who: worker\n", "echo-slave-local.yml": "who: slave\n",
              "echo-replica-local.yml": "who: replica\n"}
    plan, profiles = render(raw_config(echo=True), profiles=custom)
    assert profiles["echo-worker"]["echo-worker-local.yml"] == "who: worker\n"
    assert props(plan, profiles, "echo-worker")["who"] == "worker"


def test_subfolder_files_reach_the_named_service_only() -> None:
    custom = {"rosco/packer/custom.json": "{}\n"}
    _, profiles = render(raw_config(), profiles=custom)
    assert holders(profiles, "rosco/packer/custom.json") == {"rosco"}


def test_staging_per_service_custom_file_never_lands_elsewhere() -> None:
    custom = {"gate.yml": "a: 1\n", "orca-local.yml": "b: 2\n", "echo-local.yml": "c: 3\n"}
    _, profiles = render(raw_config(echo=True), profiles=custom)
    assert holders(profiles, "gate.yml") == {"gate"}
    assert holders(profiles, "orca-local.yml") == {"orca"}
    assert holders(profiles, "echo-local.yml") == {"echo-scheduler", "echo-worker"}
    # The generated orca.yml is untouched by gate's custom file.
    assert "a" not in load(profiles["orca"]["orca.yml"])


def test_custom_settings_port_moves_listener_and_callers() -> None:
    settings = {"clouddriver-ro": {"port": 7010, "host": "127.0.0.1"}}
    plan, profiles = render(raw_config(cd=True), settings=settings)
    services = load(profiles["gate"]["spinnaker.yml"])["services"]
    moved = f"http://spin-clouddriver-ro.{NS}:7010"
    assert services["clouddriverRo"] == {"host": "127.0.0.1", "port": 7010, "baseUrl": moved,
                                         "enabled": True}
    assert props(plan, profiles, "gate")["services.clouddriver.baseUrl"] == moved
    assert props(plan, profiles, "orca")["clouddriver.readonly.baseUrl"] == moved
    ro = props(plan, profiles, "clouddriver-ro")
    assert ro["server.port"] == "7010"
    assert ro["server.address"] == "127.0.0.1"
    # Read by the service's own name only: the other roles keep the default port.
    assert props(plan, profiles, "clouddriver-rw")["server.port"] == "7002"


def test_custom_settings_override_base_url_and_address() -> None:
    settings = {"echo-worker": {"address": "echo-w.other-ns"},
                "orca": {"overrideBaseUrl": "https://orca.example"}}
    plan, profiles = render(raw_config(echo=True), settings=settings)
    gate = props(plan, profiles, "gate")
    assert gate["services.echo.baseUrl"] == "http://echo-w.other-ns:8089"
    assert gate["services.orca.baseUrl"] == "https://orca.example"
    assert props(plan, profiles, "igor")["services.echo.baseUrl"] == "http://echo-w.other-ns:8089"
    assert url("orca", 8083) not in profiles["gate"]["spinnaker.yml"]


def test_disabled_by_settings_is_not_rendered() -> None:
    _, profiles = render(raw_config(), settings={"kayenta": {"enabled": False}})
    assert "kayenta" not in profiles
    assert load(profiles["gate"]["spinnaker.yml"])["services"]["kayenta"]["enabled"] is False
