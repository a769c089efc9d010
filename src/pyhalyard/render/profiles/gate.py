"""gate: ``gate.yml`` (API server, TLS, authentication, CORS).

The HA wiring (``services.clouddriver.baseUrl`` -> clouddriver-ro and Deck's
``dynamicEndpoints``) is not here: it lives in ``gate-overrides.yml``, computed
by the plan, so only the HA that is on can add it.
"""

from __future__ import annotations

from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render.profiles import gate_authn
from pyhalyard.render.profiles.base import (
    Profile,
    block,
    copied,
    gremlin,
    server,
    spring_profile,
)


def profile(plan: Plan, sp: ServicePlan) -> Profile:
    raw = plan.deployment.raw
    security = block(raw, "security")
    out = spring_profile(plan, sp, server(sp), gremlin(plan))
    ssl = copied(security, "apiSecurity", "ssl")
    ssl.setdefault("enabled", False)
    out["server"]["ssl"] = ssl

    spring_security: Profile = {"basic": {"enabled": True}, "user": {}}
    oauth2, authn_blocks = gate_authn.authn_blocks(security)
    if oauth2 is not None:
        spring_security["oauth2"] = oauth2
    out["security"] = spring_security
    cors: Profile = {}
    pattern = block(security, "apiSecurity").get("corsAccessPattern")
    if pattern:
        cors["allowedOriginsPattern"] = pattern
    out["cors"] = cors
    out["google"] = {}
    out.update(authn_blocks)  # Halyard's one login method (+ x509): gate_authn.py
    return out
