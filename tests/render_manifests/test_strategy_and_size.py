"""Halyard's ``deploymentStrategy``, a version-free Redis pod template, the 1 MiB Secret limit.

Reference: spinnaker/halyard ``halyard-deploy/src/main/resources/kubernetes/manifests/
deployment.yml`` -- ``strategy: {<type>: <strategySettings>, type: RollingUpdate if type ==
"rollingUpdate" else Recreate}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from kubernetes_validate import validate

from pyhalyard.errors import HalError
from pyhalyard.render.strategy import deployment_strategy
from tests.render_manifests.configs import deployment, find, render, write_hal

WHERE = "service-settings/gate.yml: kubernetes.deploymentStrategy"


def gate_with(tmp_path: Path, strategy: Any) -> dict[str, Any]:
    hal = write_hal(tmp_path / "hal", deployment(),
                    settings={"gate": {"kubernetes": {"deploymentStrategy": strategy}}})
    return find(render(hal), "Deployment", "spin-gate")


def test_halyard_rolling_update_becomes_a_valid_strategy(tmp_path: Path) -> None:
    dep = gate_with(tmp_path, {"type": "rollingUpdate",
                               "strategySettings": {"maxSurge": 1, "maxUnavailable": "0"}})
    assert dep["spec"]["strategy"] == {"type": "RollingUpdate",
                                       "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    validate(dep, "1.27", strict=True)


def test_halyard_recreate_becomes_recreate(tmp_path: Path) -> None:
    assert gate_with(tmp_path, {"type": "recreate"})["spec"]["strategy"] == {"type": "Recreate"}


def test_kubernetes_spelling_is_accepted() -> None:
    value = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "50%"}}
    assert deployment_strategy(WHERE, value) == {"type": "RollingUpdate",
                                                 "rollingUpdate": {"maxSurge": "50%"}}


@pytest.mark.parametrize(("value", "message"), [
    ({"type": "blueGreen"}, r"deploymentStrategy\.type: expected rollingUpdate or recreate"),
    ({"type": "rollingUpdate", "strategySettings": {"maxSkew": 1}},
     r"deploymentStrategy\.strategySettings\.maxSkew: unknown setting"),
    ({"type": "recreate", "strategySettings": {"maxSurge": 1}},
     r"deploymentStrategy\.strategySettings: a recreate strategy takes no settings"),
    ({"type": "rollingUpdate", "strategySettings": {"maxSurge": "lots"}},
     r"deploymentStrategy\.strategySettings\.maxSurge: expected a whole number"),
    ({"type": "rollingUpdate", "strategySettings": {"maxSurge": 0, "maxUnavailable": "0%"}},
     r"deploymentStrategy\.strategySettings: maxSurge and maxUnavailable cannot both be 0"),
    ({"type": "rollingUpdate", "extra": 1}, r"deploymentStrategy\.extra: unknown field"),
])
def test_anything_else_is_an_error_with_the_field_path(tmp_path: Path, value: Any,
                                                      message: str) -> None:
    with pytest.raises(HalError, match=f"service-settings/gate.yml: kubernetes\\.{message}"):
        gate_with(tmp_path, value)


def test_redis_pod_template_does_not_change_with_the_spinnaker_version(tmp_path: Path) -> None:
    """A new version label would restart Redis, which keeps its data only in memory."""
    before = deployment()
    after = deployment()
    after["version"] = "2025.3.0"
    old = render(write_hal(tmp_path / "a", before))
    new = render(write_hal(tmp_path / "b", after))
    redis_old = find(old, "Deployment", "spin-redis")
    redis_new = find(new, "Deployment", "spin-redis")
    assert redis_old["spec"]["template"] == redis_new["spec"]["template"]
    assert redis_old["metadata"]["labels"] != redis_new["metadata"]["labels"]
    # Every other service still rolls on a version change.
    assert (find(old, "Deployment", "spin-gate")["spec"]["template"]
            != find(new, "Deployment", "spin-gate")["spec"]["template"])


def test_a_secret_over_one_mib_is_an_error_naming_the_largest_files(tmp_path: Path) -> None:
    big = "x" * (700 * 1024)
    hal = write_hal(tmp_path / "hal", deployment(),
                    profiles={"gate-local.yml": f"a: {big}\n", "spinnaker-local.yml":
                              f"b: {big}\n", "gate-extra.yml": "c: 1\n"})
    with pytest.raises(HalError) as caught:
        render(hal)
    text = str(caught.value)
    assert text.startswith("spin-gate: its config Secret would hold ")
    assert "over the 1 MiB" in text
    assert "gate-local.yml (700 KiB)" in text and "spinnaker-local.yml (700 KiB)" in text


def test_a_secret_just_under_the_limit_renders(tmp_path: Path) -> None:
    hal = write_hal(tmp_path / "hal", deployment(),
                    profiles={"gate-local.yml": "a: " + "x" * (900 * 1024) + "\n"})
    assert find(render(hal), "Deployment", "spin-gate")
