"""Is echo's scheduler clustered (safe to run on more than one pod)?

Shared by the plan (how many scheduler pods to render) and validation (whether
asking for several is an ERROR), so the two can never disagree.
"""

from __future__ import annotations

from typing import Any

from pyhalyard import catalog
from pyhalyard.halconfig.custom import CustomFiles, profile_target
from pyhalyard.halconfig.document import parse


def _lookup(data: Any, dotted: str) -> Any:
    """A Spring property in YAML, written nested (``sql: {enabled: }``) or dotted."""
    parts = dotted.split(".")
    if not isinstance(data, dict):
        return None
    for i in range(len(parts), 0, -1):
        key = ".".join(parts[:i])
        if key in data:
            rest = parts[i:]
            return data[key] if not rest else _lookup(data[key], ".".join(rest))
    return None


# Spring's precedence among the files echo-scheduler loads (later wins); see SPEC §4
# (SPRING_PROFILES_ACTIVE=scheduler,...,local,scheduler-local).
def _scheduler_rank(target: str) -> int:
    if target.startswith("spinnaker"):
        return 0
    if target == "echo-scheduler.yml":
        return 1
    if target == "echo-local.yml":
        return 3
    if target == "echo-scheduler-local.yml":
        return 4
    return 2


def sql_clustered(custom: CustomFiles, name: str = "echo-scheduler") -> bool:
    """Is echo's scheduler backed by SQL, and therefore clustered?

    Echo's SchedulerConfiguration sets Quartz's ``org.quartz.jobStore.isClustered`` (and
    ``instanceId: AUTO``) exactly when ``sql.enabled`` is true, so several scheduler pods
    then share one job store and each trigger fires once.  ``scheduler.compensationJob``
    only re-fires *missed* triggers and does not make two schedulers safe, so it does not
    count.  The check reads the custom profiles that reach ``name`` (echo-scheduler, or the
    unsplit echo; SPEC §5) in Spring's order; the last file that sets ``sql.enabled`` decides.
    """
    service = catalog.BY_NAME[name]
    ranked = []
    for rel, text in custom.profiles.items():
        target = profile_target(rel, service)
        if target is None or "/" in target or not target.endswith((".yml", ".yaml")):
            continue
        ranked.append((_scheduler_rank(target), rel, text))
    decided: Any = None
    for _, rel, text in sorted(ranked):
        value = _lookup(parse(text, rel)[1], "sql.enabled")
        if value is not None:
            decided = value
    return decided is True or (isinstance(decided, str) and decided.strip().lower() == "true")
