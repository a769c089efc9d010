"""service-settings ``kubernetes.deploymentStrategy`` -> a Deployment's ``spec.strategy``.

Halyard's format is its own: ``{type: rollingUpdate|recreate, strategySettings:
{maxSurge, maxUnavailable}}``, which its ``deployment.yml`` template turned into
``{type: RollingUpdate, rollingUpdate: {...}}`` or ``{type: Recreate}``.  Passed
through as written, a real API server rejects it (``strategySettings`` is not a
field).  The Kubernetes spelling (``type: RollingUpdate`` / ``Recreate``) is
accepted too, since that is what the rendered object holds.  Anything else is an
error naming the field, at render time, not a 422 halfway through a deploy.
"""

from __future__ import annotations

import re
from typing import Any

from pyhalyard.errors import HalError

_PERCENT = re.compile(r"^\d+%$")
SETTINGS = ("maxSurge", "maxUnavailable")
# Halyard's lower-case types (deployment.yml) and the Kubernetes ones.
TYPES = {"rollingUpdate": "RollingUpdate", "RollingUpdate": "RollingUpdate",
         "recreate": "Recreate", "Recreate": "Recreate"}


def _amount(where: str, key: str, value: Any) -> int | str:
    if isinstance(value, bool) or not (
            (isinstance(value, int) and value >= 0)
            or (isinstance(value, str) and (_PERCENT.match(value) or value.isdigit()))):
        raise HalError(f"{where}.{key}: expected a whole number or a percentage like "
                       f"'25%', got {value!r}")
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def deployment_strategy(where: str, value: dict[str, Any]) -> dict[str, Any]:
    """A valid ``spec.strategy``; ``where`` names the setting in error messages
    (``service-settings/gate.yml: kubernetes.deploymentStrategy``)."""
    unknown = sorted(set(value) - {"type", "strategySettings", "rollingUpdate"})
    if unknown:
        raise HalError(f"{where}.{unknown[0]}: unknown field (expected type and "
                       "strategySettings, as in Halyard)")
    kind = value.get("type")
    if kind not in TYPES:
        raise HalError(f"{where}.type: expected rollingUpdate or recreate, got {kind!r}")
    settings = value.get("strategySettings")
    native = value.get("rollingUpdate")
    if settings is not None and native is not None:
        raise HalError(f"{where}: give strategySettings or rollingUpdate, not both")
    field = "strategySettings" if settings is not None else "rollingUpdate"
    given = settings if settings is not None else native
    if given is not None and not isinstance(given, dict):
        raise HalError(f"{where}.{field}: expected a mapping of maxSurge/maxUnavailable, "
                       f"got {given!r}")
    given = given or {}
    if TYPES[kind] == "Recreate":
        if given:
            raise HalError(f"{where}.{field}: a recreate strategy takes no settings "
                           f"(got {', '.join(sorted(given))})")
        return {"type": "Recreate"}
    bad = sorted(set(given) - set(SETTINGS))
    if bad:
        raise HalError(f"{where}.{field}.{bad[0]}: unknown setting (known: "
                       f"{', '.join(SETTINGS)})")
    rolling = {k: _amount(f"{where}.{field}", k, given[k]) for k in SETTINGS
               if given.get(k) is not None}
    if rolling.get("maxSurge") in (0, "0%") and rolling.get("maxUnavailable") in (0, "0%"):
        raise HalError(f"{where}.{field}: maxSurge and maxUnavailable cannot both be 0")
    strategy: dict[str, Any] = {"type": "RollingUpdate"}
    if rolling:
        strategy["rollingUpdate"] = rolling
    return strategy
