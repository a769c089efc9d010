"""Hal dirs for the Redis tests: the bundled example with clouddriver's Redis set as asked."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from tests.helpers import EXAMPLES

KEYS = ("redisMasterEndpoint", "redisSlaveEndpoint", "redisSlaveDeckEndpoint")


def make_hal(root: Path, endpoints: dict[str, str] | None = None, *,
             in_cluster_replicas: int | None = None, ro_deck: bool | None = None,
             namespace: str = "spinnaker") -> Path:
    """A copy of examples/hal with clouddriver HA on and exactly ``endpoints`` set
    (none: every role on spin-redis, or the in-cluster replica when asked for)."""
    hal = root / "hal"
    shutil.copytree(EXAMPLES / "hal", hal)
    config_path = hal / "config"
    config: dict[str, Any] = yaml.safe_load(config_path.read_text())
    env = config["deploymentConfigurations"][0]["deploymentEnvironment"]
    env["location"] = namespace
    cd = env["haServices"]["clouddriver"]
    cd["enabled"] = True
    for key in KEYS:
        cd.pop(key, None)
    cd.update(endpoints or {})
    if ro_deck is not None:
        cd["disableClouddriverRoDeck"] = not ro_deck
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    if in_cluster_replicas is not None:
        settings = hal / "default" / "service-settings"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "redis-replica.yml").write_text(
            f"enabled: {'true' if in_cluster_replicas > 0 else 'false'}\n"
            f"targetSize: {in_cluster_replicas}\n")
    return hal
