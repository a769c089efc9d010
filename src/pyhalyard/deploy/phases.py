"""The safe order of a deploy, as data.

From the services running before and the bundle to apply, compute ordered
phases.  Inside a phase everything runs in parallel; a phase starts only when
the previous one finished (applied services ready, deleted ones gone), and a
failed phase stops the deploy -- so whatever a later phase would have replaced
is still running.

The HA switch (SPEC §7) falls out of three rules:

* a split family (``clouddriver`` and its roles, ``echo`` and its roles) whose
  membership changes brings the new members up first (``start``), then rolls the
  services that call it (``callers``), and only then removes the members that
  were replaced (``retire``) -- so a caller always has a ready service to talk to;
* the cron scheduler is exclusive: ``echo`` (unsplit) and ``echo-scheduler`` are
  never up together.  A replaced scheduler that nobody calls (``echo-scheduler``
  when HA goes off) is stopped before anything starts (``stop``); one that
  callers still use (``spin-echo`` when HA goes on) is retired after the callers,
  and the new scheduler waits until then (``scheduler``);
* Redis comes before the services that need it.

Without an HA change this is three phases: namespace, redis, everything else.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

from pyhalyard import catalog
from pyhalyard.errors import UsageError
from pyhalyard.render.bundle import Bundle

APPLY = "apply"
DELETE = "delete"


@dataclass(frozen=True)
class Phase:
    name: str
    action: str  # APPLY (and wait until ready) or DELETE (and wait until gone)
    services: tuple[str, ...]
    why: str
    # The bundle's shared objects (the Namespace) instead of services; nothing to wait for.
    shared: bool = False

    @property
    def waits(self) -> bool:
        """Does the phase wait for pods (a rollout, or a termination that must finish)?"""
        if self.action == APPLY:
            return bool(self.services)
        return any(must_be_gone(name) for name in self.services)


def families() -> dict[str, frozenset[str]]:
    """Each split base with its roles: the members that replace one another."""
    return {base: frozenset((base, *roles)) for base, roles in catalog.SPLITS.items()}


def exclusive_groups() -> list[frozenset[str]]:
    """Services that must never run at the same time: a singleton role and its unsplit base."""
    groups = []
    for role in sorted(catalog.SINGLETON_ROLES):
        base = catalog.split_base(role)
        groups.append(frozenset({role, base} if base else {role}))
    return groups


def must_be_gone(name: str) -> bool:
    """A removal that must finish (pods terminated) before the deploy goes on.

    Only the exclusive scheduler needs it; other replaced services stop serving
    the moment their callers switched, and waiting out clouddriver's 720 s
    termination grace would only delay the deploy.
    """
    return any(name in group for group in exclusive_groups())


def _routed_to(name: str) -> bool:
    """Do callers address this service (so it must outlive their switch)?"""
    service = catalog.BY_NAME[name]
    if not service.is_role:
        return True
    targets = {*catalog.DEFAULT_ROUTE.values(), *catalog.CALLER_ROUTES.values(),
               catalog.ORCA_READONLY_ROUTE, catalog.DECK_ROUTE}
    return name in targets


def plan_phases(bundle: Bundle, before: Iterable[str], *,
                selected: Collection[str] | None = None,
                prune: bool = False,
                protected: Collection[str] = (),
                moved: Collection[str] = ()) -> list[Phase]:
    """Ordered phases turning the services in ``before`` into ``bundle``.

    ``before`` are the services running now (canonical names).  ``selected``
    limits every action, apply and delete, to those services (None: all).
    ``prune`` also deletes services neither the bundle nor an HA switch keeps;
    ``protected`` services, and those the bundle lists without objects (enabled
    but managed elsewhere), are never touched.  ``moved`` services also run in a
    namespace the bundle no longer puts them in (service-settings ``location``
    changed): that old copy is an orphan too, removed only with ``prune`` -- after
    the callers switched to the new address, or, for the exclusive scheduler, before
    the new copy starts.
    """
    # A service with no objects is enabled but managed elsewhere (skipLifeCycleManagement).
    after = {name for name, sb in bundle.services.items() if sb.objects}
    was = set(before)
    keep = set(protected) | (set(bundle.services) - after)
    chosen = set(selected) if selected is not None else after | was

    replaced: set[str] = set()
    switching: list[str] = []
    for base, family in families().items():
        members_before, members_after = family & was, family & after
        if members_after and members_before and members_before != members_after:
            switching.append(base)
            replaced |= members_before - members_after

    callers: set[str] = set()
    for base in switching:
        callers |= {s.name for s in catalog.callers_of(base)} & after
    callers -= replaced

    stop: set[str] = set()
    deferred: set[str] = set()
    for group in exclusive_groups():
        starting = (group & after) - was
        leaving = (group & was) - after
        if not starting or not leaving:
            continue
        for previous in sorted(leaving):
            if previous not in chosen and starting & chosen:
                raise UsageError(
                    f"{', '.join(sorted(starting & chosen))} cannot start "
                    f"while spin-{previous} runs (two schedulers would fire every cron "
                    f"trigger twice); include '{previous}' in the services to deploy")
            if _routed_to(previous):
                deferred |= starting  # it serves callers until they switched
            else:
                stop.add(previous)  # nobody calls it: stop it before anything starts

    orphans = (was - after - replaced - keep) if prune else set()
    relocated = set(moved) & chosen - keep
    for name in sorted(relocated):
        if must_be_gone(name) and not prune:
            raise UsageError(
                f"spin-{name} moved to another namespace, and its old copy would keep "
                "running beside the new one (two schedulers would fire every cron trigger "
                "twice); rerun with --delete-orphaned-services to remove the old copy first")
    if prune:
        stop |= {name for name in relocated if must_be_gone(name)}
        orphans |= {name for name in relocated if not must_be_gone(name)}
    retire = (replaced - stop - keep) | orphans
    infra = {name for name in after if catalog.BY_NAME[name].base == "redis"}
    start = after - infra - callers - deferred

    def pick(names: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(set(names) & chosen))

    phases = [
        Phase("namespace", APPLY, (), "the namespace every object lives in", shared=True),
        Phase("redis", APPLY, pick(infra), "every service connects to Redis at start"),
        Phase("stop", DELETE, pick(stop),
              "the old scheduler stops before another one can start (no cron fires twice)"),
        Phase("start", APPLY, pick(start),
              "new HA members come up ready before anyone is pointed at them"
              if switching else "all services in parallel"),
        Phase("callers", APPLY, pick(callers),
              f"callers of {' and '.join(switching)} switch once the new members are ready"),
        Phase("retire", DELETE, pick(retire),
              "replaced services go only after their callers switched and are ready"
              if replaced & chosen else "services the config no longer enables"),
        Phase("scheduler", APPLY, pick(deferred),
              "the new scheduler starts only after the old one is gone"),
    ]
    return [p for p in phases if p.shared or p.services]


def managed_services(bundle: Bundle | None) -> set[str]:
    """Services whose objects pyhalyard applies (not those managed elsewhere)."""
    if bundle is None:
        return set()
    return {name for name, sb in bundle.services.items() if sb.objects}
