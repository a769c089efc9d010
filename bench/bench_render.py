"""Benchmark ``hal deploy render``: whole-process wall time and peak RSS by account count.

Each measurement is a fresh ``python -m pyhalyard ... deploy render`` process (interpreter
start, imports, load, validate, plan, render, write), as a user or CI would run it.  The
config is examples/hal (both HA splits, external Redis) with N Kubernetes accounts.

Targets (issue 4): ≤ 300 ms for 50 accounts, ≤ 3 s for 2,000, and time growing no faster
than linearly.  Growth is judged on the time added above the 50-account run: going to 2,000
accounts must add at most GROWTH_LIMIT × what going to 1,000 added.  Linear growth gives
1950/950 ≈ 2.05, quadratic ≈ 4.2; the limit of 3 leaves room for timer noise on a busy machine.

    python bench/bench_render.py [--runs 5]

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
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "hal"
SIZES = (50, 1000, 2000)
TARGETS_MS = {50: 300.0, 2000: 3000.0}
GROWTH_LIMIT = 3.0


def make_hal(root: Path, accounts: int) -> Path:
    """examples/hal with ``accounts`` Kubernetes accounts (realistic fields each)."""
    hal = root / f"hal-{accounts}"
    shutil.copytree(EXAMPLE, hal)
    config = yaml.safe_load((hal / "config").read_text())
    dep = config["deploymentConfigurations"][0]
    k8s = dep["providers"]["kubernetes"]
    first = k8s["accounts"][0]
    k8s["accounts"] = [first] + [{
        "name": f"cluster-{i:04d}",
        "providerVersion": "V2",
        "context": f"ctx-{i:04d}",
        "kubeconfigFile": f"/home/spinnaker/.kube/cluster-{i:04d}.yaml",
        "namespaces": [f"team-{i % 40}", f"team-{i % 40}-staging"],
        "omitNamespaces": [],
        "onlySpinnakerManaged": True,
        "requiredGroupMembership": [],
        "permissions": {"READ": [f"team-{i % 40}"], "WRITE": [f"team-{i % 40}-admins"]},
        "cacheThreads": 1,
        "liveManifestCalls": True,
    } for i in range(accounts - 1)]
    (hal / "config").write_text(yaml.safe_dump(config, sort_keys=False))
    return hal


def run_once(hal: Path, out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one render process."""
    if out.exists():
        shutil.rmtree(out)
    argv = [sys.executable, "-m", "pyhalyard", "--hal-dir", str(hal), "deploy", "render",
            "--output-dir", str(out), "-q"]
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"render failed ({proc.returncode}): {err[:2000]}")
    return wall, usage.ru_maxrss / 1024  # Linux reports KiB


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per size (median)")
    args = parser.parse_args()
    results: dict[int, tuple[float, float, int]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-render-") as tmp:
        root = Path(tmp)
        for size in SIZES:
            hal = make_hal(root, size)
            out = root / f"out-{size}"
            run_once(hal, out)  # warm the page cache and .pyc files
            runs = [run_once(hal, out) for _ in range(args.runs)]
            wall = statistics.median(r[0] for r in runs) * 1000
            rss = max(r[1] for r in runs)
            size_bytes = sum(p.stat().st_size for p in out.iterdir())
            results[size] = (wall, rss, size_bytes)

    failures: list[str] = []
    print(f"hal deploy render (examples/hal, both HA splits), median of {args.runs} runs")
    print()
    print("| Kubernetes accounts | wall time (ms) | target (ms) | peak RSS (MiB) | output (KiB) |")
    print("|---:|---:|---:|---:|---:|")
    for size, (wall, rss, size_bytes) in results.items():
        target = TARGETS_MS.get(size)
        mark = ""
        if target is not None:
            mark = f"≤ {target:.0f}"
            if wall > target:
                failures.append(f"{size} accounts: {wall:.0f} ms > {target:.0f} ms")
        print(f"| {size:,} | {wall:.0f} | {mark or '-'} | {rss:.0f} | {size_bytes / 1024:.0f} |")

    (n0, n1, n2) = SIZES
    added_mid = results[n1][0] - results[n0][0]
    added_top = results[n2][0] - results[n0][0]
    growth = added_top / added_mid if added_mid > 0 else float("inf")
    linear = growth <= GROWTH_LIMIT
    print()
    print(f"time added above {n0} accounts: {added_mid:.0f} ms at {n1:,}, {added_top:.0f} ms at "
          f"{n2:,}: ratio {growth:.2f} (linear {(n2 - n0) / (n1 - n0):.2f}, limit "
          f"{GROWTH_LIMIT:.1f}) -> {'linear' if linear else 'FASTER THAN LINEAR'}")
    if not linear:
        failures.append("time grows faster than linearly")
    for failure in failures:
        print(f"MISSED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
