"""Opt-in: the whole deploy flow against a real cluster (kind, minikube, anything).

Runs only when ``PYHALYARD_TEST_KUBECONFIG`` names a kubeconfig; each test gets a
namespace of its own (``pyhal-<random>``) and deletes it afterwards.  The services
run a stand-in -- ``busybox`` answering the rendered readiness probe on the
service's port -- instead of the Spinnaker images, so the suite exercises every
Kubernetes behaviour pyhalyard relies on (server-side apply and field ownership,
defaulting, validation, RBAC, rollouts, ReplicaSets, foreground deletion) without
pulling gigabytes or needing Spinnaker's storage.  ``PYHALYARD_TEST_REAL_IMAGES=1``
keeps the real images.
"""

from __future__ import annotations

import copy
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from pyhalyard.render.bundle import Bundle, ServiceBundle

KUBECONFIG = os.environ.get("PYHALYARD_TEST_KUBECONFIG", "")
REAL_IMAGES = os.environ.get("PYHALYARD_TEST_REAL_IMAGES") == "1"
STAND_IN = "busybox:1.36"

pytestmark = pytest.mark.skipif(not KUBECONFIG, reason="set PYHALYARD_TEST_KUBECONFIG to run "
                                "the real-cluster suite (README: kind or minikube)")


def kubectl(*args: str, check: bool = True, stdin: str | None = None) -> str:
    binary = shutil.which("kubectl") or "kubectl"
    result = subprocess.run([binary, "--kubeconfig", KUBECONFIG, *args], input=stdin,
                            capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)}: {result.stderr}")
    return result.stdout


def _probe_port(container: dict[str, Any]) -> int:
    probe = container.get("readinessProbe") or {}
    for handler in ("httpGet", "tcpSocket"):
        if handler in probe:
            return int(probe[handler]["port"])
    return int(container["ports"][0]["containerPort"])


def stand_in_object(obj: dict[str, Any]) -> dict[str, Any]:
    """The same Deployment with its Spinnaker process replaced by a tiny HTTP server that
    answers the rendered readiness probe; Redis keeps its real (small) image."""
    if obj.get("kind") != "Deployment" or REAL_IMAGES:
        return obj
    obj = copy.deepcopy(obj)
    name = obj["metadata"]["name"].removeprefix("spin-")
    for container in obj["spec"]["template"]["spec"]["containers"]:
        if container["name"] != name or name.startswith("redis"):
            continue
        port = _probe_port(container)
        container["image"] = STAND_IN
        container["command"] = ["sh", "-c", "mkdir -p /www && echo ok > /www/health && "
                                f"exec httpd -f -p {port} -h /www"]
        container.pop("args", None)
        container.pop("resources", None)
    return obj


def stand_in(bundle: Bundle) -> Bundle:
    services = {name: ServiceBundle(sb.name, sb.profiles,
                                    tuple(stand_in_object(o) for o in sb.objects))
                for name, sb in bundle.services.items()}
    return Bundle(bundle.namespace, bundle.version, bundle.shared, services)


@pytest.fixture
def namespace() -> Iterator[str]:
    name = f"pyhal-{secrets.token_hex(3)}"
    yield name
    kubectl("delete", "namespace", name, "--wait=false", check=False)


@pytest.fixture
def stand_in_render(monkeypatch: pytest.MonkeyPatch) -> None:
    """``hal deploy apply`` in this process renders the stand-in images."""
    from pyhalyard.render import build

    real = build.build_bundle

    def patched(*args: Any, **kwargs: Any) -> Bundle:
        return stand_in(real(*args, **kwargs))
    monkeypatch.setattr(build, "build_bundle", patched)


def write_hal(root: Path, namespace: str, *, ha: bool) -> Path:
    """A minimal halconfig (in-cluster Redis) deploying into ``namespace``."""
    from tests.render_manifests.configs import deployment
    from tests.render_manifests.configs import write_hal as write

    dep = deployment(cd_ha=ha, echo_ha=ha)
    dep["deploymentEnvironment"]["location"] = namespace
    account = dep["providers"]["kubernetes"]["accounts"][0]
    account["kubeconfigFile"] = KUBECONFIG
    account["serviceAccount"] = False  # the kubeconfig, not an in-cluster token
    account.pop("context", None)
    hal = write(root / "hal", dep)
    return hal


def set_ha(hal: Path, ha: bool) -> None:
    config = yaml.safe_load((hal / "config").read_text())
    env = config["deploymentConfigurations"][0]["deploymentEnvironment"]
    env["haServices"]["clouddriver"]["enabled"] = ha
    env["haServices"]["echo"]["enabled"] = ha
    (hal / "config").write_text(yaml.safe_dump(config, sort_keys=False))
