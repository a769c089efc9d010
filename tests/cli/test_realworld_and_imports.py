"""A config Halyard wrote (OpsMx's public gitops repo) loads and edits; the hot path stays light."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli.conftest import Hal
from tests.cli.imports_probe import heavy, imports_of
from tests.cli.lines import changes
from tests.helpers import realworld as realworld_tree


@pytest.fixture
def realworld(tmp_path: Path) -> Hal:
    root = tmp_path / "hal"
    shutil.copytree(realworld_tree(), root)
    return Hal(root)


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_read_only_commands_change_nothing(realworld: Hal) -> None:
    before = snapshot(realworld.root)
    result = realworld("config", "validate")
    # the team's tooling replaces this placeholder before deploying; nothing else is wrong
    assert result.code == 1, result.out + result.err
    assert result.out.startswith("ERROR: deploymentEnvironment.location: 'SPINNAKER_NAMESPACE'")
    assert result.out.count("ERROR") == 1 and "WARNING" not in result.out
    for args in (["config", "deploy"], ["config", "deploy", "ha"], ["config", "storage"],
                 ["config", "provider", "kubernetes", "account", "list"],
                 ["config", "deploy", "component-sizing"], ["config", "version"]):
        result = realworld(*args)
        assert result.code == 0, (args, result.err)
        assert "secretAccessKey: spinnakeradmin" not in result.out  # storage secret masked
        assert ":password@" not in result.out  # redis.yml's overrideBaseUrl is masked
    assert snapshot(realworld.root) == before
    # the Redis that redis.yml points every service at is what the table shows
    assert "redis://:****@oss-spin-redis-master:6379" in realworld("config", "deploy", "ha").out


def test_edit_changes_one_line_of_the_halyard_file(realworld: Hal) -> None:
    before = realworld.text()
    result = realworld("config", "deploy", "ha", "clouddriver", "enable")
    assert result.code == 0, result.err
    lines = before.splitlines()
    at = next(i for i, line in enumerate(lines) if line == "      clouddriver:") + 1
    assert changes(before, realworld.text()) == [(at, ["        enabled: false"],
                                                  ["        enabled: true"])]
    # the line Halyard wrote with trailing blanks is still there, byte for byte
    assert "      primaryAccount: default    \n" in realworld.text()
    result = realworld("config", "deploy", "ha", "-o", "json")
    rows = {r["service"]: r for r in json.loads(result.out)["services"]}
    assert rows["spin-clouddriver-ro-deck"]["enabled"] is True  # disableClouddriverRoDeck: false


def test_ha_enable_imports_nothing_heavy(hal_dir: Path) -> None:
    code, modules, err = imports_of(hal_dir, "config", "deploy", "ha", "clouddriver", "enable")
    assert code == 0, err
    assert "  clouddriver:\n        enabled: true" in (hal_dir / "config").read_text()
    assert heavy(modules) == []
    assert "pyhalyard.validate.rules" in modules  # it did validate
