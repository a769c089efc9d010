"""igor: ``igor.yml`` (CI masters, artifact repositories, Docker registry monitoring)."""

from __future__ import annotations

from pyhalyard.merge import deep_merge
from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render.profiles.base import Profile, copied, server, spring_profile


def profile(plan: Plan, sp: ServicePlan) -> Profile:
    raw = plan.deployment.raw
    out = spring_profile(plan, sp)
    out["dockerRegistry"] = {"enabled": plan.deployment.docker_registry_enabled}
    out["artifacts"] = copied(raw, "artifacts")
    out.update(copied(raw, "repository"))
    out.update(copied(raw, "ci"))
    return deep_merge(out, server(sp))
