"""``hal config deploy ha clouddriver check`` end to end, against real redis-server processes."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import yaml

from tests.helpers import run_hal
from tests.redis.halconf import make_hal
from tests.redis.servers import Servers, free_port, wait_for_sync

CHECK = ("config", "deploy", "ha", "clouddriver", "check")
PASSWORD = "hal@check:pw/é"
ENCODED = quote(PASSWORD, safe="")


def assert_no_password(*texts: str) -> None:
    for text in texts:
        assert PASSWORD not in text and ENCODED not in text


def test_check_ok_in_all_formats(redis_servers: Servers, tmp_path: Path) -> None:
    master = redis_servers.start(password=PASSWORD)
    replica = redis_servers.start(password=PASSWORD, replica_of=master)
    wait_for_sync(replica)
    hal = make_hal(tmp_path, {"redisMasterEndpoint": master.url(ENCODED),
                              "redisSlaveEndpoint": replica.url(ENCODED)})

    human = run_hal(*CHECK, "--timeout", "2", "--no-color", hal_dir=hal)
    assert human.code == 0, human.err
    assert "Verdict: ok: every fact read agrees with the config" in human.out
    assert f"redisMasterEndpoint (master) redis://:****@127.0.0.1:{master.port}: ok" in human.out
    assert f"role:slave following 127.0.0.1:{master.port}" in human.out
    assert "link up, lag " in human.out

    as_json = run_hal(*CHECK, "-o", "json", hal_dir=hal)
    assert as_json.code == 0
    data = json.loads(as_json.out)
    assert data["verdict"] == "ok" and data["source"] == "haServices"
    assert [e["role"] for e in data["endpoints"]] == ["master", "slave"]
    assert data["endpoints"][1]["followsConfiguredMaster"] is True

    as_yaml = run_hal(*CHECK, "-o", "yaml", hal_dir=hal)
    assert as_yaml.code == 0
    assert yaml.safe_load(as_yaml.out)["endpoints"][1]["linkStatus"] == "up"
    assert_no_password(human.out, human.err, as_json.out, as_json.err, as_yaml.out)


def test_check_contradiction_exits_1(redis_servers: Servers, tmp_path: Path) -> None:
    master = redis_servers.start()
    impostor = redis_servers.start()
    hal = make_hal(tmp_path, {"redisMasterEndpoint": master.url(),
                              "redisSlaveEndpoint": impostor.url()})
    result = run_hal(*CHECK, "--no-color", hal_dir=hal)
    assert result.code == 1
    assert "reports role:master, not role:slave" in result.out
    assert "Verdict: contradiction" in result.out
    result = run_hal(*CHECK, "-o", "json", hal_dir=hal)
    assert result.code == 1
    assert json.loads(result.out)["verdict"] == "contradiction"


def test_check_unreachable_exits_0(tmp_path: Path) -> None:
    closed = free_port()
    hal = make_hal(tmp_path, {"redisMasterEndpoint": f"redis://:{ENCODED}@127.0.0.1:{closed}",
                              "redisSlaveEndpoint": "redis://no-such-host.invalid:6379"})
    result = run_hal(*CHECK, "--timeout", "1", "--no-color", hal_dir=hal)
    assert result.code == 0, result.err
    assert f"connection refused at 127.0.0.1:{closed}" in result.out
    assert "cannot resolve 'no-such-host.invalid'" in result.out
    assert "Verdict: unknown" in result.out
    assert_no_password(result.out, result.err)


def test_check_in_cluster_replica(tmp_path: Path) -> None:
    """Without external endpoints the check asks the in-cluster pair the plan wires."""
    hal = make_hal(tmp_path, in_cluster_replicas=2, namespace="spin-test")
    result = run_hal(*CHECK, "--timeout", "1", "-o", "json", hal_dir=hal)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["source"] == "in-cluster replica"
    assert [(e["name"], e["url"]) for e in data["endpoints"]] == [
        ("spin-redis", "redis://spin-redis.spin-test:6379"),
        ("spin-redis-replica", "redis://spin-redis-replica.spin-test:6379")]


def test_check_invalid_endpoint_is_one_masked_line(tmp_path: Path) -> None:
    hal = make_hal(tmp_path, {"redisMasterEndpoint": f"redis://:{ENCODED}@redis-master:6379/x",
                              "redisSlaveEndpoint": "redis://replica:6379"})
    result = run_hal(*CHECK, hal_dir=hal)
    assert result.code == 1
    assert result.out == ""
    assert result.err.startswith("error: haServices: redisMasterEndpoint: ")
    assert "not a database number" in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert_no_password(result.err)


def test_check_rejects_bad_timeout(tmp_path: Path) -> None:
    hal = make_hal(tmp_path)
    for value in ("0", "-1", "61"):
        result = run_hal(*CHECK, "--timeout", value, hal_dir=hal)
        assert result.code == 2, value
        assert "--timeout" in result.err


def test_check_shared_redis_from_service_settings(redis_servers: Servers,
                                                  tmp_path: Path) -> None:
    """No HA endpoints, no replica: the check asks spin-redis at its overrideBaseUrl
    (how the realworld fixture points every service at an external Redis)."""
    master = redis_servers.start(password=PASSWORD)
    hal = make_hal(tmp_path)
    (hal / "default" / "service-settings").mkdir(parents=True, exist_ok=True)
    (hal / "default" / "service-settings" / "redis.yml").write_text(
        f"overrideBaseUrl: {master.url(ENCODED)}\nskipLifeCycleManagement: true\n")
    result = run_hal(*CHECK, "--no-color", hal_dir=hal)
    assert result.code == 0, result.err
    assert result.out.startswith("Redis endpoints from shared Redis (no replica configured):")
    assert f"spin-redis (master) redis://:****@127.0.0.1:{master.port}: ok" in result.out
    assert_no_password(result.out, result.err)
