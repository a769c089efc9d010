"""kayenta: ``kayenta.yml`` (canary metric sources and their object stores).

Each canary service integration becomes ``kayenta.<name>`` with its accounts;
the stores that hold canary configs and results are switched on by the
integration's own flags (``gcsEnabled``, ``s3Enabled``, ...), as Halyard does --
kayenta does not read front50's ``persistentStorage``.
"""

from __future__ import annotations

import copy
from typing import Any

from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render.profiles.base import Profile, block, redis_connection, server, spring_profile

# Integration name -> extra kayenta blocks it switches: (block, flag in the integration).
COMPANIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "google": (("stackdriver", "stackdriverEnabled"), ("gcs", "gcsEnabled")),
    "aws": (("s3", "s3Enabled"),),
    "alicloud": (("oss", "ossEnabled"),),
}
# Integration fields that are not kayenta properties (they select companions above).
_NOT_COPIED = {"name"} | {switch for pairs in COMPANIONS.values() for _, switch in pairs}


def supported_types(name: str, svc: dict[str, Any], account: dict[str, Any]) -> list[str]:
    """What an account serves when the halconfig does not say (Halyard computed it when
    adding the account: AwsAddCanaryAccountCommand, GoogleAddEditCanaryAccountUtils)."""
    if name == "google":
        types = ["METRICS_STORE"] if svc.get("stackdriverEnabled") is True else []
        if svc.get("gcsEnabled") is True and account.get("bucket"):
            types += ["CONFIGURATION_STORE", "OBJECT_STORE"]
        return types
    if name in ("aws", "alicloud"):
        switch = "s3Enabled" if name == "aws" else "ossEnabled"
        return ["CONFIGURATION_STORE", "OBJECT_STORE"] if svc.get(switch) is True else []
    return ["METRICS_STORE"]


def _integration(svc: dict[str, Any]) -> Profile:
    out: Profile = {k: copy.deepcopy(v) for k, v in svc.items() if k not in _NOT_COPIED}
    out["enabled"] = svc.get("enabled") is True
    out.setdefault("accounts", [])
    for account in out["accounts"]:
        if isinstance(account, dict) and not account.get("supportedTypes"):
            account["supportedTypes"] = supported_types(str(svc.get("name")), svc, account)
    return out


def kayenta_block(plan: Plan) -> Profile:
    canary = block(plan.deployment.raw, "canary")
    out: Profile = {}
    for svc in canary.get("serviceIntegrations") or []:
        if not isinstance(svc, dict) or not isinstance(svc.get("name"), str):
            continue
        name = svc["name"]
        for companion, switch in COMPANIONS.get(name, ()):
            out[companion] = {"enabled": svc.get(switch) is True}
            if companion == "stackdriver" and "metadataCachingIntervalMS" in svc:
                out[companion]["metadataCachingIntervalMS"] = svc["metadataCachingIntervalMS"]
        out[name] = _integration(svc)
    return out


def profile(plan: Plan, sp: ServicePlan) -> Profile:
    out = spring_profile(plan, sp, redis_connection(), server(sp))
    if plan.deployment.canary_enabled:
        out["kayenta"] = kayenta_block(plan)
    return out
