"""`hal config generate`, `hal deploy render --output-dir` and `hal deploy topology` as a
user runs them on the two fixtures: what lands on disk, what is refused, what is shown."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from tests.e2e.support import assert_error, assert_ok, assert_usage, hal, mode, snapshot


def render(hal_dir: Path, out: Path, *extra: str) -> dict[str, object]:
    result = hal(hal_dir, "deploy", "render", "--output-dir", str(out), *extra, "-o", "json")
    assert_ok(result)
    data: dict[str, object] = json.loads(result.out)
    return data


def test_render_example_is_a_kustomize_folder(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    data = render(example, out)
    files = sorted(p.name for p in out.iterdir())
    kustomization = yaml.safe_load((out / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(
        f for f in files if f not in ("kustomization.yaml", ".pyhalyard-render"))
    assert data["objects"] == 46 and data["namespace"] == "spinnaker"
    assert "deployment-spin-clouddriver-ro.yaml" in files
    assert "deployment-spin-clouddriver.yaml" not in files  # replaced by its roles
    assert "poddisruptionbudget-spin-clouddriver-ro.yaml" in files  # 3 replicas
    assert "poddisruptionbudget-spin-gate.yaml" not in files  # 1 replica
    scheduler = yaml.safe_load((out / "deployment-spin-echo-scheduler.yaml").read_text())
    assert scheduler["spec"]["replicas"] == 1
    assert scheduler["spec"]["strategy"] == {"type": "Recreate"}
    gate = yaml.safe_load((out / "deployment-spin-gate.yaml").read_text())
    assert gate["spec"]["selector"]["matchLabels"] == {"app": "spin", "cluster": "spin-gate"}
    assert gate["spec"]["template"]["spec"]["containers"][0]["image"] == (
        "us-docker.pkg.dev/spinnaker-community/docker/gate:2025.2.1")
    # rendering again gives the same bytes (no timestamps, content-hash names)
    first = snapshot(out)
    render(example, out)
    assert snapshot(out) == first
    if shutil.which("kubectl"):
        built = subprocess.run(["kubectl", "kustomize", str(out)], capture_output=True,
                               text=True, timeout=60)
        assert built.returncode == 0, built.stderr
        assert len([d for d in yaml.safe_load_all(built.stdout) if d]) == 46


def test_render_realworld_uses_the_bom_and_leaves_external_redis_alone(
        realworld_ns: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    data = render(realworld_ns, out)
    services = {s["service"]: s for s in data["services"]}  # type: ignore[attr-defined]
    assert services["redis"]["managed"] is False and services["redis"]["objects"] == []
    assert services["clouddriver"]["image"] == (
        "us-docker.pkg.dev/spinnaker-community/docker/clouddriver:5.80.1")  # 1.30.1's
    assert not any(p.name.startswith("deployment-spin-redis") for p in out.iterdir())
    assert data["namespace"] == "oss-spinnaker"
    human = hal(realworld_ns, "deploy", "render", "--output-dir", str(out))
    assert_ok(human)
    assert "spin-redis        not managed (skipLifeCycleManagement)" in human.out
    assert "images from the bundled release table (1.30.1)" in human.out


def test_render_never_replaces_a_folder_it_did_not_write(example: Path, tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "notes.txt").write_text("mine")
    before = snapshot(precious)
    assert_error(hal(example, "deploy", "render", "--output-dir", str(precious)),
                 contains="refusing to replace")
    assert snapshot(precious) == before


def test_render_to_an_empty_or_file_path_is_a_usage_error(example: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """``--output-dir ''`` used to mean the current folder, which render then swapped out."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    assert_usage(hal(example, "deploy", "render", "--output-dir", ""), contains="--output-dir")
    assert list(cwd.iterdir()) == [] and cwd.is_dir()
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert_usage(hal(example, "deploy", "render", "--output-dir", str(a_file)),
                 contains="is a file")
    assert a_file.read_text() == "x"


def test_failed_render_keeps_the_previous_folder(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    render(example, out)
    before = snapshot(out)
    assert_ok(hal(example, "config", "deploy", "component-sizing", "spin-echo-scheduler", "edit",
                  "--replicas", "2", "--no-validate"))
    result = hal(example, "deploy", "render", "--output-dir", str(out))
    assert_error(result, contains="refusing to render")
    assert "echo-scheduler must run exactly one pod" in result.err
    assert snapshot(out) == before


@pytest.mark.parametrize("registry", ["", "my registry/x", "https://ghcr.io/x",
                                      "mirror.example.com/Spin"])
def test_bad_registry_is_a_usage_error(example: Path, tmp_path: Path, registry: str) -> None:
    assert_usage(hal(example, "deploy", "render", "--output-dir", str(tmp_path / "out"),
                     "--registry", registry), contains="--registry")
    assert not (tmp_path / "out").exists()


def test_registry_and_bom_flags(realworld_ns: Path, tmp_path: Path) -> None:
    data = render(realworld_ns, tmp_path / "out", "--registry", "mirror.example.com:5000/spin/")
    images = {s["image"] for s in data["services"] if s["image"]}  # type: ignore[attr-defined]
    assert "mirror.example.com:5000/spin/gate:6.58.1" in images
    bad_bom = tmp_path / "bom.yml"
    bad_bom.write_text("version: 1.30.1\nservices: [\n")
    assert_error(hal(realworld_ns, "deploy", "render", "--output-dir", str(tmp_path / "o2"),
                     "--bom", str(bad_bom)), contains=f"{bad_bom}:3:1: invalid YAML")
    partial = tmp_path / "partial.yml"
    partial.write_text("version: 1.30.1\nservices:\n  clouddriver:\n    version: 1.0.0\n")
    assert_error(hal(realworld_ns, "deploy", "render", "--output-dir", str(tmp_path / "o2"),
                     "--bom", str(partial)), contains="the BOM has no version for 'deck'")
    assert_usage(hal(realworld_ns, "deploy", "render", "--output-dir", str(tmp_path / "o2"),
                     "--bom", str(tmp_path / "missing.yml")), contains="does not exist")
    assert not (tmp_path / "o2").exists()


def test_generate_writes_one_folder_per_service(realworld_ns: Path) -> None:
    staging = realworld_ns / "default" / "staging"
    assert (staging / "front50.yml").exists()  # Halyard's flat staging folder
    result = hal(realworld_ns, "config", "generate", "-o", "json")
    assert_ok(result)
    data = json.loads(result.out)
    assert set(data["services"]) == {"clouddriver", "deck", "echo", "front50", "gate", "igor",
                                     "orca", "rosco"}
    assert data["services"]["front50"] == ["front50-local.yml", "front50.yml", "spinnaker.yml"]
    assert sorted(p.name for p in staging.iterdir()) == sorted(data["services"])
    front50 = yaml.safe_load((staging / "front50" / "front50-local.yml").read_text())
    assert front50 == {"spinnaker": {"s3": {"versioning": False}}}


def test_validate_agrees_with_render_on_the_namespace(realworld: Path, tmp_path: Path) -> None:
    rendered = hal(realworld, "deploy", "render", "--output-dir", str(tmp_path / "out"))
    assert_error(rendered, contains="deploymentEnvironment.location")
    validated = hal(realworld, "config", "validate")
    assert validated.code == 1 and "deploymentEnvironment.location" in validated.out


def test_validate_reports_a_missing_version(example: Path) -> None:
    config = example / "config"
    config.write_text(config.read_text().replace("version: 2025.2.1", "version: ''"))
    validated = hal(example, "config", "validate")
    assert validated.code == 1 and "version" in validated.out


def test_validate_reports_an_unknown_store_type(example: Path) -> None:
    config = example / "config"
    config.write_text(config.read_text().replace("persistentStoreType: s3",
                                                 "persistentStoreType: ftp"))
    validated = hal(example, "config", "validate")
    assert validated.code == 1 and "persistentStoreType" in validated.out


# ---------------------------------------------------------------- topology
def test_topology_formats(example: Path, tmp_path: Path) -> None:
    mermaid = hal(example, "deploy", "topology", "--format", "mermaid")
    assert_ok(mermaid)
    assert mermaid.out.startswith("graph TB")
    for edge in ("gate --> clouddriver-ro;", "orca --> clouddriver-rw;",
                 "orca -->|readonly| clouddriver-ro;", "igor --> echo-worker;",
                 "clouddriver-caching -.->|master| ext-redis-master-redis-6379;"):
        assert edge in mermaid.out, edge
    assert "clouddriver(" not in mermaid.out  # the base is split away
    dot = hal(example, "deploy", "topology", "--format", "dot")
    assert_ok(dot)
    assert dot.out.startswith("digraph spinnaker {")
    assert '"gate" -> "clouddriver-ro"' in dot.out
    if shutil.which("dot"):
        svg = hal(example, "deploy", "topology", "--format", "svg")
        assert_ok(svg)
        root = ET.fromstring(svg.out.encode())
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert "Clouddriver&#45;Read&#45;Only" in svg.out
    data = json.loads(hal(example, "deploy", "topology", "-o", "json").out)
    assert {"from": "gate", "to": "clouddriver-ro"} in [
        {"from": e["from"], "to": e["to"]} for e in data["edges"]]


def test_topology_of_realworld_shows_the_external_redis_host_only(realworld: Path) -> None:
    result = hal(realworld, "deploy", "topology")
    assert_ok(result)
    assert 'redis[("Redis (oss-spin-redis-master)")];' in result.out
    assert "clouddriver -.->|master| redis;" in result.out


def test_topology_output_file(example: Path, tmp_path: Path) -> None:
    target = tmp_path / "sub" / "topology.mmd"
    assert_ok(hal(example, "deploy", "topology", "--output-file", str(target)))
    assert target.read_text() == hal(example, "deploy", "topology").out
    assert mode(target) == 0o644
    # -o json|yaml with --output-file writes the data, not a silently ignored file
    as_json = tmp_path / "topology.json"
    assert_ok(hal(example, "deploy", "topology", "-o", "json", "--output-file", str(as_json)))
    assert json.loads(as_json.read_text()) == json.loads(
        hal(example, "deploy", "topology", "-o", "json").out)
    assert_usage(hal(example, "deploy", "topology", "--output-file", ""),
                 contains="--output-file")
    assert_usage(hal(example, "deploy", "topology", "--output-file", str(tmp_path)),
                 contains="is a directory")
