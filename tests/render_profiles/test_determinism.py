"""Same input, same bytes: render twice, and render a config whose keys were reordered."""

from __future__ import annotations

import random
from typing import Any

import pytest

from pyhalyard.render.profiles.base import dump

from .build import raw_config, render

CUSTOM = {"clouddriver-local.yml": "a: 1\n", "echo-slave-local.yml": "b: 2\n",
          "spinnaker-local.yml": "c: 3\n", "gate.yml": "d: 4\n"}
SETTINGS = {"clouddriver-ro": {"port": 7010, "env": {"B": "2", "A": "1"}},
            "orca": {"host": "0.0.0.0", "address": "orca.example"}}


def shuffled(value: Any, rng: random.Random) -> Any:
    """The same data with every mapping's keys in a random order (lists keep theirs)."""
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        return [shuffled(v, rng) for v in value]
    return value


def full_config() -> dict[str, Any]:
    return raw_config(cd=True, echo=True, ro_deck=True, redis=True,
                      notifications={"slack": {"enabled": True}, "twilio": {"enabled": False}})


def test_render_twice_is_byte_identical() -> None:
    _, first = render(full_config(), settings=SETTINGS, profiles=CUSTOM)
    _, second = render(full_config(), settings=SETTINGS, profiles=CUSTOM)
    assert first == second
    assert list(first) == sorted(first)
    for files in first.values():
        assert list(files) == sorted(files)


@pytest.mark.parametrize("seed", range(5))
def test_reordered_input_changes_nothing(seed: int) -> None:
    rng = random.Random(seed)
    _, expected = render(full_config(), settings=SETTINGS, profiles=CUSTOM)
    _, got = render(shuffled(full_config(), rng), settings=shuffled(SETTINGS, rng),
                    profiles=shuffled(CUSTOM, rng))
    assert got == expected


def test_no_timestamps_or_anchors() -> None:
    shared = {"x": 1}
    text = dump({"a": shared, "b": shared, 2: "int key"})
    assert "&" not in text and "*" not in text
    assert text.endswith("'2': int key\na:\n  x: 1\nb:\n  x: 1\n")
    _, profiles = render(full_config())
    blob = "".join(t for files in profiles.values() for t in files.values())
    for marker in ("2025-", "2026-", "T00:", "timestamp"):
        assert marker not in blob
