"""orca: ``orca.yml`` (webhooks, pipeline templates, bake defaults).

Orca's two clouddriver endpoints under HA (``services.clouddriver.baseUrl`` ->
clouddriver-rw, ``clouddriver.readonly.baseUrl`` -> clouddriver-ro) come from
``orca-overrides.yml``, never from here.
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
    out = spring_profile(plan, sp, server(sp), gremlin(plan))
    out["webhook"] = copied(raw, "webhook")
    templates = flag(raw, "features", "pipelineTemplates")
    out["pipelineTemplates"] = {"enabled": templates}
    out["pipelineTemplate"] = {"enabled": templates}
    aws = block(raw, "providers", "aws")
    if aws.get("enabled") is True and aws.get("primaryAccount"):
        # OrcaProfileFactory: the bake account plus two empty security group lists.
        out["default"] = {"bake": {"account": aws["primaryAccount"]}, "securityGroups": None,
                          "vpc": {"securityGroups": None}}
    return out
