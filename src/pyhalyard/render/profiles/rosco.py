"""rosco: ``rosco.yml`` (Redis connection, bakery defaults of enabled image providers)."""

from __future__ import annotations

import copy

from pyhalyard.merge import deep_merge
from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render.profiles.base import Profile, block, redis_connection, server, spring_profile


def profile(plan: Plan, sp: ServicePlan) -> Profile:
    # Rosco otherwise falls back to redis://localhost:6379 (Halyard carries the same fix).
    out = spring_profile(plan, sp, redis_connection())
    for name, provider in block(plan.deployment.raw, "providers").items():
        if (isinstance(provider, dict) and provider.get("enabled") is True
                and isinstance(provider.get("bakeryDefaults"), dict)):
            out[name] = {"enabled": True,
                         "bakeryDefaults": copy.deepcopy(provider["bakeryDefaults"])}
    return deep_merge(out, server(sp))
