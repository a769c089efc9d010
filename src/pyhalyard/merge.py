"""The one deep merge: the plan's overrides and the profile renderers build mappings with it."""

from __future__ import annotations

from typing import Any


def deep_merge(into: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Merge ``extra`` into ``into`` in place and return ``into``.

    Mappings merge key by key; anything else (lists too) replaces, which is how
    Spring layers one profile file over another.
    """
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            deep_merge(into[key], value)
        else:
            into[key] = value
    return into
