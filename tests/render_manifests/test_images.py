"""Images: Halyard's tag rule, the bundled release table, BOM precedence, registries.

Halyard's rule followed here: KubernetesService.getArtifactId (halyard-deploy) -- tag =
the BOM's service version with ``local:`` stripped, plus ``-<variant>`` for every
imageVariant but SLIM, where the suffix is DeploymentEnvironment.ImageVariant
.getContainerSuffix() (name lowercased, ``_`` -> ``-``); registry = the BOM's
artifactSources.dockerRegistry, merged with the service's own (ArtifactService
.getArtifactSources).  ``local:X`` reads ``~/.hal/.boms/bom/X.yml``
(LocalDiskProfileReader.readBom).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pyhalyard import catalog
from pyhalyard.errors import HalError
from pyhalyard.releases import table
from pyhalyard.render.bundle import Bundle
from pyhalyard.render.images import default_registry
from tests.helpers import REALWORLD, run_hal
from tests.render_manifests.configs import deployment, find, render, write_hal

LEGACY = "us-docker.pkg.dev/spinnaker-community/docker"
SERVICES = ("clouddriver", "deck", "echo", "fiat", "front50", "gate", "igor", "kayenta",
            "orca", "rosco")
needs_realworld = pytest.mark.skipif(not REALWORLD.exists(),
                                     reason="the realworld ~/.hal (../shared) is not present")


def images(bundle: Bundle) -> dict[str, str]:
    out = {}
    for name, service in bundle.services.items():
        dep = next((o for o in service.objects if o["kind"] == "Deployment"), None)
        if dep is None:
            continue  # not managed by pyhalyard
        out[name] = dep["spec"]["template"]["spec"]["containers"][0]["image"]
    return out


def every_service(version: str, **env: object) -> dict[str, object]:
    """HA clouddriver and echo plus fiat, kayenta and igor: every artifact in one render."""
    dep = deployment(cd_ha=True, echo_ha=True, **env)
    dep["version"] = version
    dep["security"] = {"authz": {"enabled": True}}
    dep["canary"] = {"enabled": True}
    dep["ci"] = {"jenkins": {"enabled": True, "masters": []}}
    return dep


def hal_with(tmp_path: Path, version: str, **kwargs: object) -> Path:
    dep = deployment(cd_ha=True, echo_ha=True)
    dep["version"] = version
    return write_hal(tmp_path / "hal", dep, **kwargs)  # type: ignore[arg-type]


def write_bom(path: Path, version: str | None, tags: dict[str, str],
              registry: str | None = None) -> Path:
    data: dict[str, object] = {"services": {k: {"version": v, "commit": "c0ffee"}
                                            for k, v in tags.items()},
                               "dependencies": {"redis": {"version": "2:2.8.4-2"}}}
    if version is not None:
        data["version"] = version
    if registry is not None:
        data["artifactSources"] = {"dockerRegistry": registry}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data))
    return path


def tags(prefix: str) -> dict[str, str]:
    return {name: f"{prefix}.{i}.0" for i, name in enumerate(SERVICES)}


# ------------------------------------------------------------------ the table, per release
SPREAD = ["1.26.7", "1.27.1", "1.28.0", "1.28.10", "1.29.3", "1.30.1", "1.31.2", "1.32.4",
          "1.33.0", "1.34.6", "1.35.5", "1.36.1", "1.37.11", "1.38.0"]


@pytest.mark.parametrize("variant", ["SLIM", "UBUNTU"])
@pytest.mark.parametrize("version", SPREAD)
def test_every_deployment_runs_the_tables_image(tmp_path: Path, version: str,
                                                variant: str) -> None:
    release = table().find(version)
    assert release is not None and release.tags == "bom"
    bundle = render(write_hal(tmp_path / "hal", every_service(version, imageVariant=variant)))
    found = images(bundle)
    suffix = "" if variant == "SLIM" else "-ubuntu"
    artifacts = set()
    for name, image in found.items():
        service = catalog.get(name)
        if service.base == "redis":
            continue
        artifacts.add(service.artifact)
        assert image == (f"{LEGACY}/{service.artifact}:"
                         f"{release.services[service.artifact]}{suffix}"), name
    assert artifacts == set(SERVICES)


@pytest.mark.parametrize("version", ["2025.0.0", "2025.3.2"])
@pytest.mark.parametrize("variant", ["SLIM", "UBUNTU"])
def test_2025_releases_tag_every_image_with_the_release(tmp_path: Path, version: str,
                                                        variant: str) -> None:
    assert table().find(version) is not None
    suffix = "" if variant == "SLIM" else "-ubuntu"
    found = images(render(write_hal(tmp_path / "hal",
                                    every_service(version, imageVariant=variant))))
    for name, image in found.items():
        service = catalog.get(name)
        if service.base != "redis":
            assert image == f"{LEGACY}/{service.artifact}:{version}{suffix}", name


def test_known_tags_from_the_sources() -> None:
    """Spot facts read off the sources by hand: spinnaker.io's 1.30.1 changelog
    (Clouddriver 5.80.1, Orca 8.31.1; Deck unchanged since 1.30.0's 3.13.0); the 1.31.2
    sample BOM in spinnaker/spinnaker's release action README; a public 1.26.7 BOM."""
    assert table().find("1.30.1").services["clouddriver"] == "5.80.1"  # type: ignore[union-attr]
    assert table().find("1.30.1").services["orca"] == "8.31.1"  # type: ignore[union-attr]
    assert table().find("1.30.1").services["deck"] == "3.13.0"  # type: ignore[union-attr]
    assert table().find("1.31.2").services == {  # type: ignore[union-attr]
        "clouddriver": "5.81.1", "deck": "3.14.1", "echo": "2.38.1", "fiat": "1.41.1",
        "front50": "2.29.2", "gate": "6.59.2", "igor": "4.12.1", "kayenta": "2.37.1",
        "orca": "8.33.1", "rosco": "1.17.1"}
    assert table().find("1.26.7").services["clouddriver"] == (  # type: ignore[union-attr]
        "8.0.4-20210625060028")


@pytest.mark.parametrize(("variant", "suffix"), [
    ("SLIM", ""), ("UBUNTU", "-ubuntu"), ("JAVA8", "-java8"),
    ("UBUNTU_JAVA8", "-ubuntu-java8"), ("JAVA11", "-java11"),
    ("UBUNTU_JAVA11", "-ubuntu-java11"),
])
def test_image_variant_suffix_is_halyards(tmp_path: Path, variant: str, suffix: str) -> None:
    dep = deployment(imageVariant=variant)
    dep["version"] = "1.30.1"
    found = images(render(write_hal(tmp_path / "hal", dep)))
    assert found["clouddriver"] == f"{LEGACY}/clouddriver:5.80.1{suffix}"


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


def test_release_version_is_every_tag_from_2025(bundles: dict[str, Bundle]) -> None:
    found = images(bundles["examples"])
    assert found["clouddriver-ro"] == f"{LEGACY}/clouddriver:2025.2.1"
    assert found["echo-scheduler"] == f"{LEGACY}/echo:2025.2.1"
    assert found["deck"] == f"{LEGACY}/deck:2025.2.1"


# ------------------------------------------------------------------ precedence, local:
def test_bom_precedence_flag_then_hal_dir_then_table(tmp_path: Path) -> None:
    hal = hal_with(tmp_path, "1.31.0")
    table_tag = table().find("1.31.0").services["gate"]  # type: ignore[union-attr]
    assert images(render(hal))["gate"] == f"{LEGACY}/gate:{table_tag}"
    write_bom(hal / ".boms" / "bom" / "1.31.0.yml", "1.31.0", tags("8"),
              registry="mirror.example.com/spin")
    cached = images(render(hal))
    assert cached["gate"] == "mirror.example.com/spin/gate:8.5.0"
    assert cached["clouddriver-rw"] == "mirror.example.com/spin/clouddriver:8.0.0"
    flag = write_bom(tmp_path / "mine.yml", "1.31.0", tags("9"))
    chosen = images(render(hal, bom=flag))
    assert chosen["gate"] == f"{LEGACY}/gate:9.5.0"  # no registry in it: the release's


def test_local_prefix_reads_the_cached_bom_or_the_table(tmp_path: Path) -> None:
    hal = hal_with(tmp_path, "local:1.28.1")
    expected = table().find("1.28.1").services["orca"]  # type: ignore[union-attr]
    assert images(render(hal))["orca"] == f"{LEGACY}/orca:{expected}"
    own = tags("7")
    own["orca"] = "local:7.8.0"  # Halyard strips local: from service versions too
    write_bom(hal / ".boms" / "bom" / "1.28.1.yml", "1.28.1", own)
    found = images(render(hal))
    assert found["orca"] == f"{LEGACY}/orca:7.8.0"
    assert found["clouddriver-ro"] == f"{LEGACY}/clouddriver:7.0.0"
    assert not (hal / ".boms" / "bom" / "local:1.28.1.yml").exists()


def test_service_registry_in_the_bom_overrides_the_boms(tmp_path: Path) -> None:
    hal = hal_with(tmp_path, "1.31.0")
    bom = write_bom(hal / ".boms" / "bom" / "1.31.0.yml", "1.31.0", tags("8"),
                    registry="mirror.example.com/spin")
    data = yaml.safe_load(bom.read_text())
    data["services"]["gate"]["artifactSources"] = {"dockerRegistry": "gate.example.com/x"}
    bom.write_text(yaml.safe_dump(data))
    found = images(render(hal))
    assert found["gate"] == "gate.example.com/x/gate:8.5.0"
    assert found["deck"] == "mirror.example.com/spin/deck:8.1.0"


def test_registry_flag_beats_every_bom_registry(tmp_path: Path) -> None:
    hal = hal_with(tmp_path, "1.30.1")
    bom = write_bom(tmp_path / "my-bom.yml", "1.30.1", tags("5"), registry="x.example.com")
    found = images(render(hal, bom=bom, registry="registry.local:5000/spin/"))
    assert found["clouddriver-ro"] == "registry.local:5000/spin/clouddriver:5.0.0"
    released = images(render(hal_with(tmp_path / "b", "2025.2.1"), registry="mirror.io/x"))
    assert released["gate"] == "mirror.io/x/gate:2025.2.1"


# ------------------------------------------------------------------ refused BOMs
def test_a_cached_bom_for_another_release_is_refused(tmp_path: Path) -> None:
    hal = hal_with(tmp_path, "1.31.0")
    write_bom(hal / ".boms" / "bom" / "1.31.0.yml", "1.30.1", tags("8"))
    with pytest.raises(HalError, match=r"1\.31\.0\.yml: the BOM is for version '1\.30\.1', "
                                       r"not the requested '1\.31\.0'"):
        render(hal)


def test_a_bom_flag_for_another_release_is_refused_by_the_cli(tmp_path: Path) -> None:
    hal = hal_with(tmp_path, "1.30.1")
    bom = write_bom(tmp_path / "other.yml", "1.29.3", tags("8"))
    out = tmp_path / "out"
    result = run_hal("deploy", "render", "--output-dir", str(out), "--bom", str(bom),
                     hal_dir=hal)
    assert result.code == 1
    assert result.err.startswith(f"error: {bom}: the BOM is for version '1.29.3'")
    assert "Traceback" not in result.err and not out.exists()


def test_bom_missing_a_service_is_a_clear_error(tmp_path: Path) -> None:
    hal = hal_with(tmp_path, "1.30.1")
    bom = write_bom(tmp_path / "partial.yml", "1.30.1", {"clouddriver": "1"})
    with pytest.raises(HalError, match=r"partial\.yml: the BOM has no version for '\w+' "
                                       r"\(expected services\.\w+\.version\)"):
        render(hal, bom=bom)


def test_unknown_version_says_how_to_supply_a_bom(tmp_path: Path) -> None:
    hal = hal_with(tmp_path, "1.18.2")
    with pytest.raises(HalError) as info:
        render(hal)
    message = str(info.value)
    assert "'1.18.2'" in message and "hal version list" in message
    assert str(hal / ".boms" / "bom" / "1.18.2.yml") in message
    assert "--bom FILE" in message and "artifactId" in message


def test_release_without_public_tags_asks_for_its_bom(tmp_path: Path) -> None:
    """1.20.5's changelog is a gist embed: pyhalyard knows the release, not its tags."""
    hal = hal_with(tmp_path, "1.20.5")
    with pytest.raises(HalError, match=r"Spinnaker 1\.20\.5 is a release, but its image tags "
                                       r"are in no public source .*gist"):
        render(hal)
    write_bom(hal / ".boms" / "bom" / "1.20.5.yml", "1.20.5", tags("6"))
    assert images(render(hal))["gate"] == f"{LEGACY}/gate:6.5.0"


def test_unknown_version_from_the_cli(tmp_path: Path) -> None:
    hal = hal_with(tmp_path, "1.18.2")
    out = tmp_path / "out"
    result = run_hal("deploy", "render", "--output-dir", str(out), hal_dir=hal)
    assert result.code == 1
    assert result.err.startswith("error: no image tags known for Spinnaker version '1.18.2'")
    assert "Traceback" not in result.err
    assert not out.exists()


# ------------------------------------------------------------------ artifactId, redis
def test_artifact_id_overrides_the_image(tmp_path: Path) -> None:
    hal = hal_with(tmp_path, "2025.2.1", settings={
        "clouddriver-ro": {"artifactId": "quay.io/me/clouddriver:patched-1"},
        "gate": {"artifactId": "gate-with-plugins"},
    })
    found = images(render(hal))
    assert found["clouddriver-ro"] == "quay.io/me/clouddriver:patched-1"
    assert found["clouddriver-rw"] == f"{LEGACY}/clouddriver:2025.2.1"  # not inherited
    assert found["gate"] == f"{LEGACY}/gate-with-plugins:2025.2.1"


def test_redis_image_comes_from_the_redis_container(bundles: dict[str, Bundle]) -> None:
    redis = find(bundles["examples"], "Deployment", "spin-redis")
    image = redis["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image and "spinnaker-community/docker/redis" not in image


# ------------------------------------------------------------------ Halyard's own record
def _halyard_recorded() -> dict[str, str]:
    history = yaml.safe_load((REALWORLD / "default/history/service-settings.yml").read_text())
    return {key: entry["artifactId"] for key, entry in history["services"].items()}


@needs_realworld
def test_halyards_record_is_exactly_one_release_of_the_table() -> None:
    """Cross-check: the images Halyard deployed for the realworld install are the table's
    1.29.3 row and no other release's (the config has since been moved to 1.30.1)."""
    recorded = {}
    for key, artifact_id in _halyard_recorded().items():
        registry, _, rest = artifact_id.rpartition("/")
        artifact, _, tag = rest.partition(":")
        if artifact in SERVICES:
            assert registry == LEGACY, key
            recorded[artifact] = tag
    assert set(recorded) == set(SERVICES)
    matching = [r.version for r in table().releases if dict(r.services) == recorded]
    assert matching == ["1.29.3"]


@needs_realworld
def test_realworld_tree_renders_the_images_halyard_recorded(bundles: dict[str, Bundle],
                                                            tmp_path: Path) -> None:
    """At the release Halyard last deployed, pyhalyard renders Halyard's images exactly;
    at the configured 1.30.1 every image moves to 1.30.1's tags."""
    from tests.render_manifests.configs import make_hal

    hal = make_hal(tmp_path, "realworld")
    config = hal / "config"
    config.write_text(config.read_text().replace("version: 1.30.1", "version: 1.29.3"))
    recorded = _halyard_recorded()
    found = images(render(hal))
    assert set(found) == {"clouddriver", "deck", "echo", "front50", "gate", "igor", "orca",
                          "rosco"}  # redis: skipLifeCycleManagement
    for name, image in found.items():
        assert image == recorded[catalog.get(name).camel], name
    configured = images(bundles["realworld"])
    release = table().find("1.30.1")
    assert release is not None
    for name, image in configured.items():
        assert image == f"{LEGACY}/{name}:{release.services[name]}"
