"""Build plans from in-memory halconfigs for the profile tests."""

from __future__ import annotations

import copy
from typing import Any

from pyhalyard.halconfig.custom import CustomFiles
from pyhalyard.halconfig.model import read_deployment
from pyhalyard.plan import Plan, make_plan
from pyhalyard.render.profiles import render_profiles

from . import spring

NS = "spin-ns"
MASTER = "redis://:s3cret-master@redis-master.redis:6379"
SLAVE = "redis://redis-replica.redis:6379"
SLAVE_DECK = "redis://redis-replica-deck.redis:6380"

AWS = {"enabled": False, "accounts": [], "bakeryDefaults": {"baseImages": []},
       "defaultRegions": [{"name": "us-west-2"}]}
K8S_ACCOUNT = {"name": "prod", "providerVersion": "V2", "context": "prod-ctx",
               "serviceAccount": True,
               "namespaces": [], "omitNamespaces": ["kube-system"], "onlySpinnakerManaged": True,
               "customResources": [{"kubernetesKind": "Foo.example.com"}]}


def raw_config(cd: bool = False, echo: bool = False, ro_deck: bool | None = None,
               redis: bool = False, **extra: Any) -> dict[str, Any]:
    """A distributed deployment where every caller of the wiring table runs."""
    clouddriver: dict[str, Any] = {"enabled": cd}
    if ro_deck is not None:
        clouddriver["disableClouddriverRoDeck"] = not ro_deck
    if redis:
        clouddriver["redisMasterEndpoint"] = MASTER
        clouddriver["redisSlaveEndpoint"] = SLAVE
        if ro_deck:
            clouddriver["redisSlaveDeckEndpoint"] = SLAVE_DECK
    raw: dict[str, Any] = {
        "name": "default",
        "version": "2025.2.1",
        "providers": {
            "kubernetes": {"enabled": True, "accounts": [copy.deepcopy(K8S_ACCOUNT)],
                           "primaryAccount": "prod"},
            "aws": copy.deepcopy(AWS),
            "dockerRegistry": {"enabled": True, "primaryAccount": "hub",
                               "accounts": [{"name": "hub", "address": "https://index.docker.io"}]},
        },
        "deploymentEnvironment": {"type": "Distributed", "accountName": "prod", "location": NS,
                                  "haServices": {"clouddriver": clouddriver,
                                                 "echo": {"enabled": echo}}},
        "persistentStorage": {"persistentStoreType": "gcs",
                              "gcs": {"bucket": "front50-bucket", "project": "my-project"},
                              "s3": {"bucket": "unused"}, "redis": {}},
        "timezone": "Europe/Berlin",
        "security": {"authz": {"enabled": True,
                               "groupMembership": {"service": "FILE",
                                                   "file": {"path": "/roles.yml"}}}},
        "canary": {"enabled": True, "serviceIntegrations": [
            {"name": "google", "enabled": True, "gcsEnabled": True,
             "stackdriverEnabled": False, "accounts": [{"name": "gcp"}]}]},
        "artifacts": {"http": {"enabled": True, "accounts": [{"name": "web"}]}},
        "stats": {"enabled": False},
    }
    raw.update(extra)
    return raw


def plan_of(raw: dict[str, Any], settings: dict[str, dict[str, Any]] | None = None,
            profiles: dict[str, str] | None = None) -> Plan:
    dep = read_deployment("config", raw, 0)
    return make_plan(dep, CustomFiles(settings=settings or {}, profiles=profiles or {}))


def render(raw: dict[str, Any], **kw: Any) -> tuple[Plan, dict[str, dict[str, str]]]:
    plan = plan_of(raw, **kw)
    return plan, render_profiles(plan)


def props(plan: Plan, profiles: dict[str, dict[str, str]], name: str) -> dict[str, str]:
    """Resolved Spring properties of one container, with the profiles it activates."""
    sp = plan.services[name]
    active = sp.env["SPRING_PROFILES_ACTIVE"].split(",")
    return spring.effective(profiles[name], sp.service.base, active)


def url(name: str, port: int) -> str:
    return f"http://spin-{name}.{NS}:{port}"
