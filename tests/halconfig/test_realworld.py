"""A config Halyard wrote (tests/../shared/realworld): loads, and edits touch only their lines."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
import yaml

from pyhalyard.halconfig import store
from pyhalyard.halconfig.document import Document, PathKey
from pyhalyard.halconfig.paths import HalPaths
from tests.helpers import realworld, run_hal

DEP: list[PathKey] = [store.DEPLOYMENTS_KEY, 0]
CLOUDDRIVER_HA: list[PathKey] = [*DEP, "deploymentEnvironment", "haServices", "clouddriver"]


@pytest.fixture()
def hal(tmp_path: Path) -> HalPaths:
    paths = HalPaths(tmp_path / "hal")
    shutil.copytree(realworld(), paths.root)
    paths.config.chmod(0o600)
    return paths


def original() -> str:
    """The config as Halyard's team committed it."""
    return (realworld() / "config").read_text()


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                  lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_loads_like_pyyaml() -> None:
    doc = Document(original(), "config")
    assert doc.data == yaml.load(original(), Loader=yaml.CSafeLoader)
    assert doc.text == original()


def test_no_op_edit_leaves_the_file_byte_identical(hal: HalPaths) -> None:
    before = hal.config.read_bytes()
    mtime = hal.config.stat().st_mtime_ns

    def change(config: store.HalConfig) -> None:
        config.doc.set([*CLOUDDRIVER_HA, "enabled"], False)
        config.doc.set([*DEP, "providers", "kubernetes", "primaryAccount"], "default")
        config.doc.set([*DEP, "deploymentEnvironment", "customSizing"], {})

    store.edit(hal, change)
    assert hal.config.read_bytes() == before
    assert hal.config.stat().st_mtime_ns == mtime


def test_one_set_changes_exactly_one_line(hal: HalPaths) -> None:
    store.edit(hal, lambda c: c.doc.set([*CLOUDDRIVER_HA, "enabled"], True))
    assert changed_lines(original(), hal.config.read_text()) == \
        ["-        enabled: false", "+        enabled: true"]


def test_line_with_trailing_blanks_is_replaced_alone(hal: HalPaths) -> None:
    store.edit(hal, lambda c: c.doc.set([*DEP, "providers", "kubernetes", "primaryAccount"],
                                        "prod"))
    assert changed_lines(original(), hal.config.read_text()) == \
        ["-      primaryAccount: default    ", "+      primaryAccount: prod    "]


def test_added_account_only_adds_lines(hal: HalPaths) -> None:
    account = {"name": "prod", "providerVersion": "V2", "context": "prod-ctx",
               "namespaces": [], "omitNamespaces": ["kube-system"]}
    store.edit(hal, lambda c: c.doc.append([*DEP, "providers", "kubernetes", "accounts"],
                                           account))
    after = hal.config.read_text()
    assert changed_lines(original(), after) == [
        "+      - name: prod", "+        providerVersion: V2", "+        context: prod-ctx",
        "+        namespaces: []", "+        omitNamespaces:", "+        - kube-system"]
    assert after.index("- name: prod") > after.index("onlySpinnakerManaged: false")


def test_deleted_block_removes_only_its_lines(hal: HalPaths) -> None:
    store.edit(hal, lambda c: c.doc.delete([*DEP, "deploymentEnvironment", "consul"]))
    assert changed_lines(original(), hal.config.read_text()) == \
        ["-    consul:", "-      enabled: false"]


def test_hal_commands_on_the_halyard_config(hal: HalPaths) -> None:
    result = run_hal("config", "deploy", "ha", "clouddriver", "enable", hal_dir=hal.root)
    assert result.code == 0, result.err
    assert changed_lines(original(), hal.config.read_text()) == \
        ["-        enabled: false", "+        enabled: true"]
    result = run_hal("config", "deploy", "component-sizing", "spin-echo-slave", "edit",
                     "--replicas", "1", hal_dir=hal.root)
    assert result.code == 0, result.err
    assert changed_lines(original(), hal.config.read_text()) == [
        "-    customSizing: {}", "+    customSizing:", "+      spin-echo-worker:",
        "+        replicas: 1", "-        enabled: false", "+        enabled: true"]
    assert len(list(hal.backup_dir.iterdir())) == 2
