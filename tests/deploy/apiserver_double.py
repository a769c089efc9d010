"""A Kubernetes API server DOUBLE for the deploy tests: real HTTP on a loopback port.

It serves the kinds pyhalyard renders (Namespace, Secret, Service, Deployment,
PodDisruptionBudget) plus the ReplicaSets the Deployment controller keeps, and behaves like
kube-apiserver wherever pyhalyard's apply, takeover, dry run, preflight, garbage collection and
rollout waiting depend on it:

* Writes: server-side apply (PATCH ``application/apply-patch+yaml`` with ``fieldManager`` and
  ``force``), json / merge / strategic-merge patch, PUT, POST, DELETE (background, foreground,
  finalizers); ``dryRun=All`` on all of them runs everything and stores nothing.
* Field ownership: ``metadata.managedFields`` per (manager, operation) in the FieldsV1
  encoding, merging by the SSA schema's list keys, pruning of fields an applier stopped
  sending, 409 conflicts -- computed by the real structured-merge-diff library in the Go helper
  ``tests/deploy/smd`` (``ssa_engine.py``).  A field outside the schema is the real typed
  conversion error.
* Defaulting (``k8s_defaults.py``), validation (``k8s_validation.py``, 422 with the real
  messages and causes), Service IP allocation, Secret ``stringData`` folding.
* ``/version``, discovery (no ``policy/v1`` below 1.21), RBAC denials (403 with the real message)
  and SelfSubjectAccessReview / SelfSubjectRulesReview from the same rules.
* The Deployment controller: one ReplicaSet per template with revision history, ``paused``,
  terminating objects (deletionTimestamp) that only get their status synced.

It also refuses malformed requests the way a real API server does: 401 without the
kubeconfig's token, 415 for an unknown content type, 422 for an apply without
``fieldManager``, 400 when the name or namespace in the body contradicts the URL, 404 for an
unknown resource or a missing namespace.

Seeding helpers create objects as other tools did: ``seed`` (a plain create),
``seed_client_side_apply`` (``kubectl apply``), ``update`` (``kubectl edit``/``patch``/``scale``);
``tests/deploy/halyard_objects.py`` builds the objects Java Halyard left behind.

Rollouts are simulated, not faked: each pod is a record with the time it was
created, became ready, started terminating and was gone, all computed from
the delays the test chose.  A RollingUpdate keeps the old pods until the new
ones are ready (so both run together for a while); Recreate stops the old pods
and starts the new ones only when they are gone.  Deployment status
(observedGeneration lags the write by ``observe_delay``; updated / ready /
available replicas; conditions) is derived from those records, and the
records form a timeline tests can query for invariants.

Each pod also records what it would do, derived the way Spring would: the
image names the application, ``SPRING_PROFILES_ACTIVE`` the profiles, and the
profile files of the config Secret the pod mounts give ``services.<x>.baseUrl``
(whom it calls) and ``scheduler.enabled`` (whether it fires cron triggers).

Faults: any request can be answered with a status (500, 429 ...) or a dropped
connection a chosen number of times; a Deployment can be made never ready.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from tests.deploy import k8s_defaults, k8s_patches, k8s_validation, k8s_versions
from tests.deploy.ssa_engine import SmdEngine, SmdError

APPLY_TYPE = "application/apply-patch+yaml"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
REVISION = "deployment.kubernetes.io/revision"
HASH_LABEL = "pod-template-hash"
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json")
API_VERSIONS = {"Deployment": "apps/v1", "ReplicaSet": "apps/v1",
                "PodDisruptionBudget": "policy/v1"}
GROUPS = {"Deployment": "apps", "ReplicaSet": "apps", "PodDisruptionBudget": "policy"}
PLURALS = {"Namespace": "namespaces", "Secret": "secrets", "Service": "services",
           "Deployment": "deployments", "ReplicaSet": "replicasets",
           "PodDisruptionBudget": "poddisruptionbudgets"}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# (group, version, plural) -> (kind, namespaced)
RESOURCES: dict[tuple[str, str, str], tuple[str, bool]] = {
    ("", "v1", "namespaces"): ("Namespace", False),
    ("", "v1", "secrets"): ("Secret", True),
    ("", "v1", "services"): ("Service", True),
    ("apps", "v1", "deployments"): ("Deployment", True),
    ("policy", "v1", "poddisruptionbudgets"): ("PodDisruptionBudget", True),
    ("apps", "v1", "replicasets"): ("ReplicaSet", True),
}


class ApiFailure(Exception):
    def __init__(self, code: int, reason: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.headers = headers or {}
        self.details: dict[str, Any] | None = None


@dataclass
class Pod:
    id: int
    namespace: str
    deployment: str
    generation: int
    revision: str
    app: str
    profiles: tuple[str, ...]
    scheduler: bool
    targets: dict[str, str | None]
    created: float
    ready_at: float | None
    grace: float
    terminating_at: float | None = None

    @property
    def gone_at(self) -> float | None:
        return None if self.terminating_at is None else self.terminating_at + self.grace

    def alive(self, t: float) -> bool:
        """A container runs (terminating pods still run until they are gone)."""
        gone = self.gone_at
        return self.created <= t and (gone is None or t < gone)

    def counted(self, t: float) -> bool:
        """Counted by the Deployment controller: created and not terminating."""
        return self.created <= t and (self.terminating_at is None or t < self.terminating_at)

    def ready(self, t: float) -> bool:
        return self.counted(t) and self.ready_at is not None and self.ready_at <= t


@dataclass
class Fault:
    status: int | str  # an HTTP status, or "reset" to drop the connection
    method: str | None
    path: str
    times: int
    retry_after: str | None


@dataclass
class _Workload:
    """Controller-side state of one Deployment."""

    revision: str = ""
    # (time the controller sees it, generation, pod template revision)
    observed: list[tuple[float, int, str]] = field(default_factory=list)
    rollout_started: float = 0.0
    problem: str = ""  # why the new pods cannot become ready

    def seen(self, now: float) -> tuple[int, str | None]:
        """(observedGeneration, current revision) as the controller reports them at ``now``."""
        seen = [(g, r) for t, g, r in self.observed if t <= now]
        return seen[-1] if seen else (0, None)


class Timeline:
    """The pods that ever existed, for invariant checks over time."""

    def __init__(self, pods: list[Pod]) -> None:
        self.pods = pods

    def instants(self, since: float = float("-inf")) -> list[float]:
        """Every time something changed: checking these checks every moment in between."""
        points: set[float] = {since} if since > float("-inf") else set()
        for pod in self.pods:
            for t in (pod.created, pod.ready_at, pod.terminating_at, pod.gone_at):
                if t is not None and t >= since:
                    points.add(t)
        return sorted(points)

    def of(self, deployment: str) -> list[Pod]:
        return [p for p in self.pods if p.deployment == deployment]

    def ready(self, t: float, deployment: str) -> list[Pod]:
        return [p for p in self.pods if p.deployment == deployment and p.ready(t)]

    def alive(self, t: float, deployment: str | None = None) -> list[Pod]:
        return [p for p in self.pods
                if p.alive(t) and (deployment is None or p.deployment == deployment)]

    def max_alive(self, predicate: Callable[[Pod], bool],
                  since: float = float("-inf")) -> int:
        return max((sum(1 for p in self.pods if p.alive(t) and predicate(p))
                    for t in self.instants(since)), default=0)

    def unanswered_reads(self, caller: str, base: str,
                         since: float = float("-inf")) -> list[str]:
        """Moments (from ``since``) a ready ``caller`` pod pointed at a ``base`` service
        with no ready pod."""
        problems = []
        for t in self.instants(since):
            for pod in self.pods:
                if pod.deployment != caller or not pod.ready(t):
                    continue
                target = pod.targets.get(base)
                if target is None:
                    problems.append(f"t={t:.3f}: {caller} pod {pod.id} has no {base} URL")
                elif not self.ready(t, target):
                    problems.append(f"t={t:.3f}: {caller} pod {pod.id} (gen {pod.generation}) "
                                    f"reads {base} from {target}, which has no ready pod")
        return problems

    def overlapped(self, deployment: str) -> bool:
        """Did pods of two revisions of ``deployment`` ever run at the same time?"""
        for t in self.instants():
            revisions = {p.revision for p in self.alive(t, deployment)}
            if len(revisions) > 1:
                return True
        return False


# ----------------------------------------------------------------- helpers
def _now_iso() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()[:10]


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
    return into


def _lookup(config: dict[str, Any], dotted: str) -> Any:
    node: Any = config
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


_PLACEHOLDER = re.compile(r"\$\{([^}:]+)(?::([^}]*))?\}")


def _resolve(config: dict[str, Any], value: Any, depth: int = 0) -> Any:
    if not isinstance(value, str) or depth > 5:
        return value

    def one(match: re.Match[str]) -> str:
        found = _lookup(config, match.group(1))
        if found is None:
            return match.group(2) or ""
        return str(_resolve(config, found, depth + 1))
    return _PLACEHOLDER.sub(one, value)


def spring_config(app: str, profiles: tuple[str, ...], files: dict[str, str]) -> dict[str, Any]:
    """The properties a Spring app would see: spinnaker*.yml, then <app>*.yml, profiles in order."""
    names = ["spinnaker.yml", *(f"spinnaker-{p}.yml" for p in profiles),
             f"{app}.yml", *(f"{app}-{p}.yml" for p in profiles)]
    merged: dict[str, Any] = {}
    for name in names:
        if name in files:
            loaded = yaml.load(files[name], Loader=_LOADER) or {}
            if isinstance(loaded, dict):
                _merge(merged, loaded)
    return merged


def _service_host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname
    return host.split(".")[0] if host else None


def parse_selector(text: str) -> list[tuple[str, str, str | None]]:
    """Equality-based label selectors: k=v, k==v, k!=v, k, !k."""
    rules: list[tuple[str, str, str | None]] = []
    for part in [p.strip() for p in text.split(",") if p.strip()]:
        if "!=" in part:
            key, value = part.split("!=", 1)
            rules.append(("ne", key.strip(), value.strip()))
        elif "==" in part or "=" in part:
            key, value = re.split("==?", part, maxsplit=1)
            rules.append(("eq", key.strip(), value.strip()))
        elif part.startswith("!"):
            rules.append(("absent", part[1:].strip(), None))
        elif re.fullmatch(r"[-A-Za-z0-9_./]+", part):
            rules.append(("exists", part, None))
        else:
            raise ApiFailure(400, "BadRequest", f"unable to parse requirement: {part!r}")
    return rules


def _matches(labels: dict[str, str], rules: list[tuple[str, str, str | None]]) -> bool:
    for op, key, value in rules:
        if op == "eq" and labels.get(key) != value:
            return False
        if op == "ne" and labels.get(key) == value:
            return False
        if op == "exists" and key not in labels:
            return False
        if op == "absent" and key in labels:
            return False
    return True


# ------------------------------------------------------------------ server
class ApiServerDouble:
    """Start with ``with ApiServerDouble() as api:``; ``api.write_kubeconfig(path)``."""

    def __init__(self, *, ready_delay: float = 0.03, grace: float = 0.01,
                 observe_delay: float = 0.005, token: str = "double-token",
                 git_version: str = "v1.26.3",
                 user: str = "system:serviceaccount:spinnaker:spinnaker-service-account"
                 ) -> None:
        self.git_version = git_version
        self.user = user
        self.denied: list[tuple[str, str, str, str | None]] = []
        self.ready_delay = ready_delay
        self.grace = grace
        self.observe_delay = observe_delay
        self.token = token
        self.delays: dict[str, float | None] = {}
        self.objects: dict[tuple[str, str, str], dict[str, Any]] = {}  # (kind, ns, name)
        self.applied: dict[tuple[str, str, str], Any] = {}  # last no-op apply (a memo)
        self.workloads: dict[tuple[str, str], _Workload] = {}
        self.removal: dict[tuple[str, str, str], float] = {}  # foreground deletions
        self.holds: dict[tuple[str, str, str], float | None] = {}  # deletions held longer
        self.pods: list[Pod] = []
        self.requests: list[tuple[str, str, int]] = []
        self.faults: list[Fault] = []
        self.lock = threading.RLock()
        self._rv = 0
        self._ips = 0
        self._pod_ids = 0
        self.start_time = time.monotonic()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # A short poll interval: shutdown() waits for it (0.5 s by default, per test).
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,),
                                        daemon=True)

    # ------------------------------------------------------------ lifecycle
    def __enter__(self) -> ApiServerDouble:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def write_kubeconfig(self, path: Path, context: str = "double") -> Path:
        config = {
            "apiVersion": "v1", "kind": "Config", "current-context": context,
            "clusters": [{"name": "double", "cluster": {"server": self.url}}],
            "users": [{"name": "tester", "user": {"token": self.token}}],
            "contexts": [{"name": context, "context": {"cluster": "double",
                                                        "user": "tester"}}],
        }
        path.write_text(yaml.safe_dump(config))
        return path

    # ------------------------------------------------------------ test knobs
    def set_delay(self, deployment: str, seconds: float | None) -> None:
        """Seconds until the pods of the next rollout of ``deployment`` are ready (None: never)."""
        with self.lock:
            self.delays[deployment] = seconds

    def hold_deletion(self, kind: str, name: str, namespace: str = "",
                      seconds: float | None = None) -> None:
        """A foreground delete of this object stays pending ``seconds`` longer than its pods
        need (None: forever), as with a pod on an unreachable node or a stuck garbage
        collector (kubernetes/kubernetes#115570)."""
        with self.lock:
            self.holds[(kind, namespace, name)] = seconds

    def release_deletion(self, kind: str, name: str, namespace: str = "") -> None:
        """End a held deletion now."""
        with self.lock:
            key = (kind, namespace, name)
            self.holds.pop(key, None)
            if key in self.removal:
                self.removal[key] = self.now()

    def inject(self, status: int | str, *, method: str | None = None, path: str = "",
               times: int = 1, retry_after: str | None = "0") -> None:
        with self.lock:
            self.faults.append(Fault(status, method, path, times, retry_after))

    def now(self) -> float:
        return time.monotonic()

    def timeline(self) -> Timeline:
        with self.lock:
            return Timeline([copy.copy(p) for p in self.pods])

    def get(self, kind: str, name: str, namespace: str = "") -> dict[str, Any] | None:
        with self.lock:
            self._purge(self.now())
            obj = self.objects.get((kind, namespace, name))
            return None if obj is None else self._view(kind, namespace, obj, self.now())

    def names(self, kind: str, namespace: str = "") -> list[str]:
        with self.lock:
            self._purge(self.now())
            return sorted(n for (k, ns, n) in self.objects if k == kind and ns == namespace)

    def counts(self, method: str, fragment: str = "") -> int:
        with self.lock:
            return sum(1 for m, p, _ in self.requests if m == method and fragment in p)

    def seed(self, obj: dict[str, Any], manager: str = "kubectl") -> None:
        """Create an object as another tool would (a non-apply create by ``manager``), its
        Deployment ready at once."""
        self._seed(obj, manager, ready_now=True)

    def seed_client_side_apply(self, obj: dict[str, Any],
                               manager: str = "kubectl-client-side-apply") -> dict[str, Any]:
        """Create ``obj`` as ``kubectl apply`` (client-side) does: the body carries the
        last-applied-configuration annotation (kubectl's ``CreateApplyAnnotation``: the object
        as given, compact JSON plus a newline) and is POSTed; the server defaults it and records
        one Update entry for ``manager`` owning every field of the defaulted object."""
        body = copy.deepcopy(obj)
        annotations = body.setdefault("metadata", {}).setdefault("annotations", {})
        annotations[LAST_APPLIED] = json.dumps(obj, separators=(",", ":"), sort_keys=True) + "\n"
        return self._seed(body, manager, ready_now=True)

    def update(self, change: dict[str, Any] | Callable[[dict[str, Any]], None], *,
               kind: str | None = None, name: str | None = None, namespace: str = "",
               manager: str = "kubectl-edit") -> dict[str, Any]:
        """A non-apply update by another manager (``kubectl edit``/``patch``/``scale``): either
        a whole object, or a function that edits the live object in place."""
        with self.lock:
            if callable(change):
                assert kind and name
                live = self.objects.get((kind, namespace if kind != "Namespace" else "", name))
                if live is None:
                    raise KeyError((kind, namespace, name))
                new = copy.deepcopy(live)
                change(new)
            else:
                new = copy.deepcopy(change)
            kind = new["kind"]
            meta = new["metadata"]
            ns = meta.get("namespace", "") if kind != "Namespace" else ""
            new.pop("status", None)
            _, view = self._commit(kind, ns, meta["name"], self.now(), manager=manager, new=new)
            return view

    def _seed(self, obj: dict[str, Any], manager: str, ready_now: bool) -> dict[str, Any]:
        kind = obj["kind"]
        meta = obj["metadata"]
        namespace = meta.get("namespace", "") if kind != "Namespace" else ""
        body = copy.deepcopy(obj)
        body.pop("status", None)
        with self.lock:
            _, view = self._commit(kind, namespace, meta["name"], self.now() - 1.0,
                                   manager=manager, new=body, ready_now=ready_now)
            return view

    # ------------------------------------------------------------ HTTP
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in separate writes: without this, Nagle's
                # algorithm and delayed ACKs add 40 ms to every request.
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _body(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def _send(self, code: int, payload: dict[str, Any] | str,
                      headers: dict[str, str] | None = None) -> None:
                # a pod log is plain text
                data = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
                self.send_response(code)
                self.send_header("Content-Type", "text/plain" if isinstance(payload, str)
                                 else "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                body = self._body()
                parts = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                query["__userAgent"] = self.headers.get("User-Agent", "")
                try:
                    fault = double._fault(method, parts.path)
                    if fault == "reset":
                        double._log(method, parts.path, 0)
                        self.close_connection = True
                        return
                    if self.headers.get("Authorization") != f"Bearer {double.token}":
                        raise ApiFailure(401, "Unauthorized", "Unauthorized")
                    code, payload = double._dispatch(method, parts.path, query,
                                                     self.headers.get("Content-Type", ""),
                                                     body)
                    double._log(method, parts.path, code)
                    self._send(code, payload)
                except ApiFailure as failure:
                    double._log(method, parts.path, failure.code)
                    self._send(failure.code, _status(failure), failure.headers)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_PATCH(self) -> None:
                self._handle("PATCH")

            def do_DELETE(self) -> None:
                self._handle("DELETE")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PUT(self) -> None:
                self._handle("PUT")

        return Handler

    def _log(self, method: str, path: str, code: int) -> None:
        with self.lock:
            self.requests.append((method, path, code))

    def _fault(self, method: str, path: str) -> str | None:
        with self.lock:
            for fault in self.faults:
                if fault.times <= 0 or (fault.method and fault.method != method):
                    continue
                if fault.path not in path:
                    continue
                fault.times -= 1
                if fault.status == "reset":
                    return "reset"
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                reason = "TooManyRequests" if fault.status == 429 else "InternalError"
                raise ApiFailure(int(fault.status), reason,
                                 f"injected fault {fault.status}", headers)
        return None

    # ------------------------------------------------------------ version, discovery, RBAC
    def set_version(self, git_version: str) -> None:
        """The server's ``/version`` (e.g. "v1.20.15"); below 1.21 ``policy/v1`` is not served."""
        with self.lock:
            self.git_version = git_version

    def version_tuple(self) -> tuple[int, int]:
        match = re.match(r"v?(\d+)\.(\d+)", self.git_version)
        return (int(match.group(1)), int(match.group(2))) if match else (1, 26)

    def deny(self, verb: str, group: str, resource: str, namespace: str | None = None) -> None:
        """RBAC knob: ``verb`` ("*" for all) on ``group``/``resource`` (in ``namespace``, or
        everywhere) is not allowed to this double's user."""
        with self.lock:
            self.denied.append((verb, group, resource, namespace))

    def allowed(self, verb: str, group: str, resource: str, namespace: str) -> bool:
        return not any(v in (verb, "*") and g == group and r == resource
                       and ns in (None, namespace) for v, g, r, ns in self.denied)

    def _authorize(self, verb: str, kind: str, namespace: str, name: str | None) -> None:
        """RBAC authorizer's denial (``DefaultBuildHandlerChain`` -> 403 Forbidden) with the
        message ``errors.NewForbidden`` builds from the authorizer's reason."""
        group = GROUPS.get(kind, "")
        resource = PLURALS[kind]
        if self.allowed(verb, group, resource, namespace):
            return
        qualified = f"{resource}.{group}" if group else resource
        subject = f'{qualified} "{name}"' if name else qualified
        where = (f'in the namespace "{namespace}"' if namespace else "at the cluster scope")
        failure = ApiFailure(403, "Forbidden",
                             f'{subject} is forbidden: User "{self.user}" cannot {verb} resource '
                             f'"{resource}" in API group "{group}" {where}')
        failure.details = {"name": name or "", "group": group, "kind": resource}
        raise failure

    def _version(self) -> dict[str, Any]:
        major, minor = self.version_tuple()
        return {"major": str(major), "minor": str(minor), "gitVersion": self.git_version,
                "gitCommit": "0" * 40, "gitTreeState": "clean",
                "buildDate": "2023-01-01T00:00:00Z", "goVersion": "go1.19.8",
                "compiler": "gc", "platform": "linux/amd64"}

    def _served(self, group: str, version: str) -> bool:
        """policy/v1 exists from 1.21 (PodDisruptionBudget GA)."""
        return not (group == "policy" and version == "v1" and self.version_tuple() < (1, 21))

    def _discovery(self, path: str) -> dict[str, Any] | None:
        parts = [p for p in path.split("/") if p]
        if parts == ["version"]:
            return self._version()
        if parts == ["api"]:
            return {"kind": "APIVersions", "versions": ["v1"]}
        if parts == ["apis"]:
            groups = sorted({g for g, v, _ in RESOURCES if g and self._served(g, v)}
                            | {"authorization.k8s.io"})
            return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                {"name": g, "versions": [{"groupVersion": f"{g}/v1", "version": "v1"}],
                 "preferredVersion": {"groupVersion": f"{g}/v1", "version": "v1"}}
                for g in groups]}
        if (len(parts) == 2 and parts[0] == "api") or (len(parts) == 3 and parts[0] == "apis"):
            group, version = ("", parts[1]) if parts[0] == "api" else (parts[1], parts[2])
            served = [(plural, kind, namespaced)
                      for (g, v, plural), (kind, namespaced) in RESOURCES.items()
                      if g == group and v == version and self._served(g, v)]
            if not served:
                raise _not_found_path()
            return {"kind": "APIResourceList", "apiVersion": "v1",
                    "groupVersion": f"{group}/{version}" if group else version,
                    "resources": [{"name": plural, "singularName": kind.lower(),
                                   "namespaced": namespaced, "kind": kind,
                                   "verbs": ["create", "delete", "get", "list", "patch",
                                             "update"]}
                                  for plural, kind, namespaced in served]}
        return None

    def _review(self, path: str, body: bytes) -> dict[str, Any]:
        """SelfSubjectAccessReview / SelfSubjectRulesReview answered from the same rules as
        the authorizer (``pkg/registry/authorization/selfsubject*review``)."""
        review = self._decode(body, yaml_ok=False)
        if not isinstance(review, dict):
            raise ApiFailure(400, "BadRequest", "the body is not an object")
        spec = review.get("spec") or {}
        if path.endswith("selfsubjectaccessreviews"):
            attrs = spec.get("resourceAttributes") or {}
            ok = self.allowed(str(attrs.get("verb", "")), str(attrs.get("group", "")),
                              str(attrs.get("resource", "")), str(attrs.get("namespace", "")))
            status: dict[str, Any] = {"allowed": ok}
            if ok:
                status["reason"] = 'RBAC: allowed by ClusterRoleBinding "double"'
            review["status"] = status
            return review
        namespace = str(spec.get("namespace", ""))
        verbs = ["get", "list", "watch", "create", "update", "patch", "delete"]
        rules = []
        for (group, _, plural) in RESOURCES:
            granted = [v for v in verbs if self.allowed(v, group, plural, namespace)]
            if granted:
                rules.append({"verbs": granted, "apiGroups": [group], "resources": [plural]})
        review["status"] = {"resourceRules": rules, "nonResourceRules": [
            {"verbs": ["get"], "nonResourceURLs": ["/version", "/api", "/api/*", "/apis",
                                                   "/apis/*"]}], "incomplete": False}
        return review

    # ------------------------------------------------------------ routing
    def _route(self, path: str) -> tuple[str, bool, str, str | None, str | None]:
        """(kind, namespaced, namespace, name, subresource) or 404."""
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 2 and parts[0] == "api":
            group, version, rest = "", parts[1], parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise _not_found_path()
        if rest[:1] == ["namespaces"] and len(rest) >= 3:
            namespace, plural, tail = rest[1], rest[2], rest[3:]
        else:
            namespace, plural, tail = "", rest[0] if rest else "", rest[1:]
        resource = RESOURCES.get((group, version, plural))
        if resource is None or len(tail) > 1:
            raise _not_found_path()
        kind, namespaced = resource
        if namespaced != bool(namespace) and not (namespaced and not tail and not namespace):
            raise _not_found_path()
        return kind, namespaced, namespace, tail[0] if tail else None, None

    def _dispatch(self, method: str, path: str, query: dict[str, str], content_type: str,
                  body: bytes) -> tuple[int, dict[str, Any] | str]:
        if method == "GET":
            found = self._discovery(path)
            if found is not None:
                return 200, found
        if method == "POST" and path.rstrip("/") in (
                "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"):
            with self.lock:
                return 201, self._review(path.rstrip("/"), body)
        if method == "GET" and "/pods" in path:  # read-only pods: see "pods and logs" below
            return self._pods_get(path, query)
        kind, namespaced, namespace, name, _ = self._route(path)
        group = GROUPS.get(kind, "")
        if not self._served(group, API_VERSIONS.get(kind, "v1").split("/")[-1]):
            raise _not_found_path()
        verb = {"GET": "get" if name else "list", "PATCH": "patch", "PUT": "update",
                "POST": "create", "DELETE": "delete"}.get(method, method.lower())
        with self.lock:
            self._authorize(verb, kind, namespace, name)
            if method in ("PATCH", "PUT") and name is not None and (
                    (kind, namespace, name) not in self.objects):
                self._authorize("create", kind, namespace, name)  # apply/update that creates
            now = self.now()
            self._purge(now)
            if method == "GET" and name is None:
                return 200, self._list(kind, namespace, query, now)
            if method == "GET":
                assert name is not None
                obj = self.objects.get((kind, namespace, name))
                if obj is None:
                    raise _not_found(kind, name)
                return 200, self._view(kind, namespace, obj, now)
            if method == "PATCH" and name is not None:
                return self._apply(kind, namespaced, namespace, name, query, content_type,
                                   body, now)
            if method == "PUT" and name is not None:
                return self._put(kind, namespaced, namespace, name, query, body, now)
            if method == "POST" and name is None:
                return self._post(kind, namespaced, namespace, query, body, now)
            if method == "DELETE" and name is not None:
                return self._delete(kind, namespace, name, query, now)
        raise ApiFailure(405, "MethodNotAllowed",
                         "the server does not allow this method on the requested resource")

    # ------------------------------------------------------------ list / view
    def _list(self, kind: str, namespace: str, query: dict[str, str],
              now: float) -> dict[str, Any]:
        rules = parse_selector(query.get("labelSelector", ""))
        items = []
        for (k, ns, _), obj in sorted(self.objects.items()):
            if k != kind or (namespace and ns != namespace):
                continue
            if _matches((obj.get("metadata") or {}).get("labels") or {}, rules):
                view = self._view(kind, ns, obj, now)
                view.pop("kind", None)
                view.pop("apiVersion", None)
                items.append(view)
        api_version = API_VERSIONS.get(kind, "v1")
        return {"kind": f"{kind}List", "apiVersion": api_version,
                "metadata": {"resourceVersion": str(self._rv)}, "items": items}

    def _view(self, kind: str, namespace: str, obj: dict[str, Any], now: float) -> dict[str, Any]:
        view = copy.deepcopy(obj)
        if kind == "Deployment":
            view["status"] = self._status(namespace, view, now)
        if kind == "ReplicaSet":
            view["status"] = self._replica_set_status(namespace, view, now)
        return view

    def _status(self, namespace: str, obj: dict[str, Any], now: float) -> dict[str, Any]:
        name = obj["metadata"]["name"]
        work = self.workloads[(namespace, name)]
        observed, current = work.seen(now)
        pods = [p for p in self.pods if p.namespace == namespace and p.deployment == name]
        counted = [p for p in pods if p.counted(now)]
        updated = [p for p in counted if p.revision == current]
        ready = [p for p in counted if p.ready(now)]
        desired = int(obj["spec"].get("replicas", 1))
        status: dict[str, Any] = {"observedGeneration": observed}
        if counted:
            status["replicas"] = len(counted)
        if updated:
            status["updatedReplicas"] = len(updated)
        if ready:
            status["readyReplicas"] = len(ready)
            status["availableReplicas"] = len(ready)
        stamp = _now_iso()
        available = len(ready) >= desired
        conditions = [{
            "type": "Available", "status": "True" if available else "False",
            "reason": "MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
            "message": "Deployment has minimum availability." if available
            else "Deployment does not have minimum availability.",
            "lastUpdateTime": stamp, "lastTransitionTime": stamp}]
        done = current is not None and len(updated) == desired and all(
            p.ready(now) for p in updated) and len(counted) == len(updated)
        deadline = float(obj["spec"].get("progressDeadlineSeconds", 600))
        rs = f"{name}-{work.revision}"
        if obj["spec"].get("paused"):
            progressing = ("Unknown", "DeploymentPaused", "Deployment is paused")
        elif done:
            progressing = ("True", "NewReplicaSetAvailable",
                           f'ReplicaSet "{rs}" has successfully progressed.')
        elif current is not None and now - work.rollout_started > deadline:
            progressing = ("False", "ProgressDeadlineExceeded",
                           f'ReplicaSet "{rs}" has timed out progressing.')
        else:
            message = f'ReplicaSet "{rs}" is progressing.'
            if work.problem:
                message += f" {work.problem}"
            progressing = ("True", "ReplicaSetUpdated", message)
        conditions.append({"type": "Progressing", "status": progressing[0],
                           "reason": progressing[1], "message": progressing[2],
                           "lastUpdateTime": stamp, "lastTransitionTime": stamp})
        status["conditions"] = conditions
        return status

    # ------------------------------------------------------------ writes
    def _decode(self, body: bytes, *, yaml_ok: bool) -> Any:
        try:
            text = body.decode("utf-8")
            try:
                return json.loads(text)  # JSON is YAML; the fast path for what clients send
            except ValueError:
                if not yaml_ok:
                    raise ApiFailure(400, "BadRequest", "error decoding patch: invalid JSON"
                                     ) from None
                return yaml.load(text, Loader=_LOADER)
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ApiFailure(400, "BadRequest", f"error decoding YAML: {exc}") from None

    def _check_identity(self, kind: str, namespaced: bool, namespace: str, name: str,
                        obj: Any) -> dict[str, Any]:
        """What every write checks first (``rest.BeforeCreate``/``BeforeUpdate`` and the
        apply patcher): kind/apiVersion, name and namespace agree with the URL."""
        if not isinstance(obj, dict):
            raise ApiFailure(400, "BadRequest", "the body is not an object")
        expected = API_VERSIONS.get(kind, "v1")
        if obj.get("kind") != kind or obj.get("apiVersion") != expected:
            raise ApiFailure(400, "BadRequest",
                             f"the API version in the data ({obj.get('apiVersion')}) and kind "
                             f"({obj.get('kind')}) do not match the expected {expected} {kind}")
        meta = obj.get("metadata") or {}
        if meta.get("name") != name:
            raise ApiFailure(400, "BadRequest",
                             f"the name of the object ({meta.get('name')}) does not match the "
                             f"name on the URL ({name})")
        if namespaced:
            if meta.get("namespace") not in (None, namespace):
                raise ApiFailure(400, "BadRequest", "the namespace of the provided object "
                                                    "does not match the namespace sent on the "
                                                    "request")
            if ("Namespace", "", namespace) not in self.objects:
                raise _not_found("namespaces", namespace)
            obj.setdefault("metadata", {})["namespace"] = namespace
        obj.pop("status", None)  # status is reset on the main resource (PrepareForUpdate)
        return obj

    def _apply(self, kind: str, namespaced: bool, namespace: str, name: str,
               query: dict[str, str], content_type: str, body: bytes,
               now: float) -> tuple[int, dict[str, Any]]:
        media = content_type.split(";")[0].strip()
        if media in PATCH_TYPES:
            return self._patch(kind, namespaced, namespace, name, query, media, body, now)
        if media != APPLY_TYPE:
            raise ApiFailure(415, "UnsupportedMediaType",
                             f"the body of the request was in an unknown format - accepted "
                             f"media types include: {', '.join(PATCH_TYPES)}, {APPLY_TYPE}")
        manager = query.get("fieldManager", "")
        if not manager:
            raise ApiFailure(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: '
                                             "fieldManager: Required value: is required for "
                                             "apply patch")
        if query.get("force") not in (None, "true", "false"):
            raise ApiFailure(400, "BadRequest", "invalid force value")
        obj = self._check_identity(kind, namespaced, namespace, name,
                                   self._decode(body, yaml_ok=True))
        if (obj.get("metadata") or {}).get("managedFields"):
            # handlers/patch.go applyPatcher
            raise ApiFailure(400, "BadRequest", "metadata.managedFields must be nil")
        return self._commit(kind, namespace, name, now, manager=manager, config=obj,
                            force=query.get("force") == "true", dry_run=_dry_run(query))

    def _patch(self, kind: str, namespaced: bool, namespace: str, name: str,
               query: dict[str, str], media: str, body: bytes,
               now: float) -> tuple[int, dict[str, Any]]:
        """json / merge / strategic-merge patch of an existing object (``handlers/patch.go``):
        applied to the live object, then handled as an update by ``fieldManager``."""
        old = self.objects.get((kind, namespace, name))
        if old is None:
            raise _not_found(kind, name)
        patch = self._decode(body, yaml_ok=False)
        current = copy.deepcopy(old)
        try:
            if media == "application/json-patch+json":
                new = k8s_patches.json_patch(current, patch)
            elif media == "application/merge-patch+json":
                new = k8s_patches.merge_patch(current, patch)
            else:
                new = k8s_patches.strategic_merge_patch(current, patch, kind=kind)
        except k8s_patches.PatchError as exc:
            raise ApiFailure(exc.code, "Invalid" if exc.code == 422 else "BadRequest",
                             exc.message) from None
        new = self._check_identity(kind, namespaced, namespace, name, new)
        return self._commit(kind, namespace, name, now, manager=_manager(query), new=new,
                            dry_run=_dry_run(query), strict=_strict(query))

    def _put(self, kind: str, namespaced: bool, namespace: str, name: str,
             query: dict[str, str], body: bytes, now: float) -> tuple[int, dict[str, Any]]:
        """Update (``kubectl replace``, ``kubectl edit`` on old kubectls)."""
        new = self._check_identity(kind, namespaced, namespace, name,
                                   self._decode(body, yaml_ok=False))
        old = self.objects.get((kind, namespace, name))
        sent = str((new.get("metadata") or {}).get("resourceVersion") or "")
        if old is not None and sent and sent != old["metadata"]["resourceVersion"]:
            raise ApiFailure(409, "Conflict",
                             f'Operation cannot be fulfilled on {_resource_name(kind)} "{name}": '
                             "the object has been modified; please apply your changes to the "
                             "latest version and try again")
        if old is None:  # PUT creates only where AllowCreateOnUpdate (not for these kinds)
            raise _not_found(kind, name)
        return self._commit(kind, namespace, name, now, manager=_manager(query), new=new,
                            dry_run=_dry_run(query), strict=_strict(query))

    def _post(self, kind: str, namespaced: bool, namespace: str, query: dict[str, str],
              body: bytes, now: float) -> tuple[int, dict[str, Any]]:
        obj = self._decode(body, yaml_ok=False)
        name = str(((obj or {}).get("metadata") or {}).get("name") or "")
        new = self._check_identity(kind, namespaced, namespace, name, obj)
        if (kind, namespace, name) in self.objects:
            raise ApiFailure(409, "AlreadyExists",
                             f'{_resource_name(kind)} "{name}" already exists')
        return self._commit(kind, namespace, name, now, manager=_manager(query), new=new,
                            dry_run=_dry_run(query), strict=_strict(query))

    def _commit(self, kind: str, namespace: str, name: str, now: float, *, manager: str,
                config: dict[str, Any] | None = None, new: dict[str, Any] | None = None,
                force: bool = False, dry_run: bool = False, strict: bool = False,
                ready_now: bool = False) -> tuple[int, dict[str, Any]]:
        """One write as kube-apiserver does it: field manager (apply: merge + ownership +
        conflicts; otherwise: ownership of what changed), defaulting, validation, and -- unless
        ``dryRun=All`` -- storage and the controller.  Returns (code, object)."""
        key = (kind, namespace, name)
        old = self.objects.get(key)
        newer = k8s_versions.unknown_fields(kind, config if config is not None else new or {},
                                            self.version_tuple())
        if newer and config is not None:
            raise _smd_failure(kind, namespace, name, SmdError(
                "typed", "\n".join(f"{p}: field not declared in schema" for p, _, _ in newer),
                []))
        for _, parent, field_name in newer:  # create/update: unknown fields are dropped
            parent.pop(field_name, None)
        memo = None
        if config is not None and old is not None:
            # A server-side apply is a pure function of (live object, managedFields, config,
            # manager, force): the same apply over an unchanged object is again a no-op.
            memo = (manager, force, json.dumps(config, sort_keys=True),
                    old["metadata"].get("resourceVersion"))
            seen = self.applied.get(key)
            if seen is not None and seen[0] == memo and seen[1] == old:
                return 200, self._view(kind, namespace, old, now)
        live = _engine_view(old)
        old_fields = list(((old or {}).get("metadata") or {}).get("managedFields") or [])
        stamp = _now_iso()
        engine = SmdEngine.shared()
        try:
            if config is not None:
                merged, fields = engine.apply(kind, live, config, old_fields, manager, force,
                                              stamp)
                result = copy.deepcopy(live) if merged is None else merged
                assert result is not None
                # structuredmerge.go Apply: the merged object is defaulted afterwards.
                k8s_defaults.default(kind, result)
            else:
                assert new is not None
                given = list((new.get("metadata") or {}).get("managedFields") or [])
                result = k8s_defaults.default(kind, _engine_view(new) or {})
                self._drop_unknown(engine, kind, result, strict)
                try:
                    if given == [{}]:
                        # fieldmanager.go isResetManagedFields: a single empty entry clears
                        # the ownership records (the documented way to strip them).
                        fields = []
                    else:
                        fields = engine.update(kind, live, result, given or old_fields,
                                               manager, stamp)
                except SmdError as exc:
                    if exc.kind != "managedFields" or not given:
                        raise
                    # fieldmanager.go Update: undecodable managedFields -> the live ones.
                    fields = engine.update(kind, live, result, old_fields, manager, stamp)
        except SmdError as exc:
            raise _smd_failure(kind, namespace, name, exc) from None
        meta = result.setdefault("metadata", {})
        meta["name"] = name
        if namespace:
            meta["namespace"] = namespace
        old_meta = (old or {}).get("metadata") or {}
        for kept in ("uid", "creationTimestamp", "deletionTimestamp",
                     "deletionGracePeriodSeconds"):
            if kept in old_meta:
                meta[kept] = old_meta[kept]
            else:
                meta.pop(kept, None)
        if kind == "Secret":
            _fold_string_data(result)
        if kind == "Service":
            self._allocate(result, old, dry_run)
        if kind in ("Deployment", "PodDisruptionBudget", "ReplicaSet"):
            generation = int(old_meta.get("generation") or 0)
            if old is None or old.get("spec") != result.get("spec"):
                generation += 1
            meta["generation"] = generation
        meta["managedFields"] = fields
        if not meta["managedFields"]:
            meta.pop("managedFields")
        k8s_validation.validate(kind, result, old)
        if old is not None:
            meta["resourceVersion"] = old_meta.get("resourceVersion")
            if result == old:  # nothing changed: no write, same resourceVersion
                if memo is not None and not dry_run:
                    self.applied[key] = (memo, copy.deepcopy(old))
                return 200, self._view(kind, namespace, old, now)
        if dry_run:
            meta["uid"] = meta.get("uid") or "dry-run-uid"
            meta.setdefault("creationTimestamp", stamp)
            meta["resourceVersion"] = old_meta.get("resourceVersion", "")
            view = copy.deepcopy(result)
            if kind == "Deployment" and old is not None:
                view["status"] = self._status(namespace, old, now)
            return (201 if old is None else 200), view
        self._rv += 1
        meta["uid"] = old_meta.get("uid") or f"uid-{self._rv}"
        meta.setdefault("creationTimestamp", stamp)
        meta["resourceVersion"] = str(self._rv)
        self.objects[key] = result
        if memo is not None or (config is not None and old is None):
            # Apply is idempotent: the same apply over its own result changes nothing.
            self.applied[key] = ((manager, force, json.dumps(config, sort_keys=True),
                                  meta["resourceVersion"]), copy.deepcopy(result))
        else:
            self.applied.pop(key, None)
        if meta.get("deletionTimestamp") and not meta.get("finalizers"):
            self._forget(key)  # the last finalizer is gone: the deletion completes
            return 200, self._view(kind, namespace, result, now)
        if kind == "Deployment":
            self._reconcile(namespace, name, result, old, now, ready_now)
        return (201 if old is None else 200), self._view(kind, namespace, result, now)

    def _drop_unknown(self, engine: SmdEngine, kind: str, obj: dict[str, Any],
                      strict: bool) -> None:
        """A create/update body is decoded into the Go type: unknown fields are dropped
        (``fieldValidation`` Warn/Ignore, the server default), or refused with
        ``fieldValidation=Strict`` (what kubectl >= 1.27 sends) as a 400 "strict decoding
        error" (``handlers/create.go``/``update.go``)."""
        unknown: list[str] = []
        for _ in range(50):
            try:
                engine.check(kind, obj)
                break
            except SmdError as exc:
                if exc.kind != "typed":
                    raise
                paths = _unknown_paths(exc.message)
                if not paths:
                    raise
                for path in paths:
                    unknown.append(_drop_path(obj, path))
        if unknown and strict:
            raise ApiFailure(400, "BadRequest", "strict decoding error: " + ", ".join(
                f'unknown field "{u}"' for u in sorted(unknown)))

    def _allocate(self, service: dict[str, Any], old: dict[str, Any] | None,
                  dry_run: bool) -> None:
        """The Service registry's IP allocation (``pkg/registry/core/service/storage``):
        a ClusterIP from the service CIDR, kept on update; single-stack IPv4."""
        spec = service.setdefault("spec", {})
        if spec.get("type") == "ExternalName":
            return
        previous = ((old or {}).get("spec") or {}).get("clusterIP")
        if not spec.get("clusterIP"):
            if previous:
                spec["clusterIP"] = previous
            else:
                self._ips += 0 if dry_run else 1
                spec["clusterIP"] = f"10.96.{(self._ips + 1) // 250}.{(self._ips + 1) % 250 + 1}"
        spec.setdefault("clusterIPs", [spec["clusterIP"]])
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        if spec.get("type") in ("NodePort", "LoadBalancer"):
            old_ports = {(p.get("port"), p.get("protocol")): p.get("nodePort")
                         for p in ((old or {}).get("spec") or {}).get("ports") or ()}
            for port in spec.get("ports") or ():
                if not port.get("nodePort"):
                    port["nodePort"] = old_ports.get((port.get("port"), port.get("protocol"))) \
                        or 30000 + int(port.get("port", 0)) % 2768
        else:
            for port in spec.get("ports") or ():
                port.pop("nodePort", None)  # dropTypeDependentFields

    # ------------------------------------------------------------ ReplicaSets
    def _sync_replica_sets(self, namespace: str, name: str, obj: dict[str, Any],
                           revision: str) -> None:
        """What the Deployment controller keeps (``pkg/controller/deployment/sync.go``
        getNewReplicaSet / cleanupDeployment): one ReplicaSet per pod template, named
        ``<deployment>-<pod-template-hash>``, labelled with the hash, annotated with its
        ``deployment.kubernetes.io/revision`` (a template seen before is reused and gets the next
        revision, as a rollback does); the new one scaled to ``spec.replicas``, the old ones to 0;
        old ones beyond ``revisionHistoryLimit`` are deleted, oldest first."""
        spec = obj["spec"]
        owned = {k: v for k, v in self.objects.items()
                 if k[0] == "ReplicaSet" and k[1] == namespace
                 and _owner_name(v) == name}
        numbers = [int((v["metadata"].get("annotations") or {}).get(REVISION, "0"))
                   for v in owned.values()]
        rs_name = f"{name}-{revision}"
        key = ("ReplicaSet", namespace, rs_name)
        self._rv += 1
        current = owned.get(key)
        if current is None:
            template = copy.deepcopy(spec["template"])
            template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = revision
            selector = copy.deepcopy(spec.get("selector") or {})
            selector.setdefault("matchLabels", {})[HASH_LABEL] = revision
            current = {
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {
                    "name": rs_name, "namespace": namespace, "uid": f"uid-{self._rv}",
                    "creationTimestamp": _now_iso(), "generation": 1,
                    "labels": dict(template["metadata"]["labels"]),
                    "annotations": {},
                    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment",
                                         "name": name, "uid": obj["metadata"]["uid"],
                                         "controller": True, "blockOwnerDeletion": True}]},
                "spec": {"replicas": 0, "selector": selector, "template": template}}
            self.objects[key] = current
        latest = max(numbers, default=0)
        annotations = current["metadata"]["annotations"]
        if int(annotations.get(REVISION, "0")) != latest or latest == 0:
            annotations[REVISION] = str(latest + 1)  # new, or an old template brought back
        for other_key, other in self.objects.items():
            if other_key[0] == "ReplicaSet" and other_key[1] == namespace and \
                    _owner_name(other) == name:
                other["spec"]["replicas"] = int(spec.get("replicas", 1)) \
                    if other_key == key else 0
                other["metadata"]["resourceVersion"] = str(self._rv)
                other["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] = \
                    str(spec.get("replicas", 1))
        old = sorted((int(v["metadata"]["annotations"].get(REVISION, "0")), k)
                     for k, v in self.objects.items()
                     if k[0] == "ReplicaSet" and k[1] == namespace and k != key
                     and _owner_name(v) == name)
        limit = int(spec.get("revisionHistoryLimit", 10))
        for _, stale in old[:max(0, len(old) - limit)]:
            self.objects.pop(stale, None)

    def rollout_undo(self, name: str, namespace: str = "spinnaker",
                     to_revision: int = 0) -> dict[str, Any]:
        """``kubectl rollout undo deployment/<name> [--to-revision=N]``
        (kubectl ``polymorphichelpers/rollback.go`` DeploymentRollbacker): take the template of
        the ReplicaSet with that revision (default: the newest before the current one), drop its
        ``pod-template-hash`` label, and patch it into the Deployment as manager
        ``kubectl-rollout`` (a JSON patch of ``/spec/template``: a non-apply update)."""
        with self.lock:
            owned = sorted((int(v["metadata"]["annotations"].get(REVISION, "0")), v)
                           for k, v in self.objects.items()
                           if k[0] == "ReplicaSet" and k[1] == namespace
                           and _owner_name(v) == name)
            if len(owned) < 2 and not to_revision:
                raise ValueError(f"no rollout history found for deployment {name!r}")
            if to_revision:
                chosen = [v for n, v in owned if n == to_revision]
                if not chosen:
                    raise ValueError(f"unable to find specified revision {to_revision}")
                target = chosen[0]
            else:
                target = owned[-2][1]
            template = copy.deepcopy(target["spec"]["template"])
            template["metadata"]["labels"].pop(HASH_LABEL, None)
            live = self.objects[("Deployment", namespace, name)]
            new = copy.deepcopy(live)
            new["spec"]["template"] = template
            _, view = self._commit("Deployment", namespace, name, self.now(),
                                   manager="kubectl-rollout", new=new)
            return view

    def _replica_set_status(self, namespace: str, obj: dict[str, Any],
                            now: float) -> dict[str, Any]:
        owner = _owner_name(obj) or ""
        revision = (obj["metadata"].get("labels") or {}).get(HASH_LABEL)
        pods = [p for p in self.pods if p.namespace == namespace and p.deployment == owner
                and p.revision == revision]
        counted = [p for p in pods if p.counted(now)]
        ready = [p for p in counted if p.ready(now)]
        status: dict[str, Any] = {"replicas": len(counted),
                                  "observedGeneration": obj["metadata"].get("generation", 1)}
        if ready:
            status["readyReplicas"] = status["availableReplicas"] = len(ready)
        status["fullyLabeledReplicas"] = len(counted)
        return status

    # ------------------------------------------------------------ controller
    def _reconcile(self, namespace: str, name: str, obj: dict[str, Any],
                   old: dict[str, Any] | None, now: float, ready_now: bool) -> None:
        spec = obj["spec"]
        generation = obj["metadata"]["generation"]
        if old is not None and old["metadata"].get("generation") == generation:
            return
        work = self.workloads.setdefault((namespace, name), _Workload())
        t_obs = now + self.observe_delay
        revision = _digest(spec["template"])
        if obj["metadata"].get("deletionTimestamp"):
            # sync.go: a Deployment being deleted only gets its status synced.
            work.observed.append((t_obs, generation, work.revision))
            return
        if spec.get("paused"):
            # deployment_controller.go syncDeployment: paused -> sync() only; no new
            # ReplicaSet, so the new template has no updated replicas.
            work.observed.append((t_obs, generation, revision))
            return
        delay = self.delays.get(name, self.ready_delay) if not ready_now else 0.0
        pods = [p for p in self.pods if p.namespace == namespace and p.deployment == name
                and (p.terminating_at is None or p.terminating_at > t_obs)]
        desired = int(spec.get("replicas", 1))
        work.observed.append((t_obs, generation, revision))
        self._sync_replica_sets(namespace, name, obj, revision)
        if revision == work.revision:  # only the replica count changed
            current = [p for p in pods if p.revision == revision]
            for pod in current[desired:]:
                pod.terminating_at = t_obs
            for _ in range(desired - len(current)):
                self._new_pod(namespace, name, generation, revision, spec, t_obs, delay, work)
            return
        work.revision = revision
        work.rollout_started = t_obs
        work.problem = ""
        start = t_obs
        if (spec.get("strategy") or {}).get("type") == "Recreate":
            for pod in pods:
                pod.terminating_at = t_obs
            running = [p for p in self.pods if p.namespace == namespace
                       and p.deployment == name and p.gone_at is not None]
            start = max([t_obs, *(p.gone_at for p in running if p.gone_at is not None)])
        new = [self._new_pod(namespace, name, generation, revision, spec, start, delay, work)
               for _ in range(desired)]
        ready_at: float | None = max((p.ready_at for p in new if p.ready_at is not None),
                                     default=t_obs)
        if any(p.ready_at is None for p in new):
            ready_at = None
        if (spec.get("strategy") or {}).get("type") != "Recreate":
            for pod in pods:
                if pod.ready_at is not None and pod.ready_at <= t_obs:
                    pod.terminating_at = ready_at  # kept until the new pods are ready
                else:
                    pod.terminating_at = t_obs  # never became ready: replaced at once

    def _new_pod(self, namespace: str, name: str, generation: int, revision: str,
                 spec: dict[str, Any], start: float, delay: float | None,
                 work: _Workload) -> Pod:
        template = spec["template"]
        pod_spec = template.get("spec") or {}
        container = (pod_spec.get("containers") or [{}])[0]
        image = str(container.get("image", ""))
        app = image.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]
        env = {e.get("name"): e.get("value") for e in container.get("env") or ()}
        profiles = tuple(p for p in str(env.get("SPRING_PROFILES_ACTIVE") or "").split(",") if p)
        files, missing = self._mounted_files(namespace, pod_spec)
        if missing:
            work.problem = f'secret "{missing}" not found'
            delay = None
        config = spring_config(app, profiles, files)
        targets = {base: _service_host(_resolve(config, _lookup(config,
                                                                f"services.{base}.baseUrl")))
                   for base in ("clouddriver", "echo")}
        scheduler = False
        if app == "echo":
            flag = _resolve(config, _lookup(config, "scheduler.enabled"))
            scheduler = ("worker" not in profiles) if flag is None else str(flag).lower() == "true"
        self._pod_ids += 1
        grace = self.grace
        pod = Pod(self._pod_ids, namespace, name, generation, revision, app, profiles,
                  scheduler, targets, start, None if delay is None else start + delay, grace)
        self.pods.append(pod)
        return pod

    def _mounted_files(self, namespace: str,
                       pod_spec: dict[str, Any]) -> tuple[dict[str, str], str | None]:
        files: dict[str, str] = {}
        for volume in pod_spec.get("volumes") or ():
            source = volume.get("secret")
            if not source:
                continue
            secret = self.objects.get(("Secret", namespace, source.get("secretName", "")))
            if secret is None:
                return files, str(source.get("secretName"))
            data = _secret_bytes(secret)
            items = source.get("items")
            mapping = {i["key"]: i["path"] for i in items} if items else {k: k for k in data}
            for key, path in mapping.items():
                if key in data:
                    files[path] = data[key].decode("utf-8", "replace")
        return files, None

    # ------------------------------------------------------------ delete
    def _delete(self, kind: str, namespace: str, name: str, query: dict[str, str],
                now: float) -> tuple[int, dict[str, Any]]:
        key = (kind, namespace, name)
        obj = self.objects.get(key)
        if obj is None:
            raise _not_found(kind, name)
        policy = query.get("propagationPolicy", "Background")
        if _dry_run(query):
            return 200, self._view(kind, namespace, obj, now)  # nothing is deleted
        meta = obj["metadata"]
        if meta.get("deletionTimestamp"):
            return 200, self._view(kind, namespace, obj, now)  # already terminating
        finalizers = [f for f in meta.get("finalizers") or () if f != "foregroundDeletion"]
        if finalizers and policy != "Foreground":
            # registry/generic/registry/store.go: with finalizers the object stays, with a
            # deletionTimestamp, until the last finalizer is removed by an update.
            meta["deletionTimestamp"] = _now_iso()
            meta["deletionGracePeriodSeconds"] = 0
            self._rv += 1
            meta["resourceVersion"] = str(self._rv)
            return 200, self._view(kind, namespace, obj, now)
        if kind == "Deployment":
            pods = [p for p in self.pods if p.namespace == namespace and p.deployment == name]
            if policy != "Orphan":
                for pod in pods:
                    if pod.terminating_at is None or pod.terminating_at > now:
                        pod.terminating_at = now
            if policy == "Foreground":
                gone = max([now, *(p.gone_at or now for p in pods if p.created <= now)])
                if key in self.holds:  # e.g. a pod on an unreachable node, a stuck GC
                    held = self.holds[key]
                    gone = float("inf") if held is None else max(gone, now + held)
                meta.setdefault("deletionTimestamp", _now_iso())
                meta["deletionGracePeriodSeconds"] = 0
                meta["finalizers"] = ["foregroundDeletion", *finalizers]
                self.removal[key] = gone
                # Pods created later (a rollout not yet started) never start.
                for pod in pods:
                    if pod.created > now:
                        pod.created = pod.terminating_at = now
                        pod.grace = 0.0
                        pod.ready_at = None
                self._rv += 1
                meta["resourceVersion"] = str(self._rv)
                return 200, self._view(kind, namespace, obj, now)
        if kind == "Namespace":
            for other in [k for k in self.objects if k[1] == name]:
                self._forget(other)
        self._forget(key)
        self._rv += 1
        return 200, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                     "status": "Success", "details": {"name": name, "kind": kind}}

    def _forget(self, key: tuple[str, str, str]) -> None:
        self.objects.pop(key, None)
        self.applied.pop(key, None)
        self.removal.pop(key, None)
        if key[0] == "Deployment":
            self.workloads.pop((key[1], key[2]), None)
            for owned in [k for k, v in self.objects.items()
                          if k[0] == "ReplicaSet" and k[1] == key[1]
                          and _owner_name(v) == key[2]]:
                self.objects.pop(owned, None)  # garbage collector: dependents go too

    def _purge(self, now: float) -> None:
        for key, when in list(self.removal.items()):
            if when <= now:
                self._forget(key)

    # ------------------------------------------------------------ pods and logs
    # Read-only views of the simulated pods for ``hal deploy details|collect-logs``:
    # ``GET .../pods?labelSelector=`` and ``GET .../pods/NAME/log?container=``.
    def set_pod_log(self, deployment: str, text: str) -> None:
        """What every container of ``deployment``'s pods logs (default: a start line)."""
        with self.lock:
            logs: dict[str, str] = self.__dict__.setdefault("_pod_logs", {})
            logs[deployment] = text

    def pod_name(self, pod: Pod) -> str:
        return f"{pod.deployment}-{pod.revision[:10]}-{pod.id:05d}"

    def _pod_object(self, pod: Pod, now: float) -> dict[str, Any]:
        owner = self.objects.get(("Deployment", pod.namespace, pod.deployment)) or {}
        template = (owner.get("spec") or {}).get("template") or {}
        labels = dict((template.get("metadata") or {}).get("labels") or {})
        containers = [(c.get("name", ""), c.get("image", "")) for c in (
            template.get("spec") or {}).get("containers") or ()]
        ready = pod.ready(now)
        return {"metadata": {"name": self.pod_name(pod), "namespace": pod.namespace,
                             "labels": labels},
                "spec": {"containers": [{"name": c, "image": i} for c, i in containers]},
                "status": {"phase": "Running" if pod.alive(now) else "Succeeded",
                           "podIP": f"10.0.0.{pod.id % 250}",
                           "containerStatuses": [{"name": c, "image": i, "imageID": i,
                                                  "ready": ready, "restartCount": 0}
                                                 for c, i in containers]}}

    def _pods_get(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, Any] | str]:
        parts = [p for p in path.split("/") if p]
        if parts[:3] != ["api", "v1", "namespaces"] or len(parts) < 5 or parts[4] != "pods":
            raise _not_found_path()
        namespace, tail = parts[3], parts[5:]
        with self.lock:
            now = self.now()
            pods = [p for p in self.pods if p.namespace == namespace and p.alive(now)]
            if not tail:
                rules = parse_selector(query.get("labelSelector", ""))
                items = [obj for obj in (self._pod_object(p, now) for p in pods)
                         if _matches(obj["metadata"]["labels"], rules)]
                return 200, {"kind": "PodList", "apiVersion": "v1",
                             "metadata": {"resourceVersion": str(self._rv)}, "items": items}
            pod = next((p for p in pods if self.pod_name(p) == tail[0]), None)
            if pod is None:
                raise _not_found("Pod", tail[0])
            if tail[1:] != ["log"]:
                return 200, {"kind": "Pod", "apiVersion": "v1", **self._pod_object(pod, now)}
            logs: dict[str, str] = self.__dict__.get("_pod_logs", {})
            default = f"{pod.app} started with profiles {','.join(pod.profiles) or 'default'}\n"
            container = query.get("container", "")
            return 200, logs.get(pod.deployment, default).replace("{container}", container)


def _secret_bytes(obj: dict[str, Any]) -> dict[str, bytes]:
    data = {k: base64.b64decode(str(v)) for k, v in (obj.get("data") or {}).items()}
    for k, v in (obj.get("stringData") or {}).items():
        data[k] = str(v).encode()
    return data


def _status(failure: ApiFailure) -> dict[str, Any]:
    status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
              "message": failure.message, "reason": failure.reason, "code": failure.code}
    if failure.details is not None:
        status["details"] = failure.details
    return status


def _not_found(kind: str, name: str) -> ApiFailure:
    plural = kind.lower() + ("" if kind.endswith("s") else "s")
    return ApiFailure(404, "NotFound", f'{plural} "{name}" not found')


def _not_found_path() -> ApiFailure:
    return ApiFailure(404, "NotFound", "the server could not find the requested resource")



def _dry_run(query: dict[str, str]) -> bool:
    """``dryRun=All`` (the only value a real server accepts, ``ValidateDryRun``)."""
    value = query.get("dryRun")
    if value is None:
        return False
    if value != "All":
        raise ApiFailure(400, "BadRequest", f'dryRun: Unsupported value: "{value}": supported '
                                             'values: "All"')
    return True


def _manager(query: dict[str, str]) -> str:
    """``managerOrUserAgent`` (handlers/rest.go): the fieldManager, else the user agent's
    prefix before the first "/"."""
    manager = query.get("fieldManager") or ""
    if manager:
        return manager
    agent = query.get("__userAgent") or ""
    return agent.split("/", 1)[0][:128]


def _engine_view(obj: dict[str, Any] | None) -> dict[str, Any] | None:
    """The object as the field manager sees it: without managedFields and status."""
    if obj is None:
        return None
    view = copy.deepcopy(obj)
    view.pop("status", None)
    meta = view.get("metadata")
    if isinstance(meta, dict):
        meta.pop("managedFields", None)
    return view


def _fold_string_data(secret: dict[str, Any]) -> None:
    """v1 -> internal conversion of a Secret: ``stringData`` is written into ``data``."""
    extra = secret.pop("stringData", None) or {}
    if extra:
        data = dict(secret.get("data") or {})
        for k, v in extra.items():
            data[k] = base64.b64encode(str(v).encode()).decode()
        secret["data"] = data


def _resource_name(kind: str) -> str:
    """``deployments.apps``, ``secrets``: how errors name a resource (qualifiedResource)."""
    group = GROUPS.get(kind)
    return f"{PLURALS[kind]}.{group}" if group else PLURALS[kind]


def _gvk(kind: str) -> str:
    version = API_VERSIONS.get(kind, "v1")
    return f"{version}, Kind={kind}" if "/" in version else f"/{version}, Kind={kind}"


def _smd_failure(kind: str, namespace: str, name: str, exc: SmdError) -> ApiFailure:
    """Map the field manager's errors to the statuses kube-apiserver sends.

    Conflicts: ``NewConflictError`` -> 409 Conflict with one FieldManagerConflict cause per
    field.  A typed-conversion error (unknown field, wrong type): ``structuredmerge.go``
    "failed to create typed patch object (ns/name; gvk): ..." returned as a plain error, which
    the handler reports as 500 InternalError (kubernetes/kubernetes#122480).
    """
    if exc.kind == "conflict":
        failure = ApiFailure(409, "Conflict", exc.message)
        failure.details = {"name": name, "group": GROUPS.get(kind, ""), "kind": PLURALS[kind],
                           "causes": [{"reason": "FieldManagerConflict",
                                       "message": c["message"], "field": c["field"]}
                                      for c in exc.causes]}
        return failure
    where = f"{namespace}/{name}" if namespace else name
    if exc.kind == "typed":
        return ApiFailure(500, "InternalError",
                          f"Internal error occurred: failed to create typed patch object "
                          f"({where}; {_gvk(kind)}): {exc.message}")
    return ApiFailure(500, "InternalError", f"Internal error occurred: {exc.message}")


def _owner_name(obj: dict[str, Any]) -> str | None:
    for ref in (obj.get("metadata") or {}).get("ownerReferences") or ():
        if ref.get("kind") == "Deployment" and ref.get("controller"):
            return str(ref.get("name"))
    return None


def _strict(query: dict[str, str]) -> bool:
    value = query.get("fieldValidation", "Warn")
    if value not in ("Ignore", "Warn", "Strict"):
        raise ApiFailure(400, "BadRequest", f"fieldValidation: Unsupported value: \"{value}\": "
                                            'supported values: "Ignore", "Strict", "Warn"')
    return value == "Strict"


_PATH_ERROR = re.compile(r"^\s*(\S.*?): field not declared in schema$", re.M)
_ELEMENT = re.compile(r'\.([^.\[]+)|\[([^\]]*)\]')


def _unknown_paths(message: str) -> list[str]:
    return _PATH_ERROR.findall(message)


def _drop_path(obj: dict[str, Any], path: str) -> str:
    """Remove the field at an SMD path (``.a.b[name="x"].c``); return it as a JSON path
    with list indexes (``a.b[0].c``), the way the server's warnings name it."""
    node: Any = obj
    shown: list[str] = []
    elements = _ELEMENT.findall(path)
    for i, (field_name, key) in enumerate(elements):
        last = i == len(elements) - 1
        if field_name:
            shown.append(("." if shown else "") + field_name)
            if last:
                if isinstance(node, dict):
                    node.pop(field_name, None)
                break
            node = node.get(field_name) if isinstance(node, dict) else None
        else:
            wanted = {}
            for part in key.split(","):
                k, _, v = part.partition("=")
                wanted[k] = json.loads(v) if v else None
            items = node if isinstance(node, list) else []
            index = next((n for n, item in enumerate(items) if isinstance(item, dict) and all(
                item.get(k) == v for k, v in wanted.items())), 0)
            shown.append(f"[{index}]")
            node = items[index] if index < len(items) else None
    return "".join(shown)
