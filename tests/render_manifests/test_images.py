"""Images: the release rule, BOMs (Halyard's cache, bundled, --bom), registries, artifactId."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pyhalyard import catalog
from pyhalyard.errors import HalError
from pyhalyard.render.bundle import Bundle
from pyhalyard.render.images import bundled_versions, default_registry
from tests.helpers import realworld, run_hal
from tests.render_manifests.configs import deployment, find, render, write_hal

LEGACY = "us-docker.pkg.dev/spinnaker-community/docker"


def images(bundle: Bundle) -> dict[str, str]:
    out = {}
    for name, service in bundle.services.items():
        dep = next((o for o in service.objects if o["kind"] == "Deployment"), None)
        if dep is None:
            continue  # not managed by pyhalyard
        out[name] = dep["spec"]["template"]["spec"]["containers"][0]["image"]
    return out


def hal_with(tmp_path: Path, version: str, **kwargs: object) -> Path:
    dep = deployment(cd_ha=True, echo_ha=True)
    dep["version"] = version
    return write_hal(tmp_path / "hal", dep, **kwargs)  # type: ignore[arg-type]


def test_release_version_is_every_tag_from_2025(bundles: dict[str, Bundle]) -> None:
    found = images(bundles["examples"])
    assert found["clouddriver-ro"] == f"{LEGACY}/clouddriver:2025.2.1"
    assert found["echo-scheduler"] == f"{LEGACY}/echo:2025.2.1"
    assert found["deck"] == f"{LEGACY}/deck:2025.2.1"
    assert found["gate"] == f"{LEGACY}/gate:2025.2.1"


@pytest.mark.parametrize(("version", "registry"), [
    ("2025.0.0", catalog.LEGACY_REGISTRY),
    ("2026.0.7", catalog.LEGACY_REGISTRY),
    ("2026.1.0", catalog.GHCR_REGISTRY),
    ("2027.0.0", catalog.GHCR_REGISTRY),
])
def test_registry_moves_to_ghcr_after_2026_0(tmp_path: Path, version: str,
                                             registry: str) -> None:
    assert default_registry(version) == registry
    found = images(render(hal_with(tmp_path, version)))
    assert found["clouddriver-rw"] == f"{registry}/clouddriver:{version}"


def test_1_30_1_uses_the_bundled_bom(tmp_path: Path) -> None:
    assert "1.30.1" in bundled_versions()
    found = images(render(hal_with(tmp_path, "1.30.1")))
    assert found["clouddriver-caching"] == f"{LEGACY}/clouddriver:5.78.4"
    assert found["clouddriver-ro"] == f"{LEGACY}/clouddriver:5.78.4"
    assert found["echo-worker"] == f"{LEGACY}/echo:2.36.2"
    assert found["deck"] == f"{LEGACY}/deck:3.12.2"
    assert found["gate"] == f"{LEGACY}/gate:6.57.2"
    assert found["orca"] == f"{LEGACY}/orca:8.27.2"
    assert found["front50"] == f"{LEGACY}/front50:2.27.2"
    assert found["rosco"] == f"{LEGACY}/rosco:1.12.3"


def test_bundled_bom_matches_what_halyard_resolved() -> None:
    """The bundled 1.30.1 BOM is exactly the artifactIds in Halyard's history file."""
    history = yaml.safe_load((realworld() / "default/history/service-settings.yml").read_text())
    bom = yaml.safe_load((Path(__file__).resolve().parents[2] / "src/pyhalyard/data/boms"
                          / "1.30.1.yml").read_text())
    for key, entry in history["services"].items():
        artifact_id = entry["artifactId"]
        if "/redis/" in artifact_id:
            continue
        registry, _, rest = artifact_id.rpartition("/")
        artifact, _, tag = rest.partition(":")
        assert registry == bom["artifactSources"]["dockerRegistry"], key
        assert bom["services"][artifact]["version"] == tag, key


def test_realworld_images_are_what_halyard_deployed(bundles: dict[str, Bundle]) -> None:
    """Halyard's config for 1.30.1 renders each image Halyard's history records."""
    history = yaml.safe_load((realworld() / "default/history/service-settings.yml").read_text())
    found = images(bundles["realworld"])
    assert set(found) == {"clouddriver", "deck", "echo", "front50", "gate", "igor", "orca",
                          "rosco"}  # redis: skipLifeCycleManagement
    for name, image in found.items():
        assert image == history["services"][catalog.get(name).camel]["artifactId"], name
    assert bundles["realworld"].services["redis"].objects == ()


def test_bom_in_the_hal_dir_wins(tmp_path: Path) -> None:
    hal = hal_with(tmp_path, "1.31.0")
    boms = hal / ".boms" / "bom"
    boms.mkdir(parents=True)
    services = {name: {"version": f"9.{i}.0", "commit": "abc"} for i, name in enumerate(
        ["clouddriver", "deck", "echo", "fiat", "front50", "gate", "igor", "kayenta", "orca",
         "rosco"])}
    (boms / "1.31.0.yml").write_text(yaml.safe_dump({
        "version": "1.31.0", "timestamp": "2023-01-01", "services": services,
        "dependencies": {"redis": {"version": "2:2.8.4-2"}},
        "artifactSources": {"dockerRegistry": "mirror.example.com/spin"}}))
    found = images(render(hal))
    assert found["clouddriver-rw"] == "mirror.example.com/spin/clouddriver:9.0.0"
    assert found["gate"] == "mirror.example.com/spin/gate:9.5.0"


def test_bom_and_registry_overrides(tmp_path: Path) -> None:
    hal = hal_with(tmp_path, "1.30.1")
    bom = tmp_path / "my-bom.yml"
    bom.write_text(yaml.safe_dump({"version": "custom", "services": {
        "clouddriver": {"version": "5.0.0-custom"}, "echo": {"version": "1.0.0"},
        "deck": {"version": "1"}, "gate": {"version": "2"}, "orca": {"version": "3"},
        "front50": {"version": "4"}, "rosco": {"version": "5"}}}))
    found = images(render(hal, bom=bom, registry="registry.local:5000/spin/"))
    assert found["clouddriver-ro"] == "registry.local:5000/spin/clouddriver:5.0.0-custom"
    assert found["echo-scheduler"] == "registry.local:5000/spin/echo:1.0.0"
    released = images(render(hal_with(tmp_path / "b", "2025.2.1"), registry="mirror.io/x"))
    assert released["gate"] == "mirror.io/x/gate:2025.2.1"


def test_bom_missing_a_service_is_a_clear_error(tmp_path: Path) -> None:
    hal = hal_with(tmp_path, "1.30.1")
    bom = tmp_path / "partial.yml"
    bom.write_text(yaml.safe_dump({"services": {"clouddriver": {"version": "1"}}}))
    with pytest.raises(HalError, match=r"partial\.yml: the BOM has no version for '\w+' "
                                       r"\(expected services\.\w+\.version\)"):
        render(hal, bom=bom)


def test_artifact_id_overrides_the_image(tmp_path: Path) -> None:
    hal = hal_with(tmp_path, "2025.2.1", settings={
        "clouddriver-ro": {"artifactId": "quay.io/me/clouddriver:patched-1"},
        "gate": {"artifactId": "gate-with-plugins"},
    })
    found = images(render(hal))
    assert found["clouddriver-ro"] == "quay.io/me/clouddriver:patched-1"
    assert found["clouddriver-rw"] == f"{LEGACY}/clouddriver:2025.2.1"  # not inherited
    assert found["gate"] == f"{LEGACY}/gate-with-plugins:2025.2.1"


def test_image_variant_suffix(tmp_path: Path) -> None:
    dep = deployment(imageVariant="UBUNTU")
    dep["version"] = "1.30.1"
    found = images(render(write_hal(tmp_path / "hal", dep)))
    assert found["clouddriver"] == f"{LEGACY}/clouddriver:5.78.4-ubuntu"


def test_unknown_version_says_how_to_supply_a_bom(tmp_path: Path) -> None:
    hal = hal_with(tmp_path, "1.29.3")
    with pytest.raises(HalError) as info:
        render(hal)
    message = str(info.value)
    assert "'1.29.3'" in message
    assert str(hal / ".boms" / "bom" / "1.29.3.yml") in message
    assert "--bom FILE" in message and "hal version bom 1.29.3" in message
    assert "artifactId" in message and "1.30.1" in message


def test_unknown_version_from_the_cli(tmp_path: Path) -> None:
    hal = hal_with(tmp_path, "1.29.3")
    out = tmp_path / "out"
    result = run_hal("deploy", "render", "--output-dir", str(out), hal_dir=hal)
    assert result.code == 1
    assert result.err.startswith("error: no image tags known for Spinnaker version '1.29.3'")
    assert "Traceback" not in result.err
    assert not out.exists()


def test_redis_image_comes_from_the_redis_container(bundles: dict[str, Bundle]) -> None:
    redis = find(bundles["examples"], "Deployment", "spin-redis")
    image = redis["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image and "spinnaker-community/docker/redis" not in image
