"""``spinnaker.yml``: where every service lives, shared by all Spring services.

Every service Halyard knows is listed, enabled or not, so a caller's
``services.<x>.enabled`` tells it whether to call ``x`` at all; the HA roles use
camelCase keys (``clouddriverRo``) because that is how Spring code looks them up.
"""

from __future__ import annotations

from pyhalyard import catalog
from pyhalyard.plan import LISTEN_HOST, Plan
from pyhalyard.render.profiles.base import Profile, timezone


def profile(plan: Plan) -> Profile:
    services: Profile = {}
    for service in catalog.SERVICES:
        if service.pyhalyard_only:
            continue
        sp = plan.services[service.name]
        services[service.camel] = {
            "host": str(sp.settings.get("host") or LISTEN_HOST),
            "port": sp.port,
            "baseUrl": sp.base_url,
            "enabled": sp.enabled,
        }
    return {"services": services, "global": {"spinnaker": {"timezone": timezone(plan)}}}
