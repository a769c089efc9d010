"""Fields a given Kubernetes release does not know yet, for the API server DOUBLE.

A real server's SSA schema is its own release's: a field added later is "field not declared
in schema" there (a typed-conversion error on apply; silently dropped from a create/update).
The release each field first appeared in (as alpha, so in the schema) is from the Kubernetes
CHANGELOG / API reference of that release.
"""

from __future__ import annotations

import json
from typing import Any

# (kind, path inside the object with "[]" for "every list item") -> (major, minor) added
SINCE: dict[tuple[str, str], tuple[int, int]] = {
    ("Secret", "immutable"): (1, 19),                                       # KEP-1412
    ("PodDisruptionBudget", "spec.unhealthyPodEvictionPolicy"): (1, 26),    # KEP-3017
    ("Deployment", "spec.template.spec.os"): (1, 23),                       # KEP-2802
    ("Deployment", "spec.template.spec.hostUsers"): (1, 25),                # KEP-127
    ("Deployment", "spec.template.spec.schedulingGates"): (1, 26),          # KEP-3521
    ("Deployment", "spec.template.spec.topologySpreadConstraints[].minDomains"): (1, 24),
    ("Deployment", "spec.template.spec.topologySpreadConstraints[].nodeAffinityPolicy"): (1, 25),
    ("Deployment", "spec.template.spec.topologySpreadConstraints[].nodeTaintsPolicy"): (1, 25),
    ("Deployment", "spec.template.spec.topologySpreadConstraints[].matchLabelKeys"): (1, 25),
    ("Deployment", "spec.template.spec.containers[].resizePolicy"): (1, 27),  # KEP-1287
}

# list field -> its SSA keys (as in tests/deploy/smd/schema.yaml), to print paths like SMD
_KEYS = {"topologySpreadConstraints": ("topologyKey", "whenUnsatisfiable"),
         "containers": ("name",)}


def _walk(node: Any, parts: list[str], shown: str) -> list[tuple[str, Any, str]]:
    """(printed path, parent, field) for every place ``parts`` occurs in ``node``."""
    if not isinstance(node, dict) or not parts:
        return []
    head, rest = parts[0], parts[1:]
    if head.endswith("[]"):
        name = head[:-2]
        found = []
        for item in node.get(name) or ():
            keys = ",".join(f"{k}={json.dumps(item.get(k))}" for k in _KEYS.get(name, ()))
            found += _walk(item, rest, f"{shown}.{name}[{keys}]")
        return found
    if not rest:
        return [(f"{shown}.{head}", node, head)] if head in node else []
    return _walk(node.get(head), rest, f"{shown}.{head}")


def unknown_fields(kind: str, obj: dict[str, Any],
                   version: tuple[int, int]) -> list[tuple[str, Any, str]]:
    """Fields of ``obj`` that a server of ``version`` does not have in its schema."""
    found = []
    for (k, path), since in SINCE.items():
        if k == kind and version < since:
            found += _walk(obj, path.split("."), "")
    return found
