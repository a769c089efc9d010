"""front50: ``front50.yml`` with the persistent storage block.

Like Halyard, every store configured under ``persistentStorage`` is written as
``spinnaker.<type>`` with ``enabled`` true only for ``persistentStoreType``, so
front50 activates exactly one backend.  The Redis store takes its host and port
from the Redis that ``spinnaker.yml`` names (an external one, too).
"""

from __future__ import annotations

import copy
from urllib.parse import urlsplit

from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render.profiles.base import Profile, block, server, spring_profile

STORE_TYPE_KEY = "persistentStoreType"


def _redis_store(plan: Plan, store: Profile) -> Profile:
    url = urlsplit(plan.services["redis"].base_url)
    try:
        port = url.port
    except ValueError:
        port = None
    if url.hostname:
        store["host"] = url.hostname
    store["port"] = port or plan.services["redis"].port
    return store


def storage(plan: Plan) -> Profile:
    persistent = block(plan.deployment.raw, "persistentStorage")
    chosen = persistent.get(STORE_TYPE_KEY)
    stores: Profile = {}
    for name, value in persistent.items():
        if name == STORE_TYPE_KEY or not (isinstance(value, dict) or value is None):
            continue
        store = copy.deepcopy(value) if isinstance(value, dict) else {}
        if name == "redis":
            store = _redis_store(plan, store)
        store["enabled"] = name == chosen
        stores[name] = store
    if isinstance(chosen, str) and chosen and chosen not in stores:
        stores[chosen] = {"enabled": True}
    return stores


def profile(plan: Plan, sp: ServicePlan) -> Profile:
    return spring_profile(plan, sp, {"spinnaker": storage(plan)}, server(sp))
