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
from pyhalyard.render.profiles.base import (
    Profile,
    block,
    merge,
    redis_connection,
    server,
    spring_common,
)

# Integration name -> extra kayenta blocks it switches: (block, flag in the integration).
COMPANIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "google": (("stackdriver", "stackdriverEnabled"), ("gcs", "gcsEnabled")),
    "aws": (("s3", "s3Enabled"),),
    "alicloud": (("oss", "ossEnabled"),),
}
# Integration fields that are not kayenta properties (they select companions above).
_NOT_COPIED = {"name", "gcsEnabled", "stackdriverEnabled", "s3Enabled", "ossEnabled"}


def _integration(svc: dict[str, Any]) -> Profile:
    out: Profile = {k: copy.deepcopy(v) for k, v in svc.items() if k not in _NOT_COPIED}
    out["enabled"] = svc.get("enabled") is True
    out.setdefault("accounts", [])
    return out


def kayenta_block(plan: Plan) -> Profile:
    canary = block(plan.deployment.raw, "canary")
    out: Profile = {}
    for svc in canary.get("serviceIntegrations") or []:
        if not isinstance(svc, dict) or not isinstance(svc.get("name"), str):
            continue
        name = svc["name"]
        integration = _integration(svc)
        for companion, switch in COMPANIONS.get(name, ()):
            out[companion] = {"enabled": svc.get(switch) is True}
            if companion == "stackdriver" and "metadataCachingIntervalMS" in svc:
                out[companion]["metadataCachingIntervalMS"] = svc["metadataCachingIntervalMS"]
        out[name] = integration
    return out


def profile(plan: Plan, sp: ServicePlan) -> Profile:
    out = spring_common(plan, sp.service)
    merge(out, redis_connection())
    if plan.deployment.canary_enabled:
        out["kayenta"] = kayenta_block(plan)
    return merge(out, server(sp))
