"""`--bom` on apply, diff and rollback, and the takeover report of `hal deploy diff`.

Halyard records what it deployed in `<hal>/<deployment>/history/service-settings.yml`
(each service's resolved settings, `artifactId` = the image); a first pyhalyard deploy
must not change an image behind the user's back, so diff names every difference.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
import yaml

from pyhalyard.releases import table
from tests.deploy.apiserver_double import ApiServerDouble
from tests.deploy.bundles import NAMESPACE as NS
from tests.deploy.bundles import make_hal
from tests.helpers import REALWORLD, Result, run_hal

LEGACY = "us-docker.pkg.dev/spinnaker-community/docker"
FAST = ("--no-live-checks", "--poll-interval", "0.02")
SERVICES = ("clouddriver", "deck", "echo", "fiat", "front50", "gate", "igor", "kayenta",
            "orca", "rosco")


def hal(hal_dir: Path, *args: str) -> Result:
    return run_hal(*args, hal_dir=hal_dir)


def image(api: ApiServerDouble, name: str) -> str:
    deployment = api.get("Deployment", name, NS)
    assert deployment is not None, name
    return str(deployment["spec"]["template"]["spec"]["containers"][0]["image"])


def bom_file(path: Path, version: str, major: int) -> Path:
    path.write_text(yaml.safe_dump({"version": version, "services": {
        name: {"version": f"{major}.{i}.0"} for i, name in enumerate(SERVICES)}}))
    return path


@pytest.fixture
def hal_dir(tmp_path: Path, kubeconfig: Path) -> Path:
    return make_hal(tmp_path, kubeconfig, clouddriver_ha=False, echo_ha=False)


def test_apply_diff_and_rollback_take_images_from_bom(api: ApiServerDouble, hal_dir: Path,
                                                      tmp_path: Path) -> None:
    nine = bom_file(tmp_path / "nine.yml", "2025.2.1", 9)
    first = hal(hal_dir, "deploy", "apply", *FAST, "--bom", str(nine))
    assert first.code == 0, first.err
    assert image(api, "spin-gate") == f"{LEGACY}/gate:9.5.0"
    assert image(api, "spin-clouddriver") == f"{LEGACY}/clouddriver:9.0.0"
    same = hal(hal_dir, "deploy", "diff", "--bom", str(nine))
    assert same.out.strip() == "No changes against the last applied bundle (#1)."
    released = hal(hal_dir, "deploy", "diff")  # without it: the release's own tags
    assert f"-        image: {LEGACY}/gate:9.5.0" in released.out
    assert f"+        image: {LEGACY}/gate:2025.2.1" in released.out
    assert hal(hal_dir, "deploy", "apply", *FAST).code == 0
    assert image(api, "spin-gate") == f"{LEGACY}/gate:2025.2.1"

    eight = bom_file(tmp_path / "eight.yml", "2025.2.1", 8)
    back = hal(hal_dir, "deploy", "rollback", "--to", "1", "--poll-interval", "0.02",
               "--bom", str(eight))
    assert back.code == 0, back.err
    time.sleep(0.05)
    assert image(api, "spin-gate") == f"{LEGACY}/gate:8.5.0"
    assert image(api, "spin-orca") == f"{LEGACY}/orca:8.8.0"


def test_a_bom_for_another_release_stops_apply_before_the_cluster(
        api: ApiServerDouble, hal_dir: Path, tmp_path: Path) -> None:
    other = bom_file(tmp_path / "other.yml", "2025.1.0", 9)
    result = hal(hal_dir, "deploy", "apply", *FAST, "--bom", str(other))
    assert result.code == 1
    assert (f"error: {other}: the BOM is for version '2025.1.0', not the requested "
            "'2025.2.1'") in result.err.splitlines()[-1]
    assert api.names("Deployment", NS) == []
    assert not (hal_dir / "default" / "history" / "1").exists()


def test_diff_names_images_that_differ_from_halyards_record(hal_dir: Path) -> None:
    record = hal_dir / "default" / "history" / "service-settings.yml"
    record.parent.mkdir(parents=True)
    record.write_text(yaml.safe_dump({"services": {
        "deck": {"artifactId": f"{LEGACY}/deck:2025.2.1", "enabled": True},
        "gate": {"artifactId": f"{LEGACY}/gate:2025.1.3", "enabled": True},
        "redis": {"artifactId": "us-docker.pkg.dev/spinnaker-community/redis/redis-cluster:v2"},
    }}))
    result = hal(hal_dir, "deploy", "diff")
    assert result.code == 0, result.err
    report = result.out.split("\n\n")[0].splitlines()  # before the object diff
    assert report == [
        f"Images that differ from what Halyard last deployed ({record}):",
        f"  spin-gate  {LEGACY}/gate:2025.1.3 -> {LEGACY}/gate:2025.2.1"]
    data = json.loads(hal(hal_dir, "deploy", "diff", "-o", "json").out)
    assert data["halyardImages"] == {"record": str(record), "unchanged": 1, "changes": [
        {"service": "gate", "halyard": f"{LEGACY}/gate:2025.1.3",
         "new": f"{LEGACY}/gate:2025.2.1"}]}
    record.write_text(yaml.safe_dump({"services": {
        "gate": {"artifactId": f"{LEGACY}/gate:2025.2.1"}}}))
    assert hal(hal_dir, "deploy", "diff").out.startswith(
        f"Images: all 1 match what Halyard last deployed ({record}).\n\n")


def test_diff_without_halyards_record_says_nothing_about_it(hal_dir: Path) -> None:
    result = hal(hal_dir, "deploy", "diff")
    assert result.code == 0 and "Halyard" not in result.out
    assert "halyardImages" not in json.loads(hal(hal_dir, "deploy", "diff", "-o", "json").out)


@pytest.mark.skipif(not REALWORLD.exists(),
                    reason="the realworld ~/.hal (../shared) is not present")
def test_taking_over_the_realworld_install(tmp_path: Path) -> None:
    """Halyard last deployed 1.29.3 there: at 1.29.3 no image changes; at the configured
    1.30.1 all eight managed images change, each to 1.30.1's tag."""
    hal_dir = tmp_path / "hal"
    shutil.copytree(REALWORLD, hal_dir)
    config = hal_dir / "config"
    config.write_text(config.read_text().replace("SPINNAKER_NAMESPACE", "oss-spinnaker"))
    moved = json.loads(hal(hal_dir, "deploy", "diff", "-o", "json").out)["halyardImages"]
    release = table().find("1.30.1")
    assert release is not None
    assert moved["unchanged"] == 0
    assert {c["service"]: c["new"] for c in moved["changes"]} == {
        name: f"{LEGACY}/{name}:{release.services[name]}"
        for name in ("clouddriver", "deck", "echo", "front50", "gate", "igor", "orca",
                     "rosco")}
    config.write_text(config.read_text().replace("version: 1.30.1", "version: 1.29.3"))
    same = hal(hal_dir, "deploy", "diff")
    assert same.code == 0, same.err
    assert same.out.startswith("Images: all 8 match what Halyard last deployed "
                               f"({hal_dir / 'default/history/service-settings.yml'}).\n")
