"""Read rendered profiles the way a Spring Boot service would (test helper).

Flattening follows Spring's YAML rules: nested keys joined with dots, list items
by index (``a[0].b``), an empty list is ``""``, an empty mapping contributes
nothing.  Files are layered in Spring's order -- ``spinnaker.yml``, ``<app>.yml``,
then per active profile ``spinnaker-<p>.yml`` and ``<app>-<p>.yml`` -- later
wins; ``${key:default}`` placeholders are then resolved against the result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

_PLACEHOLDER = re.compile(r"\$\{([^}:]+)(?::([^}]*))?\}")


def scalar(value: Any) -> str:
    """Spring sees every leaf as text: ``true``, ``8084``, ``''`` for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def flatten(data: Any, prefix: str = "", out: dict[str, str] | None = None) -> dict[str, str]:
    out = {} if out is None else out
    if isinstance(data, dict):
        for key, value in data.items():
            flatten(value, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(data, list):
        if not data:
            out[prefix] = ""
        for i, value in enumerate(data):
            flatten(value, f"{prefix}[{i}]", out)
    elif prefix:
        out[prefix] = scalar(data)
    return out


def load(text: str) -> dict[str, str]:
    return flatten(yaml.load(text, Loader=yaml.CSafeLoader) or {})


def layered(files: Mapping[str, str], app: str, profiles: Iterable[str]) -> dict[str, str]:
    """Merge the files the service reads, later layers winning (placeholders unresolved)."""
    merged: dict[str, str] = {}
    for profile in (None, *profiles):
        suffix = f"-{profile}" if profile else ""
        for name in (f"spinnaker{suffix}.yml", f"{app}{suffix}.yml"):
            if name in files:
                merged.update(load(files[name]))
    return merged


def resolve(props: Mapping[str, str]) -> dict[str, str]:
    def one(text: str, depth: int) -> str:
        if depth > 20:
            return text

        def sub(m: re.Match[str]) -> str:
            if m[1] in props:
                return one(props[m[1]], depth + 1)
            return m[2] if m[2] is not None else m[0]

        return _PLACEHOLDER.sub(sub, text)

    return {key: one(value, 0) for key, value in props.items()}


def effective(files: Mapping[str, str], app: str, profiles: Iterable[str]) -> dict[str, str]:
    """The service's resolved properties: what its code would read."""
    return resolve(layered(files, app, profiles))
