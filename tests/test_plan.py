"""The plan: facts every renderer shares (wiring, Redis per role, replicas)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pyhalyard import pipeline
from pyhalyard.halconfig.document import Document
from pyhalyard.halconfig.paths import HalPaths
from pyhalyard.plan import Plan
from tests.helpers import EXAMPLES

HA: list[str | int] = ["deploymentConfigurations", 0, "deploymentEnvironment", "haServices"]


def example_plan(tmp_path: Path, *edits: tuple[list[str | int], object]) -> Plan:
    root = tmp_path / "hal"
    shutil.copytree(EXAMPLES / "hal", root)
    doc = Document((root / "config").read_text())
    for path, value in edits:
        doc.set(path, value)
    (root / "config").write_text(doc.text)
    return pipeline.plan(pipeline.load(HalPaths(root)))


def test_callers_reenable_the_replaced_base_service(tmp_path: Path) -> None:
    """Gate builds no client for a disabled service; spinnaker.yml disables spin-clouddriver."""
    plan = example_plan(tmp_path)
    gate = plan["gate"].overrides["services"]
    assert gate["clouddriver"] == {"baseUrl": "http://spin-clouddriver-ro.spinnaker:7002",
                                   "enabled": True}
    assert gate["echo"] == {"baseUrl": "http://spin-echo-worker.spinnaker:8089",
                            "enabled": True}
    assert plan["orca"].overrides["services"]["clouddriver"]["baseUrl"] == \
        "http://spin-clouddriver-rw.spinnaker:7002"
    assert not plan["clouddriver"].enabled and not plan["echo"].enabled


@pytest.mark.parametrize("cd, echo", [(False, False), (True, False), (False, True)])
def test_only_the_ha_that_is_on_adds_wiring(tmp_path: Path, cd: bool, echo: bool) -> None:
    plan = example_plan(tmp_path, ([*HA, "clouddriver", "enabled"], cd),
                        ([*HA, "echo", "enabled"], echo))
    orca = plan["orca"].overrides
    assert ("clouddriver" in orca) is cd  # clouddriver.readonly.baseUrl
    assert ("clouddriver" in orca.get("services", {})) is cd
    assert ("echo" in orca.get("services", {})) is echo
    assert plan["orca"].spring_profiles == (("overrides", "local") if cd or echo else ("local",))


def test_roles_read_redis_by_role_and_alias_sizing_counts(tmp_path: Path) -> None:
    sizing: list[str | int] = ["deploymentConfigurations", 0, "deploymentEnvironment",
                               "customSizing"]
    plan = example_plan(tmp_path, ([*sizing, "spin-echo-slave"], {"replicas": 2}))
    assert plan["echo-slave"].replicas == 2 and plan["echo-worker"].replicas == 2
    ro = plan["clouddriver-ro"].overrides["services"]
    assert ro["redis"]["baseUrl"] == ro["redisRo"]["baseUrl"]
    assert "redis-replica.redis" in ro["redis"]["baseUrl"]
    assert "redis-master.redis" in \
        plan["clouddriver-caching"].overrides["services"]["redis"]["baseUrl"]
    assert plan["clouddriver-ro"].spring_profiles == ("ro", "ro-overrides", "local", "ro-local")
    assert plan.redis_source == "external"
