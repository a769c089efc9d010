"""A Kubernetes API server DOUBLE for the deploy tests: real HTTP on a loopback port.

It implements exactly the calls pyhalyard makes, for the kinds it renders
(Namespace, Secret, Service, Deployment, PodDisruptionBudget): server-side
apply (PATCH, ``application/apply-patch+yaml``), GET, LIST with a label
selector, and DELETE (background or foreground).  It refuses malformed requests
the way a real API server does: 401 without the kubeconfig's token, 415 for any
other content type, 422 for an apply without ``fieldManager``, 400 when the
name or namespace in the body contradicts the URL, 404 for an unknown resource
or a missing namespace, 422 for a changed immutable Secret or a selector that
does not match the pod template.

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

APPLY_TYPE = "application/apply-patch+yaml"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# (group, version, plural) -> (kind, namespaced)
RESOURCES: dict[tuple[str, str, str], tuple[str, bool]] = {
    ("", "v1", "namespaces"): ("Namespace", False),
    ("", "v1", "secrets"): ("Secret", True),
    ("", "v1", "services"): ("Service", True),
    ("apps", "v1", "deployments"): ("Deployment", True),
    ("policy", "v1", "poddisruptionbudgets"): ("PodDisruptionBudget", True),
}


class ApiFailure(Exception):
    def __init__(self, code: int, reason: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.headers = headers or {}


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
                 observe_delay: float = 0.005, token: str = "double-token") -> None:
        self.ready_delay = ready_delay
        self.grace = grace
        self.observe_delay = observe_delay
        self.token = token
        self.delays: dict[str, float | None] = {}
        self.objects: dict[tuple[str, str, str], dict[str, Any]] = {}  # (kind, ns, name)
        self.applied: dict[tuple[str, str, str], Any] = {}  # last applied configuration
        self.workloads: dict[tuple[str, str], _Workload] = {}
        self.removal: dict[tuple[str, str, str], float] = {}  # foreground deletions
        self.pods: list[Pod] = []
        self.requests: list[tuple[str, str, int]] = []
        self.faults: list[Fault] = []
        self.lock = threading.RLock()
        self._rv = 0
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

    def seed(self, obj: dict[str, Any]) -> None:
        """Create an object as another tool would (e.g. Halyard's Deployment), ready at once."""
        kind = obj["kind"]
        meta = obj["metadata"]
        namespace = meta.get("namespace", "") if kind != "Namespace" else ""
        with self.lock:
            self._store(kind, namespace, meta["name"], copy.deepcopy(obj), "kubectl",
                        self.now() - 1.0, ready_now=True)

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
        if method == "GET" and "/pods" in path:  # read-only pods: see "pods and logs" below
            return self._pods_get(path, query)
        kind, namespaced, namespace, name, _ = self._route(path)
        with self.lock:
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
        api_version = {"Deployment": "apps/v1", "PodDisruptionBudget": "policy/v1"}.get(kind, "v1")
        return {"kind": f"{kind}List", "apiVersion": api_version,
                "metadata": {"resourceVersion": str(self._rv)}, "items": items}

    def _view(self, kind: str, namespace: str, obj: dict[str, Any], now: float) -> dict[str, Any]:
        view = copy.deepcopy(obj)
        if kind == "Deployment":
            view["status"] = self._status(namespace, view, now)
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
        if done:
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

    # ------------------------------------------------------------ apply
    def _apply(self, kind: str, namespaced: bool, namespace: str, name: str,
               query: dict[str, str], content_type: str, body: bytes,
               now: float) -> tuple[int, dict[str, Any]]:
        media = content_type.split(";")[0].strip()
        if media != APPLY_TYPE:
            raise ApiFailure(415, "UnsupportedMediaType",
                             f"the body of the request was in an unknown format - accepted "
                             f"media types include: {APPLY_TYPE}")
        manager = query.get("fieldManager", "")
        if not manager:
            raise ApiFailure(422, "Invalid", 'PatchOptions.meta.k8s.io "" is invalid: '
                                             "fieldManager: Required value: is required for "
                                             "apply patch")
        try:
            text = body.decode("utf-8")
            try:
                obj = json.loads(text)  # JSON is YAML; the fast path for what clients send
            except ValueError:
                obj = yaml.load(text, Loader=_LOADER)
        except (UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ApiFailure(400, "BadRequest", f"error decoding YAML: {exc}") from None
        if not isinstance(obj, dict):
            raise ApiFailure(400, "BadRequest", "the body is not an object")
        expected = {"Deployment": "apps/v1", "PodDisruptionBudget": "policy/v1"}.get(kind, "v1")
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
        self._validate(kind, namespace, name, obj)
        key = (kind, namespace, name)
        created = key not in self.objects
        self._store(kind, namespace, name, obj, manager, now)
        return (201 if created else 200), self._view(kind, namespace, self.objects[key], now)

    def _validate(self, kind: str, namespace: str, name: str, obj: dict[str, Any]) -> None:
        old = self.objects.get((kind, namespace, name))
        if kind == "Secret":
            for key, value in (obj.get("data") or {}).items():
                try:
                    base64.b64decode(str(value), validate=True)
                except ValueError:
                    raise ApiFailure(422, "Invalid", f'Secret "{name}" is invalid: '
                                                     f"data[{key}]: Invalid value: not base64"
                                     ) from None
            if old is not None and old.get("immutable") and (
                    _secret_bytes(old) != _secret_bytes(obj)):
                raise ApiFailure(422, "Invalid", f'Secret "{name}" is invalid: data: '
                                                 "Forbidden: field is immutable when "
                                                 "`immutable` is set")
        if kind == "Deployment":
            spec = obj.get("spec") or {}
            match = (spec.get("selector") or {}).get("matchLabels") or {}
            labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
            if not match or any(labels.get(k) != v for k, v in match.items()):
                raise ApiFailure(422, "Invalid", f'Deployment.apps "{name}" is invalid: '
                                                 "spec.template.metadata.labels: Invalid "
                                                 "value: `selector` does not match template "
                                                 "`labels`")
            if old is not None and old["spec"].get("selector") != spec.get("selector"):
                raise ApiFailure(422, "Invalid", f'Deployment.apps "{name}" is invalid: '
                                                 "spec.selector: field is immutable")

    def _store(self, kind: str, namespace: str, name: str, obj: dict[str, Any], manager: str,
               now: float, ready_now: bool = False) -> None:
        key = (kind, namespace, name)
        old = self.objects.get(key)
        config = copy.deepcopy(obj)
        config.pop("status", None)
        if old is not None and self.applied.get(key) == config:
            return  # server-side apply of the same configuration: nothing changes
        self.applied[key] = copy.deepcopy(config)
        self._rv += 1
        meta = config.setdefault("metadata", {})
        if kind == "Secret":
            data = dict(config.get("data") or {})
            for k, v in (config.pop("stringData", None) or {}).items():
                data[k] = base64.b64encode(str(v).encode()).decode()
            config["data"] = data
            config.setdefault("type", "Opaque")
        if kind == "Deployment":
            spec = config.setdefault("spec", {})
            spec.setdefault("replicas", 1)
            spec.setdefault("strategy", {"type": "RollingUpdate", "rollingUpdate": {
                "maxSurge": "25%", "maxUnavailable": "25%"}})
            spec.setdefault("revisionHistoryLimit", 10)
            spec.setdefault("progressDeadlineSeconds", 600)
        old_meta = (old or {}).get("metadata") or {}
        meta["uid"] = old_meta.get("uid") or f"uid-{self._rv}"
        meta["creationTimestamp"] = old_meta.get("creationTimestamp") or _now_iso()
        meta["resourceVersion"] = str(self._rv)
        meta["managedFields"] = [{"manager": manager, "operation": "Apply",
                                  "apiVersion": config.get("apiVersion"),
                                  "fieldsType": "FieldsV1"}]
        if kind in ("Deployment", "PodDisruptionBudget"):
            generation = int(old_meta.get("generation") or 0)
            if old is None or old.get("spec") != config.get("spec"):
                generation += 1
            meta["generation"] = generation
        self.objects[key] = config
        if kind == "Deployment":
            self._reconcile(namespace, name, config, old, now, ready_now)

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
        delay = self.delays.get(name, self.ready_delay) if not ready_now else 0.0
        pods = [p for p in self.pods if p.namespace == namespace and p.deployment == name
                and (p.terminating_at is None or p.terminating_at > t_obs)]
        desired = int(spec.get("replicas", 1))
        work.observed.append((t_obs, generation, revision))
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
        if kind == "Deployment":
            pods = [p for p in self.pods if p.namespace == namespace and p.deployment == name]
            if policy != "Orphan":
                for pod in pods:
                    if pod.terminating_at is None or pod.terminating_at > now:
                        pod.terminating_at = now
            if policy == "Foreground":
                gone = max([now, *(p.gone_at or now for p in pods if p.created <= now)])
                meta = obj["metadata"]
                meta.setdefault("deletionTimestamp", _now_iso())
                meta["finalizers"] = ["foregroundDeletion"]
                self.removal[key] = gone
                # Pods created later (a rollout not yet started) never start.
                for pod in pods:
                    if pod.created > now:
                        pod.created = pod.terminating_at = now
                        pod.grace = 0.0
                        pod.ready_at = None
                self._rv += 1
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
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": failure.message, "reason": failure.reason, "code": failure.code}


def _not_found(kind: str, name: str) -> ApiFailure:
    plural = kind.lower() + ("" if kind.endswith("s") else "s")
    return ApiFailure(404, "NotFound", f'{plural} "{name}" not found')


def _not_found_path() -> ApiFailure:
    return ApiFailure(404, "NotFound", "the server could not find the requested resource")

