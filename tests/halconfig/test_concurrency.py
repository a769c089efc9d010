"""16 processes editing one config at once: every edit lands, the file stays valid.

Two versions: a driver calling ``store.edit`` directly (starts its edits at the
same instant through a go-file), and the real ``hal`` CLI
(``python -m pyhalyard``, exactly what the console script runs).
"""

from __future__ import annotations

import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from pyhalyard.halconfig import store
from pyhalyard.halconfig.paths import HalPaths
from tests.helpers import EXAMPLES

DRIVER = Path(__file__).with_name("edit_driver.py")
REPO = Path(__file__).resolve().parents[2]
N = 16


def start(argv: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def finish(procs: list[subprocess.Popen[str]]) -> None:
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, (out, err)


def check_dir(paths: HalPaths, edits: int) -> dict[str, Any]:
    text = paths.config.read_text()
    data = yaml.load(text, Loader=yaml.CSafeLoader)
    assert stat.S_IMODE(paths.config.stat().st_mode) == 0o600
    backups = sorted(paths.backup_dir.iterdir())
    assert len(backups) == min(edits, store.BACKUPS_KEPT)
    assert all(stat.S_IMODE(b.stat().st_mode) == 0o600 for b in backups)
    for backup in backups:  # every backup is a complete, valid config
        assert isinstance(yaml.load(backup.read_text(), Loader=yaml.CSafeLoader), dict)
    leftovers = [p.name for p in paths.root.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []
    assert isinstance(data, dict)
    return data


def test_sixteen_store_edits_at_once(tmp_path: Path) -> None:
    paths = HalPaths(tmp_path / "hal")
    shutil.copytree(EXAMPLES / "hal", paths.root)
    go = tmp_path / "go"
    procs = [start([sys.executable, str(DRIVER), str(paths.root), str(i), str(go)])
             for i in range(N)]
    time.sleep(0.5)  # let every interpreter import and wait at the line
    go.touch()
    finish(procs)
    data = check_dir(paths, N)
    sizing = data["deploymentConfigurations"][0]["deploymentEnvironment"]["customSizing"]
    assert {f"svc-{i}": {"replicas": i} for i in range(N)}.items() <= sizing.items()
    # the hand-written part is intact
    assert paths.config.read_text().startswith((EXAMPLES / "hal" / "config").read_text()
                                               .split("customSizing:")[0])


def test_sixteen_hal_processes_at_once(tmp_path: Path) -> None:
    paths = HalPaths(tmp_path / "hal")
    shutil.copytree(EXAMPLES / "hal", paths.root)
    services = ["clouddriver", "deck", "echo", "fiat", "front50", "gate", "igor", "kayenta",
                "orca", "redis", "rosco", "clouddriver-caching", "clouddriver-rw",
                "clouddriver-ro", "echo-worker", "echo-scheduler"]
    assert len(services) == N
    replicas = {name: (1 if name == "echo-scheduler" else 2 + i % 3)
                for i, name in enumerate(services)}
    hal = [sys.executable, "-m", "pyhalyard", "--hal-dir", str(paths.root)]
    procs = [start([*hal, "config", "deploy", "component-sizing", name, "edit",
                    "--replicas", str(count)]) for name, count in replicas.items()]
    finish(procs)
    data = check_dir(paths, N)
    sizing = data["deploymentConfigurations"][0]["deploymentEnvironment"]["customSizing"]
    for name, count in replicas.items():
        assert sizing[f"spin-{name}"]["replicas"] == count, name


def test_sixteen_account_adds_at_once(tmp_path: Path) -> None:
    paths = HalPaths(tmp_path / "hal")
    shutil.copytree(EXAMPLES / "hal", paths.root)
    hal = [sys.executable, "-m", "pyhalyard", "--hal-dir", str(paths.root)]
    procs = [start([*hal, "config", "provider", "kubernetes", "account", "add", f"acc-{i}",
                    "--context", f"ctx-{i}"]) for i in range(N)]
    finish(procs)
    data = check_dir(paths, N)
    accounts = data["deploymentConfigurations"][0]["providers"]["kubernetes"]["accounts"]
    names = [a["name"] for a in accounts]
    assert sorted(names[1:]) == sorted(f"acc-{i}" for i in range(N))
    assert {a["name"]: a.get("context") for a in accounts[1:]} == \
        {f"acc-{i}": f"ctx-{i}" for i in range(N)}
