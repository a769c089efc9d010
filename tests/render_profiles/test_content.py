"""What each service's ``<base>.yml`` carries (providers, storage, timezone, ...)."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from .build import AWS, K8S_ACCOUNT, NS, props, raw_config, render


def load(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)


def test_clouddriver_carries_kubernetes_accounts_and_passes_other_providers_through() -> None:
    raw = raw_config()
    raw["providers"]["someFutureCloud"] = {"enabled": True, "accounts": [{"name": "x",
                                                                          "weird": [1, 2]}]}
    plan, profiles = render(raw)
    data = load(profiles["clouddriver"]["clouddriver.yml"])
    assert data["kubernetes"]["accounts"] == [K8S_ACCOUNT]
    assert data["kubernetes"]["primaryAccount"] == "prod"
    assert data["aws"] == AWS
    assert data["someFutureCloud"] == {"enabled": True, "accounts": [{"name": "x",
                                                                      "weird": [1, 2]}]}
    assert data["dockerRegistry"]["accounts"][0]["address"] == "https://index.docker.io"
    assert data["artifacts"]["http"] == {"enabled": True, "accounts": [{"name": "web"}]}
    assert "providers" not in data
    assert data["spinnaker"]["extensibility"]["plugins-root-path"] == "/opt/clouddriver/plugins"
    effective = props(plan, profiles, "clouddriver")
    assert effective["server.address"] == "0.0.0.0"
    assert effective["kubernetes.accounts[0].customResources[0].kubernetesKind"] \
        == "Foo.example.com"


def test_clouddriver_roles_all_get_the_same_providers() -> None:
    _, profiles = render(raw_config(cd=True, ro_deck=True))
    texts = {profiles[n]["clouddriver.yml"] for n in
             ("clouddriver-caching", "clouddriver-rw", "clouddriver-ro", "clouddriver-ro-deck")}
    assert len(texts) == 1
    assert load(texts.pop())["kubernetes"]["accounts"][0]["name"] == "prod"


def test_front50_storage_block() -> None:
    plan, profiles = render(raw_config())
    spinnaker = load(profiles["front50"]["front50.yml"])["spinnaker"]
    assert spinnaker["gcs"] == {"bucket": "front50-bucket", "project": "my-project",
                                "enabled": True}
    assert spinnaker["s3"] == {"bucket": "unused", "enabled": False}
    # The Redis store is addressed at the Redis every service uses.
    assert spinnaker["redis"] == {"host": f"spin-redis.{NS}", "port": 6379, "enabled": False}
    assert "persistentStoreType" not in spinnaker
    effective = props(plan, profiles, "front50")
    assert effective["spinnaker.gcs.enabled"] == "true"
    assert effective["spinnaker.s3.enabled"] == "false"


def test_front50_storage_type_without_block_and_external_redis() -> None:
    raw = raw_config()
    raw["persistentStorage"] = {"persistentStoreType": "redis"}
    _, profiles = render(raw, settings={"redis": {
        "overrideBaseUrl": "redis://:pw@redis.example:6390", "skipLifeCycleManagement": True}})
    spinnaker = load(profiles["front50"]["front50.yml"])["spinnaker"]
    assert spinnaker["redis"] == {"enabled": True}
    raw["persistentStorage"] = {"persistentStoreType": "redis", "redis": {}}
    _, profiles = render(raw, settings={"redis": {
        "overrideBaseUrl": "redis://:pw@redis.example:6390", "skipLifeCycleManagement": True}})
    spinnaker = load(profiles["front50"]["front50.yml"])["spinnaker"]
    assert spinnaker["redis"] == {"host": "redis.example", "port": 6390, "enabled": True}
    assert profiles["redis"] == {}  # managed elsewhere, and needs no profile


def test_services_run_elsewhere_still_get_profiles() -> None:
    """skipLifeCycleManagement: never deployed by us, but configured like Halyard does."""
    plan, profiles = render(raw_config(cd=True), settings={
        "orca": {"skipLifeCycleManagement": True, "overrideBaseUrl": "https://orca.example"}})
    assert not plan.services["orca"].managed
    assert props(plan, profiles, "orca")["services.clouddriver.baseUrl"] \
        == f"http://spin-clouddriver-rw.{NS}:7002"
    assert props(plan, profiles, "gate")["services.orca.baseUrl"] == "https://orca.example"


def test_timezone_everywhere_it_belongs() -> None:
    plan, profiles = render(raw_config(echo=True))
    assert load(profiles["gate"]["spinnaker.yml"])["global"]["spinnaker"]["timezone"] \
        == "Europe/Berlin"
    echo = load(profiles["echo-worker"]["echo.yml"])
    assert echo["global"]["spinnaker"]["timezone"] == "Europe/Berlin"
    scheduler = props(plan, profiles, "echo-scheduler")
    assert scheduler["scheduler.cron.timezone"] == "Europe/Berlin"
    raw = raw_config()
    del raw["timezone"]
    _, profiles = render(raw)
    assert load(profiles["orca"]["spinnaker.yml"])["global"]["spinnaker"]["timezone"] \
        == "America/Los_Angeles"


def test_echo_profile() -> None:
    raw = raw_config(notifications={"slack": {"enabled": True, "botName": "spin"}},
                     pubsub={"enabled": False}, ci={"gcb": {"enabled": True, "accounts": []}},
                     stats={"enabled": True, "endpoint": "https://stats.example"})
    _, profiles = render(raw)
    echo = load(profiles["echo"]["echo.yml"])
    assert echo["slack"] == {"enabled": True, "botName": "spin"}
    assert echo["gcb"] == {"enabled": True, "accounts": []}
    assert echo["spinnaker"]["baseUrl"] == "http://localhost:9000"
    assert echo["stats"]["spinnakerVersion"] == "2025.2.1"
    assert echo["stats"]["endpoint"] == "https://stats.example"
    assert echo["stats"]["deploymentMethod"]["type"] == "other"
    assert echo["artifacts"]["http"]["enabled"] is True


STAGED = "/home/spinnaker/.hal/default/staging/dependencies/"


def test_gate_profile() -> None:
    raw = raw_config()
    raw["security"]["apiSecurity"] = {"ssl": {"enabled": True, "keyStore": "/ks.jks"},
                                      "corsAccessPattern": "https://ui\\.example",
                                      "overrideBaseUrl": "https://api.example"}
    raw["security"]["authn"] = {"enabled": True, "oauth2": {"enabled": True,
                                                           "client": {"clientId": "id"}}}
    plan, profiles = render(raw)
    gate = load(profiles["gate"]["gate.yml"])
    # the keystore is shipped: the profile names Halyard's staged copy
    assert gate["server"]["ssl"] == {"enabled": True, "keyStore": STAGED + "1933999803-ks.jks"}
    assert gate["cors"] == {"allowedOriginsPattern": "https://ui\\.example"}
    assert gate["security"]["oauth2"]["client"]["clientId"] == "id"
    assert gate["security"]["basic"] == {"enabled": True}
    assert load(profiles["gate"]["spinnaker.yml"])["services"]["gate"]["baseUrl"] \
        == "https://api.example"
    assert props(plan, profiles, "gate")["server.port"] == "8084"


def test_orca_igor_rosco_fiat_kayenta() -> None:
    raw = raw_config(features={"pipelineTemplates": True},
                     ci={"jenkins": {"enabled": True, "masters": [{"name": "j"}]}},
                     repository={"nexus": {"enabled": False, "searches": []}})
    raw["providers"]["aws"] = dict(copy.deepcopy(AWS), enabled=True, primaryAccount="my-aws")
    plan, profiles = render(raw)
    orca = props(plan, profiles, "orca")
    assert orca["pipelineTemplates.enabled"] == "true"
    assert orca["pipelineTemplate.enabled"] == "true"
    assert orca["default.bake.account"] == "my-aws"
    igor = props(plan, profiles, "igor")
    assert igor["dockerRegistry.enabled"] == "true"
    assert igor["jenkins.masters[0].name"] == "j"
    assert igor["nexus.enabled"] == "false"
    rosco = props(plan, profiles, "rosco")
    assert rosco["redis.connection"] == f"redis://spin-redis.{NS}:6379"
    # RoscoProfileFactory: the whole provider node; an empty baseImages list is left out
    # so rosco's packaged base images stay (Spring would replace them with nothing).
    assert not any(k.startswith("aws.bakeryDefaults.baseImages") for k in rosco)
    assert rosco["aws.defaultRegions[0].name"] == "us-west-2"
    assert rosco["aws.primaryAccount"] == "my-aws"
    assert orca["default.securityGroups"] == ""
    assert orca["default.vpc.securityGroups"] == ""
    assert "kubernetes.enabled" not in rosco  # no bakery: not an image provider
    fiat = props(plan, profiles, "fiat")
    assert fiat["auth.groupMembership.service"] == "FILE"
    assert fiat["auth.groupMembership.file.path"] == STAGED + "293770792-roles.yml"
    assert fiat["auth.enabled"] == "true"
    kayenta = props(plan, profiles, "kayenta")
    assert kayenta["kayenta.google.enabled"] == "true"
    assert kayenta["kayenta.google.accounts[0].name"] == "gcp"
    assert kayenta["kayenta.gcs.enabled"] == "true"
    assert kayenta["kayenta.stackdriver.enabled"] == "false"


def test_deck_gets_settings_js_and_the_users_settings_local_js_not_a_spring_profile() -> None:
    raw = raw_config()
    raw["security"]["apiSecurity"] = {"overrideBaseUrl": "https://api.example"}
    _, profiles = render(raw, profiles={"settings-local.js": "window.spinnakerSettings.x = 1;\n",
                                        "spinnaker-local.yml": "a: 1\n"})
    files = profiles["deck"]
    assert set(files) == {"settings.js", "settings-local.js"}
    assert files["settings-local.js"] == "window.spinnakerSettings.x = 1;\n"
    assert '"gateUrl": "https://api.example"' in files["settings.js"]


def test_in_cluster_redis_replica_for_read_only_roles() -> None:
    plan, profiles = render(raw_config(cd=True), settings={
        "redis-replica": {"enabled": True, "targetSize": 1}})
    assert plan.redis_source == "in-cluster"
    replica = f"redis://spin-redis-replica.{NS}:6379"
    ro = props(plan, profiles, "clouddriver-ro")
    assert ro["services.redis.baseUrl"] == replica
    assert ro["services.redisRo.baseUrl"] == replica
    caching = props(plan, profiles, "clouddriver-caching")
    assert caching["services.redis.baseUrl"] == f"redis://spin-redis.{NS}:6379"
    # pyhalyard-only services never enter Halyard's services map.
    assert "redisReplica" not in load(profiles["gate"]["spinnaker.yml"])["services"]


def test_redis_endpoints_are_all_or_none() -> None:
    """ro-deck on but no deck replica endpoint: no role gets an external Redis."""
    raw = raw_config(cd=True, ro_deck=True)
    raw["deploymentEnvironment"]["haServices"]["clouddriver"].update(
        redisMasterEndpoint="redis://m.redis:6379", redisSlaveEndpoint="redis://s.redis:6379")
    plan, profiles = render(raw)
    assert plan.redis_source == "shared"
    for role in ("clouddriver-caching", "clouddriver-rw", "clouddriver-ro",
                 "clouddriver-ro-deck"):
        assert props(plan, profiles, role)["redis.connection"] == f"redis://spin-redis.{NS}:6379"
        assert not [f for f in profiles[role] if f.endswith("-overrides.yml")]
