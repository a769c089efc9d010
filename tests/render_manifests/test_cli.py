"""``hal deploy render`` end to end, including README.md's main command."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.helpers import EXAMPLES, run_hal
from tests.render_manifests.configs import deployment, make_hal, write_hal
from tests.render_manifests.test_kustomize import kubectl

SECRETS = ("example-secret", "example-storage-key", "master-pw-123", "replica-pw-456",
           "deck-pw-789", "tok-secret-1")


def test_readme_main_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`hal --hal-dir examples/hal deploy render --output-dir out/example`, from the repo root."""
    shutil.copytree(EXAMPLES / "hal", tmp_path / "examples" / "hal")
    monkeypatch.chdir(tmp_path)
    result = run_hal("--hal-dir", "examples/hal", "deploy", "render",
                     "--output-dir", "out/example")
    assert result.code == 0, result.err
    out = tmp_path / "out" / "example"
    assert (out / "kustomization.yaml").is_file()
    lines = result.out.splitlines()
    assert lines[0].startswith("+ Rendered Spinnaker 2025.2.1 into out/example "
                               "(namespace spinnaker")
    assert any(line.split()[:3] == ["spin-clouddriver-ro", "3", "replicas"] for line in lines)
    assert any(line.split()[:3] == ["spin-echo-scheduler", "1", "replica"] for line in lines)
    assert "kubectl kustomize out/example" in result.out
    for secret in SECRETS:
        assert secret not in result.out + result.err
    built = subprocess.run([kubectl(), "kustomize", str(out)], capture_output=True, text=True,
                           timeout=60, check=False)
    assert built.returncode == 0, built.stderr


def test_json_summary(tmp_path: Path) -> None:
    hal = make_hal(tmp_path, "ro-deck")
    out = tmp_path / "out"
    result = run_hal("deploy", "render", "--output-dir", str(out), "-o", "json", hal_dir=hal)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["outputDir"] == str(out) and data["namespace"] == "spinnaker"
    rows = {row["service"]: row for row in data["services"]}
    assert rows["clouddriver-ro-deck"]["image"].endswith("/clouddriver:2025.2.1")
    assert "Deployment/spin-clouddriver-ro-deck" in rows["clouddriver-ro-deck"]["objects"]
    assert data["objects"] == len(data["files"]) - 1
    for secret in SECRETS:
        assert secret not in result.out + result.err


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    hal = make_hal(tmp_path, "no-ha")
    result = run_hal("deploy", "render", "--output-dir", str(tmp_path / "o"), "-q", hal_dir=hal)
    assert (result.code, result.out) == (0, "")


def test_validation_errors_refuse_unless_no_validate(tmp_path: Path) -> None:
    dep = deployment(cd_ha=True)
    dep["deploymentEnvironment"]["type"] = "LocalDebian"
    hal = write_hal(tmp_path / "hal", dep)
    out = tmp_path / "out"
    refused = run_hal("deploy", "render", "--output-dir", str(out), hal_dir=hal)
    assert refused.code == 1
    assert "refusing to render" in refused.err and "Distributed" in refused.err
    assert not out.exists()
    forced = run_hal("deploy", "render", "--output-dir", str(out), "--no-validate", hal_dir=hal)
    assert forced.code == 0, forced.err
    assert (out / "deployment-spin-clouddriver-ro.yaml").exists()


def test_bom_and_registry_flags(tmp_path: Path) -> None:
    dep = deployment()
    dep["version"] = "1.30.1"
    hal = write_hal(tmp_path / "hal", dep)
    out = tmp_path / "out"
    result = run_hal("deploy", "render", "--output-dir", str(out), "--registry",
                     "mirror.example.com/spinnaker", hal_dir=hal)
    assert result.code == 0, result.err
    doc = yaml.safe_load((out / "deployment-spin-orca.yaml").read_text())
    assert doc["spec"]["template"]["spec"]["containers"][0]["image"] == \
        "mirror.example.com/spinnaker/orca:8.31.1"  # 1.30.1 shipped orca 8.31.1
    missing = run_hal("deploy", "render", "--output-dir", str(out), "--bom",
                      str(tmp_path / "nope.yml"), hal_dir=hal)
    assert missing.code == 2  # click: the file must exist
