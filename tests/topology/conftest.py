"""Halconfigs for the topology tests: each HA combination written into a temp ~/.hal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from pyhalyard import pipeline
from pyhalyard.halconfig.paths import HalPaths
from pyhalyard.plan import Plan

# A password that must never reach any output of the topology command.
SECRET = "s3cr3t-Redis-pw"
MASTER_HOST = "redis-master.data"
REPLICA_HOST = "redis-replica.data"
DECK_REPLICA_HOST = "redis-deck.data"


def config(*, clouddriver_ha: bool = False, echo_ha: bool = False,
           ro_deck: bool | None = None, endpoints: bool = False, authz: bool = True,
           canary: bool = True, igor: bool = True, namespace: str = "spinnaker") -> dict[str, Any]:
    """One deployment; ``ro_deck=None`` leaves ``disableClouddriverRoDeck`` out (seed's 3 roles)."""
    cd: dict[str, Any] = {"enabled": clouddriver_ha}
    if ro_deck is not None:
        cd["disableClouddriverRoDeck"] = not ro_deck
    if endpoints:
        cd["redisMasterEndpoint"] = f"redis://:{SECRET}@{MASTER_HOST}:6379"
        cd["redisSlaveEndpoint"] = f"redis://:{SECRET}@{REPLICA_HOST}:6379"
        if ro_deck:
            cd["redisSlaveDeckEndpoint"] = f"redis://:{SECRET}@{DECK_REPLICA_HOST}:6380"
    dep: dict[str, Any] = {
        "name": "default",
        "version": "2025.2.1",
        "providers": {"kubernetes": {
            "enabled": True, "primaryAccount": "k8s",
            "accounts": [{"name": "k8s", "providerVersion": "V2", "context": "prod",
                          "serviceAccount": True}]}},
        "deploymentEnvironment": {
            "type": "Distributed", "accountName": "k8s", "location": namespace,
            "haServices": {"clouddriver": cd, "echo": {"enabled": echo_ha}},
        },
        "persistentStorage": {"persistentStoreType": "s3",
                              "s3": {"bucket": "b", "region": "us-east-1"}},
        "security": {"authz": {"enabled": authz}},
        "canary": {"enabled": canary},
    }
    if igor:
        dep["ci"] = {"jenkins": {"enabled": True, "masters": [
            {"name": "ci", "address": "https://jenkins.example.com"}]}}
    return {"halyardVersion": "1.45.0", "currentDeployment": "default",
            "deploymentConfigurations": [dep]}


def write_hal(root: Path, cfg: dict[str, Any], profiles: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "config").write_text(yaml.safe_dump(cfg, sort_keys=False))
    folder = root / "default" / "profiles"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (profiles or {}).items():
        (folder / name).write_text(text)
    return root


def plan_of(root: Path) -> Plan:
    return pipeline.plan(pipeline.load(HalPaths(root)))


MakeHal = Callable[..., Path]


@pytest.fixture
def make_hal(tmp_path: Path) -> MakeHal:
    """``make_hal(profiles=None, **config_kwargs)`` -> a hal dir."""
    counter = iter(range(1000))

    def make(profiles: dict[str, str] | None = None, **kwargs: Any) -> Path:
        return write_hal(tmp_path / f"hal{next(counter)}", config(**kwargs), profiles)

    return make
