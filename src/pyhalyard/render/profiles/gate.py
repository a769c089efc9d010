"""gate: ``gate.yml`` (API server, TLS, authentication, CORS).

The HA wiring (``services.clouddriver.baseUrl`` -> clouddriver-ro and Deck's
``dynamicEndpoints``) is not here: it lives in ``gate-overrides.yml``, computed
by the plan, so only the HA that is on can add it.
"""

from __future__ import annotations

from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render.profiles import gate_security
from pyhalyard.render.profiles.base import Profile, block, copied, gremlin, server, spring_profile


def profile(plan: Plan, sp: ServicePlan) -> Profile:
    raw = plan.deployment.raw
    security = block(raw, "security")
    out = spring_profile(plan, sp, server(sp), gremlin(plan))
    ssl = copied(security, "apiSecurity", "ssl")
    ssl.setdefault("enabled", False)
    out["server"]["ssl"] = ssl

    out.update(gate_security.blocks(plan, sp))  # login, as GateBoot154ProfileFactory
    cors: Profile = {}
    pattern = block(security, "apiSecurity").get("corsAccessPattern")
    if pattern:
        cors["allowedOriginsPattern"] = pattern
    out["cors"] = cors
    return out
