"""The live check against real redis-server processes on 127.0.0.1 (issue 3 item 2)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from pyhalyard.redis.check import CONTRADICTION, OK, UNKNOWN, CheckReport, check_endpoints
from pyhalyard.redis.endpoint import InvalidEndpoint
from tests.redis.servers import Servers, free_port, wait_for_sync, wait_until

SLAVE = "redisSlaveEndpoint"
DECK = "redisSlaveDeckEndpoint"
# Has every character a Redis password may hold that a URI must percent-encode.
PASSWORD = "p@ss:w/rd%#?é x"


def messages(report: CheckReport) -> str:
    return "\n".join(f.message for e in report.endpoints for f in e.findings)


def test_all_good(redis_servers: Servers) -> None:
    master = redis_servers.start()
    replica = redis_servers.start(replica_of=master)
    deck = redis_servers.start(replica_of=master)
    wait_for_sync(replica)
    wait_for_sync(deck)
    master.client().set("k", "v" * 1000)

    report = check_endpoints(master.url(), {SLAVE: replica.url(), DECK: deck.url()}, 2.0)

    assert report.verdict == OK, messages(report)
    assert report.exit_code == 0
    m, r, d = report.endpoints
    assert (m.name, m.role, m.reachable, m.verdict) == ("redisMasterEndpoint", "master", True, OK)
    assert "2 connected replica(s)" in messages(report)
    for ep, server in ((r, replica), (d, deck)):
        assert ep.reachable and ep.role == "slave"
        assert ep.follows == f"127.0.0.1:{master.port}"
        assert ep.follows_configured_master is True
        assert ep.link_status == "up"
        assert isinstance(ep.lag_bytes, int) and 0 <= ep.lag_bytes < 100_000
        assert isinstance(ep.last_io_seconds, int) and ep.last_io_seconds >= 0
        assert ep.url == f"redis://127.0.0.1:{server.port}"
    data = report.as_dict()
    assert data["verdict"] == OK
    assert [e["followsConfiguredMaster"] for e in data["endpoints"]] == [None, True, True]


def test_all_good_with_passwords_never_shown(redis_servers: Servers) -> None:
    master = redis_servers.start(password=PASSWORD)
    replica = redis_servers.start(password=PASSWORD, replica_of=master)
    wait_for_sync(replica)
    encoded = quote(PASSWORD, safe="")

    report = check_endpoints(master.url(encoded), {SLAVE: replica.url(encoded)}, 2.0)

    assert report.verdict == OK, messages(report)
    assert report.endpoints[1].follows_configured_master is True
    shown = repr(report) + str(report.as_dict())
    assert PASSWORD not in shown and encoded not in shown
    assert f"redis://:****@127.0.0.1:{master.port}" in shown


def test_wrong_password_contradicts(redis_servers: Servers) -> None:
    master = redis_servers.start(password=PASSWORD)
    report = check_endpoints(master.url("not-the-password"), {}, 2.0)
    assert report.verdict == CONTRADICTION
    assert "refused the configured credentials" in messages(report)
    assert "not-the-password" not in str(report.as_dict())


def test_replica_is_actually_a_master(redis_servers: Servers) -> None:
    master = redis_servers.start()
    impostor = redis_servers.start()

    report = check_endpoints(master.url(), {SLAVE: impostor.url()}, 2.0)

    assert report.verdict == CONTRADICTION
    assert report.exit_code == 1
    ep = report.endpoints[1]
    assert (ep.reachable, ep.role, ep.verdict) == (True, "master", CONTRADICTION)
    assert "reports role:master, not role:slave" in messages(report)
    assert "independent master" in messages(report)
    assert report.endpoints[0].verdict == OK


def test_replica_endpoint_is_the_master_itself(redis_servers: Servers) -> None:
    master = redis_servers.start()
    report = check_endpoints(master.url(), {SLAVE: master.url()}, 2.0)
    assert report.verdict == CONTRADICTION
    assert "it is the configured master itself" in messages(report)


def test_replica_follows_another_master(redis_servers: Servers) -> None:
    configured = redis_servers.start()
    other = redis_servers.start()
    replica = redis_servers.start(replica_of=other)
    wait_for_sync(replica)

    report = check_endpoints(configured.url(), {SLAVE: replica.url()}, 2.0)

    assert report.verdict == CONTRADICTION
    ep = report.endpoints[1]
    assert ep.role == "slave" and ep.link_status == "up"
    assert ep.follows == f"127.0.0.1:{other.port}"
    assert ep.follows_configured_master is False
    assert ep.lag_bytes is None  # offsets of two different streams are not comparable
    assert (f"follows 127.0.0.1:{other.port}, not the configured master "
            f"127.0.0.1:{configured.port}") in messages(report)


def test_master_is_actually_a_replica(redis_servers: Servers) -> None:
    master = redis_servers.start()
    replica = redis_servers.start(replica_of=master)
    wait_for_sync(replica)

    report = check_endpoints(replica.url(), {SLAVE: master.url()}, 2.0)

    assert report.verdict == CONTRADICTION
    m, r = report.endpoints
    assert m.role == "slave" and m.verdict == CONTRADICTION
    assert f"a replica of 127.0.0.1:{master.port}" in messages(report)
    assert r.role == "master" and r.verdict == CONTRADICTION


def test_replica_down_is_unknown_not_a_failure(redis_servers: Servers) -> None:
    master = redis_servers.start()
    closed = free_port()  # nothing listens there

    report = check_endpoints(master.url(), {SLAVE: f"redis://127.0.0.1:{closed}"}, 1.0)

    assert report.verdict == UNKNOWN
    assert report.exit_code == 0
    ep = report.endpoints[1]
    assert not ep.reachable and ep.role is None
    assert (f"not reachable from this machine: connection refused at 127.0.0.1:{closed}"
            in messages(report))


def test_unresolvable_host_is_reported_plainly(redis_servers: Servers) -> None:
    replica_master = redis_servers.start()
    started = time.monotonic()
    report = check_endpoints("redis://:pw-123@spin-redis.spinnaker.invalid:6379",
                             {SLAVE: replica_master.url()}, 1.0)
    assert time.monotonic() - started < 6
    m, r = report.endpoints
    assert not m.reachable and m.verdict == UNKNOWN
    assert ("cannot resolve 'spin-redis.spinnaker.invalid' (cluster-internal names resolve "
            "only inside the cluster") in messages(report)
    assert m.url == "redis://:****@spin-redis.spinnaker.invalid:6379"
    # The "replica" answered and is a master: that contradicts, whatever the master says.
    assert r.verdict == CONTRADICTION
    assert report.exit_code == 1


def test_replica_with_unreachable_master_cannot_be_confirmed(redis_servers: Servers) -> None:
    """The replica follows a name this machine cannot resolve: unknown, not a contradiction."""
    replica = redis_servers.start("--replicaof", "spin-redis.spinnaker.invalid", "6379")
    report = check_endpoints("redis://spin-redis.spinnaker.invalid:6379", {SLAVE: replica.url()},
                             1.0)
    ep = report.endpoints[1]
    # Same name as configured: it follows the configured master, but the link is down.
    assert ep.follows_configured_master is True
    assert ep.link_status == "down"
    assert "not replicating" in messages(report)
    assert report.verdict == CONTRADICTION

    report = check_endpoints("redis://other-name.spinnaker.invalid:6379",
                             {SLAVE: replica.url()}, 1.0)
    assert report.endpoints[1].follows_configured_master is None
    assert "cannot confirm from here" in messages(report)


def test_link_down_after_master_dies(redis_servers: Servers) -> None:
    master = redis_servers.start()
    replica = redis_servers.start(replica_of=master)
    wait_for_sync(replica)
    master.stop()
    wait_until(lambda: replica.client().info("replication")["master_link_status"] == "down",
               10, "the replica to notice its master is gone")

    report = check_endpoints(master.url(), {SLAVE: replica.url()}, 1.0)

    m, r = report.endpoints
    assert not m.reachable and m.verdict == UNKNOWN
    assert r.follows_configured_master is True  # same host and port as configured
    assert r.link_status == "down" and r.verdict == CONTRADICTION
    assert report.exit_code == 1


@pytest.fixture
def silent_server() -> Iterator[tuple[int, list[int]]]:
    """Accepts connections and never answers; counts the connections."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.1)
    accepted: list[int] = []
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            held.append(conn)
            accepted.append(1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        stop.set()
        thread.join(2)
        for conn in held:
            conn.close()
        listener.close()


def test_timeout_is_bounded_and_not_retried(silent_server: tuple[int, list[int]]) -> None:
    port, accepted = silent_server
    started = time.monotonic()
    report = check_endpoints(f"redis://127.0.0.1:{port}", {}, 0.3)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0
    assert report.verdict == UNKNOWN
    assert f"no answer from 127.0.0.1:{port} within 0.3s" in messages(report)
    assert len(accepted) == 1  # one attempt, no retry storm


def test_invalid_endpoint_raises_masked() -> None:
    with pytest.raises(InvalidEndpoint) as info:
        check_endpoints("redis://:topsecret@", {}, 1.0)
    assert "topsecret" not in str(info.value)
    with pytest.raises(ValueError):
        check_endpoints("redis://h", {}, 0)
