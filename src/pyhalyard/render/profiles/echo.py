"""echo: ``echo.yml`` (notifications, pubsub, artifacts, stats) and the HA role files.

Only ``echo-scheduler`` may fire cron triggers; ``echo-worker`` handles everything
else with its scheduler switched off, so a trigger never fires twice.
"""

from __future__ import annotations

from pyhalyard import __version__
from pyhalyard.merge import deep_merge
from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render.profiles.base import Profile, copied, server, spring_profile, timezone

# Telemetry's deployment method when the halconfig does not name one: not "halyard".
DEPLOYMENT_METHOD = "other"


def stats(plan: Plan) -> Profile:
    raw = plan.deployment.raw
    out = copied(raw, "stats")
    out["spinnakerVersion"] = plan.deployment.version
    method = copied(raw, "stats", "deploymentMethod")
    if not method.get("type"):
        method = {"type": DEPLOYMENT_METHOD, "version": __version__}
    out["deploymentMethod"] = method
    return out


def profile(plan: Plan, sp: ServicePlan) -> Profile:
    raw = plan.deployment.raw
    out = spring_profile(plan, sp, {"global": {"spinnaker": {"timezone": timezone(plan)}},
                                    "spinnaker": {"baseUrl": plan.services["deck"].base_url}})
    out.update(copied(raw, "notifications"))
    out["pubsub"] = copied(raw, "pubsub")
    out["artifacts"] = copied(raw, "artifacts")
    out["gcb"] = copied(raw, "ci", "gcb")
    out["stats"] = stats(plan)
    if not sp.service.is_role:
        deep_merge(out, server(sp))
    return out


def role_profile(plan: Plan, sp: ServicePlan) -> Profile:
    """``echo-scheduler.yml`` / ``echo-worker.yml``."""
    scheduler = sp.service.role == "scheduler"
    out: Profile = {"scheduler": {
        "enabled": scheduler,
        "pipelineConfigsPoller": {"enabled": scheduler},
    }}
    if scheduler:
        default = timezone(plan)
        out["scheduler"]["cron"] = {"timezone": f"${{global.spinnaker.timezone:{default}}}"}
    return deep_merge(out, server(sp))
