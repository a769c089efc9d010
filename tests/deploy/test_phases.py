"""The safe ordering as data: which phases, in which order, for each kind of change."""

from __future__ import annotations

import pytest

from pyhalyard.deploy.phases import DELETE, Phase, plan_phases
from pyhalyard.errors import UsageError
from pyhalyard.render.bundle import Bundle, ServiceBundle

COMMON = {"deck", "front50", "gate", "orca", "rosco", "igor", "fiat", "redis"}
CD_ROLES = {"clouddriver-caching", "clouddriver-rw", "clouddriver-ro"}
ECHO_ROLES = {"echo-scheduler", "echo-worker"}


def bundle(names: set[str]) -> Bundle:
    dummy = ({"kind": "Deployment", "metadata": {"name": "x"}},)
    return Bundle("spinnaker", "2025.2.1", ({"kind": "Namespace"},),
                  {n: ServiceBundle(n, {}, dummy) for n in sorted(names)})


def table(phases: list[Phase]) -> list[tuple[str, str, set[str]]]:
    return [(p.name, p.action, set(p.services)) for p in phases]


def test_fresh_install_of_full_ha_is_three_phases() -> None:
    after = COMMON | CD_ROLES | ECHO_ROLES
    phases = plan_phases(bundle(after), set())
    assert table(phases) == [
        ("namespace", "apply", set()),
        ("redis", "apply", {"redis"}),
        ("start", "apply", after - {"redis"}),
    ]
    assert [p.waits for p in phases] == [False, True, True]


def test_clouddriver_ha_on_roles_then_callers_then_monolith_removed() -> None:
    before = COMMON | {"clouddriver", "echo"}
    phases = plan_phases(bundle(COMMON | CD_ROLES | {"echo"}), before)
    assert table(phases) == [
        ("namespace", "apply", set()),
        ("redis", "apply", {"redis"}),
        ("start", "apply", CD_ROLES | {"deck", "front50", "echo"}),
        ("callers", "apply", {"gate", "orca", "igor", "fiat", "rosco"}),
        ("retire", "delete", {"clouddriver"}),
    ]
    # clouddriver's 720 s grace is not waited out: nothing after depends on it.
    assert phases[-1].waits is False


def test_clouddriver_ha_off_is_the_mirror_image() -> None:
    before = COMMON | CD_ROLES | {"echo"}
    phases = plan_phases(bundle(COMMON | {"clouddriver", "echo"}), before)
    assert table(phases)[2:] == [
        ("start", "apply", {"clouddriver", "deck", "front50", "echo"}),
        ("callers", "apply", {"gate", "orca", "igor", "fiat", "rosco"}),
        ("retire", "delete", CD_ROLES),
    ]


def test_echo_ha_on_scheduler_starts_only_after_spin_echo_is_gone() -> None:
    before = COMMON | {"clouddriver", "echo"}
    phases = plan_phases(bundle(COMMON | {"clouddriver"} | ECHO_ROLES), before)
    assert table(phases)[2:] == [
        ("start", "apply", {"echo-worker", "clouddriver", "deck", "front50", "fiat", "rosco"}),
        ("callers", "apply", {"gate", "orca", "igor"}),
        ("retire", "delete", {"echo"}),
        ("scheduler", "apply", {"echo-scheduler"}),
    ]
    assert phases[-2].waits is True  # spin-echo's pods must be gone before the scheduler


def test_echo_ha_off_stops_the_scheduler_before_spin_echo_starts() -> None:
    before = COMMON | {"clouddriver"} | ECHO_ROLES
    phases = plan_phases(bundle(COMMON | {"clouddriver", "echo"}), before)
    assert table(phases)[2:] == [
        ("stop", "delete", {"echo-scheduler"}),
        ("start", "apply", {"echo", "clouddriver", "deck", "front50", "fiat", "rosco"}),
        ("callers", "apply", {"gate", "orca", "igor"}),
        ("retire", "delete", {"echo-worker"}),
    ]
    assert phases[2].waits is True


def test_both_on_at_once() -> None:
    before = COMMON | {"clouddriver", "echo"}
    names = [p.name for p in plan_phases(bundle(COMMON | CD_ROLES | ECHO_ROLES), before)]
    assert names == ["namespace", "redis", "start", "callers", "retire", "scheduler"]


def test_orphans_are_pruned_only_when_asked_and_protected_never() -> None:
    before = COMMON | {"clouddriver", "echo", "kayenta"}
    after = bundle(COMMON | {"clouddriver", "echo"})
    assert all(p.action != DELETE for p in plan_phases(after, before))
    pruned = plan_phases(after, before, prune=True)
    assert table(pruned)[-1] == ("retire", "delete", {"kayenta"})
    assert all(p.action != DELETE for p in plan_phases(after, before, prune=True,
                                                      protected={"kayenta"}))


def test_services_without_objects_are_never_applied_nor_deleted() -> None:
    """skipLifeCycleManagement: the bundle lists the service with no objects."""
    b = bundle(COMMON | {"clouddriver", "echo"})
    b.services["redis"] = ServiceBundle("redis", {}, ())
    phases = plan_phases(b, COMMON | {"clouddriver", "echo"}, prune=True)
    assert all("redis" not in p.services for p in phases)


def test_selection_limits_applies_and_deletes() -> None:
    before = COMMON | {"clouddriver", "echo"}
    phases = plan_phases(bundle(COMMON | CD_ROLES | {"echo"}), before, selected=CD_ROLES)
    assert table(phases) == [("namespace", "apply", set()), ("start", "apply", CD_ROLES)]


def test_selection_that_would_run_two_schedulers_is_refused() -> None:
    before = COMMON | {"clouddriver", "echo"}
    with pytest.raises(UsageError, match="echo-scheduler cannot start while spin-echo runs"):
        plan_phases(bundle(COMMON | {"clouddriver"} | ECHO_ROLES), before,
                    selected={"echo-scheduler", "echo-worker"})
