"""rosco: ``rosco.yml`` (Redis connection, bakery defaults of enabled image providers)."""

from __future__ import annotations

import copy

from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render.profiles.base import (
    Profile,
    block,
    merge,
    redis_connection,
    server,
    spring_common,
)


def profile(plan: Plan, sp: ServicePlan) -> Profile:
    out = spring_common(plan, sp.service)
    # Rosco otherwise falls back to redis://localhost:6379 (Halyard carries the same fix).
    merge(out, redis_connection())
    for name, provider in block(plan.deployment.raw, "providers").items():
        if (isinstance(provider, dict) and provider.get("enabled") is True
                and isinstance(provider.get("bakeryDefaults"), dict)):
            out[name] = {"enabled": True,
                         "bakeryDefaults": copy.deepcopy(provider["bakeryDefaults"])}
    return merge(out, server(sp))
