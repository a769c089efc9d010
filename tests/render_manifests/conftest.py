"""Each test config is rendered once per session and written once to a kustomize folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyhalyard.render.bundle import Bundle
from pyhalyard.render.output import write_output
from tests.render_manifests.configs import ALL_CONFIGS, make_hal, render


@pytest.fixture(scope="session")
def hal_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hal")
    return {name: make_hal(root, name) for name in ALL_CONFIGS}


@pytest.fixture(scope="session")
def bundles(hal_dirs: dict[str, Path]) -> dict[str, Bundle]:
    return {name: render(path) for name, path in hal_dirs.items()}


@pytest.fixture(scope="session")
def folders(bundles: dict[str, Bundle], tmp_path_factory: pytest.TempPathFactory
            ) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("out")
    return {name: write_output(bundle, root / name).path for name, bundle in bundles.items()}
