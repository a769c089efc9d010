"""Benchmark one config edit, ``hal config deploy ha clouddriver enable``, against a floor.

Each measurement is a fresh process, as a user runs it: the ``hal`` console
script of this interpreter (interpreter start, imports, lock, load, edit,
validate, backup, atomic write).  Runs alternate ``enable`` and ``disable`` so
every run really rewrites the file (validation on, no ``--no-validate``).

The floor, measured in the same run and interleaved with it, is a bare
``python -c`` that imports PyYAML and loads (CSafeLoader) and dumps
(CSafeDumper) the same file: what any Python tool pays to read and write it.

Configs are Halyard-shaped: the real Halyard config in shared/realworld with its
single Kubernetes account replaced by N accounts of the same shape.

Both commands run with bytecode caching on (``PYTHONDONTWRITEBYTECODE`` removed,
caches under a temporary ``PYTHONPYCACHEPREFIX``), as after ``pip install``;
an environment that forbids .pyc files would otherwise make hal recompile its
own modules (~30 ms) on every run.  "python start" is ``python -c pass``, the
part of both numbers no Python program can avoid on this machine.

Targets (issue 2): <= 2x the floor and <= 100 ms with 50 accounts; <= 1 s with 2,000.
A second row times a command generated from the command table (issue 13),
``hal config artifact github enable|disable``, against the same targets: the
table must stay lazy (only the rows of one area imported, one group built).

    python bench/bench_config_edit.py [--runs 15] [--accounts 50 2000]

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

ROOT = Path(__file__).resolve().parent.parent
REALWORLD = ROOT.parent / "shared" / "realworld" / "opsmx-standard-gitops-halyard" / "config"
ACCOUNT_START = "      - name: default\n        requiredGroupMembership"
ACCOUNT_END = "      primaryAccount: default"
FLOOR = ("import sys, yaml\n"
         "text = open(sys.argv[1], encoding='utf-8').read()\n"
         "data = yaml.load(text, Loader=yaml.CSafeLoader)\n"
         "yaml.dump(data, Dumper=yaml.CSafeDumper)\n")
# (accounts, absolute target in seconds, max ratio to the floor or None)
TARGETS = {50: (0.100, 2.0), 2000: (1.0, None)}
# What is timed: (label, command words before enable|disable, sizes it runs on)
COMMANDS = (
    ("ha clouddriver enable", ["config", "deploy", "ha", "clouddriver"], None),
    ("artifact github enable (table)", ["config", "artifact", "github"], (50,)),
    ("canary prometheus enable (table)", ["config", "canary", "prometheus"], (50,)),
)


def make_config(accounts: int) -> str:
    """The Halyard config with ``accounts`` Kubernetes accounts shaped like its own."""
    text = REALWORLD.read_text(encoding="utf-8")
    start = text.index(ACCOUNT_START)
    end = text.index(ACCOUNT_END)
    entry = text[start:end]
    names = ["default"] + [f"k8s-{i:04d}" for i in range(1, accounts)]
    body = "".join(entry.replace("name: default", f"name: {name}", 1)
                   .replace("context: default", f"context: {name}-context")
                   for name in names)
    return text[:start] + body + text[end:]


def hal_command() -> list[str]:
    """This interpreter's console script (not a pyenv shim, which adds a bash start)."""
    script = Path(sys.executable).parent / "hal"
    if script.exists():
        return [str(script)]
    found = shutil.which("hal")
    return [found] if found else [sys.executable, "-m", "pyhalyard"]


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr}")
    return elapsed


def child_env(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(NO_COLOR="1", PYTHONPYCACHEPREFIX=str(work / "pycache"))
    return env


def measure(accounts: int, runs: int, work: Path,
            words: list[str]) -> tuple[int, float, float]:
    hal_dir = work / f"hal-{accounts}-{'-'.join(words)}"
    hal_dir.mkdir()
    config = hal_dir / "config"
    config.write_text(make_config(accounts), encoding="utf-8")
    config.chmod(0o600)
    env = child_env(work)
    hal = [*hal_command(), "--hal-dir", str(hal_dir), *words]
    floor = [sys.executable, "-c", FLOOR, str(config)]
    timed(floor, env)  # warm the page cache and .pyc files for both
    timed([*hal, "disable"], env)
    base_count = config.read_text(encoding="utf-8").count("enabled: true")
    floor_times, hal_times = [], []
    for i in range(runs):
        floor_times.append(timed(floor, env))
        hal_times.append(timed([*hal, "enable" if i % 2 == 0 else "disable"], env))
    text = config.read_text(encoding="utf-8")
    assert (text.count("enabled: true") > base_count) == (runs % 2 == 1), \
        "the edits did not land"
    return config.stat().st_size, statistics.median(floor_times), statistics.median(hal_times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--accounts", type=int, nargs="+", default=sorted(TARGETS))
    args = parser.parse_args()
    missed = False
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-config-edit-") as tmp:
        start = statistics.median(timed([sys.executable, "-c", "pass"], child_env(Path(tmp)))
                                  for _ in range(args.runs))
        for (label, words, sizes), accounts in ((c, n) for c in COMMANDS
                                                for n in args.accounts):
            if sizes is not None and accounts not in sizes:
                continue
            size, floor, hal = measure(accounts, args.runs, Path(tmp), words)
            limit, ratio_limit = TARGETS.get(accounts, (None, None))
            ok = (limit is None or hal <= limit) and \
                (ratio_limit is None or hal <= ratio_limit * floor)
            missed |= not ok
            target = " and ".join(t for t in (
                f"<= {limit * 1000:.0f} ms" if limit is not None else "",
                f"<= {ratio_limit:g}x floor" if ratio_limit is not None else "") if t)
            rows.append((label, f"{accounts:,}", f"{size / 1024:,.0f} KiB",
                         f"{floor * 1000:.0f} ms",
                         f"{hal * 1000:.0f} ms", f"{hal / floor:.2f}x", target or "-",
                         "yes" if ok else "NO"))
    header = ("hal config ...", "accounts", "config", "floor (load+dump)", "hal", "ratio",
              "target", "met")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(f"median of {args.runs} runs; python {sys.version.split()[0]}; {os.cpu_count()} CPUs; "
          f"python start {start * 1000:.0f} ms")
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
