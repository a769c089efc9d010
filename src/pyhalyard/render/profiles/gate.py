"""gate: ``gate.yml`` (API server, TLS, authentication, CORS).

The HA wiring (``services.clouddriver.baseUrl`` -> clouddriver-ro and Deck's
``dynamicEndpoints``) is not here: it lives in ``gate-overrides.yml``, computed
by the plan, so only the HA that is on can add it.
"""

from __future__ import annotations

from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render.profiles.base import (
    Profile,
    block,
    copied,
    flag,
    gremlin,
    server,
    spring_profile,
)


def profile(plan: Plan, sp: ServicePlan) -> Profile:
    raw = plan.deployment.raw
    security = block(raw, "security")
    authn = block(security, "authn")
    out = spring_profile(plan, sp, server(sp), gremlin(plan))
    ssl = copied(security, "apiSecurity", "ssl")
    ssl.setdefault("enabled", False)
    out["server"]["ssl"] = ssl

    spring_security: Profile = {"basic": {"enabled": True}, "user": {}}
    if flag(authn, "oauth2", "enabled"):
        spring_security["oauth2"] = copied(authn, "oauth2")
    out["security"] = spring_security
    cors: Profile = {}
    pattern = block(security, "apiSecurity").get("corsAccessPattern")
    if pattern:
        cors["allowedOriginsPattern"] = pattern
    out["cors"] = cors
    google: Profile = {}
    if flag(authn, "iap", "enabled"):
        google["iap"] = copied(authn, "iap")
    out["google"] = google
    for method in ("saml", "ldap", "x509"):
        if flag(authn, method, "enabled"):
            out[method] = copied(authn, method)
    return out
