"""``hal deploy details --service-name X`` and ``hal deploy collect-logs`` against the API double.

Followed: halyard-cli ``deploy/DetailsDeployCommand`` (prints halyard-deploy
``RunningServiceDetails``: artifactId, internal/external endpoint, loadBalancer.exists,
instances with running/healthy) and ``deploy/CollectLogsDeployCommand`` (``--service-names``,
``--exclude-service-names``; logs under ``<hal>/<deployment>/service-logs/<pod>/<service>``,
``HalconfigDirectoryStructure.getServiceLogsPath``).
"""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

import pytest

from tests.deploy.apiserver_double import ApiServerDouble
from tests.deploy.bundles import NAMESPACE as NS
from tests.deploy.bundles import make_hal
from tests.helpers import Result, run_hal

FAST = ("--no-live-checks", "--poll-interval", "0.02")


def hal(hal_dir: Path, *args: str) -> Result:
    return run_hal(*args, hal_dir=hal_dir)


@pytest.fixture
def deployed(api: ApiServerDouble, tmp_path: Path, kubeconfig: Path) -> Path:
    hal_dir = make_hal(tmp_path, kubeconfig, clouddriver_ha=True, echo_ha=False)
    result = hal(hal_dir, "deploy", "apply", *FAST)
    assert result.code == 0, result.err
    time.sleep(0.05)  # every pod past its ready delay
    return hal_dir


def test_details_reports_what_runs(api: ApiServerDouble, deployed: Path) -> None:
    result = hal(deployed, "deploy", "details", "--service-name", "clouddriver-ro", "-o", "json")
    assert result.code == 0, result.err
    found = json.loads(result.out)
    assert found["kubernetesName"] == "spin-clouddriver-ro"
    assert found["internalEndpoint"] == f"http://spin-clouddriver-ro.{NS}:7002"
    assert "clouddriver:" in found["artifactId"]
    assert found["loadBalancer"] == {"exists": True}
    pods = found["instances"]
    assert len(pods) == found["replicas"]["desired"] == found["replicas"]["ready"]
    assert all(p["running"] and p["healthy"] and p["location"] == NS for p in pods)
    assert all(p["id"].startswith("spin-clouddriver-ro-") for p in pods)
    human = hal(deployed, "deploy", "details", "--service-name", "spin-gate")
    assert human.code == 0, human.err
    assert f"spin-gate (gate) in namespace {NS}" in human.out
    assert "ready" in human.out and f"http://spin-gate.{NS}:8084" in human.out


def test_details_of_a_service_not_deployed(api: ApiServerDouble, deployed: Path) -> None:
    split = hal(deployed, "deploy", "details", "--service-name", "clouddriver")
    assert split.code == 1
    assert "clouddriver-ro" in split.err and "HA roles" in split.err
    unknown = hal(deployed, "deploy", "details", "--service-name", "nope")
    assert unknown.code == 2 and "unknown service 'nope'" in unknown.err
    api.objects.pop(("Deployment", NS, "spin-rosco"))
    gone = hal(deployed, "deploy", "details", "--service-name", "rosco")
    assert gone.code == 1 and "not deployed" in gone.err and "hal deploy apply" in gone.err


def test_collect_logs_writes_every_container_of_every_pod(api: ApiServerDouble,
                                                          deployed: Path) -> None:
    api.set_pod_log("spin-gate", "gate line 1\ngate line 2 ({container})\n")
    result = hal(deployed, "deploy", "collect-logs", "-o", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    out = deployed / "default" / "service-logs"
    assert report["outputDir"] == str(out)
    services = {log["service"] for log in report["logs"]}
    assert {"gate", "orca", "clouddriver-caching", "clouddriver-rw", "clouddriver-ro",
            "echo"} <= services
    assert "clouddriver" not in services  # the split base is not running
    gate = [log for log in report["logs"] if log["service"] == "gate"]
    assert gate
    for log in gate:
        path = Path(log["path"])
        assert path.parent == out / log["pod"] / "gate"  # Halyard's <pod>/<service>
        assert path.read_text() == f"gate line 1\ngate line 2 ({log['container']})\n"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    orca = next(log for log in report["logs"] if log["service"] == "orca")
    assert Path(orca["path"]).read_text().startswith("orca started")


def test_collect_logs_selects_services(api: ApiServerDouble, deployed: Path,
                                       tmp_path: Path) -> None:
    out = tmp_path / "logs"
    only = hal(deployed, "deploy", "collect-logs", "--service-names", "clouddriver,gate",
               "--exclude-service-names", "clouddriver-caching", "--output-dir", str(out),
               "-o", "json")
    assert only.code == 0, only.err
    services = {log["service"] for log in json.loads(only.out)["logs"]}
    # the example keeps Halyard's three clouddriver roles (no disableClouddriverRoDeck key)
    assert services == {"gate", "clouddriver-rw", "clouddriver-ro"}
    assert all(Path(log["path"]).is_relative_to(out) for log in json.loads(only.out)["logs"])
    human = hal(deployed, "deploy", "collect-logs", "--service-names", "front50",
                "--output-dir", str(out))
    assert human.code == 0, human.err
    assert "+ Successfully collected service logs" in human.out
    bad = hal(deployed, "deploy", "collect-logs", "--service-names", "nope")
    assert bad.code == 2 and "unknown service" in bad.err


def test_collect_logs_warns_for_services_without_pods(api: ApiServerDouble,
                                                      deployed: Path) -> None:
    for pod in api.pods:
        if pod.deployment == "spin-rosco":
            pod.terminating_at = pod.created
            pod.grace = 0.0
    result = hal(deployed, "deploy", "collect-logs", "--service-names", "rosco,gate")
    assert result.code == 0, result.err
    assert "rosco: no running pod" in result.err
    assert "gate:" in result.out
