"""A config Halyard wrote (OpsMx's public gitops repo) loads and edits; the hot path stays light."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import HALYARD_STYLE, Hal
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


FORBIDDEN = ("rich", "redis", "lightkube", "pydantic", "kubernetes_validate", "pyhalyard.render",
             "pyhalyard.deploy")

CHILD = """
import json, sys
from pyhalyard.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def test_ha_enable_imports_nothing_heavy(tmp_path: Path) -> None:
    root = tmp_path / "hal"
    root.mkdir()
    shutil.copy(HALYARD_STYLE, root / "config")
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, "--hal-dir", str(root), "-q",
         "config", "deploy", "ha", "clouddriver", "enable"],
        capture_output=True, text=True, check=True)
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, proc.stderr
    assert "  clouddriver:\n        enabled: true" in (root / "config").read_text()
    loaded = [m for m in report["modules"]
              if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]
    assert loaded == []
    assert "pyhalyard.validate.rules" in report["modules"]  # it did validate
