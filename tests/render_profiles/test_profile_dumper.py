"""ProfileDumper writes exactly what PyYAML's safe dumper wrote for the same profile data.

Profiles are written sorted, block style, without anchors (render/profiles/base.py); the
faster dumper builds the nodes itself, so these tests pin its output to PyYAML's on
data chosen to hit every branch, and on the profiles of a rendered deployment.
"""

from __future__ import annotations

import datetime
import sys
from typing import Any

import pytest
import yaml

import pyhalyard.render.profiles as profiles_pkg
from pyhalyard.render.profile_dumper import ProfileDumper
from pyhalyard.render.profiles import base

from .build import raw_config, render


class _PyYaml(yaml.CSafeDumper):  # type: ignore[misc]
    """What profiles were dumped with before: the safe dumper, never an alias."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _reference(data: Any) -> str:
    return yaml.dump(base.canonical(data), Dumper=_PyYaml, default_flow_style=False,
                     sort_keys=True, allow_unicode=True, width=4096)


def _fast(data: Any) -> str:
    return yaml.dump(data, Dumper=ProfileDumper, default_flow_style=False,
                     sort_keys=True, allow_unicode=True, width=4096)


SHARED = {"a": 1}
TRICKY: dict[Any, Any] = {
    "strings-that-look-like-other-types": ["yes", "No", "on", "~", "null", "", " ", "1.0",
                                           "0x1F", "0o17", "1_000", "2024-01-02", ".inf",
                                           "-", "- x", "a: b", "#x", "'q'", '"d"', "@at",
                                           "%p", "*star", "&amp", "!bang", "|", ">"],
    "multi": "line one\nline two\n",
    "trailing space ": "value ",
    "unicode": "Zürich — 東京 🚀",
    "scalars": [True, False, None, 0, -7, 10**20, 1.5, float("inf"), float("nan"), 1e-9],
    "nested": {"z": {"y": [[], {}, [{"b": 2, "a": [1, (2, 3)]}]]}, "a": ()},
    3: "int key", "3": "str key of the same text (the later one wins)",
    True: "bool key", None: "null key",
    "shared-1": SHARED, "shared-2": SHARED,  # never an anchor/alias
    "date": datetime.date(2024, 1, 2),
    "bytes": b"\x00\x01binary",
    "long": "x" * 5000,
}


def test_tricky_data_dumps_byte_identical_to_pyyaml() -> None:
    assert _fast(TRICKY) == _reference(TRICKY)
    assert "&" not in _fast(TRICKY).split("bytes:")[0]


@pytest.mark.parametrize("value", [{}, [], "text", 5, None, True, {"k": {}}, [[]]])
def test_top_level_values_dump_identical(value: Any) -> None:
    assert _fast(value) == _reference(value)


def test_unrepresentable_value_fails_as_pyyaml_does() -> None:
    class Opaque:
        pass

    with pytest.raises(yaml.representer.RepresenterError):
        _fast({"x": Opaque()})


def test_rendered_profiles_are_what_pyyaml_wrote() -> None:
    """Every profile of an HA deployment with many accounts: same bytes as before."""
    raw = raw_config(cd=True, echo=True, ro_deck=True, redis=True)
    accounts = raw["providers"]["kubernetes"]["accounts"]
    accounts.extend({**accounts[0], "name": f"team-{i}", "namespaces": [f"ns-{i}"],
                     "permissions": {"READ": [f"g{i}"], "WRITE": [f"g{i}-admin"]}}
                    for i in range(50))
    dumped: list[tuple[dict[str, Any], bool, str]] = []
    real = base.dump

    def spy(data: dict[Any, Any], header: bool = True) -> str:
        text = real(data, header)
        dumped.append((data, header, text))
        return text

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(base, "dump", spy)
        for module in list(sys.modules.values()):
            if getattr(module, "__name__", "").startswith(profiles_pkg.__name__) \
                    and getattr(module, "dump", None) is real:
                mp.setattr(module, "dump", spy)
        _, profiles = render(raw)
    assert len(dumped) >= 10
    assert "team-49" in profiles["clouddriver-rw"]["clouddriver.yml"]
    for data, header, text in dumped:
        assert text == (base.HEADER if header else "") + _reference(data)


def test_copied_blocks_are_independent_deep_copies() -> None:
    """``copied`` (each profile owns its data) copies plain YAML without copy.deepcopy,
    and keeps deepcopy's behaviour for data shared through a YAML alias."""
    raw = yaml.safe_load("providers:\n  kubernetes:\n    accounts:\n    - name: a\n"
                         "      namespaces: [x]\n      since: 2024-01-02\n")
    got = base.copied(raw, "providers")
    assert got == raw["providers"]
    got["kubernetes"]["accounts"][0]["namespaces"].append("y")
    assert raw["providers"]["kubernetes"]["accounts"][0]["namespaces"] == ["x"]
    shared = yaml.safe_load("p:\n  one: &n {k: [1]}\n  two: *n\n")
    twin = base.copied(shared, "p")
    assert twin == shared["p"] and twin["one"] is twin["two"]
    assert twin["one"] is not shared["p"]["one"]
