"""igor: ``igor.yml`` (CI masters, artifact repositories, Docker registry monitoring)."""

from __future__ import annotations

import copy

from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render.profiles.base import Profile, block, merge, server, spring_common


def profile(plan: Plan, sp: ServicePlan) -> Profile:
    raw = plan.deployment.raw
    out = spring_common(plan, sp.service)
    out["dockerRegistry"] = {"enabled": plan.deployment.docker_registry_enabled}
    out["artifacts"] = copy.deepcopy(block(raw, "artifacts"))
    for name, repository in block(raw, "repository").items():
        out[name] = copy.deepcopy(repository)
    for name, ci in block(raw, "ci").items():
        out[name] = copy.deepcopy(ci)
    return merge(out, server(sp))
