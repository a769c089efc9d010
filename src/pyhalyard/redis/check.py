"""Live check of the clouddriver Redis endpoints: does the cluster match the config?

The config says "this endpoint is the master, those are replicas of it"; only
the servers know whether that is true.  Each endpoint is asked once for
``INFO replication`` and ``INFO server`` (single attempt, short socket timeouts,
no retries), probes run in parallel, and every step is bounded -- including the
name lookup, which the C resolver would otherwise let hang.

Verdicts: ``contradiction`` when a fact that was read disagrees with the config
(exit 1 in the CLI), ``unknown`` when something could not be read or decided
from this machine (cluster-internal names usually do not resolve on a laptop),
``ok`` otherwise.  A plain function, so ``hal deploy apply`` can run it as a
preflight.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pyhalyard.redis.endpoint import (
    MASK,
    InvalidEndpoint,
    RedisEndpoint,
    mask_text,
    parse_endpoint,
)

if TYPE_CHECKING:
    from pyhalyard.plan import Plan

OK = "ok"
UNKNOWN = "unknown"
CONTRADICTION = "contradiction"
_RANK = {OK: 0, UNKNOWN: 1, CONTRADICTION: 2}

DEFAULT_TIMEOUT = 2.0
MASTER = "master"
REPLICA = "replica"


@dataclass(frozen=True)
class Finding:
    verdict: str
    message: str


@dataclass(frozen=True)
class EndpointReport:
    """What one endpoint said about itself, and how that compares with the config."""

    name: str
    expected: str  # MASTER or REPLICA
    url: str  # masked
    reachable: bool
    findings: tuple[Finding, ...]
    role: str | None = None
    # For a replica: the master it follows, as it reports it (host:port).
    follows: str | None = None
    follows_configured_master: bool | None = None
    link_status: str | None = None
    # Replication offset the replica is behind the master (bytes), when both answered.
    lag_bytes: int | None = None
    last_io_seconds: int | None = None

    @property
    def verdict(self) -> str:
        return worst(f.verdict for f in self.findings)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "expected": self.expected, "url": self.url,
            "reachable": self.reachable, "role": self.role, "follows": self.follows,
            "followsConfiguredMaster": self.follows_configured_master,
            "linkStatus": self.link_status, "lagBytes": self.lag_bytes,
            "lastIoSeconds": self.last_io_seconds, "verdict": self.verdict,
            "findings": [{"verdict": f.verdict, "message": f.message} for f in self.findings],
        }


@dataclass(frozen=True)
class CheckReport:
    endpoints: tuple[EndpointReport, ...]
    # Where the endpoints came from (haServices, the in-cluster replica, spin-redis).
    source: str = ""

    @property
    def verdict(self) -> str:
        return worst(e.verdict for e in self.endpoints)

    @property
    def exit_code(self) -> int:
        """1 only when a fact contradicts the config; unreachable endpoints are not failures."""
        return 1 if self.verdict == CONTRADICTION else 0

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "verdict": self.verdict,
                "endpoints": [e.as_dict() for e in self.endpoints]}


def worst(verdicts: Iterable[str]) -> str:
    return max(verdicts, key=_RANK.__getitem__, default=OK)


# --------------------------------------------------------------------- probing
@dataclass
class _Probe:
    """Raw answers of one server, or why there are none."""

    endpoint: RedisEndpoint
    addresses: frozenset[str] = frozenset()
    replication: dict[str, Any] = field(default_factory=dict)
    server: dict[str, Any] = field(default_factory=dict)
    # Set when the server could not be asked: (verdict, message).
    failure: tuple[str, str] | None = None

    @property
    def answered(self) -> bool:
        return self.failure is None


def _redact(text: str, endpoint: RedisEndpoint) -> str:
    """Library error text may echo anything it was given; never let the password through."""
    text = mask_text(text)
    if endpoint.password:
        text = text.replace(endpoint.password, MASK)
    return text


def _bounded(work: Any, timeout: float) -> tuple[bool, Any]:
    """Run ``work`` in a daemon thread; (False, None) if it does not finish in time.

    A daemon thread, because a stuck getaddrinfo cannot be interrupted and must
    not keep the process alive at exit.
    """
    box: list[Any] = []

    def run() -> None:
        try:
            box.append((True, work()))
        except BaseException as exc:  # handed to the caller, not swallowed
            box.append((False, exc))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    if not box:
        return False, None
    done, value = box[0]
    if not done:
        raise value
    return True, value


def resolve(host: str, timeout: float) -> frozenset[str] | None:
    """IP addresses of ``host`` from this machine; None when it does not resolve in time."""
    def lookup() -> frozenset[str]:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        return frozenset(str(info[4][0]) for info in infos)
    try:
        finished, addresses = _bounded(lookup, timeout)
    except (OSError, UnicodeError):
        return None
    return addresses if finished else None


def _probe(endpoint: RedisEndpoint, timeout: float) -> _Probe:
    probe = _Probe(endpoint)
    addresses = resolve(endpoint.host, timeout)
    if addresses is None:
        probe.failure = (UNKNOWN, f"not reachable from this machine: cannot resolve "
                                  f"'{endpoint.host}' (cluster-internal names resolve only "
                                  "inside the cluster; run the check from a pod there)")
        return probe
    probe.addresses = addresses

    import redis  # lazily: only the check pays for importing redis-py

    # One attempt per command: redis-py >= 6 retries 3 times with backoff by default.
    # Not single_connection_client: that connects in the constructor, outside the try.
    client = redis.Redis(
        host=endpoint.host, port=endpoint.port, db=endpoint.db, username=endpoint.username,
        password=endpoint.password, ssl=endpoint.tls, socket_timeout=timeout,
        socket_connect_timeout=timeout, retry=redis.retry.Retry(redis.backoff.NoBackoff(), 0),
        health_check_interval=0, decode_responses=True)
    where = endpoint.address
    try:
        probe.replication = dict(client.info("replication"))
        probe.server = dict(client.info("server"))
    except redis.AuthenticationError as exc:
        probe.failure = (CONTRADICTION, f"{where} refused the configured credentials "
                                        f"({_redact(str(exc), endpoint)})")
    except redis.TimeoutError:
        probe.failure = (UNKNOWN, f"not reachable from this machine: no answer from {where} "
                                  f"within {timeout:g}s")
    except redis.ConnectionError as exc:
        text = _redact(str(exc), endpoint)
        if "refused" in text.lower():
            probe.failure = (UNKNOWN, f"not reachable from this machine: connection refused "
                                      f"at {where}")
        else:
            probe.failure = (UNKNOWN, f"not reachable from this machine: {text}")
    except redis.ResponseError as exc:
        text = _redact(str(exc), endpoint)
        if "NOAUTH" in text or "AUTH" in text.upper() or "WRONGPASS" in text:
            probe.failure = (CONTRADICTION, f"{where} refused the configured credentials "
                                            f"({text})")
        elif "DB index" in text:
            probe.failure = (CONTRADICTION, f"{where} has no database {endpoint.db} ({text})")
        else:
            probe.failure = (UNKNOWN, f"{where} answered INFO with an error: {text}")
    except (redis.RedisError, OSError) as exc:
        probe.failure = (UNKNOWN, f"could not query {where}: {_redact(str(exc), endpoint)}")
    finally:
        with contextlib.suppress(Exception):  # a half-open socket may fail to close
            client.close()
    return probe


def _probe_all(endpoints: list[RedisEndpoint], timeout: float) -> list[_Probe]:
    """Every endpoint in parallel; one that overruns its budget counts as unanswered."""
    # Budget: name lookup, connect (with AUTH/SELECT) and two commands.
    budget = 4 * timeout + 1
    results: list[_Probe | None] = [None] * len(endpoints)
    errors: list[BaseException | None] = [None] * len(endpoints)

    def worker(i: int) -> None:
        try:
            results[i] = _probe(endpoints[i], timeout)
        except BaseException as exc:
            errors[i] = exc

    threads = [threading.Thread(target=worker, args=(i,), daemon=True)
               for i in range(len(endpoints))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + budget
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    out: list[_Probe] = []
    for i, endpoint in enumerate(endpoints):
        error = errors[i]
        if error is not None:
            raise error
        result = results[i]
        if result is None:
            result = _Probe(endpoint, failure=(UNKNOWN, f"not reachable from this machine: "
                                                        f"{endpoint.address} did not answer "
                                                        f"within {budget:g}s"))
        out.append(result)
    return out


# ------------------------------------------------------------------- judging
def _norm(host: str) -> str:
    return host.lower().rstrip(".").strip("[]")


def _same_server(host: str, port: int, master: _Probe, timeout: float) -> bool | None:
    """Does ``host:port`` (as a replica names its master) mean the configured master?

    True/False when the names or their addresses from here decide it, None when
    they cannot (a pod IP or an internal name that does not resolve here).
    """
    configured = master.endpoint
    if port != configured.port:
        return False
    if _norm(host) == _norm(configured.host):
        return True
    theirs = resolve(host, timeout)
    if theirs is None or not master.addresses:
        return None
    return bool(theirs & master.addresses)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _judge_master(name: str, probe: _Probe) -> EndpointReport:
    url = probe.endpoint.url(masked=True)
    if probe.failure:
        return EndpointReport(name, MASTER, url, False, (Finding(*probe.failure),))
    role = str(probe.replication.get("role", "")) or None
    reachable = True
    if role == "master":
        replicas = _int(probe.replication.get("connected_slaves")) or 0
        findings = (Finding(OK, f"role:master with {replicas} connected replica(s)"),)
        return EndpointReport(name, MASTER, url, reachable, findings, role=role)
    follows = _follows(probe)
    message = (f"reports role:{role} (a replica of {follows}), not role:master; the roles "
               "that write (caching, rw) would fail with READONLY")
    return EndpointReport(name, MASTER, url, reachable, (Finding(CONTRADICTION, message),),
                          role=role, follows=follows)


def _follows(probe: _Probe) -> str | None:
    host = probe.replication.get("master_host")
    port = probe.replication.get("master_port")
    if host is None:
        return None
    return f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"


def _judge_replica(name: str, probe: _Probe, master: _Probe | None,
                   timeout: float) -> EndpointReport:
    url = probe.endpoint.url(masked=True)
    if probe.failure:
        return EndpointReport(name, REPLICA, url, False, (Finding(*probe.failure),))
    rep = probe.replication
    role = str(rep.get("role", "")) or None
    if role != "slave":
        same = (master is not None and master.answered
                and probe.server.get("run_id") == master.server.get("run_id"))
        what = ("it is the configured master itself" if same else
                "it is an independent master, so clouddriver-ro would read a different, "
                "probably empty, data set")
        return EndpointReport(name, REPLICA, url, True, (Finding(
            CONTRADICTION, f"reports role:{role}, not role:slave: {what}"),), role=role)

    follows = _follows(probe)
    link = str(rep.get("master_link_status", "")) or None
    last_io = _int(rep.get("master_last_io_seconds_ago"))
    if last_io is not None and last_io < 0:
        last_io = None
    findings: list[Finding] = []
    lag: int | None = None
    matches: bool | None

    master_answered = master is not None and master.answered
    replid = rep.get("master_replid")
    if master is None:
        matches = None
        findings.append(Finding(UNKNOWN, f"follows {follows}; no master endpoint is "
                                         "configured to compare with"))
    elif master_answered and link == "up" and replid and master.replication.get("master_replid"):
        # Same replication stream => same data, whatever names either side uses.
        matches = replid == master.replication.get("master_replid")
    else:
        matches = _same_server(str(rep.get("master_host")), _int(rep.get("master_port")) or 0,
                               master, timeout)
        if matches is False and not master_answered:
            matches = None  # names differ, but the master could not be asked to confirm

    if master is not None:
        configured = master.endpoint.address
        if matches is True:
            findings.append(Finding(OK, f"role:slave following {follows} "
                                        f"(the configured master {configured})"))
        elif matches is False:
            findings.append(Finding(CONTRADICTION, f"follows {follows}, not the configured "
                                                   f"master {configured}"))
        else:
            findings.append(Finding(UNKNOWN, f"follows {follows}; cannot confirm from here "
                                             f"that this is the configured master "
                                             f"{configured}"))

    if link == "up":
        if matches is True and master_answered and master is not None:
            master_offset = _int(master.replication.get("master_repl_offset"))
            replica_offset = _int(rep.get("slave_repl_offset"))
            if master_offset is not None and replica_offset is not None:
                lag = max(0, master_offset - replica_offset)
    elif str(rep.get("master_sync_in_progress", "0")) == "1":
        findings.append(Finding(UNKNOWN, "initial sync from the master is in progress; "
                                         "check again in a moment"))
    else:
        down = _int(rep.get("master_link_down_since_seconds"))
        since = f" for {down}s" if down is not None and down >= 0 else ""
        findings.append(Finding(CONTRADICTION, f"master_link_status:{link}{since}: it is not "
                                               "replicating, clouddriver-ro would read stale "
                                               "data"))
    return EndpointReport(name, REPLICA, url, True, tuple(findings), role=role,
                          follows=follows, follows_configured_master=matches,
                          link_status=link, lag_bytes=lag, last_io_seconds=last_io)


def check_endpoints(master: str | None, replicas: dict[str, str],
                    timeout: float = DEFAULT_TIMEOUT, *,
                    master_name: str = "redisMasterEndpoint", source: str = "") -> CheckReport:
    """Ask every endpoint what it is and compare with the config.

    ``replicas`` maps a name (the config key, e.g. ``redisSlaveEndpoint``) to a URI.
    Raises InvalidEndpoint (a HalError, password masked) for a malformed URI.
    """
    if timeout <= 0:
        raise ValueError("timeout must be positive")
    parsed: list[RedisEndpoint] = []
    if master is not None:
        parsed.append(parse_endpoint(master))
    parsed.extend(parse_endpoint(uri) for uri in replicas.values())
    probes = _probe_all(parsed, timeout)
    master_probe = probes[0] if master is not None else None
    reports: list[EndpointReport] = []
    if master_probe is not None:
        reports.append(_judge_master(master_name, master_probe))
    replica_probes = probes[1:] if master is not None else probes
    for name, probe in zip(replicas, replica_probes, strict=True):
        reports.append(_judge_replica(name, probe, master_probe, timeout))
    return CheckReport(tuple(reports), source)


# ------------------------------------------------------------- from a plan
@dataclass(frozen=True)
class Targets:
    """The endpoints clouddriver's roles are wired to, by the names the user knows them."""

    source: str
    master_name: str
    master: str | None
    replicas: dict[str, str]

    def named(self) -> dict[str, str]:
        return {**({self.master_name: self.master} if self.master else {}), **self.replicas}


def targets(plan: Plan) -> Targets:
    """External endpoints from haServices when any is set, else the in-cluster replica
    pair, else the shared spin-redis alone (whatever its base URL is)."""
    cd = plan.deployment.environment.clouddriver_ha
    given = {key: uri for key, uri in cd.endpoints.items() if uri}
    if given:
        return Targets("haServices", "redisMasterEndpoint", given.get("redisMasterEndpoint"),
                       {k: v for k, v in given.items() if k != "redisMasterEndpoint"})
    master = plan.services["redis"]
    if plan.redis_source == "in-cluster":
        replica = plan.services["redis-replica"]
        return Targets("in-cluster replica", master.k8s_name, master.base_url,
                       {replica.k8s_name: replica.base_url})
    return Targets("shared Redis (no replica configured)", master.k8s_name, master.base_url,
                   {})


def check_plan(plan: Plan, timeout: float = DEFAULT_TIMEOUT) -> CheckReport:
    """The live check of what ``plan`` wires; the deploy preflight calls this.

    A malformed endpoint raises InvalidEndpoint naming its key (password masked).
    """
    found = targets(plan)
    for name, uri in found.named().items():
        try:
            parse_endpoint(uri)
        except InvalidEndpoint as exc:
            raise InvalidEndpoint(f"{found.source}: {name}: {exc}") from None
    return check_endpoints(found.master, found.replicas, timeout,
                           master_name=found.master_name, source=found.source)
