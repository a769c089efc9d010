"""fiat: ``fiat.yml`` (authorization: where group memberships come from)."""

from __future__ import annotations

from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render.profiles.base import Profile, copied, server, spring_profile


def profile(plan: Plan, sp: ServicePlan) -> Profile:
    out = spring_profile(plan, sp, server(sp))
    # The halconfig's security.authz block is fiat's ``auth`` block, field for field.
    out["auth"] = copied(plan.deployment.raw, "security", "authz")
    return out
