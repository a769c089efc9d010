"""Execute the phases: apply, wait for the new generation, delete, collect old Secrets.

Readiness is read from the Deployment's own status for the generation we just
wrote (observedGeneration, updatedReplicas, availableReplicas, no old replicas
left) -- never from "some pod with the label is ready", which an old pod
satisfies.  A phase whose services are not all ready stops the deploy, so the
services a later phase would have replaced keep running.  Re-applying an
unchanged bundle is a server-side no-op: no Deployment changes generation and
the wait returns at once.

Nothing is written before the server has been asked (:mod:`preflight` for its
version and this account's permissions, :mod:`prepare` for a dry run of every
object): a conflict with another field manager, a rejected object or a Redis
that would restart stops the deploy with the cluster untouched.  Then Halyard's
objects are taken over (:mod:`takeover`) and everything is applied without force
(``--force-conflicts`` forces).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pyhalyard import catalog
from pyhalyard.deploy import preflight
from pyhalyard.deploy.kube import Kube, KubeError, Rollout
from pyhalyard.deploy.phases import APPLY, DELETE, Phase, must_be_gone, plan_phases
from pyhalyard.deploy.prepare import (
    NS_APPLY,
    NS_CREATE,
    NS_KEEP,
    Preparation,
    namespace_state,
    prepare,
    refusal,
    take_over,
)
from pyhalyard.deploy.preview import Verdict
from pyhalyard.deploy.progress import Progress, SilentProgress
from pyhalyard.errors import HalError
from pyhalyard.render.bundle import Bundle, KubeObject, ServiceBundle

SPIN = {"app": "spin"}
MANAGED_BY = "app.kubernetes.io/managed-by"
CONFIG_SECRET_MARK = "-files-"
# Order of a service's objects: what the Deployment mounts and exposes exists before its pods.
APPLY_ORDER = {"Secret": 0, "Service": 1, "PodDisruptionBudget": 2, "Deployment": 9}
DELETED_KINDS = ("Deployment", "PodDisruptionBudget", "Service", "Secret")
FIRST_POLL = 0.05
SCHEDULER_GAP = ("no cron trigger fires until the new pod is ready "
                 "(Recreate: never two schedulers at once)")
POLL_GROWTH = 1.25


@dataclass(frozen=True)
class Options:
    timeout: float = 600.0  # seconds per service (Halyard: --wait-for-completion-timeout-minutes)
    concurrency: int = 8  # API requests in flight at once (waits hold none)
    max_poll: float = 2.0
    prune: bool = False
    selected: frozenset[str] | None = None
    protected: frozenset[str] = frozenset()
    force_conflicts: bool = False  # take fields other managers own (kubectl edit, other tools)
    restart_redis: bool = False  # allow a change that restarts Redis (it loses its data)
    dry_run: bool = False  # every write with dryRun=All: report, change nothing
    account: str = ""  # named in the missing-permission message
    # Namespaces earlier deploys used (history): services left there are found and pruned.
    earlier_namespaces: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Outcome:
    service: str
    phase: str
    action: str
    ok: bool
    seconds: float
    detail: str = ""
    condition: str = ""


@dataclass
class Report:
    phases: list[Phase]
    outcomes: list[Outcome] = field(default_factory=list)
    collected: list[str] = field(default_factory=list)
    failed_phase: Phase | None = None
    seconds: float = 0.0
    verdicts: list[Verdict] = field(default_factory=list)  # the server's dry-run answers
    taken_over: list[str] = field(default_factory=list)  # objects moved from Halyard's kubectl
    skipped: dict[str, str] = field(default_factory=dict)  # services left alone, and why
    deletions: list[str] = field(default_factory=list)  # dry run: what the phases would delete

    @property
    def ok(self) -> bool:
        return self.failed_phase is None

    @property
    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    def not_run(self) -> list[Phase]:
        if self.failed_phase is None:
            return []
        index = self.phases.index(self.failed_phase)
        return self.phases[index + 1:]

    def failure_text(self) -> str:
        phase = self.failed_phase
        if phase is None:
            return ""
        lines = [f"deploy stopped in phase '{phase.name}': {len(self.failures)} "
                 f"service{'s' if len(self.failures) != 1 else ''} failed"]
        for o in self.failures:
            verb = "not ready" if o.action == APPLY else "not removed"
            line = f"  spin-{o.service}: {verb} after {o.seconds:.0f}s: {o.detail}"
            if o.condition:
                line += f"; last condition: {o.condition}"
            lines.append(line)
        later = self.not_run()
        if later:
            lines.append("  not run (what they would replace is still running): " + "; ".join(
                f"{p.name} ({', '.join(p.services)})" for p in later))
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "phases": [{"name": p.name, "action": p.action, "services": list(p.services)}
                       for p in self.phases],
            "services": [{"service": o.service, "phase": o.phase, "action": o.action,
                          "ok": o.ok, "seconds": round(o.seconds, 3), "detail": o.detail,
                          "condition": o.condition} for o in self.outcomes],
            "collectedSecrets": list(self.collected),
            "takenOver": list(self.taken_over),
            "skipped": dict(self.skipped),
            "objects": [v.as_dict() for v in self.verdicts],
            **({"deletions": list(self.deletions)} if self.deletions else {}),
        }


class DeployFailed(HalError):
    """A phase did not finish; the report says which services and why."""

    def __init__(self, report: Report) -> None:
        super().__init__(report.failure_text())
        self.report = report


def running_services(kube: Kube, namespaces: str | Iterable[str],
                     denied: dict[str, KubeError] | None = None) -> dict[str, set[str]]:
    """Services with a live Deployment (not being deleted) labelled app=spin, Halyard's or
    ours, each with the namespaces it runs in.  With ``denied``, a namespace the account
    may not list is skipped and its refusal kept there (the access check then says what
    is missing, all at once)."""
    found: dict[str, set[str]] = {}
    for namespace in [namespaces] if isinstance(namespaces, str) else sorted(set(namespaces)):
        try:
            deployments = kube.list("Deployment", namespace, SPIN)
        except KubeError as exc:
            if exc.code != 403 or denied is None:
                raise
            denied[namespace] = exc
            continue
        for obj in deployments:
            meta = obj.get("metadata") or {}
            if meta.get("deletionTimestamp"):
                continue
            try:
                name = catalog.canonical_name(str(meta.get("name", "")))
            except catalog.UnknownServiceError:
                continue
            found.setdefault(name, set()).add(namespace)
    return found


def namespaces_of(bundle: Bundle) -> list[str]:
    """Every namespace the bundle puts objects in (service-settings ``location``)."""
    return sorted({bundle.namespace} | {
        str(o["metadata"]["namespace"]) for o in bundle.objects()
        if o.get("kind") != "Namespace" and (o.get("metadata") or {}).get("namespace")})


def home_of(bundle: Bundle, service: str) -> str | None:
    """The namespace the bundle puts ``service`` in (None: no objects, or not in it)."""
    sb = bundle.services.get(service)
    if sb is None or not sb.objects:
        return None
    return str((sb.objects[0].get("metadata") or {}).get("namespace") or bundle.namespace)


def stale_copies(bundle: Bundle, running: Mapping[str, set[str]]) -> dict[str, list[str]]:
    """Service -> namespaces it still runs in that the bundle no longer puts it in: where
    a delete phase removes it (everywhere, for a service the bundle does not deploy)."""
    out = {}
    for name, where in running.items():
        home = home_of(bundle, name)
        if name in bundle.services and home is None:
            continue  # enabled but managed elsewhere: never touched
        left = sorted(where - {home} if home else where)
        if left:
            out[name] = left
    return out


def deploy(kube: Kube, bundle: Bundle, options: Options | None = None,
           progress: Progress | None = None) -> Report:
    """Bring the cluster to ``bundle`` in the safe order; the report says how it went."""
    options = options or Options()
    progress = progress or SilentProgress()
    started = time.monotonic()
    preflight.check_version(kube)
    namespaces = namespaces_of(bundle)
    earlier = options.earlier_namespaces - set(namespaces)
    denied: dict[str, KubeError] = {}
    running = running_services(kube, [*namespaces, *earlier], denied)
    stale = stale_copies(bundle, running)
    moved = {name for name in stale if home_of(bundle, name)}
    phases = plan_phases(bundle, set(running), selected=options.selected, prune=options.prune,
                         protected=options.protected, moved=moved)
    throttled = _Throttled(kube, options.concurrency)
    ns_actions = namespace_state(throttled, bundle)
    _check_access(kube, bundle, phases, ns_actions, stale, options)
    refused = [denied[n] for n in namespaces if n in denied]
    if refused:
        raise refused[0]  # no access reviews on this server: the list's own refusal
    # A namespace only an earlier deploy used, that the account may no longer read, is
    # left alone (a service's old copy there, if any, stays).
    prep = prepare(throttled, bundle, phases, ns_actions, force=options.force_conflicts,
                   restart_redis=options.restart_redis, workers=options.concurrency,
                   report_only=options.dry_run)
    phases = prep.phases
    report = Report(phases, verdicts=prep.verdicts, skipped=dict(prep.skipped))
    stop = refusal(prep, options.force_conflicts)
    if options.dry_run:
        take_over(throttled, bundle, prep, dry_run=True, workers=options.concurrency)
        report.deletions = _dry_run_deletions(throttled, stale, phases, bundle.namespace)
        report.seconds = time.monotonic() - started
        return report
    if stop is not None:
        raise stop
    report.taken_over = take_over(throttled, bundle, prep, workers=options.concurrency)
    runner = _Runner(throttled, bundle, options, progress, prep, stale)
    # One thread per service of the widest phase: every rollout is awaited at once, while
    # _Throttled bounds how many requests reach the API server together.
    width = max((len(p.services) for p in phases), default=1)
    with ThreadPoolExecutor(max_workers=max(1, width)) as pool:
        for index, phase in enumerate(phases, 1):
            progress.phase(index, len(phases), phase.name, phase.why, phase.services)
            if phase.shared:
                runner.apply_shared()
                continue
            work = runner.apply_service if phase.action == APPLY else runner.delete_service
            futures = [pool.submit(work, phase, name) for name in phase.services]
            outcomes = [f.result() for f in futures]
            report.outcomes.extend(outcomes)
            if not all(o.ok for o in outcomes):
                report.failed_phase = phase
                break
    if report.ok:
        for namespace in sorted({*namespaces, *(n for where in stale.values() for n in where)}):
            keep = {str(o["metadata"]["name"]) for o in bundle.objects()
                    if o.get("kind") == "Secret" and o["metadata"].get("namespace") == namespace}
            report.collected += collect_secrets(kube, namespace, keep)
    report.seconds = time.monotonic() - started
    return report


def _check_access(kube: Kube, bundle: Bundle, phases: list[Phase], ns_actions: Mapping[str, str],
                  stale: Mapping[str, list[str]], options: Options) -> None:
    """Ask once about every verb the deploy will use, in every namespace it writes to;
    all that is missing in one message."""
    applying = {n for p in phases if p.action == APPLY and not p.shared for n in p.services}
    deleting = {n for p in phases if p.action == DELETE for n in p.services}
    verbs = {NS_CREATE: ("create", "patch"), NS_APPLY: ("patch",)}
    wanted: set[preflight.Access] = set()
    for namespace in namespaces_of(bundle):
        apply_kinds = {str(o.get("kind")) for n in applying for o in bundle.services[n].objects
                       if o["metadata"].get("namespace") == namespace}
        wanted.update(preflight.needed(
            namespace, apply_kinds=apply_kinds,
            delete_kinds=DELETED_KINDS if any(namespace in stale.get(n, ()) for n in deleting)
            else (), namespace_verbs=verbs.get(ns_actions.get(namespace, NS_KEEP), ())))
    for namespace in sorted({n for name in deleting for n in stale.get(name, ())}
                            - set(namespaces_of(bundle))):
        wanted.update(a for a in preflight.needed(namespace, apply_kinds=(),
                                                  delete_kinds=DELETED_KINDS)
                      if a.resource != "namespaces")
    try:
        missing = preflight.missing_access(kube, sorted(wanted, key=lambda a: (
            a.group, a.resource, a.verb, a.namespace or "", a.name or "")))
    except KubeError:
        return  # no access reviews on this server: each call will quote its own refusal
    if missing:
        raise HalError(preflight.access_message(options.account or "the deploy account",
                                                missing))


def _dry_run_deletions(kube: _Throttled, stale: Mapping[str, list[str]],
                       phases: list[Phase], main: str) -> list[str]:
    """The deletions of the delete phases, each sent with dryRun=All."""
    out = []
    for phase in phases:
        if phase.action != DELETE:
            continue
        for name in phase.services:
            labels = {**SPIN, "cluster": catalog.BY_NAME[name].k8s_name}
            for namespace in stale.get(name, ()):
                for kind in DELETED_KINDS:
                    for obj in kube.list(kind, namespace, labels):
                        obj_name = str(obj["metadata"]["name"])
                        kube.delete(kind, obj_name, namespace, dry_run=True)
                        out.append(f"{kind}/{obj_name}"
                                   + (f" in {namespace}" if namespace != main else ""))
    return out


class _Throttled:
    """The cluster calls of a deploy, at most ``limit`` of them in flight at once."""

    def __init__(self, kube: Kube, limit: int) -> None:
        self._kube = kube
        self._slots = threading.BoundedSemaphore(max(1, limit))

    def apply(self, obj: Mapping[str, Any], *, force: bool = False,
              dry_run: bool = False) -> dict[str, Any]:
        with self._slots:
            return self._kube.apply(obj, force=force, dry_run=dry_run)

    def patch_json(self, kind: str, name: str, namespace: str | None,
                   ops: list[dict[str, Any]], *, dry_run: bool = False) -> dict[str, Any]:
        with self._slots:
            return self._kube.patch_json(kind, name, namespace, ops, dry_run=dry_run)

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any] | None:
        with self._slots:
            return self._kube.get(kind, name, namespace)

    def list(self, kind: str, namespace: str,
             labels: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        with self._slots:
            return self._kube.list(kind, namespace, labels)

    def delete(self, kind: str, name: str, namespace: str | None = None, *,
               foreground: bool = False, dry_run: bool = False) -> bool:
        with self._slots:
            return self._kube.delete(kind, name, namespace, foreground=foreground,
                                     dry_run=dry_run)

    def rollout(self, name: str, namespace: str) -> Rollout | None:
        with self._slots:
            return self._kube.rollout(name, namespace)


class _Runner:
    def __init__(self, kube: _Throttled, bundle: Bundle, options: Options,
                 progress: Progress, prep: Preparation, stale: Mapping[str, list[str]]) -> None:
        self.kube = kube
        self.bundle = bundle
        self.options = options
        self.progress = progress
        self.prep = prep
        self.stale = stale  # service -> namespaces a delete phase removes it from

    def apply_shared(self) -> None:
        for obj in self.bundle.shared:
            if obj.get("kind") == "Namespace" and self.prep.namespace_actions.get(
                    str(obj["metadata"]["name"]), NS_KEEP) == NS_KEEP:
                continue  # not ours: never relabel a namespace someone else made
            self.kube.apply(obj, force=self.options.force_conflicts)

    # ------------------------------------------------------------ apply + wait
    def apply_service(self, phase: Phase, name: str) -> Outcome:
        start = time.monotonic()
        service: ServiceBundle = self.bundle.services[name]
        try:
            self.progress.update(name, "applying")
            for obj in ordered(service.objects):
                if obj.get("kind") == "Deployment":
                    self._wait_not_terminating(name, str(obj["metadata"]["name"]),
                                               _namespace(obj), start)
                self.kube.apply(obj, force=self.options.force_conflicts)
            rollouts = [self._wait_ready(name, str(obj["metadata"]["name"]), _namespace(obj),
                                         start)
                        for obj in service.objects if obj.get("kind") == "Deployment"]
        except KubeError as exc:
            self.progress.update(name, "failed", str(exc))
            return Outcome(name, phase.name, APPLY, False, time.monotonic() - start, str(exc))
        failed = [r for r in rollouts if not r[0]]
        seconds = time.monotonic() - start
        if failed:
            _, rollout, detail = failed[0]
            condition = str(rollout.last_condition) if rollout and rollout.last_condition else ""
            self.progress.update(name, "failed", detail)
            return Outcome(name, phase.name, APPLY, False, seconds, detail, condition)
        detail = rollouts[0][2] if rollouts else "applied"
        self.progress.update(name, "ready", detail)
        return Outcome(name, phase.name, APPLY, True, seconds, detail)

    def _wait_ready(self, service: str, deployment: str, namespace: str,
                    start: float) -> tuple[bool, Rollout | None, str]:
        deadline = start + self.options.timeout
        interval = FIRST_POLL
        while True:
            rollout = self.kube.rollout(deployment, namespace)
            if rollout is None:
                return False, None, f"Deployment {deployment} disappeared"
            if rollout.complete:
                return True, rollout, rollout.summary()
            if rollout.paused:
                return False, rollout, (
                    f"Deployment {deployment} is paused, so no new pods start; resume it: "
                    f"kubectl -n {namespace} rollout resume deployment/{deployment}")
            if rollout.recreate and service in catalog.SCHEDULERS:
                # Said, not hidden: crons pause for this gap so that none ever fires twice.
                self.progress.update(service, "recreating",
                                     f"{rollout.summary()}; {SCHEDULER_GAP}")
            else:
                self.progress.update(service, "rolling out", rollout.summary())
            if rollout.stalled:
                return False, rollout, rollout.summary()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False, rollout, rollout.summary()
            time.sleep(min(interval, remaining))
            interval = min(interval * POLL_GROWTH, self.options.max_poll)

    def _wait_not_terminating(self, service: str, deployment: str, namespace: str,
                              start: float) -> None:
        """A Deployment being deleted (foreground) is waited for, then created afresh:
        applied to, it would never become ready and then vanish."""
        live = self.kube.get("Deployment", deployment, namespace)
        if live is None or not (live.get("metadata") or {}).get("deletionTimestamp"):
            return
        if not self._wait_gone(service, deployment, namespace, start):
            raise KubeError(f"Deployment {deployment} is still being deleted (its pods are "
                            "terminating); rerun once it is gone: "
                            f"kubectl -n {namespace} get deployment {deployment}")

    # ------------------------------------------------------------ delete
    def delete_service(self, phase: Phase, name: str) -> Outcome:
        start = time.monotonic()
        labels = {**SPIN, "cluster": catalog.BY_NAME[name].k8s_name}
        try:
            self.progress.update(name, "deleting")
            # Only where the bundle no longer puts it: a service moved to another
            # namespace keeps its new copy.
            deployments = [(ns, str(o["metadata"]["name"])) for ns in self.stale.get(name, ())
                           for o in self.kube.list("Deployment", ns, labels)]
            for ns, dep in deployments:
                self.kube.delete("Deployment", dep, ns, foreground=True)
            if must_be_gone(name):
                for ns, dep in deployments:
                    if not self._wait_gone(name, dep, ns, start):
                        seconds = time.monotonic() - start
                        detail = f"Deployment {dep} still has pods terminating"
                        self.progress.update(name, "failed", detail)
                        return Outcome(name, phase.name, phase.action, False, seconds, detail)
            for ns in self.stale.get(name, ()):
                for kind in DELETED_KINDS[1:]:
                    for obj in self.kube.list(kind, ns, labels):
                        self.kube.delete(kind, str(obj["metadata"]["name"]), ns)
        except KubeError as exc:
            self.progress.update(name, "failed", str(exc))
            return Outcome(name, phase.name, phase.action, False, time.monotonic() - start,
                           str(exc))
        self.progress.update(name, "deleted")
        return Outcome(name, phase.name, phase.action, True, time.monotonic() - start, "deleted")

    def _wait_gone(self, service: str, deployment: str, namespace: str, start: float) -> bool:
        deadline = start + self.options.timeout
        interval = FIRST_POLL
        while self.kube.get("Deployment", deployment, namespace) is not None:
            self.progress.update(service, "terminating")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(interval, remaining))
            interval = min(interval * POLL_GROWTH, self.options.max_poll)
        return True


def _namespace(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("namespace") or "")


def ordered(objects: Iterable[KubeObject]) -> list[KubeObject]:
    return sorted(objects, key=lambda o: APPLY_ORDER.get(str(o.get("kind")), 5))


def secret_refs(deployment: Mapping[str, Any]) -> set[str]:
    """Names of the Secrets a Deployment's pods use (volumes, env, pull secrets)."""
    pod = ((deployment.get("spec") or {}).get("template") or {}).get("spec") or {}
    names: set[str] = set()
    for volume in pod.get("volumes") or ():
        secret = volume.get("secret") or {}
        if secret.get("secretName"):
            names.add(str(secret["secretName"]))
        for source in (volume.get("projected") or {}).get("sources") or ():
            if (source.get("secret") or {}).get("name"):
                names.add(str(source["secret"]["name"]))
    for ref in pod.get("imagePullSecrets") or ():
        if ref.get("name"):
            names.add(str(ref["name"]))
    for container in [*(pod.get("containers") or ()), *(pod.get("initContainers") or ())]:
        for env in container.get("env") or ():
            ref = (env.get("valueFrom") or {}).get("secretKeyRef") or {}
            if ref.get("name"):
                names.add(str(ref["name"]))
        for source in container.get("envFrom") or ():
            if (source.get("secretRef") or {}).get("name"):
                names.add(str(source["secretRef"]["name"]))
    return names


def collect_secrets(kube: Kube, namespace: str, keep: set[str]) -> list[str]:
    """Delete our config Secrets that neither a Deployment nor a ReplicaSet the cluster still
    keeps references: ``kubectl rollout undo`` brings an old ReplicaSet back, and its pods
    need their Secret."""
    referenced: set[str] = set(keep)
    for dep in kube.list("Deployment", namespace):
        referenced |= secret_refs(dep)
    for replica_set in kube.list("ReplicaSet", namespace):
        referenced |= secret_refs(replica_set)
    removed = []
    for secret in kube.list("Secret", namespace, {**SPIN, MANAGED_BY: "pyhalyard"}):
        name = str((secret.get("metadata") or {}).get("name", ""))
        if CONFIG_SECRET_MARK in name and name not in referenced:
            kube.delete("Secret", name, namespace)
            removed.append(name)
    return sorted(removed)


def delete_all(kube: Kube, namespace: str, skip: Iterable[str] = (),
               on_delete: Callable[[str, str], None] | None = None) -> list[str]:
    """``hal deploy clean``: every object labelled app=spin except services managed elsewhere."""
    spared = {catalog.BY_NAME[name].k8s_name for name in skip}
    removed = []
    for kind in ("Deployment", "PodDisruptionBudget", "Service", "Secret"):
        for obj in kube.list(kind, namespace, SPIN):
            meta = obj.get("metadata") or {}
            if (meta.get("labels") or {}).get("cluster") in spared:
                continue
            name = str(meta.get("name", ""))
            kube.delete(kind, name, namespace, foreground=kind == "Deployment")
            removed.append(f"{kind}/{name}")
            if on_delete:
                on_delete(kind, name)
    return removed
