"""Edges come from the rendered profiles, so each HA combination and each wiring bug shows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from pyhalyard.plan import Plan
from pyhalyard.render.profiles import render_profiles
from pyhalyard.render.topology import (
    ENDPOINT,
    MISSING,
    REDIS,
    SPLIT,
    Edge,
    Topology,
    build_topology,
    topology_for,
)
from tests.helpers import realworld
from tests.topology.conftest import (
    DECK_REPLICA_HOST,
    MASTER_HOST,
    REPLICA_HOST,
    SECRET,
    MakeHal,
    plan_of,
)


def edges_from(graph: Topology, source: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for e in graph.edges:
        if e.source == source:
            out.setdefault(e.target, set()).add(e.label)
    return out


def ha_plan(make_hal: MakeHal, **kwargs: object) -> Plan:
    return plan_of(make_hal(clouddriver_ha=True, echo_ha=True, **kwargs))


# ------------------------------------------------------------ wiring bugs
def test_gate_overrides_pointing_at_rw_moves_the_edge(make_hal: MakeHal) -> None:
    plan = ha_plan(make_hal)
    profiles = render_profiles(plan)
    before = build_topology(plan, profiles)
    assert ("gate", "clouddriver-ro") in before.pairs()
    assert ("gate", "clouddriver-rw") not in before.pairs()

    gate = dict(profiles["gate"])
    text = gate["gate-overrides.yml"]
    bugged = text.replace("spin-clouddriver-ro.", "spin-clouddriver-rw.")
    assert bugged != text
    gate["gate-overrides.yml"] = bugged
    after = build_topology(plan, {**profiles, "gate": gate})

    assert ("gate", "clouddriver-rw") in after.pairs()
    assert ("gate", "clouddriver-ro") not in after.pairs()
    # nothing else moved
    assert before.pairs() - after.pairs() == {("gate", "clouddriver-ro")}
    assert after.pairs() - before.pairs() == {("gate", "clouddriver-rw")}


def test_a_lost_overrides_file_points_at_a_service_that_is_not_deployed(
        make_hal: MakeHal) -> None:
    plan = ha_plan(make_hal)
    profiles = render_profiles(plan)
    orca = {k: v for k, v in profiles["orca"].items() if k != "orca-overrides.yml"}
    graph = build_topology(plan, {**profiles, "orca": orca})
    assert ("orca", "clouddriver") in graph.pairs()
    assert ("orca", "echo") in graph.pairs()
    assert graph.node("clouddriver").kind == MISSING
    assert graph.node("clouddriver").label == "Clouddriver (not deployed)"
    assert not any(e.label == "readonly" for e in graph.edges)


def test_a_custom_local_profile_is_read_after_the_overrides(make_hal: MakeHal) -> None:
    # gate-local.yml comes after gate-overrides.yml in SPRING_PROFILES_ACTIVE; relaxed keys.
    local = yaml.safe_dump({"services": {"clouddriver": {
        "base-url": "http://spin-clouddriver-caching.spinnaker:7002"}}})
    graph = topology_for(ha_plan(make_hal, profiles={"gate-local.yml": local}))
    assert edges_from(graph, "gate").get("clouddriver-caching") == {""}
    assert "clouddriver-ro" not in edges_from(graph, "gate")


def test_a_wrong_port_is_written_on_the_edge(make_hal: MakeHal) -> None:
    local = "services.orca.baseUrl: http://spin-orca.spinnaker:9999\n"
    graph = topology_for(ha_plan(make_hal, profiles={"gate-local.yml": local}))
    assert edges_from(graph, "gate")["orca"] == {"port 9999"}


# ------------------------------------------------------------ HA combinations
def test_no_ha_draws_gate_to_clouddriver(make_hal: MakeHal) -> None:
    graph = topology_for(plan_of(make_hal()))
    pairs = graph.pairs()
    assert {("gate", "clouddriver"), ("orca", "clouddriver"), ("igor", "echo"),
            ("echo", "orca"), ("deck", "gate"), ("api", "gate")} <= pairs
    assert not any(n.kind == SPLIT for n in graph.nodes)
    assert not any(n.id.startswith(("clouddriver-", "echo-")) for n in graph.nodes)
    assert not any(e.label == "readonly" for e in graph.edges)
    # every Redis user talks to spin-redis as its master
    assert edges_from(graph, "clouddriver")["redis"] == {"master"}
    assert graph.node("redis").kind == REDIS


def test_echo_only_ha_keeps_orca_on_clouddriver(make_hal: MakeHal) -> None:
    graph = topology_for(plan_of(make_hal(echo_ha=True)))
    pairs = graph.pairs()
    assert ("orca", "clouddriver") in pairs
    assert ("orca", "clouddriver-ro") not in pairs
    assert ("gate", "clouddriver") in pairs
    assert {("gate", "echo-worker"), ("orca", "echo-worker"), ("igor", "echo-worker")} <= pairs
    assert not any(e.label == "readonly" for e in graph.edges)
    assert {n.id for n in graph.nodes if n.kind == SPLIT} == {"echo-scheduler", "echo-worker"}


def test_clouddriver_only_ha(make_hal: MakeHal) -> None:
    graph = topology_for(plan_of(make_hal(clouddriver_ha=True)))
    orca = edges_from(graph, "orca")
    assert orca["clouddriver-rw"] == {""}
    assert orca["clouddriver-ro"] == {"readonly"}
    assert "echo" in orca and "echo-worker" not in orca
    for caller in ("gate", "igor", "fiat", "rosco"):
        assert "clouddriver-ro" in edges_from(graph, caller), caller
    assert edges_from(graph, "clouddriver-caching") == {"redis": {"master"}}


def test_ro_deck_on_draws_gates_dynamic_endpoint(make_hal: MakeHal) -> None:
    graph = topology_for(ha_plan(make_hal, ro_deck=True))
    assert edges_from(graph, "gate")["clouddriver-ro-deck"] == {"deck"}
    assert graph.node("clouddriver-ro-deck").kind == SPLIT


def test_disabled_optional_services_are_not_called(make_hal: MakeHal) -> None:
    graph = topology_for(plan_of(make_hal(authz=False, canary=False, igor=False)))
    ids = {n.id for n in graph.nodes}
    assert not ids & {"fiat", "kayenta", "igor"}
    assert not any(e.target in {"fiat", "kayenta", "igor"} for e in graph.edges)


# ------------------------------------------------------------ Redis
def test_external_redis_endpoints_master_vs_replica(make_hal: MakeHal) -> None:
    graph = topology_for(ha_plan(make_hal, endpoints=True))
    master = f"ext-{MASTER_HOST.replace('.', '-')}-6379"
    replica = f"ext-{REPLICA_HOST.replace('.', '-')}-6379"
    assert graph.node(master).label == MASTER_HOST
    assert graph.node(replica).label == REPLICA_HOST
    assert graph.node(master).kind == ENDPOINT and graph.node(master).store
    assert edges_from(graph, "clouddriver-caching") == {master: {"master"}}
    assert edges_from(graph, "clouddriver-rw")[master] == {"master"}
    ro = edges_from(graph, "clouddriver-ro")
    assert ro[replica] == {"replica"}
    assert master not in ro and "redis" not in ro
    # services that are not split stay on spin-redis
    assert edges_from(graph, "gate")["redis"] == {"master"}


def test_ro_deck_reads_its_own_replica(make_hal: MakeHal) -> None:
    graph = topology_for(ha_plan(make_hal, endpoints=True, ro_deck=True))
    deck_replica = f"ext-{DECK_REPLICA_HOST.replace('.', '-')}-6380"
    assert edges_from(graph, "clouddriver-ro-deck") == {
        deck_replica: {"replica"}, "fiat": {""}, "front50": {""}}
    assert graph.node(deck_replica).label == DECK_REPLICA_HOST


def test_without_endpoints_every_role_uses_spin_redis(make_hal: MakeHal) -> None:
    graph = topology_for(ha_plan(make_hal))
    for role in ("clouddriver-caching", "clouddriver-rw", "clouddriver-ro"):
        assert edges_from(graph, role)["redis"] == {"master"}, role
    assert not any(n.kind == ENDPOINT for n in graph.nodes)


@pytest.mark.parametrize("kwargs", [{}, {"clouddriver_ha": True, "echo_ha": True}])
def test_output_is_sorted(make_hal: MakeHal, kwargs: dict[str, bool]) -> None:
    graph = topology_for(plan_of(make_hal(**kwargs)))
    assert list(graph.edges) == sorted(graph.edges)
    assert [n.id for n in graph.nodes] == sorted(n.id for n in graph.nodes)
    assert Edge("api", "gate") in graph.edges


# ------------------------------------------------------------ deck, custom settings
def test_deck_calls_the_gate_url_of_its_settings(make_hal: MakeHal) -> None:
    custom = "window.spinnakerSettings.gateUrl = 'https://api.spin.example.com';\n"
    graph = topology_for(plan_of(make_hal(profiles={"settings-local.js": custom})))
    assert edges_from(graph, "deck") == {"ext-api-spin-example-com-443": {""}}
    assert graph.node("ext-api-spin-example-com-443").label == "api.spin.example.com"
    assert ("api", "gate") in graph.pairs()


def test_a_service_managed_elsewhere_has_no_known_calls(make_hal: MakeHal) -> None:
    root = make_hal()
    settings = root / "default" / "service-settings"
    settings.mkdir(parents=True)
    (settings / "clouddriver.yml").write_text("skipLifeCycleManagement: true\n")
    graph = topology_for(plan_of(root))
    # clouddriver sorts before its callers: its label must not depend on the visiting order
    assert graph.node("clouddriver").label == "Clouddriver (managed elsewhere)"
    assert edges_from(graph, "clouddriver") == {}
    assert {("gate", "clouddriver"), ("orca", "clouddriver"), ("rosco", "clouddriver")} <= \
        graph.pairs()


def test_an_external_redis_service_is_named_by_host(make_hal: MakeHal) -> None:
    root = make_hal()
    settings = root / "default" / "service-settings"
    settings.mkdir(parents=True)
    (settings / "redis.yml").write_text(
        f"overrideBaseUrl: redis://:{SECRET}@shared-redis.infra:6379\n"
        "skipLifeCycleManagement: true\n")
    graph = topology_for(plan_of(root))
    assert graph.node("redis").label == "Redis (shared-redis.infra)"
    assert edges_from(graph, "gate")["redis"] == {"master"}
    assert SECRET not in repr(graph)


def test_realworld_halyard_config(tmp_path: Path) -> None:
    root = tmp_path / "hal"
    shutil.copytree(realworld(), root)
    graph = topology_for(plan_of(root))
    pairs = graph.pairs()
    assert {("deck", "gate"), ("gate", "clouddriver"), ("orca", "clouddriver"),
            ("igor", "echo"), ("clouddriver", "redis")} <= pairs
    assert graph.node("redis").label == "Redis (oss-spin-redis-master)"
    assert not any(n.kind in (SPLIT, MISSING, ENDPOINT) for n in graph.nodes)
