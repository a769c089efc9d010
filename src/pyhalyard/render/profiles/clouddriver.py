"""clouddriver: ``clouddriver.yml`` (providers, artifacts) and the HA role files.

Providers are copied as the halconfig holds them, each under its own top-level
key (clouddriver reads ``kubernetes.accounts``, ``aws.accounts``, ...), so a
provider pyhalyard does not model still reaches clouddriver untouched.
"""

from __future__ import annotations

from pyhalyard.merge import deep_merge
from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render.profiles.base import Profile, copied, redis_connection, server, spring_profile

# Per role: (caching.writeEnabled, caching.redis.hashingEnabled).  Only the caching
# role runs caching agents; the others must never write the cache, and a read
# replica cannot take the hash keys the agents would write.
ROLE_CACHING: dict[str, tuple[bool, bool]] = {
    "caching": (True, True),
    "rw": (False, False),
    "ro": (False, False),
    "ro-deck": (False, False),
}


def profile(plan: Plan, sp: ServicePlan) -> Profile:
    raw = plan.deployment.raw
    out = spring_profile(plan, sp)
    out.update(copied(raw, "providers"))
    out["artifacts"] = copied(raw, "artifacts")
    if not sp.service.is_role:
        deep_merge(out, server(sp))
    return out


def role_profile(plan: Plan, sp: ServicePlan) -> Profile:
    """``clouddriver-<role>.yml``: what the role does and where it listens."""
    write, hashing = ROLE_CACHING[str(sp.service.role)]
    out: Profile = {"caching": {"writeEnabled": write, "redis": {"hashingEnabled": hashing}}}
    deep_merge(out, redis_connection())
    return deep_merge(out, server(sp))
