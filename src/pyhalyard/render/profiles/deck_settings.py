"""The values of Deck's ``window.spinnakerSettings``, as Halyard computed them.

Halyard's DeckProfileFactory (halyard-deploy ``profile/deck/DeckProfileFactory.java``)
filled the placeholders of the template Deck ships (deck ``halconfig/settings.js``)
and the result replaced the image's whole ``settings.js``.  The template turns every
flag placeholder into ``'<value>' === 'true'``, so an unset flag is false; an unset
string placeholder stayed in the file as literal ``{%name%}`` text, which nothing in
Deck can use -- here it is the empty string.

The keys below are the template's (deck at the 2025 releases); Deck reads only
these from a Halyard-made ``settings.js`` and uses its own defaults for the rest.
"""

from __future__ import annotations

from typing import Any

from pyhalyard.plan import Plan
from pyhalyard.render.profiles.base import DEFAULT_TIMEZONE, flag, section
from pyhalyard.render.profiles.gate_security import authn_enabled

# DeckProfileFactory's fixed provider defaults.
GOOGLE_REGION = "us-central1"
GOOGLE_ZONE = "us-central1-f"
AZURE_REGION = "westus"
DEFAULT_JUDGE = "NetflixACAJudge-v1.0"  # halyard-config canary/Canary.java
BAKERY_LOGS = "/bakery/logs/{{context.region}}/{{context.status.resourceId}}"
# Notification channels the template always switches on.
ALWAYS_ON_NOTIFICATIONS = ("bearychat", "cdevents", "email", "googlechat", "microsoftteams",
                           "pubsub")


def _text(value: Any) -> str:
    """A string binding as Halyard's template substitution wrote it (null -> '')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _on(raw: Any, *path: str, default: bool = False) -> bool:
    value = section(raw, *path)
    return default if value is None else value is True


def _primary(raw: Any, provider: str) -> str:
    return _text(section(raw, "providers", provider, "primaryAccount"))


def _account(raw: Any, provider: str, name: str) -> dict[str, Any]:
    for account in section(raw, "providers", provider, "accounts") or []:
        if isinstance(account, dict) and account.get("name") == name:
            return account
    return {}


def _first_region(raw: Any, provider: str) -> str:
    """First region of the primary account: aws regions are ``{name: ...}`` entries,
    huaweicloud and tencentcloud regions plain names."""
    primary = _primary(raw, provider)
    if not primary:
        return ""
    regions = _account(raw, provider, primary).get("regions") or []
    if not isinstance(regions, list) or not regions or regions[0] is None:
        return ""
    first = regions[0]
    return _text(first.get("name") if isinstance(first, dict) else first)


def _canary(raw: Any) -> dict[str, Any]:
    canary = section(raw, "canary")
    canary = canary if isinstance(canary, dict) else {}
    enabled = canary.get("enabled") is True
    out: dict[str, Any] = {
        "atlasWebComponentsUrl": _text(canary.get("atlasWebComponentsUrl")),
        "featureDisabled": not enabled,
        # Halyard binds the rest only when canary is on; unbound flags read false.
        "defaultJudge": "", "metricStore": "", "metricsAccountName": "",
        "storageAccountName": "", "reduxLogger": False, "showAllConfigs": False,
        "stagesEnabled": False, "templatesEnabled": False,
    }
    if enabled:
        out.update({
            "defaultJudge": _text(canary.get("defaultJudge", DEFAULT_JUDGE)),
            "metricStore": _text(canary.get("defaultMetricsStore")),
            "metricsAccountName": _text(canary.get("defaultMetricsAccount")),
            "storageAccountName": _text(canary.get("defaultStorageAccount")),
            "reduxLogger": _on(canary, "reduxLoggerEnabled", default=True),
            "showAllConfigs": _on(canary, "showAllConfigsEnabled", default=True),
            "stagesEnabled": _on(canary, "stagesEnabled", default=True),
            "templatesEnabled": _on(canary, "templatesEnabled", default=True),
        })
    return out


def _providers(raw: Any) -> dict[str, Any]:
    def account_only(provider: str) -> dict[str, Any]:
        return {"defaults": {"account": _primary(raw, provider)}}

    return {
        "appengine": account_only("appengine"),
        "aws": {"defaults": {"account": _primary(raw, "aws"),
                             "region": _first_region(raw, "aws")}},
        "azure": {"defaults": {"account": _primary(raw, "azure"), "region": AZURE_REGION}},
        "cloudfoundry": account_only("cloudfoundry"),
        "cloudrun": account_only("cloudrun"),
        "dcos": account_only("dcos"),
        "ecs": account_only("ecs"),
        "gce": {"defaults": {"account": _primary(raw, "google"), "region": GOOGLE_REGION,
                             "zone": GOOGLE_ZONE}},
        "huaweicloud": {"defaults": {"account": _primary(raw, "huaweicloud"),
                                     "region": _first_region(raw, "huaweicloud")}},
        "kubernetes": {},
        # DeckProfileFactory binds nothing for oracle.
        "oracle": {"defaults": {"account": "", "bakeryRegions": "", "region": ""}},
        "tencentcloud": {"defaults": {"account": _primary(raw, "tencentcloud"),
                                      "region": _first_region(raw, "tencentcloud")}},
    }


def _notifications(raw: Any) -> dict[str, Any]:
    out: dict[str, Any] = {name: {"enabled": True} for name in ALWAYS_ON_NOTIFICATIONS}
    out["githubStatus"] = {"enabled": flag(raw, "notifications", "github-status", "enabled")}
    out["slack"] = {"botName": _text(section(raw, "notifications", "slack", "botName")),
                    "enabled": flag(raw, "notifications", "slack", "enabled")}
    out["sms"] = {"enabled": flag(raw, "notifications", "twilio", "enabled")}
    return out


def spinnaker_settings(plan: Plan) -> dict[str, Any]:
    """``window.spinnakerSettings`` for this deployment."""
    dep = plan.deployment
    raw = dep.raw
    gate_url = plan.services["gate"].base_url
    return {
        "authEnabled": authn_enabled(raw),  # Features.isAuth
        "authEndpoint": gate_url + "/auth/user",
        "bakeryDetailUrl": gate_url + BAKERY_LOGS,
        "canary": _canary(raw),
        "defaultInstancePort": 80,
        "defaultTimeZone": dep.timezone or DEFAULT_TIMEZONE,
        "feature": {
            "canary": flag(raw, "features", "mineCanary"),
            "chaosMonkey": flag(raw, "features", "chaos"),
            "dynamicRollbackTimeout": False,
            "fiatEnabled": dep.authz_enabled,
            "pipelineTemplates": flag(raw, "features", "pipelineTemplates"),
            "roscoMode": True,
        },
        "gateUrl": gate_url,
        "notifications": _notifications(raw),
        "providers": _providers(raw),
        "version": dep.version,
    }
