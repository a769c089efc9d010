"""``hal config generate``: per-service folders, atomic replacement, clear failures."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest
import yaml

from pyhalyard.errors import HalError
from pyhalyard.render.profiles.staging import replace_staging
from tests.helpers import EXAMPLES, run_hal

SECRETS = ("example-secret", "example-storage-key")


@pytest.fixture()
def hal_dir(tmp_path: Path) -> Path:
    target = tmp_path / "hal"
    shutil.copytree(EXAMPLES / "hal", target)
    return target


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_generate_writes_one_folder_per_service(hal_dir: Path) -> None:
    result = run_hal("config", "generate", hal_dir=hal_dir)
    assert result.code == 0, result.err
    staging = hal_dir / "default" / "staging"
    folders = sorted(p.name for p in staging.iterdir())
    assert folders == sorted(["clouddriver-caching", "clouddriver-ro", "clouddriver-rw", "deck",
                              "echo-scheduler", "echo-worker", "fiat", "front50", "gate", "igor",
                              "kayenta", "orca", "rosco"])
    ro = staging / "clouddriver-ro"
    assert sorted(p.name for p in ro.iterdir()) == [
        "clouddriver-local.yml", "clouddriver-ro-overrides.yml", "clouddriver-ro.yml",
        "clouddriver.yml", "spinnaker.yml"]
    overrides = yaml.safe_load((ro / "clouddriver-ro-overrides.yml").read_text())
    assert overrides["services"]["redis"]["baseUrl"] \
        == "redis://:example-secret@redis-replica.redis:6379"
    gate = yaml.safe_load((staging / "gate" / "gate-overrides.yml").read_text())
    assert gate["services"]["clouddriver"]["baseUrl"] \
        == "http://spin-clouddriver-ro.spinnaker:7002"
    assert gate["services"]["echo"]["baseUrl"] == "http://spin-echo-worker.spinnaker:8089"
    mode = stat.S_IMODE((ro / "clouddriver-ro-overrides.yml").stat().st_mode)
    assert mode == 0o600
    assert "+ Generated" in result.out
    assert "clouddriver-ro: clouddriver-local.yml" in result.out
    for secret in SECRETS:
        assert secret not in result.out + result.err
    # No temporary folders left beside staging.
    assert sorted(p.name for p in (hal_dir / "default").iterdir()) == ["profiles", "staging"]


def test_generate_twice_is_byte_identical(hal_dir: Path) -> None:
    assert run_hal("config", "generate", hal_dir=hal_dir).code == 0
    first = snapshot(hal_dir / "default" / "staging")
    assert run_hal("config", "generate", hal_dir=hal_dir).code == 0
    assert snapshot(hal_dir / "default" / "staging") == first
    assert len(first) > 40


def test_generate_json_output(hal_dir: Path) -> None:
    result = run_hal("config", "generate", "-o", "json", hal_dir=hal_dir)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["staging"] == str(hal_dir / "default" / "staging")
    assert "echo-worker.yml" in data["services"]["echo-worker"]


def test_generate_replaces_halyards_flat_staging(hal_dir: Path) -> None:
    staging = hal_dir / "default" / "staging"
    staging.mkdir()
    (staging / "clouddriver.yml").write_text("old: halyard\n")
    assert run_hal("config", "generate", "-q", hal_dir=hal_dir).code == 0
    assert not (staging / "clouddriver.yml").exists()
    assert (staging / "gate" / "gate.yml").is_file()


def test_invalid_custom_profile_fails_and_changes_nothing(hal_dir: Path) -> None:
    assert run_hal("config", "generate", hal_dir=hal_dir).code == 0
    before = snapshot(hal_dir / "default")
    bad = hal_dir / "default" / "profiles" / "gate-local.yml"
    bad.write_text("server:\n  port: [8084\n")
    result = run_hal("config", "generate", hal_dir=hal_dir)
    assert result.code == 1
    assert "gate-local.yml:" in result.err
    assert "Traceback" not in result.err
    after = snapshot(hal_dir / "default")
    del after["profiles/gate-local.yml"]
    assert after == before


def test_profile_escaping_the_folder_fails(hal_dir: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yml"
    outside.write_text("a: 1\n")
    os.symlink(outside, hal_dir / "default" / "profiles" / "gate-local.yml")
    result = run_hal("config", "generate", hal_dir=hal_dir)
    assert result.code == 1
    assert "outside the profiles folder" in result.err
    assert not (hal_dir / "default" / "staging").exists()


def test_validation_error_refuses_unless_no_validate(hal_dir: Path) -> None:
    config = hal_dir / "config"
    config.write_text(config.read_text().replace("type: Distributed", "type: LocalDebian"))
    result = run_hal("config", "generate", hal_dir=hal_dir)
    assert result.code == 1
    assert "refusing to generate" in result.err
    assert not (hal_dir / "default" / "staging").exists()
    result = run_hal("config", "generate", "--no-validate", hal_dir=hal_dir)
    assert result.code == 0, result.err
    assert (hal_dir / "default" / "staging" / "gate" / "gate.yml").is_file()


def test_write_failure_leaves_previous_staging(tmp_path: Path) -> None:
    staging = tmp_path / "dep" / "staging"
    replace_staging(staging, {"gate": {"gate.yml": "a: 1\n"}})
    before = snapshot(staging)
    with pytest.raises(HalError, match="would leave its service folder"):
        replace_staging(staging, {"gate": {"gate.yml": "a: 2\n"},
                                  "orca": {"../../escape.yml": "x: 1\n"}})
    assert snapshot(staging) == before
    assert sorted(p.name for p in staging.parent.iterdir()) == ["staging"]
    assert not (tmp_path / "escape.yml").exists()


def test_missing_halconfig_is_a_clear_error(tmp_path: Path) -> None:
    result = run_hal("config", "generate", hal_dir=tmp_path / "nowhere")
    assert result.code == 1
    assert "no halconfig found" in result.err
    assert not (tmp_path / "nowhere").exists()


def test_reordered_config_file_generates_the_same_bytes(hal_dir: Path) -> None:
    assert run_hal("config", "generate", hal_dir=hal_dir).code == 0
    expected = snapshot(hal_dir / "default" / "staging")

    def reversed_keys(value: object) -> object:
        if isinstance(value, dict):
            return {k: reversed_keys(v) for k, v in reversed(list(value.items()))}
        if isinstance(value, list):
            return [reversed_keys(v) for v in value]
        return value

    config = hal_dir / "config"
    data = yaml.safe_load(config.read_text())
    config.write_text(yaml.safe_dump(reversed_keys(data), sort_keys=False))
    assert config.read_text().startswith("deploymentConfigurations:")
    assert run_hal("config", "generate", hal_dir=hal_dir).code == 0
    assert snapshot(hal_dir / "default" / "staging") == expected
