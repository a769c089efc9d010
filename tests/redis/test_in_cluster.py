"""The in-cluster read replica: the plan's wiring, the rendered containers, and those exact
command lines run for real on 127.0.0.1 (issue 3 item 3)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import redis

from pyhalyard import catalog, pipeline
from pyhalyard.halconfig.paths import HalPaths
from pyhalyard.plan import Plan
from pyhalyard.redis.check import OK, check_endpoints
from pyhalyard.render.build import build_bundle
from pyhalyard.render.redis_objects import redis_container
from tests.helpers import run_hal
from tests.redis.halconf import make_hal
from tests.redis.servers import Servers, free_port, redis_server_binary, wait_until

NS = "spin-test"
MASTER_HOST = f"spin-redis.{NS}"
REPLICA_URL = f"redis://spin-redis-replica.{NS}:6379"
MASTER = "redis://:master-pw@redis-master.data:6379"
SLAVE = "redis://:slave-pw@redis-slave.data:6379"
DECK = "redis://:deck-pw@redis-deck.data:6379"


def plan_of(hal: Path) -> Plan:
    return pipeline.plan(pipeline.load(HalPaths(hal)))


def redis_overrides(plan: Plan, name: str) -> dict[str, Any]:
    services = plan[name].overrides.get("services") or {}
    return {k: v["baseUrl"] for k, v in services.items() if k in ("redis", "redisRo")}


def test_plan_points_read_roles_at_the_replica(tmp_path: Path) -> None:
    plan = plan_of(make_hal(tmp_path, in_cluster_replicas=2, ro_deck=True, namespace=NS))
    assert plan.redis_source == "in-cluster"
    replica = plan["redis-replica"]
    assert replica.enabled and replica.managed and replica.replicas == 2
    assert replica.base_url == REPLICA_URL
    for role in ("clouddriver-ro", "clouddriver-ro-deck"):
        assert redis_overrides(plan, role) == {"redis": REPLICA_URL, "redisRo": REPLICA_URL}
        assert f"{plan[role].service.role}-overrides" in plan[role].spring_profiles
    for role in ("clouddriver-caching", "clouddriver-rw"):
        assert redis_overrides(plan, role) == {}  # spinnaker.yml's spin-redis: the master
    assert plan["redis"].base_url == f"redis://{MASTER_HOST}:6379"


def test_rendered_profiles_carry_the_replica(tmp_path: Path) -> None:
    hal = make_hal(tmp_path, in_cluster_replicas=1, namespace=NS)
    bundle = build_bundle(plan_of(hal), HalPaths(hal))
    ro = bundle.services["clouddriver-ro"].profiles["clouddriver-ro-overrides.yml"]
    assert f"baseUrl: {REPLICA_URL}" in ro
    assert "redisRo:" in ro
    caching = bundle.services["clouddriver-caching"].profiles
    assert not any("spin-redis-replica" in text for text in caching.values())


def test_external_endpoints_win(tmp_path: Path) -> None:
    plan = plan_of(make_hal(tmp_path, {"redisMasterEndpoint": MASTER,
                                       "redisSlaveEndpoint": SLAVE,
                                       "redisSlaveDeckEndpoint": DECK},
                            in_cluster_replicas=2, ro_deck=True, namespace=NS))
    assert plan.redis_source == "external"
    assert redis_overrides(plan, "clouddriver-ro") == {"redis": SLAVE, "redisRo": SLAVE}
    assert redis_overrides(plan, "clouddriver-ro-deck") == {"redis": DECK, "redisRo": DECK}
    assert redis_overrides(plan, "clouddriver-caching") == {"redis": MASTER}
    assert redis_overrides(plan, "clouddriver-rw") == {"redis": MASTER}


@pytest.mark.parametrize("size", [0, None])
def test_no_replica_without_the_setting(tmp_path: Path, size: int | None) -> None:
    plan = plan_of(make_hal(tmp_path, in_cluster_replicas=size, namespace=NS))
    assert plan.redis_source == "shared"
    assert not plan["redis-replica"].enabled
    assert redis_overrides(plan, "clouddriver-ro") == {}


def test_cli_flag_turns_the_replica_on(tmp_path: Path) -> None:
    """The config helper's flag stores the setting; the plan then wires it."""
    hal = make_hal(tmp_path, namespace=NS)
    result = run_hal("config", "deploy", "ha", "clouddriver", "edit",
                     "--in-cluster-redis-replicas", "3", hal_dir=hal)
    assert result.code == 0, result.err
    plan = plan_of(hal)
    assert plan.redis_source == "in-cluster" and plan["redis-replica"].replicas == 3
    assert redis_overrides(plan, "clouddriver-ro")["redis"] == REPLICA_URL


def test_container_spec(tmp_path: Path) -> None:
    plan = plan_of(make_hal(tmp_path, in_cluster_replicas=2, namespace=NS))
    master = redis_container(plan, plan["redis"])
    replica = redis_container(plan, plan["redis-replica"])
    assert master["name"] == "redis" and replica["name"] == "redis-replica"
    assert master["image"] == replica["image"] == catalog.REDIS_IMAGE
    assert master["command"] == replica["command"] == ["redis-server"]
    assert master["args"] == ["--port", "6379", "--protected-mode", "no", "--save", "",
                              "--appendonly", "no"]
    assert replica["args"][-7:] == ["--replicaof", MASTER_HOST, "6379",
                                    "--replica-read-only", "yes",
                                    "--repl-diskless-load", "on-empty-db"]
    assert master["ports"] == [{"name": "redis", "containerPort": 6379, "protocol": "TCP"}]
    assert "exec" in master["readinessProbe"] and "exec" in replica["readinessProbe"]
    with pytest.raises(ValueError):
        redis_container(plan, plan["gate"])


def test_container_spec_follows_settings(tmp_path: Path) -> None:
    hal = make_hal(tmp_path, in_cluster_replicas=1, namespace=NS)
    settings = hal / "default" / "service-settings"
    (settings / "redis.yml").write_text("port: 6390\n")
    (settings / "redis-replica.yml").write_text(
        "enabled: true\ntargetSize: 1\nartifactId: registry.example/redis:7\n")
    plan = plan_of(hal)
    replica = redis_container(plan, plan["redis-replica"])
    assert replica["image"] == "registry.example/redis:7"
    assert replica["readinessProbe"]["tcpSocket"] == {"port": 6379}  # unknown image: no exec
    assert replica["args"][8:11] == ["--replicaof", MASTER_HOST, "6390"]
    assert redis_container(plan, plan["redis"])["args"][:2] == ["--port", "6390"]


def rendered_container(hal: Path, name: str) -> dict[str, Any]:
    plan = plan_of(hal)
    bundle = build_bundle(plan, HalPaths(hal))
    deployments = [o for o in bundle.services[name].objects if o["kind"] == "Deployment"]
    assert len(deployments) == 1
    containers = deployments[0]["spec"]["template"]["spec"]["containers"]
    main = next(c for c in containers if c["name"] == name)
    expected = redis_container(plan, plan[name])
    assert (main["command"], main["args"]) == (expected["command"], expected["args"])
    return dict(main)


def command_line(container: dict[str, Any], own_port: int, master_port: int) -> list[str]:
    """The container's command and args with the in-cluster names and ports rewritten."""
    argv = [*container["command"], *container["args"]]
    if argv[0] == "redis-server":
        argv[0] = redis_server_binary()  # the same program, wherever this machine has it
    for i, arg in enumerate(argv[:-1]):
        if arg == "--port":
            argv[i + 1] = str(own_port)
        if arg == "--replicaof":
            assert argv[i + 1] == MASTER_HOST
            argv[i + 1:i + 3] = ["127.0.0.1", str(master_port)]
    assert MASTER_HOST not in argv and "6379" not in argv
    return argv


def probe(container: dict[str, Any], port: int) -> int:
    """Run the container's readiness probe against the local server; its exit code."""
    command = list(container["readinessProbe"]["exec"]["command"])
    rewritten = [part.replace("-p 6379", f"-p {port}") for part in command]
    assert rewritten != command
    return subprocess.run(rewritten, capture_output=True, timeout=10, check=False).returncode


def test_rendered_replica_runs_for_real(redis_servers: Servers, tmp_path: Path) -> None:
    hal = make_hal(tmp_path, in_cluster_replicas=2, namespace=NS)
    master_spec = rendered_container(hal, "redis")
    replica_spec = rendered_container(hal, "redis-replica")
    master_port, replica_port = free_port(), free_port()

    # The replica first: it is up but not synced, so it must not be ready yet.
    replica = redis_servers.start_exact(
        command_line(replica_spec, replica_port, master_port), replica_port)
    assert probe(replica_spec, replica_port) != 0
    master = redis_servers.start_exact(
        command_line(master_spec, master_port, master_port), master_port)
    assert probe(master_spec, master_port) == 0

    master.client().set("spinnaker:key", "written-to-master")
    wait_until(lambda: replica.client().get("spinnaker:key") == "written-to-master", 30,
               "the replica to receive the key")
    assert probe(replica_spec, replica_port) == 0
    assert replica.client().info("replication")["role"] == "slave"

    with pytest.raises(redis.ReadOnlyError) as info:
        replica.client().set("spinnaker:key", "written-to-replica")
    assert "READONLY" in str(info.value) or "read only" in str(info.value)
    assert master.client().get("spinnaker:key") == "written-to-master"

    # Persistence is off, as rendered: nothing written to disk.
    assert master.client().config_get("save") == {"save": ""}
    assert master.client().config_get("appendonly") == {"appendonly": "no"}
    assert not list(tmp_path.glob("*.rdb")) and not list(tmp_path.glob("appendonly*"))

    report = check_endpoints(f"redis://127.0.0.1:{master_port}",
                             {"spin-redis-replica": f"redis://127.0.0.1:{replica_port}"}, 2.0,
                             master_name="spin-redis")
    assert report.verdict == OK, report.as_dict()
