"""Deploy-time transforms Halyard applied to the pods (issue 11), on the "transforms" config.

Each test names the Halyard source it follows; the same bundle passes
kubernetes-validate (strict) and ``kubectl kustomize`` in the neighbouring tests.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import yaml

from pyhalyard.render.bundle import Bundle, KubeObject
from tests.render_manifests.configs import deployment, find, render, write_hal


def pod(bundle: Bundle, name: str) -> KubeObject:
    spec: KubeObject = find(bundle, "Deployment", f"spin-{name}")["spec"]["template"]["spec"]
    return spec


def container(bundle: Bundle, name: str, container_name: str | None = None) -> KubeObject:
    wanted = container_name or name
    return next(c for c in pod(bundle, name)["containers"] if c["name"] == wanted)


def secret_file(bundle: Bundle, name: str, path: str) -> bytes:
    secret = next(o for o in bundle.services[name].objects if o["kind"] == "Secret")
    volume = next(v for v in pod(bundle, name)["volumes"] if v["name"] == "spin-config")
    items = volume["secret"].get("items")
    key = next(i["key"] for i in items if i["path"] == path) if items else path
    return base64.b64decode(secret["data"][key])


def mounts(c: KubeObject) -> dict[str, dict[str, Any]]:
    return {m["mountPath"]: m for m in c.get("volumeMounts", [])}


def test_orca_drains_before_it_stops(bundles: dict[str, Bundle]) -> None:
    """KubernetesV2OrcaService: shutdown.sh disables the instance and sleeps half of the
    grace period; lifecycle.preStop runs it (MAN/lifecycle.yml)."""
    bundle = bundles["transforms"]
    orca = container(bundle, "orca")
    assert orca["lifecycle"] == {"preStop": {"exec": {"command": [
        "bash", "/opt/spinnaker/scripts/shutdown.sh"]}}}
    assert mounts(orca)["/opt/spinnaker/scripts/shutdown.sh"]["subPath"] == "orca/shutdown.sh"
    script = secret_file(bundle, "orca", "orca/shutdown.sh").decode()
    assert "http://localhost:8083/admin/instance/enabled" in script
    assert "--post-data='{\"enabled\": \"false\"}'" in script
    assert script.rstrip().endswith("sleep 30")
    assert pod(bundle, "orca")["terminationGracePeriodSeconds"] == 60
    assert "lifecycle" not in container(bundle, "gate")


def test_base_name_entries_reach_every_role(bundles: dict[str, Bundle]) -> None:
    """KubernetesV2Service.getTolerations/getSidecarConfigs: spin-<role> first, else the
    base canonical name (clouddriver, echo)."""
    bundle = bundles["transforms"]
    assert pod(bundle, "clouddriver-caching")["tolerations"][0]["value"] == "caching"
    for role in ("clouddriver-rw", "clouddriver-ro"):
        assert pod(bundle, role)["tolerations"][0]["value"] == "cd"
    for role in ("echo-scheduler", "echo-worker"):
        names = [c["name"] for c in pod(bundle, role)["containers"]]
        assert names == [role, "custom-sidecar", "monitoring-daemon"]


def test_sidecar_mount_path_is_a_shared_empty_dir(bundles: dict[str, Bundle]) -> None:
    """KubernetesV2Service.getPodSpecYaml: an emptyDir named after the sidecar (default
    name custom-sidecar, SidecarConfig.java), mounted in the sidecar and the main container;
    never the config Secret."""
    bundle = bundles["transforms"]
    spec = pod(bundle, "echo-worker")
    assert {"name": "custom-sidecar", "emptyDir": {}} in spec["volumes"]
    sidecar = container(bundle, "echo-worker", "custom-sidecar")
    assert mounts(sidecar) == {"/vault/secrets": {"name": "custom-sidecar",
                                                  "mountPath": "/vault/secrets"}}
    assert mounts(container(bundle, "echo-worker"))["/vault/secrets"]["name"] == "custom-sidecar"


def test_volume_without_type_is_a_secret(bundles: dict[str, Bundle]) -> None:
    """ConfigSource.java: type defaults to secret."""
    bundle = bundles["transforms"]
    volume = next(v for v in pod(bundle, "gate")["volumes"] if "gate-tls" in v["name"])
    assert volume["secret"] == {"secretName": "gate-tls"}
    assert mounts(container(bundle, "gate"))["/opt/tls"]["name"] == volume["name"]


def test_probe_semantics(bundles: dict[str, Bundle]) -> None:
    """KubernetesV2Service.getProbe/getReadinessExecCommand: useExecHealthCheck -> wget
    --spider of the health URL; useTcpProbe (quoted "true", coerced) -> tcpSocket."""
    bundle = bundles["transforms"]
    assert container(bundle, "gate")["readinessProbe"] == {"exec": {"command": [
        "wget", "--no-check-certificate", "--spider", "-q", "http://localhost:8084/health"]}}
    assert container(bundle, "front50")["readinessProbe"] == {"tcpSocket": {"port": 8080}}
    assert container(bundle, "rosco")["readinessProbe"]["httpGet"]["path"] == "/health"


def test_moniker_annotations(bundles: dict[str, Bundle]) -> None:
    """MAN/deployment.yml: moniker.spinnaker.io annotations with JSON string values."""
    meta = find(bundles["transforms"], "Deployment", "spin-clouddriver-ro")["metadata"]
    assert meta["annotations"]["moniker.spinnaker.io/application"] == '"spin"'
    assert meta["annotations"]["moniker.spinnaker.io/cluster"] == '"clouddriver-ro"'


def test_custom_files_where_services_look(bundles: dict[str, Bundle]) -> None:
    """RoscoService/ClouddriverService.customProfileOutputPath: rosco/... under
    /opt/rosco/config, clouddriver/... under /opt/clouddriver/config (one file each, so the
    image's own packer templates stay visible)."""
    bundle = bundles["transforms"]
    rosco = mounts(container(bundle, "rosco"))["/opt/rosco/config/packer/custom.json"]
    assert rosco["subPath"] == "rosco/packer/custom.json"
    assert secret_file(bundle, "rosco", "rosco/packer/custom.json") == b'{"builders": []}\n'
    for role in ("clouddriver-rw", "clouddriver-ro", "clouddriver-caching"):
        found = mounts(container(bundle, role))["/opt/clouddriver/config/custom-kubeconfig"]
        assert found["subPath"] == "clouddriver/custom-kubeconfig"
    assert "/opt/rosco/config" not in mounts(container(bundle, "rosco"))


def test_binary_custom_profile_is_shipped_byte_exact(tmp_path: Path) -> None:
    """GenerateService ships every profile file unchanged; a keystore is not text."""
    keystore = bytes(range(256)) + b"\xfe\xed\xfe\xed"
    hal = write_hal(tmp_path / "hal", deployment())
    folder = hal / "default" / "profiles"
    folder.mkdir(parents=True)
    (folder / "gate-keystore.jks").write_bytes(keystore)
    bundle = render(hal)
    assert secret_file(bundle, "gate", "gate-keystore.jks") == keystore
    from tests.helpers import run_hal

    assert run_hal("config", "generate", hal_dir=hal).code == 0
    assert (hal / "default" / "staging" / "gate" / "gate-keystore.jks").read_bytes() == keystore
    assert run_hal("config", "validate", hal_dir=hal).code == 0


def test_monitoring_daemon_sidecar(bundles: dict[str, Bundle]) -> None:
    """DistributedService.getSidecars + SpinnakerMonitoringDaemonProfileFactory +
    MetricRegistryProfileFactoryBuilder, for a release whose BOM ships the daemon
    (1.26.7: the release table's row, from public copies of its BOM, gives its tag)."""
    bundle = bundles["transforms"]
    daemon = container(bundle, "gate", "monitoring-daemon")
    assert daemon["image"] == ("us-docker.pkg.dev/spinnaker-community/docker/"
                               "monitoring-daemon:0.19.3-20210415230021")
    assert daemon["readinessProbe"] == {"tcpSocket": {"port": 8008}}
    paths = mounts(daemon)
    assert set(paths) == {"/opt/spinnaker-monitoring/config/spinnaker-monitoring.yml",
                          "/opt/spinnaker-monitoring/registry/gate.yml"}
    registry = yaml.safe_load(secret_file(bundle, "gate", "monitoring-daemon/registry/gate.yml"))
    assert registry == {"metrics_url": "http://localhost:8084/spectator/metrics"}
    config = yaml.safe_load(secret_file(bundle, "gate",
                                        "monitoring-daemon/spinnaker-monitoring.yml"))
    assert config["monitor"] == {"period": 30, "metric_store": ["prometheus"]}
    assert config["server"] == {"host": "0.0.0.0", "port": 8008}
    assert config["prometheus"]["add_source_metalabels"] is True
    # not monitored: deck (not a Spring service), orca (monitored: false), redis
    for name in ("deck", "orca", "redis"):
        assert "monitoring-daemon" not in [c["name"] for c in pod(bundle, name)["containers"]]


def test_no_monitoring_daemon_for_releases_without_its_image(tmp_path: Path) -> None:
    dep = deployment()
    dep["metricStores"] = {"enabled": True, "prometheus": {"enabled": True}}
    bundle = render(write_hal(tmp_path / "hal", dep))  # 2025.2.1: no daemon image
    assert [c["name"] for c in pod(bundle, "gate")["containers"]] == ["gate"]


def test_monitoring_daemon_tag_from_the_hal_dir_bom(tmp_path: Path) -> None:
    """A release whose table row names no daemon (1.30.1) gets none, until Halyard's
    BOM for it in <hal>/.boms/bom/1.30.1.yml (Halyard's LocalDiskProfileReader reads a
    ``local:`` release from there; pyhalyard reads it before the table) lists
    monitoring-daemon; then the daemon's tag and registry are that BOM's."""
    dep = deployment()
    dep["version"] = "1.30.1"
    dep["metricStores"] = {"enabled": True, "prometheus": {"enabled": True}}
    hal = write_hal(tmp_path / "hal", dep)
    assert "monitoring-daemon" not in [c["name"] for c in pod(render(hal), "gate")["containers"]]
    from pyhalyard.releases import table

    row = table().find("1.30.1")
    assert row is not None
    services = {name: {"version": f"local:{tag}"} for name, tag in row.services.items()}
    services["monitoring-daemon"] = {"version": "local:1.4.0-20221011140000"}
    boms = hal / ".boms" / "bom"
    boms.mkdir(parents=True)
    (boms / "1.30.1.yml").write_text(yaml.safe_dump({
        "version": "1.30.1", "services": services,
        "artifactSources": {"dockerRegistry": "mirror.example.com/spinnaker"}}))
    bundle = render(hal)
    daemon = container(bundle, "clouddriver", "monitoring-daemon")
    assert daemon["image"] == "mirror.example.com/spinnaker/monitoring-daemon:1.4.0-20221011140000"
    assert container(bundle, "clouddriver")["image"] == (
        f"mirror.example.com/spinnaker/clouddriver:{row.services['clouddriver']}")


def test_quoted_authz_flag_deploys_fiat(bundles: dict[str, Bundle]) -> None:
    """Jackson binds authz.enabled: "true" to boolean true: fiat runs."""
    assert "fiat" in bundles["transforms"].services


def test_location_and_base_url(bundles: dict[str, Bundle]) -> None:
    """KubernetesV2Service.getNamespace (service-settings location) and
    ServiceSettings.buildBaseUri (baseUrl when there is no overrideBaseUrl)."""
    bundle = bundles["transforms"]
    for obj in bundle.services["rosco"].objects:
        assert obj["metadata"]["namespace"] == "spin-bake"
    assert find(bundle, "Namespace", "spin-bake")
    assert find(bundle, "Deployment", "spin-gate")["metadata"]["namespace"] == "spinnaker"
    secret = next(o for o in bundle.services["gate"].objects if o["kind"] == "Secret")
    services = yaml.safe_load(base64.b64decode(secret["data"]["spinnaker.yml"]))["services"]
    assert services["rosco"]["baseUrl"] == "http://spin-rosco.spin-bake:8087"
    assert services["orca"]["baseUrl"] == "http://orca.example:8083"


def test_monitoring_daemon_image_from_artifact_id(tmp_path: Path) -> None:
    """ServiceSettings.artifactId names the daemon's image for any release."""
    dep = deployment()
    dep["metricStores"] = {"enabled": True, "datadog": {"enabled": True}}
    hal = write_hal(tmp_path / "hal", dep, settings={"monitoring-daemon": {
        "artifactId": "mirror.example.com/spinnaker/monitoring-daemon:1.4.0"}})
    daemon = container(render(hal), "clouddriver", "monitoring-daemon")
    assert daemon["image"] == "mirror.example.com/spinnaker/monitoring-daemon:1.4.0"
