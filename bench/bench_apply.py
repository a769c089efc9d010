"""Benchmark ``hal deploy apply`` of the full HA deployment against the API double.

Every Deployment takes the same simulated time T to become ready (and a removed
scheduler T to terminate).  Each measurement is a fresh ``python -m pyhalyard
deploy apply`` process (interpreter start, imports, load, validate, plan, render,
connect, apply, wait, record history) talking real HTTP to the double on a loopback
port, with the default polling; only the Redis preflight is skipped
(``--no-live-checks``: the example's Redis hosts exist only inside a cluster).

Scenarios, all on examples/hal (clouddriver and echo split, external Redis):

* fresh:   empty cluster -> full HA.
* switch:  the same config with HA off already deployed -> full HA (the safe switch:
           roles, then callers, then spin-clouddriver/spin-echo removed, then the scheduler).
* no-op:   full HA deployed -> the same again (nothing changes, nothing restarts).
* takeover: the namespace as Halyard left it (the same services, created by client-side
           ``kubectl apply``: exec probes, Halyard's volumes and annotations) -> full HA; every
           object's ownership moves to pyhalyard before the first apply.

Target (issue 5): wall time <= (phases that wait) x T + 1 s.  The serial sum is what
applying one service after another would take: every rollout and awaited removal x T.

    python bench/bench_apply.py [--t 0.5] [--runs 3]

Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.deploy.apiserver_double import ApiServerDouble  # noqa: E402

EXAMPLE = REPO / "examples" / "hal"
NAMESPACE = "spinnaker"


@dataclass
class Run:
    wall: float
    waiting_phases: int
    rollouts: int
    awaited_removals: int
    phases: str


def make_hal(root: Path, kubeconfig: Path, ha: bool) -> Path:
    hal = root / "hal"
    if not hal.exists():
        shutil.copytree(EXAMPLE, hal)
    config = yaml.safe_load((hal / "config").read_text())
    dep = config["deploymentConfigurations"][0]
    account = dep["providers"]["kubernetes"]["accounts"][0]
    account["kubeconfigFile"] = str(kubeconfig)
    account["context"] = "double"
    dep["deploymentEnvironment"]["haServices"]["clouddriver"]["enabled"] = ha
    dep["deploymentEnvironment"]["haServices"]["echo"]["enabled"] = ha
    (hal / "config").write_text(yaml.safe_dump(config, sort_keys=False))
    return hal


def hal_apply(hal: Path) -> tuple[float, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pyhalyard", "--hal-dir", str(hal), "deploy", "apply",
         "--no-live-checks", "-o", "json"],
        capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"hal deploy apply failed ({result.returncode}):\n{result.stderr}")
    return wall, result.stdout


def measure(t: float, prepare: Callable[[ApiServerDouble, Path, Path], Path]) -> Run:
    import json

    with tempfile.TemporaryDirectory() as tmp, ApiServerDouble(
            ready_delay=t, grace=t, observe_delay=0.005) as api:
        root = Path(tmp)
        kubeconfig = api.write_kubeconfig(root / "kubeconfig")
        hal = prepare(api, root, kubeconfig)
        generations_before = {
            n: api.get("Deployment", n, NAMESPACE)["metadata"]["generation"]  # type: ignore[index]
            for n in api.names("Deployment", NAMESPACE)}
        wall, out = hal_apply(hal)
        report = json.loads(out)
        rollouts = 0
        for name in api.names("Deployment", NAMESPACE):
            obj = api.get("Deployment", name, NAMESPACE)
            assert obj is not None
            if obj["metadata"].get("deletionTimestamp"):
                continue
            if generations_before.get(name) != obj["metadata"]["generation"]:
                rollouts += 1
        scheduler_group = {"echo", "echo-scheduler"}
        awaited = sum(1 for s in report["services"] if s["action"] == "delete"
                      and s["service"] in scheduler_group)
        waiting = 0
        names = []
        for phase in report["phases"]:
            if not phase["services"]:
                continue
            waits = phase["action"] == "apply" or bool(set(phase["services"]) & scheduler_group)
            waiting += waits
            names.append(phase["name"] + ("" if waits else "*"))
        return Run(wall, waiting, rollouts, awaited, " ".join(names))


def fresh(api: ApiServerDouble, root: Path, kubeconfig: Path) -> Path:
    return make_hal(root, kubeconfig, ha=True)


def switch(api: ApiServerDouble, root: Path, kubeconfig: Path) -> Path:
    hal = make_hal(root, kubeconfig, ha=False)
    hal_apply(hal)
    return make_hal(root, kubeconfig, ha=True)


def noop(api: ApiServerDouble, root: Path, kubeconfig: Path) -> Path:
    hal = make_hal(root, kubeconfig, ha=True)
    hal_apply(hal)
    return hal


def takeover(api: ApiServerDouble, root: Path, kubeconfig: Path) -> Path:
    from tests.deploy.halyard_objects import seed_halyard

    from pyhalyard import pipeline
    from pyhalyard.halconfig.paths import HalPaths

    hal = make_hal(root, kubeconfig, ha=True)
    plan = pipeline.plan(pipeline.load(HalPaths(hal)))
    seed_halyard(api, sorted(sp.name for sp in plan.managed()), namespace=NAMESPACE)
    return hal


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--t", type=float, default=0.5, help="simulated readiness time (s)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    t = args.t
    print(f"hal deploy apply, examples/hal (full HA), T = {t:g} s per rollout, "
          f"median of {args.runs} runs\n")
    header = ("| scenario | phases (* = no wait) | waiting phases | target = phases × T + 1 s "
              "| wall time | serial sum | speed-up vs serial |")
    print(header)
    print("|---|---|---|---|---|---|---|")
    missed = False
    for name, prepare in (("fresh", fresh), ("switch", switch), ("no-op", noop),
                          ("takeover", takeover)):
        runs = [measure(t, prepare) for _ in range(args.runs)]
        wall = statistics.median(r.wall for r in runs)
        last = runs[-1]
        target = last.waiting_phases * t + 1.0
        serial = (last.rollouts + last.awaited_removals) * t
        speedup = f"{serial / wall:.1f}×" if serial else "-"
        ok = wall <= target
        missed |= not ok
        print(f"| {name} | {last.phases} | {last.waiting_phases} | {target:.2f} s "
              f"| {wall:.2f} s {'✓' if ok else '✗ MISSED'} "
              f"| {serial:.2f} s ({last.rollouts} rollouts + {last.awaited_removals} "
              f"awaited removal) | {speedup} |")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
