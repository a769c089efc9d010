"""The config transaction: lock, atomic replace, backups, modes, nothing written on failure."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from pyhalyard.errors import ConfigError, HalError
from pyhalyard.halconfig import store
from pyhalyard.halconfig.document import PathKey
from pyhalyard.halconfig.paths import HalPaths

CONFIG = """\
# hand-written, Halyard-shaped
currentDeployment: default
deploymentConfigurations:
- name: default
  version: 1.30.1
  deploymentEnvironment:
    type: Distributed   # keep this comment
    customSizing: {}
"""
SIZING: list[PathKey] = [store.DEPLOYMENTS_KEY, 0, "deploymentEnvironment", "customSizing"]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture()
def hal(tmp_path: Path) -> HalPaths:
    paths = HalPaths(tmp_path / "hal")
    paths.root.mkdir()
    paths.config.write_text(CONFIG)
    paths.config.chmod(0o644)
    return paths


def set_replicas(value: int) -> store.Change:
    def change(config: store.HalConfig) -> None:
        config.doc.set([*SIZING, "spin-gate", "replicas"], value)
    return change


def test_edit_writes_0600_and_backs_up_the_previous_bytes(hal: HalPaths) -> None:
    store.edit(hal, set_replicas(2))
    text = hal.config.read_text()
    assert text == CONFIG.replace("customSizing: {}",
                                  "customSizing:\n      spin-gate:\n        replicas: 2")
    assert mode(hal.config) == 0o600
    backups = list(hal.backup_dir.iterdir())
    assert [b.read_text() for b in backups] == [CONFIG]
    assert mode(backups[0]) == 0o600
    assert mode(hal.backup_dir) == 0o700
    assert mode(hal.lock) == 0o600
    assert sorted(p.name for p in hal.root.iterdir()) == [".backup", ".config.lock", "config"]


def test_backups_are_ordered_and_pruned(hal: HalPaths) -> None:
    for replicas in range(1, store.BACKUPS_KEPT + 4):
        store.edit(hal, set_replicas(replicas))
    backups = sorted(hal.backup_dir.iterdir())
    assert len(backups) == store.BACKUPS_KEPT
    assert "replicas: 12" in backups[-1].read_text()
    assert "replicas: 13" in hal.config.read_text()


def test_refused_edit_leaves_bytes_and_mtime(hal: HalPaths) -> None:
    os.utime(hal.config, ns=(1_000_000_000, 1_000_000_000))
    before = hal.config.stat()

    def refuse(config: store.HalConfig) -> None:
        assert config.doc.get([*SIZING, "spin-gate", "replicas"]) == 7  # sees the edit
        raise HalError("refused by the validator")

    with pytest.raises(HalError, match="refused"):
        store.edit(hal, set_replicas(7), refuse)
    after = hal.config.stat()
    assert hal.config.read_text() == CONFIG
    assert (after.st_mtime_ns, after.st_size, after.st_ino) == \
        (before.st_mtime_ns, before.st_size, before.st_ino)
    assert not hal.backup_dir.exists()
    assert mode(hal.config) == 0o644


def test_failing_change_writes_nothing(hal: HalPaths) -> None:
    def change(config: store.HalConfig) -> None:
        config.doc.set([*SIZING, "spin-gate", "replicas"], 3)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.edit(hal, change)
    assert hal.config.read_text() == CONFIG
    assert not hal.backup_dir.exists()


def test_no_op_edit_writes_nothing(hal: HalPaths) -> None:
    os.utime(hal.config, ns=(1_000_000_000, 1_000_000_000))

    def change(config: store.HalConfig) -> None:
        config.doc.set([store.DEPLOYMENTS_KEY, 0, "version"], "1.30.1")

    store.edit(hal, change)
    assert hal.config.stat().st_mtime_ns == 1_000_000_000
    assert not hal.backup_dir.exists()


def test_crlf_config_stays_crlf(hal: HalPaths) -> None:
    hal.config.write_bytes(CONFIG.replace("\n", "\r\n").encode())
    store.edit(hal, set_replicas(2))
    data = hal.config.read_bytes()
    assert b"\r\n      spin-gate:\r\n        replicas: 2\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n")


def test_symlinked_config_stays_a_symlink(hal: HalPaths, tmp_path: Path) -> None:
    real = tmp_path / "gitops" / "config"
    real.parent.mkdir()
    shutil.move(hal.config, real)
    hal.config.symlink_to(real)
    store.edit(hal, set_replicas(2))
    assert hal.config.is_symlink()
    assert "replicas: 2" in real.read_text()


def test_first_edit_on_an_empty_dir_creates_the_config(tmp_path: Path) -> None:
    paths = HalPaths(tmp_path / "new")

    def change(config: store.HalConfig) -> None:
        config.ensure_deployment("default")

    store.edit(paths, change)
    assert mode(paths.config) == 0o600
    assert store.HalConfig.load(paths).deployment_names() == ["default"]
    assert not paths.backup_dir.exists()  # there was nothing to back up


def test_lock_times_out_with_a_clear_error(hal: HalPaths) -> None:
    with store.locked(hal), pytest.raises(HalError, match="another hal command"), \
            store.locked(hal, timeout=0.05):
        pass


def test_malformed_config_is_a_config_error_and_untouched(hal: HalPaths) -> None:
    hal.config.write_text("a: [\n")
    with pytest.raises(ConfigError, match=r"config:2:1: invalid YAML"):
        store.edit(hal, set_replicas(2))
    assert hal.config.read_text() == "a: [\n"


def test_not_utf8_is_a_config_error(hal: HalPaths) -> None:
    hal.config.write_bytes(b"a: \xff\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        store.HalConfig.load(hal)


def test_atomic_write_leaves_no_temp_file_when_it_fails(tmp_path: Path) -> None:
    target = tmp_path / "config"
    with pytest.raises(TypeError):
        store.atomic_write(target, 42)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_no_deployment_on_an_empty_dir_names_the_file(tmp_path: Path) -> None:
    paths = HalPaths(tmp_path / "empty")
    config = store.HalConfig.load(paths)
    with pytest.raises(HalError, match=rf"^{paths.config}: no deployment named 'default'"):
        config.deployment()
    assert not paths.root.exists()
