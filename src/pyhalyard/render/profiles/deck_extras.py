"""deck settings that come from the canary, notification and feature sections.

Halyard's DeckProfileFactory (halyard-deploy .../profile/deck/DeckProfileFactory.java)
fills deck's ``halconfig/settings.js`` template: ``canary.*`` (only when canary is
enabled), ``notifications.slack|sms|githubStatus`` and the ``feature`` switches.  The
same keys, under the same names deck reads, go into ``settings-local.js`` here.
"""

from __future__ import annotations

from typing import Any

from pyhalyard.plan import Plan
from pyhalyard.render.profiles.base import block, flag

DEFAULT_JUDGE = "NetflixACAJudge-v1.0"


def canary(plan: Plan) -> dict[str, Any]:
    raw = plan.deployment.raw
    out: dict[str, Any] = {"featureDisabled": not plan.deployment.canary_enabled}
    section = block(raw, "canary")
    if section.get("atlasWebComponentsUrl"):
        out["atlasWebComponentsUrl"] = section["atlasWebComponentsUrl"]
    if not plan.deployment.canary_enabled:
        return out
    for key, deck_key in (("defaultJudge", "defaultJudge"),
                          ("defaultMetricsAccount", "metricsAccountName"),
                          ("defaultStorageAccount", "storageAccountName"),
                          ("defaultMetricsStore", "metricStore")):
        if section.get(key) is not None:
            out[deck_key] = section[key]
    # Canary.java's defaults: all four on, judge NetflixACAJudge-v1.0
    out.setdefault("defaultJudge", DEFAULT_JUDGE)
    for key, deck_key in (("reduxLoggerEnabled", "reduxLogger"),
                          ("stagesEnabled", "stagesEnabled"),
                          ("templatesEnabled", "templatesEnabled"),
                          ("showAllConfigsEnabled", "showAllConfigs")):
        out[deck_key] = section.get(key, True) is True
    return out


def notifications(plan: Plan) -> dict[str, Any]:
    raw = plan.deployment.raw
    slack: dict[str, Any] = {"enabled": flag(raw, "notifications", "slack", "enabled")}
    bot = block(raw, "notifications", "slack").get("botName")
    if bot:
        slack["botName"] = bot
    return {
        "slack": slack,
        "sms": {"enabled": flag(raw, "notifications", "twilio", "enabled")},
        "githubStatus": {"enabled": flag(raw, "notifications", "github-status", "enabled")},
    }


def features(plan: Plan) -> dict[str, Any]:
    raw = plan.deployment.raw
    return {
        "artifacts": flag(raw, "features", "artifacts"),
        "artifactsRewrite": flag(raw, "features", "artifactsRewrite"),
        "canary": flag(raw, "features", "mineCanary"),
        "gremlinEnabled": flag(raw, "features", "gremlin"),
        "notifications": any(flag(raw, "notifications", name, "enabled")
                             for name in ("slack", "twilio", "github-status")),
    }


def settings(plan: Plan) -> dict[str, Any]:
    return {"canary": canary(plan), "notifications": notifications(plan),
            "feature": features(plan)}
