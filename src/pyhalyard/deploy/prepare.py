"""Everything a deploy learns before its first write, and the takeover that follows.

In order: the live copy of every object the deploy will apply; the server's
dry-run verdict on each (:mod:`preview`); a stop, before any change, on a field
another manager owns (unless ``--force-conflicts``), on an object the server
rejects, and on a Redis that would restart; then the takeover of Halyard's
objects (:mod:`takeover`).  Each of those steps is a plain function over a
connected :class:`~pyhalyard.deploy.kube.Kube`, so the CLI's ``--dry-run`` is the
same code without the last step.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from pyhalyard.deploy.kube import KubeError
from pyhalyard.deploy.phases import APPLY, Phase
from pyhalyard.deploy.preview import CREATE, REJECTED, Verdict, changed_fields, preview
from pyhalyard.deploy.takeover import (
    client_side_managers,
    migration_patch,
    strategy_claim,
    stub,
    untracked,
)
from pyhalyard.errors import HalError
from pyhalyard.render.bundle import Bundle, KubeObject

Key = tuple[str, str]  # (kind, name)
REDIS_SERVICES = ("redis", "redis-replica")
MANAGED_BY = "app.kubernetes.io/managed-by"
SPIN = {"app": "spin"}
LISTED_KINDS = ("Deployment", "Service", "PodDisruptionBudget")
TAKEOVER_ATTEMPTS = 5
# Namespace decisions: create it, apply it (ours), or leave it as it is (someone else's).
NS_CREATE, NS_APPLY, NS_KEEP = "create", "apply", "keep"


class Cluster(Protocol):
    def apply(self, obj: Mapping[str, Any], *, force: bool = False,
              dry_run: bool = False) -> dict[str, Any]: ...

    def get(self, kind: str, name: str,
            namespace: str | None = None) -> dict[str, Any] | None: ...

    def patch_json(self, kind: str, name: str, namespace: str | None,
                   ops: list[dict[str, Any]], *, dry_run: bool = False) -> dict[str, Any]: ...

    # Last: the method name would shadow the builtin in the annotations above.
    def list(self, kind: str, namespace: str,
             labels: Mapping[str, str] | None = None) -> list[dict[str, Any]]: ...


@dataclass
class Preparation:
    phases: list[Phase]
    live: dict[Key, dict[str, Any] | None]
    verdicts: list[Verdict] = field(default_factory=list)
    # Each Namespace the bundle names -> create, apply (ours) or keep (someone else's).
    namespace_actions: dict[str, str] = field(default_factory=dict)
    # Services left alone, with the reason (a Redis Halyard made keeps its data).
    skipped: dict[str, str] = field(default_factory=dict)
    taken_over: list[str] = field(default_factory=list)

    @property
    def refused(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.refused]


class Refused(HalError):
    """The deploy stopped before its first write; ``verdicts`` say why."""

    def __init__(self, message: str, verdicts: Iterable[Verdict] = ()) -> None:
        super().__init__(message)
        self.verdicts = list(verdicts)


def _key(obj: Mapping[str, Any]) -> Key:
    return str(obj.get("kind")), str((obj.get("metadata") or {}).get("name", ""))


def applied(bundle: Bundle, phases: Iterable[Phase]) -> list[tuple[str, KubeObject]]:
    """(service, object) for every object the phases apply, in apply order."""
    out: list[tuple[str, KubeObject]] = []
    for phase in phases:
        if phase.action != APPLY or phase.shared:
            continue
        for name in phase.services:
            out.extend((name, obj) for obj in bundle.services[name].objects)
    return out


def read_live(kube: Cluster, objects: Iterable[KubeObject], absent: Collection[str] = (),
              workers: int = 8) -> dict[Key, dict[str, Any] | None]:
    """The cluster's copy of each object (None: absent).  Deployments, Services and
    PodDisruptionBudgets come from one list per kind and namespace (label app=spin, as
    Halyard's and ours carry); whatever a list did not return, and every Secret (a list
    would carry the data of every old config Secret), is read by name.  ``absent``:
    namespaces that do not exist yet, so nothing in them does."""
    items = list(objects)
    live: dict[Key, dict[str, Any] | None] = {}
    gone = set(absent)

    def where(obj: KubeObject) -> str | None:
        meta = obj.get("metadata") or {}
        if obj.get("kind") == "Namespace":
            return None
        return str(meta.get("namespace") or "")
    for obj in items:
        if (obj.get("kind") == "Namespace" and _key(obj)[1] in gone) or where(obj) in gone:
            live[_key(obj)] = None
    for namespace in sorted({n for o in items if (n := where(o)) and n not in gone}):
        kinds = {o.get("kind") for o in items if where(o) == namespace}
        for kind in LISTED_KINDS:
            if kind in kinds:
                for obj in kube.list(kind, namespace, SPIN):
                    obj.setdefault("kind", kind)
                    live[(kind, str(obj["metadata"]["name"]))] = obj
    missing = [o for o in items if _key(o) not in live]

    def one(obj: KubeObject) -> dict[str, Any] | None:
        meta = obj.get("metadata") or {}
        return kube.get(str(obj["kind"]), str(meta["name"]), meta.get("namespace"))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        found = list(pool.map(one, missing))
    live.update({_key(o): f for o, f in zip(missing, found, strict=True)})
    return {_key(o): live[_key(o)] for o in items}


def namespace_action(live: Mapping[str, Any] | None) -> str:
    """Never relabel a Namespace pyhalyard did not create (Helm, Argo CD, a person)."""
    if live is None:
        return NS_CREATE
    labels = (live.get("metadata") or {}).get("labels") or {}
    return NS_APPLY if labels.get(MANAGED_BY) == "pyhalyard" else NS_KEEP


def namespace_state(kube: Cluster, bundle: Bundle) -> dict[str, str]:
    """What to do with each Namespace the bundle names (the deployment's, and those
    service-settings ``location`` names); an account that may not read one has been
    given it to deploy into, so it is left as it is."""
    actions: dict[str, str] = {}
    for ns_obj in bundle.shared:
        if ns_obj.get("kind") != "Namespace":
            continue
        name = _key(ns_obj)[1]
        try:
            actions[name] = namespace_action(kube.get("Namespace", name))
        except KubeError as exc:
            if exc.code != 403:
                raise
            actions[name] = NS_KEEP
    return actions


def prepare(kube: Cluster, bundle: Bundle, phases: list[Phase], ns_actions: Mapping[str, str],
            *, force: bool = False, restart_redis: bool = False, workers: int = 8,
            report_only: bool = False) -> Preparation:
    """Read, ask the server (dry run) and decide; writes nothing.  ``report_only``
    (``--dry-run``): a Redis restart becomes a rejected verdict instead of an error."""
    services = applied(bundle, phases)
    ns_objs = [o for o in bundle.shared if o.get("kind") == "Namespace"
               and ns_actions.get(_key(o)[1], NS_KEEP) != NS_KEEP]
    objects = ns_objs + [o for _, o in services]
    new = {name for name, action in ns_actions.items() if action == NS_CREATE}
    live = read_live(kube, objects, new, workers)
    prep = Preparation(phases, live, namespace_actions=dict(ns_actions))

    def judge(obj: KubeObject) -> Verdict:
        if obj.get("kind") != "Namespace" and (obj.get("metadata") or {}).get(
                "namespace") in new:
            # A namespace that does not exist yet: everything in it is new, and a dry run
            # would only answer that the namespace does not exist.
            return Verdict(*_key(obj), CREATE, message="in the new namespace")
        current = live[_key(obj)]
        return preview(kube, obj, current, force=force, moving=current is not None and (
            untracked(current) or _patch(current, obj) is not None))
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        prep.verdicts = list(pool.map(judge, objects))
    _guard_redis(prep, services, restart_redis, report_only)
    return prep


def _template(obj: Mapping[str, Any] | None) -> Any:
    return ((obj or {}).get("spec") or {}).get("template")


def _guard_redis(prep: Preparation, services: list[tuple[str, KubeObject]],
                 restart: bool, report_only: bool) -> None:
    """A Redis in the cluster keeps its data: Halyard's is left alone, ours is not restarted
    unless ``--restart-redis`` (Halyard never re-applied Redis for the same reason)."""
    verdicts = {(v.kind, v.name): v for v in prep.verdicts}
    for name in REDIS_SERVICES:
        deployment = next((o for s, o in services if s == name
                           and o.get("kind") == "Deployment"), None)
        if deployment is None:
            continue
        live = prep.live.get(_key(deployment))
        if live is None or restart:
            continue
        labels = (live.get("metadata") or {}).get("labels") or {}
        k8s_name = _key(deployment)[1]
        if client_side_managers(live) or labels.get(MANAGED_BY) != "pyhalyard":
            prep.skipped[name] = (f"{k8s_name} was deployed by Halyard (or another tool) and "
                                  "is left as it is so it keeps its data; --restart-redis "
                                  "replaces it (Redis restarts empty)")
            continue
        verdict = verdicts.get(_key(deployment))
        after = verdict.result if verdict else None
        if after is None or _template(after) == _template(live):
            continue
        fields = changed_fields(_template(live), _template(after), "spec.template")
        message = (
            f"{k8s_name} would restart and lose its data: its pod template changes "
            f"({', '.join(fields[:6])}{' ...' if len(fields) > 6 else ''}). The in-cluster "
            "Redis keeps no copy on disk, and orca's queue and running pipelines, gate's "
            "sessions and fiat's and igor's state live in it. Rerun with --restart-redis to "
            "accept that, or use an external Redis (overrideBaseUrl in "
            "service-settings/redis.yml).")
        if not report_only:
            raise Refused(message)
        prep.verdicts = [Verdict(v.kind, v.name, REJECTED, message=message)
                         if (v.kind, v.name) == _key(deployment) else v for v in prep.verdicts]
    if prep.skipped:
        prep.phases = _without(prep.phases, set(prep.skipped))
        prep.verdicts = [v for v in prep.verdicts
                         if not any(_key(o) == (v.kind, v.name)
                                    for s, o in services if s in prep.skipped)]


def _without(phases: list[Phase], skipped: set[str]) -> list[Phase]:
    kept = []
    for phase in phases:
        if phase.action == APPLY and not phase.shared:
            phase = replace(phase, services=tuple(s for s in phase.services
                                                  if s not in skipped))
        if phase.shared or phase.services:
            kept.append(phase)
    return kept


def refusal(prep: Preparation, force: bool) -> Refused | None:
    """Conflicts and rejections, one line each, with how to proceed."""
    refused = prep.refused
    if not refused:
        return None
    conflicts = [c for v in refused for c in v.conflicts]
    rejected = [v for v in refused if v.action == REJECTED]
    lines = ["nothing was changed: the API server "
             + " and ".join(part for part in (
                 f"reports {len(conflicts)} field{'s' if len(conflicts) != 1 else ''} "
                 "owned by another manager" if conflicts else "",
                 f"would reject {len(rejected)} object{'s' if len(rejected) != 1 else ''}"
                 if rejected else "") if part)]
    lines += [f"  {c.line()}" for c in conflicts]
    lines += [f"  {v.kind}/{v.name}: rejected: {v.message}" for v in rejected]
    if conflicts and not force:
        lines.append("Someone changed these fields by hand (kubectl edit/patch/scale) or another "
                     "tool owns them. Put the value into the halconfig (a Service's type: "
                     "service-settings/<service>.yml kubernetes.serviceType, "
                     "serviceAnnotations, nodePort; replicas: hal config deploy "
                     "component-sizing <service> edit --replicas N) and rerun, or rerun with "
                     "--force-conflicts to overwrite them with the rendered values.")
    return Refused("\n".join(lines), refused)


def _patch(live: Mapping[str, Any], rendered: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    claim = strategy_claim(live, rendered)
    return migration_patch(live, [claim] if claim else [])


def take_over(kube: Cluster, bundle: Bundle, prep: Preparation, *,
              dry_run: bool = False, workers: int = 8) -> list[str]:
    """Hand every applied object Halyard's kubectl wrote to pyhalyard (managed fields only),
    several objects at once; the names of the objects that moved, in apply order."""
    objects = [obj for _, obj in applied(bundle, prep.phases)]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        moved = list(pool.map(lambda obj: take_over_object(kube, obj, prep.live.get(_key(obj)),
                                                         dry_run), objects))
    prep.taken_over = [f"{k}/{n}" for (k, n), m in zip(map(_key, objects), moved, strict=True)
                       if m]
    return prep.taken_over


def take_over_object(kube: Cluster, obj: KubeObject, live: dict[str, Any] | None,
                     dry_run: bool) -> bool:
    """Move one object's client-side-apply ownership to pyhalyard; True if a patch was sent.
    A refused resourceVersion test means someone wrote the object in between: read it
    again and recompute, so their change is kept."""
    if live is None or (live.get("metadata") or {}).get("deletionTimestamp"):
        return False  # a terminating object is re-created, never patched
    kind, name = _key(obj)
    namespace = (obj.get("metadata") or {}).get("namespace")
    if untracked(live):
        recorded = kube.apply(stub(obj), dry_run=dry_run)
        if dry_run:
            return True  # the records the takeover would move exist only after that apply
        live = recorded
    for attempt in range(TAKEOVER_ATTEMPTS):
        patch = _patch(live, obj)
        if patch is None:
            return False
        try:
            kube.patch_json(kind, name, namespace, patch, dry_run=dry_run)
            return True
        except KubeError as exc:
            # The resourceVersion test failed: someone wrote it in between; read again.
            if exc.code not in (409, 422) or attempt + 1 >= TAKEOVER_ATTEMPTS:
                raise
            time.sleep(0.05 * (attempt + 1))
            fresh = kube.get(kind, name, namespace)
            if fresh is None:
                return False
            live = fresh
    return False


