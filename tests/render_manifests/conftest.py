"""Each test config is rendered once per session and written once to a kustomize folder.

The maps build an entry the first time a test asks for it, so a config whose source is
absent (the real-world tree of ``../shared`` in a user's clone) skips only the tests that
use it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from pyhalyard.render.bundle import Bundle
from pyhalyard.render.output import write_output
from tests.render_manifests.configs import make_hal, render

V = TypeVar("V")


class OnDemand(dict[str, V]):
    """A dict that builds a missing entry with ``build(name)`` and keeps it."""

    def __init__(self, build: Callable[[str], V]) -> None:
        super().__init__()
        self._build = build

    def __missing__(self, name: str) -> V:
        value = self[name] = self._build(name)
        return value


@pytest.fixture(scope="session")
def hal_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hal")
    return OnDemand(lambda name: make_hal(root, name))


@pytest.fixture(scope="session")
def bundles(hal_dirs: dict[str, Path]) -> dict[str, Bundle]:
    return OnDemand(lambda name: render(hal_dirs[name]))


@pytest.fixture(scope="session")
def folders(bundles: dict[str, Bundle], tmp_path_factory: pytest.TempPathFactory
            ) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("out")
    return OnDemand(lambda name: write_output(bundles[name], root / name).path)
