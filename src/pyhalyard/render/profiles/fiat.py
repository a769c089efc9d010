"""fiat: ``fiat.yml`` (authorization: where group memberships come from)."""

from __future__ import annotations

import copy

from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render.profiles.base import Profile, block, merge, server, spring_common


def profile(plan: Plan, sp: ServicePlan) -> Profile:
    out = spring_common(plan, sp.service)
    # The halconfig's security.authz block is fiat's ``auth`` block, field for field.
    out["auth"] = copy.deepcopy(block(plan.deployment.raw, "security", "authz"))
    return merge(out, server(sp))
