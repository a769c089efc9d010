"""The one deep merge that the plan's overrides and every profile module build on."""

from __future__ import annotations

from typing import Any

from pyhalyard.merge import deep_merge


def test_mappings_merge_and_everything_else_replaces() -> None:
    into: dict[str, Any] = {"services": {"redis": {"baseUrl": "redis://a", "enabled": True}},
                            "accounts": [1, 2], "port": 1}
    extra: dict[str, Any] = {"services": {"redis": {"baseUrl": "redis://b"}, "echo": {}},
                             "accounts": [3], "port": {"x": 1}}
    assert deep_merge(into, extra) is into
    assert into == {"services": {"redis": {"baseUrl": "redis://b", "enabled": True}, "echo": {}},
                    "accounts": [3], "port": {"x": 1}}


def test_a_scalar_replaces_a_mapping() -> None:
    assert deep_merge({"server": {"port": 1}}, {"server": None}) == {"server": None}
