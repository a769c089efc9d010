"""The unsplit spin-echo runs the cron scheduler: its own rollouts never overlap two pods.

With echo HA off, every pod of ``spin-echo`` fires cron triggers.  A RollingUpdate keeps
the old pod until the new one is ready, so every change (a version bump, an edited profile,
a new config Secret) would fire each trigger in that window twice.  ``spin-echo`` is rendered
like ``spin-echo-scheduler`` with ``strategy: Recreate`` unless echo's scheduler is
clustered (SQL-backed Quartz), and the pod timeline of the API double proves the effect.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from pyhalyard.deploy.apply import Options, deploy
from pyhalyard.deploy.kube import Kube
from pyhalyard.render.bundle import Bundle, ServiceBundle
from tests.deploy.apiserver_double import ApiServerDouble
from tests.deploy.bundles import NAMESPACE, make_bundle, make_hal, plan_for
from tests.helpers import Result, run_hal

FAST = ("--no-live-checks", "--poll-interval", "0.02")
SQL_CLUSTERED = "sql:\n  enabled: true\n  connectionPools: {}\n"


def apply(hal_dir: Path) -> Result:
    result = run_hal("deploy", "apply", *FAST, hal_dir=hal_dir)
    assert result.code == 0, result.out + result.err
    return result


def echo_strategy(hal_dir: Path) -> dict[str, Any] | None:
    from pyhalyard.halconfig.paths import HalPaths
    from pyhalyard.render.build import build_bundle

    paths = HalPaths(hal_dir)
    bundle = build_bundle(plan_for(hal_dir), paths)
    deployment = next(o for o in bundle.services["echo"].objects if o["kind"] == "Deployment")
    strategy: dict[str, Any] | None = deployment["spec"].get("strategy")
    return strategy


@pytest.fixture
def hal_dir(tmp_path: Path, kubeconfig: Path) -> Path:
    return make_hal(tmp_path, kubeconfig, clouddriver_ha=False, echo_ha=False)


def test_unsplit_echo_is_rendered_with_recreate(hal_dir: Path) -> None:
    assert echo_strategy(hal_dir) == {"type": "Recreate"}


def test_a_clustered_scheduler_keeps_rolling_updates(hal_dir: Path) -> None:
    profiles = hal_dir / "default" / "profiles"
    profiles.mkdir(parents=True, exist_ok=True)
    (profiles / "echo-local.yml").write_text(SQL_CLUSTERED)
    assert echo_strategy(hal_dir) is None  # the server's default RollingUpdate


def test_version_bump_never_runs_two_echo_schedulers(api: ApiServerDouble,
                                                     hal_dir: Path) -> None:
    apply(hal_dir)
    api.set_delay("spin-echo", 0.3)  # a rollout long enough to overlap if it could
    edit = run_hal("config", "version", "edit", "--version", "2025.0.0", hal_dir=hal_dir)
    assert edit.code == 0, edit.err
    t0 = api.now()
    second = apply(hal_dir)
    timeline = api.timeline()
    echo = timeline.of("spin-echo")
    assert len({p.revision for p in echo}) == 2  # it did roll out
    assert timeline.max_alive(lambda p: p.scheduler, since=t0) == 1
    assert not timeline.overlapped("spin-echo")
    # The gap is expected, and said.
    assert "spin-echo: recreating" in second.out
    assert "no cron trigger fires until the new pod is ready" in second.out


def test_changed_echo_profile_never_runs_two_echo_schedulers(api: ApiServerDouble,
                                                              hal_dir: Path) -> None:
    apply(hal_dir)
    profiles = hal_dir / "default" / "profiles"
    profiles.mkdir(parents=True, exist_ok=True)
    (profiles / "echo-local.yml").write_text("spinnaker:\n  baseUrl: https://deck.example\n")
    t0 = api.now()
    apply(hal_dir)
    timeline = api.timeline()
    assert len({p.revision for p in timeline.of("spin-echo")}) == 2
    assert timeline.max_alive(lambda p: p.scheduler, since=t0) == 1
    assert not timeline.overlapped("spin-echo")


def _rolling(bundle: Bundle) -> Bundle:
    """The same bundle as the renderer made it before: spin-echo with the default strategy."""
    echo = bundle.services["echo"]
    objects = copy.deepcopy(list(echo.objects))
    for obj in objects:
        if obj["kind"] == "Deployment":
            obj["spec"].pop("strategy", None)
    services = {**bundle.services, "echo": ServiceBundle("echo", echo.profiles, tuple(objects))}
    return Bundle(bundle.namespace, bundle.version, bundle.shared, services)


def test_control_the_old_rolling_strategy_does_overlap(api: ApiServerDouble, kube: Kube,
                                                       tmp_path: Path, kubeconfig: Path) -> None:
    """The check above can fail: with RollingUpdate, two schedulers run during a rollout."""
    options = Options(timeout=10.0, max_poll=0.02)
    hal = make_hal(tmp_path, kubeconfig, clouddriver_ha=False, echo_ha=False)
    plan = plan_for(hal)
    assert deploy(kube, _rolling(make_bundle(plan)), options).ok
    t0 = api.now()
    changed = make_bundle(plan, {"echo": {"echo-local.yml": "a: 1\n"}})
    assert deploy(kube, _rolling(changed), options).ok
    timeline = api.timeline()
    assert timeline.max_alive(lambda p: p.scheduler, since=t0) == 2
    assert timeline.overlapped("spin-echo")
    # ... and the bundle pyhalyard renders now does not.
    t1 = api.now()
    assert deploy(kube, make_bundle(plan), options).ok
    assert api.timeline().max_alive(lambda p: p.scheduler, since=t1) == 1
    live = api.get("Deployment", "spin-echo", NAMESPACE)["spec"]["strategy"]
    assert live["type"] == "Recreate" and "rollingUpdate" not in live
