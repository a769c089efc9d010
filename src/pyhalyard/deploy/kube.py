"""The one seam to the Kubernetes API.

Everything that talks to a cluster goes through :class:`Kube`: server-side
apply with field manager ``pyhalyard``, get, list by label, delete, and the
rollout state of a Deployment -- each call retried with backoff on 429, 5xx
and dropped connections.  A connection refused (or timed out) before the server
has answered anything is not retried: it means a wrong address or a cluster that
is down, and the user should hear so at once, in one line.  Objects cross this
boundary as plain dicts, so the rest of ``deploy/`` never imports lightkube: it is
imported here, lazily, only when a deploy command actually opens a connection.

Credentials come from the deploy account (``deploymentEnvironment.accountName``
-> ``providers.kubernetes.accounts[]``): its ``kubeconfigFile`` and
``context``, or the pod's service-account token when ``serviceAccount: true``.
Tests point it at a loopback API server by writing a kubeconfig file and
naming it in the account, exactly as a user would.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pyhalyard.errors import HalError
from pyhalyard.halconfig.model import Deployment

T = TypeVar("T")

FIELD_MANAGER = "pyhalyard"
DEFAULT_KUBECONFIG = "~/.kube/config"
# Seconds to open a connection: an API server answers in milliseconds, so a longer
# wait means a wrong address or a firewall, and the user should hear it quickly.
CONNECT_TIMEOUT = 5.0

# kind -> (lightkube module, class name, apiVersion, namespaced): the kinds pyhalyard renders.
KINDS: dict[str, tuple[str, str, str, bool]] = {
    "Namespace": ("lightkube.resources.core_v1", "Namespace", "v1", False),
    "Secret": ("lightkube.resources.core_v1", "Secret", "v1", True),
    "Service": ("lightkube.resources.core_v1", "Service", "v1", True),
    "Deployment": ("lightkube.resources.apps_v1", "Deployment", "apps/v1", True),
    "PodDisruptionBudget": ("lightkube.resources.policy_v1", "PodDisruptionBudget",
                            "policy/v1", True),
    # Read only: the revisions a Deployment keeps for ``kubectl rollout undo``.
    "ReplicaSet": ("lightkube.resources.apps_v1", "ReplicaSet", "apps/v1", True),
}
# Kinds a service owns in the namespace, in the order they are removed (workload first).
SERVICE_KINDS = ("Deployment", "PodDisruptionBudget", "Service", "Secret")


class KubeError(HalError):
    """The API server refused a call (or could not be reached) after every retry.

    ``reason`` and ``causes`` (field, owning manager or rule) come from the server's
    Status, so callers can tell a field-ownership conflict from a validation error.
    """

    def __init__(self, message: str, code: int | None = None, reason: str = "",
                 causes: tuple[Cause, ...] = (), server_message: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.causes = causes
        self.server_message = server_message


@dataclass(frozen=True)
class Cause:
    """One ``details.causes[]`` entry of a refusal (field paths, never Secret values)."""

    reason: str
    field: str
    message: str


@dataclass(frozen=True)
class Credentials:
    """Where the deploy account's credentials come from (no secret material itself)."""

    account: str
    kubeconfig: str | None
    context: str | None
    service_account: bool

    def kubectl_args(self) -> list[str]:
        """The same credentials as ``kubectl`` flags (for ``hal deploy connect``)."""
        args: list[str] = []
        if self.kubeconfig and not self.service_account:
            args += ["--kubeconfig", str(Path(self.kubeconfig).expanduser())]
        if self.context and not self.service_account:
            args += ["--context", self.context]
        return args


def credentials(dep: Deployment, hal_dir: Path | None = None) -> Credentials:
    """The deploy account of ``dep``; a missing or unknown account names the field to fix.

    A relative ``kubeconfigFile`` is under the hal folder (``hal_dir``), as for every file
    the config names, not under wherever ``hal`` happens to run."""
    name = dep.environment.account_name
    where = f"deploymentConfigurations[{dep.index}].deploymentEnvironment.accountName"
    if not name:
        raise HalError(f"{where}: no deploy account is set; "
                       "set one with: hal config deploy edit --account-name ACCOUNT")
    account = dep.account(name)
    if account is None:
        known = ", ".join(a.name for a in dep.kubernetes_accounts) or "none"
        raise HalError(f"{where}: no Kubernetes account named '{name}' under "
                       f"providers.kubernetes.accounts (known: {known})")
    kubeconfig = account.kubeconfig_file
    if kubeconfig and hal_dir is not None:
        from pyhalyard.required_files import host_path

        kubeconfig = host_path(kubeconfig, str(hal_dir.resolve()))
    return Credentials(account=name, kubeconfig=kubeconfig,
                       context=account.context, service_account=account.service_account)


@dataclass(frozen=True)
class Retry:
    """Backoff for transient failures: 429, 5xx and connections that drop."""

    attempts: int = 6
    base: float = 0.2
    cap: float = 5.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        backoff: float = min(self.cap, self.base * (2 ** attempt)) * random.uniform(0.8, 1.2)
        if retry_after is not None:
            backoff = max(backoff, min(retry_after, self.cap))
        return backoff


DEFAULT_RETRY = Retry()


@dataclass(frozen=True)
class Condition:
    type: str
    status: str
    reason: str
    message: str

    def __str__(self) -> str:
        text = f"{self.type}={self.status}"
        if self.reason:
            text += f" ({self.reason})"
        return f"{text}: {self.message}" if self.message else text


@dataclass(frozen=True)
class Rollout:
    """A Deployment's rollout, judged only from its own status for its current generation."""

    name: str
    generation: int
    observed_generation: int
    desired: int
    replicas: int  # status.replicas: non-terminated pods of every ReplicaSet, old and new
    updated: int
    ready: int
    available: int
    conditions: tuple[Condition, ...]
    deleting: bool
    # strategy Recreate: every old pod is gone before a new one starts (a gap, never an overlap)
    recreate: bool = False
    paused: bool = False  # kubectl rollout pause: the controller makes no new ReplicaSet

    @classmethod
    def from_object(cls, obj: Mapping[str, Any]) -> Rollout:
        meta = obj.get("metadata") or {}
        spec = obj.get("spec") or {}
        status = obj.get("status") or {}
        desired = spec.get("replicas")
        return cls(
            name=str(meta.get("name", "")),
            generation=int(meta.get("generation") or 0),
            observed_generation=int(status.get("observedGeneration") or 0),
            desired=1 if desired is None else int(desired),
            replicas=int(status.get("replicas") or 0),
            updated=int(status.get("updatedReplicas") or 0),
            ready=int(status.get("readyReplicas") or 0),
            available=int(status.get("availableReplicas") or 0),
            conditions=tuple(
                Condition(str(c.get("type", "")), str(c.get("status", "")),
                          str(c.get("reason") or ""), str(c.get("message") or ""))
                for c in status.get("conditions") or ()),
            deleting=bool(meta.get("deletionTimestamp")),
            recreate=(spec.get("strategy") or {}).get("type") == "Recreate",
            paused=bool(spec.get("paused")),
        )

    @property
    def observed(self) -> bool:
        return self.observed_generation >= self.generation

    @property
    def complete(self) -> bool:
        """The new ReplicaSet has every replica available and no old pod is left."""
        return (self.observed and not self.deleting
                and self.updated == self.desired
                and self.available >= self.desired
                and self.replicas == self.updated)

    @property
    def stalled(self) -> Condition | None:
        """The controller gave up (progressDeadlineSeconds passed): waiting longer is pointless."""
        for cond in self.conditions:
            if (cond.type == "Progressing" and cond.status == "False"
                    and cond.reason == "ProgressDeadlineExceeded" and self.observed):
                return cond
        return None

    @property
    def last_condition(self) -> Condition | None:
        """The condition most worth showing: a failing one first."""
        failing = [c for c in self.conditions if c.status != "True"]
        if failing:
            return failing[-1]
        return self.conditions[-1] if self.conditions else None

    def summary(self) -> str:
        if not self.observed:
            return f"waiting for the controller to see generation {self.generation}"
        text = (f"{self.updated}/{self.desired} updated, "
                f"{self.available}/{self.desired} available")
        old = self.replicas - self.updated
        if old > 0:
            text += f", {old} old pod{'s' if old != 1 else ''} left"
        return text


def check_credentials(creds: Credentials) -> None:
    """Read the account's kubeconfig (no network): a missing file or context fails here,
    before anything slower (Redis checks, rendering) has run or printed."""
    _load_config(creds)


def _load_config(creds: Credentials) -> Any:
    from lightkube.config.kubeconfig import KubeConfig
    from lightkube.core.exceptions import ConfigError as LightkubeConfigError

    source = "in-cluster service account" if creds.service_account else ""
    try:
        if creds.service_account:
            return KubeConfig.from_service_account().get()
        path = creds.kubeconfig or _env_kubeconfig() or DEFAULT_KUBECONFIG
        source = str(Path(path).expanduser())
        return KubeConfig.from_file(source).get(creds.context)
    except KeyError as exc:
        raise HalError(f"account '{creds.account}': {source} is not usable "
                       f"(missing {exc}); is pyhalyard running inside a pod?") from None
    except (LightkubeConfigError, OSError, ValueError, TypeError) as exc:
        raise HalError(f"account '{creds.account}': cannot load credentials from {source}: "
                       f"{exc}") from None


def _env_kubeconfig() -> str | None:
    value = os.environ.get("KUBECONFIG")
    if not value:
        return None
    candidates = [p for p in value.split(os.pathsep) if p]
    return next((p for p in candidates if Path(p).expanduser().is_file()), candidates[0])


def _resource(kind: str) -> tuple[type[Any], bool]:
    try:
        module, name, _, namespaced = KINDS[kind]
    except KeyError:
        raise HalError(f"cannot handle kind '{kind}': pyhalyard deploys only "
                       f"{', '.join(KINDS)}") from None
    return getattr(importlib.import_module(module), name), namespaced


def _http() -> Any:
    """lightkube's HTTP library: httpx2 from lightkube 1.0 on, httpx before."""
    for name in ("httpx2", "httpx"):  # httpx: lightkube < 1.0
        try:
            return importlib.import_module(name)
        except ImportError:
            continue
    raise HalError("lightkube's HTTP library (httpx2 or httpx) is not installed")


def _to_dict(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict):
        return obj
    result: dict[str, Any] = obj.to_dict()
    return result


class Kube:
    """A connected API client: every call retried, every failure a :class:`KubeError`."""

    def __init__(self, client: Any, retry: Retry | None = None,
                 server: str = "the cluster", context: str | None = None) -> None:
        self._client = client
        self.retry = retry or DEFAULT_RETRY
        self.server = server
        self.context = context
        # Whether the API server has answered anything yet.  Until it has, a refused or
        # timed-out connection means a wrong address or a cluster that is down, not a
        # blip: retrying only makes the user wait seconds for the same one-line error.
        self._answered = False

    @classmethod
    def connect(cls, creds: Credentials, retry: Retry | None = None) -> Kube:
        from lightkube import Client

        config = _load_config(creds)
        if config.user is None:
            raise HalError(f"account '{creds.account}': context '{config.context_name}' has no "
                           "user; add one to the kubeconfig")
        try:
            client = Client(config=config, field_manager=FIELD_MANAGER,
                            timeout=_http().Timeout(30.0, connect=CONNECT_TIMEOUT))
        except (OSError, ValueError) as exc:
            raise HalError(f"account '{creds.account}': cannot connect to "
                           f"{config.cluster.server}: {exc}") from None
        return cls(client, retry, server=str(config.cluster.server),
                   context=config.context_name)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Kube:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ calls
    def apply(self, obj: Mapping[str, Any], *, force: bool = False,
              dry_run: bool = False) -> dict[str, Any]:
        """Server-side apply as manager ``pyhalyard``.  Without ``force`` a field another
        manager owns with a different value is a 409 conflict, not silently taken."""
        from lightkube.types import PatchType

        kind = str(obj.get("kind"))
        res, namespaced = _resource(kind)
        meta = obj.get("metadata") or {}
        name = str(meta.get("name", ""))
        namespace = meta.get("namespace") if namespaced else None
        if namespaced and not namespace:
            raise HalError(f"{kind}/{name}: a namespaced object without metadata.namespace")
        body = dict(obj)
        # A refusal of a Secret may quote its values: keep only the status code and reason.
        return self._call(f"apply {kind}/{name}", lambda: _to_dict(self._client.patch(
            res, name, body, namespace=namespace, patch_type=PatchType.APPLY,
            field_manager=FIELD_MANAGER, force=force, dry_run=dry_run)),
            quote_server=kind != "Secret")

    def patch_json(self, kind: str, name: str, namespace: str | None,
                   ops: list[dict[str, Any]], *, dry_run: bool = False) -> dict[str, Any]:
        """A JSON patch (RFC 6902) -- used only for ``/metadata/managedFields``."""
        from lightkube.types import PatchType

        res, namespaced = _resource(kind)
        ns = namespace if namespaced else None
        return self._call(f"take over {kind}/{name}", lambda: _to_dict(self._client.patch(
            res, name, ops, namespace=ns, patch_type=PatchType.JSON,
            field_manager=FIELD_MANAGER, dry_run=dry_run)), quote_server=kind != "Secret")

    def server_version(self) -> dict[str, Any]:
        """``GET /version``: gitVersion, major, minor."""
        http = self._client._client._client  # lightkube -> generic client -> httpx client

        def read() -> dict[str, Any]:
            response = http.get("/version")
            if response.status_code < 500 and response.status_code != 429:
                # Every API server answers /version; anything else is some other web server.
                try:
                    data = response.json() if response.status_code == 200 else None
                except ValueError:
                    data = None
                if not isinstance(data, dict) or not data.get("gitVersion"):
                    if response.status_code in (401, 403):
                        response.raise_for_status()
                    raise KubeError(
                        f"read the server version: {self.server} did not answer like a "
                        f"Kubernetes API server (HTTP {response.status_code} for /version); "
                        f"check the server of context '{self.context or 'current'}' in the "
                        "kubeconfig", response.status_code)
                return data
            response.raise_for_status()
            return {}
        return self._call("read the server version", read)

    def access_review(self, verb: str, group: str, resource: str, namespace: str | None,
                      name: str | None = None) -> tuple[bool, str]:
        """May this account ``verb`` ``resource``?  (SelfSubjectAccessReview.)"""
        from lightkube.models.authorization_v1 import (
            ResourceAttributes,
            SelfSubjectAccessReviewSpec,
        )
        from lightkube.resources.authorization_v1 import SelfSubjectAccessReview

        review = SelfSubjectAccessReview(spec=SelfSubjectAccessReviewSpec(
            resourceAttributes=ResourceAttributes(verb=verb, group=group, resource=resource,
                                                  namespace=namespace, name=name)))
        answer = self._call(f"ask whether this account may {verb} {resource}",
                            lambda: _to_dict(self._client.create(review)))
        status = answer.get("status") or {}
        return bool(status.get("allowed")), str(status.get("reason") or "")

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        res, namespaced = _resource(kind)
        ns = namespace if namespaced else None
        try:
            return self._call(f"get {kind}/{name}", lambda: _to_dict(
                self._client.get(res, name, namespace=ns)))
        except KubeError as exc:
            if exc.code == 404:
                return None
            raise

    def list(self, kind: str, namespace: str,
             labels: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        res, namespaced = _resource(kind)
        selector = dict(labels) if labels else None
        kwargs: dict[str, Any] = {"labels": selector}
        if namespaced:
            kwargs["namespace"] = namespace
        return self._call(f"list {kind}", lambda: [
            _to_dict(o) for o in self._client.list(res, **kwargs)])

    def delete(self, kind: str, name: str, namespace: str | None = None, *,
               foreground: bool = False, dry_run: bool = False) -> bool:
        """Delete; False if it was already gone.  Foreground keeps it until its pods are gone."""
        from lightkube.types import CascadeType

        res, namespaced = _resource(kind)
        ns = namespace if namespaced else None
        cascade = CascadeType.FOREGROUND if foreground else CascadeType.BACKGROUND
        try:
            self._call(f"delete {kind}/{name}", lambda: self._client.delete(
                res, name, namespace=ns, cascade=cascade, dry_run=dry_run))
        except KubeError as exc:
            if exc.code == 404:
                return False
            raise
        return True

    def rollout(self, name: str, namespace: str) -> Rollout | None:
        obj = self.get("Deployment", name, namespace)
        return None if obj is None else Rollout.from_object(obj)

    # ------------------------------------------------------------ retries
    def _call(self, what: str, fn: Callable[[], T], quote_server: bool = True) -> T:
        from lightkube import ApiError

        http = _http()
        not_kubernetes: tuple[type[Exception], ...] = (KeyError, *_decode_errors())
        attempt = 0
        while True:
            code: int | None = None
            retry_after: float | None = None
            try:
                result = fn()
                self._answered = True
                return result
            except ApiError as exc:
                self._answered = True
                code = int(exc.status.code or exc.response.status_code)
                causes = _causes(exc.status)
                # RBAC refusals and field paths never quote Secret values: show them always.
                message = exc.status.message if quote_server or code == 403 else None
                if not message and causes:
                    message = f"{exc.status.reason or 'refused'}: " + ", ".join(
                        c.field or c.reason for c in causes)
                message = message or exc.status.reason or "refused"
                retry_after = _retry_after(exc.response)
                error = KubeError(f"{what}: {code} {message}", code,
                                  str(exc.status.reason or ""), causes,
                                  str(exc.status.message or "") if quote_server else "")
            except http.HTTPStatusError as exc:
                self._answered = True
                code = exc.response.status_code
                retry_after = _retry_after(exc.response)
                error = KubeError(f"{what}: HTTP {code} from {self.server}", code)
            except not_kubernetes as exc:
                # lightkube expects a Kubernetes answer: a proxy or web server at that
                # address (HTML, no Content-Type) breaks its parsing, not ours.
                status = exc.__context__ if isinstance(exc, KeyError) else None
                if isinstance(exc, KeyError) and not isinstance(status, http.HTTPStatusError):
                    raise
                self._answered = True
                if isinstance(status, http.HTTPStatusError):
                    code = status.response.status_code
                    retry_after = _retry_after(status.response)
                error = KubeError(f"{what}: {self.server} did not answer like a Kubernetes API "
                                  f"server ({f'HTTP {code}' if code else 'not JSON'}); check "
                                  f"the server of context '{self.context or 'current'}' in "
                                  "the kubeconfig")
                if code is None or not (code == 429 or code >= 500):
                    raise error from None
            except http.TransportError as exc:
                detail = str(exc) or type(exc).__name__
                error = KubeError(f"{what}: cannot reach {self.server} ({detail})")
                if not self._answered and isinstance(exc, (http.ConnectError,
                                                           http.ConnectTimeout)):
                    raise error from None
            transient = code is None or code == 429 or code >= 500
            if not transient or attempt + 1 >= self.retry.attempts:
                raise error
            time.sleep(self.retry.delay(attempt, retry_after))
            attempt += 1


def _causes(status: Any) -> tuple[Cause, ...]:
    details = getattr(status, "details", None)
    return tuple(Cause(str(c.reason or ""), str(c.field or ""), str(c.message or ""))
                 for c in (getattr(details, "causes", None) or ()))


def _decode_errors() -> tuple[type[Exception], ...]:
    """What lightkube raises when an answer is not the JSON it expects."""
    errors: list[type[Exception]] = [json.JSONDecodeError]
    try:  # lightkube >= 1.0 decodes with msgspec
        import msgspec
    except ImportError:
        return tuple(errors)
    errors.append(msgspec.DecodeError)
    return tuple(errors)


def _retry_after(response: Any) -> float | None:
    if response is None:
        return None
    value = response.headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


# ------------------------------------------------------------------ pods and logs
# Read-only calls for ``hal deploy details`` and ``hal deploy collect-logs``; kept apart
# from :class:`Kube`'s write path (pods are never applied or deleted by pyhalyard).
def list_pods(kube: Kube, namespace: str, labels: Mapping[str, str]) -> list[dict[str, Any]]:
    """The pods in ``namespace`` matching every label of ``labels``."""
    from lightkube.resources.core_v1 import Pod

    return kube._call("list Pod", lambda: [
        _to_dict(o) for o in kube._client.list(Pod, namespace=namespace, labels=dict(labels))])


def pod_log(kube: Kube, name: str, namespace: str, container: str | None = None) -> str:
    """The current log of one container of a pod (the only container when None)."""
    return kube._call(f"read log of Pod/{name}", lambda: "".join(
        kube._client.log(name, namespace=namespace, container=container)))
