"""Deck's ``settings.js`` as Halyard's DeckProfileFactory generated it.

Follows halyard-deploy ``profile/deck/DeckProfileFactory.java`` (the bindings),
deck ``halconfig/settings.js`` (the template: which binding lands on which key) and
``KubernetesV2DeckService.java`` (deck's files: settings.js, settings-local.js).
The rendered file is parsed, never substring-matched.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import deck_settings_object

from .build import raw_config, render


def deck_settings(raw: dict[str, Any], **kw: Any) -> dict[str, Any]:
    _, profiles = render(raw, **kw)
    return deck_settings_object(profiles["deck"]["settings.js"])


def test_core_values_and_feature_flags() -> None:
    raw = raw_config()
    raw["security"]["apiSecurity"] = {"overrideBaseUrl": "https://api.example.com"}
    raw["security"]["authn"] = {"enabled": False, "ldap": {"enabled": True}}
    raw["features"] = {"pipelineTemplates": True, "chaos": True, "mineCanary": True,
                       "artifactsRewrite": True}
    s = deck_settings(raw)
    assert s["gateUrl"] == "https://api.example.com"
    assert s["authEndpoint"] == "https://api.example.com/auth/user"
    assert s["bakeryDetailUrl"] == ("https://api.example.com/bakery/logs/"
                                    "{{context.region}}/{{context.status.resourceId}}")
    # Features.isAuth: any method on, whatever the stored authn.enabled says.
    assert s["authEnabled"] is True
    assert s["version"] == "2025.2.1"
    assert s["defaultTimeZone"] == "Europe/Berlin"
    assert s["defaultInstancePort"] == 80
    assert s["feature"] == {"canary": True, "chaosMonkey": True, "dynamicRollbackTimeout": False,
                            "fiatEnabled": True, "pipelineTemplates": True, "roscoMode": True}


def test_gate_url_without_override_is_gates_base_url() -> None:
    s = deck_settings(raw_config())
    assert s["gateUrl"] == "http://localhost:8084"
    assert s["authEnabled"] is False


def test_notifications_follow_the_halconfig() -> None:
    raw = raw_config(notifications={"slack": {"enabled": True, "botName": "spinbot",
                                              "token": "xoxb-secret"},
                                    "twilio": {"enabled": False},
                                    "github-status": {"enabled": True}})
    _, profiles = render(raw)
    js = profiles["deck"]["settings.js"]
    assert "xoxb-secret" not in js
    n = deck_settings_object(js)["notifications"]
    assert n["slack"] == {"botName": "spinbot", "enabled": True}
    assert n["sms"] == {"enabled": False}
    assert n["githubStatus"] == {"enabled": True}
    assert n["email"] == {"enabled": True}


def test_provider_defaults_primary_account_and_first_region() -> None:
    raw = raw_config()
    raw["providers"]["aws"] = {"enabled": True, "primaryAccount": "aws-prod", "accounts": [
        {"name": "aws-dev", "regions": [{"name": "eu-west-1"}]},
        {"name": "aws-prod", "regions": [{"name": "us-east-2"}, {"name": "us-west-2"}]}]}
    raw["providers"]["google"] = {"enabled": True, "primaryAccount": "gce-1", "accounts": []}
    raw["providers"]["azure"] = {"enabled": True, "primaryAccount": "az", "accounts": []}
    raw["providers"]["appengine"] = {"primaryAccount": "gae"}
    raw["providers"]["ecs"] = {"primaryAccount": "ecs-1"}
    raw["providers"]["cloudrun"] = {"primaryAccount": "run-1"}
    raw["providers"]["tencentcloud"] = {"primaryAccount": "tc", "accounts": [
        {"name": "tc", "regions": ["ap-guangzhou", "ap-beijing"]}]}
    p = deck_settings(raw)["providers"]
    assert p["aws"]["defaults"] == {"account": "aws-prod", "region": "us-east-2"}
    assert p["gce"]["defaults"] == {"account": "gce-1", "region": "us-central1",
                                    "zone": "us-central1-f"}
    assert p["azure"]["defaults"] == {"account": "az", "region": "westus"}
    assert p["appengine"]["defaults"]["account"] == "gae"
    assert p["ecs"]["defaults"]["account"] == "ecs-1"
    assert p["cloudrun"]["defaults"]["account"] == "run-1"
    assert p["tencentcloud"]["defaults"] == {"account": "tc", "region": "ap-guangzhou"}
    assert p["dcos"]["defaults"]["account"] == ""
    assert p["kubernetes"] == {}


def test_canary_settings_when_canary_is_on() -> None:
    raw = raw_config()
    raw["canary"].update({"defaultMetricsStore": "prometheus", "defaultMetricsAccount": "prom",
                          "defaultStorageAccount": "gcs-store", "stagesEnabled": False,
                          "showAllConfigsEnabled": False,
                          "atlasWebComponentsUrl": "https://atlas.example/wc.js"})
    c = deck_settings(raw)["canary"]
    assert c == {"atlasWebComponentsUrl": "https://atlas.example/wc.js",
                 "defaultJudge": "NetflixACAJudge-v1.0", "featureDisabled": False,
                 "metricStore": "prometheus", "metricsAccountName": "prom",
                 "reduxLogger": True, "showAllConfigs": False, "stagesEnabled": False,
                 "storageAccountName": "gcs-store", "templatesEnabled": True}


def test_canary_off_binds_nothing_but_the_switch() -> None:
    raw = raw_config(canary={"enabled": False, "stagesEnabled": True})
    c = deck_settings(raw)["canary"]
    assert c["featureDisabled"] is True
    assert c["stagesEnabled"] is False and c["metricStore"] == ""


def test_custom_settings_js_replaces_the_generated_file_completely() -> None:
    custom = "window.spinnakerSettings = {gateUrl: 'https://mine.example'};\n"
    _, profiles = render(raw_config(), profiles={"settings.js": custom})
    assert profiles["deck"] == {"settings.js": custom}


@pytest.mark.parametrize("profile", ["spinnaker-local.yml", "deck-local.yml", "spinnaker.yml"])
def test_deck_gets_no_spring_files(profile: str) -> None:
    _, profiles = render(raw_config(), profiles={profile: "a: 1\n"})
    assert set(profiles["deck"]) == {"settings.js"}
