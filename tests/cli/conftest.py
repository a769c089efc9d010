"""Fixtures for the ``hal config`` command tests: a hal dir holding a Halyard-style config."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from pyhalyard.halconfig.paths import HalPaths
from pyhalyard.pipeline import load, plan
from pyhalyard.render.profiles import render_profiles
from tests.helpers import Result, run_hal

CLI_FIXTURES = Path(__file__).resolve().parent / "fixtures"
HALYARD_STYLE = CLI_FIXTURES / "halyard-style.yml"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's ~/.hal or colour settings."""
    monkeypatch.delenv("HAL_DIR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


def hal_dir_with(tmp_path: Path, config: Path) -> Path:
    """A fresh hal dir under ``tmp_path`` whose config is a copy of ``config``."""
    root = tmp_path / "hal"
    root.mkdir()
    shutil.copy(config, root / "config")
    return root


@pytest.fixture
def hal_dir(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """A hal dir holding the test module's ``HAL_CONFIG`` fixture (default: the
    Halyard-style config), so each module picks its config without its own fixture."""
    return hal_dir_with(tmp_path, getattr(request.module, "HAL_CONFIG", HALYARD_STYLE))


@pytest.fixture
def empty_dir(tmp_path: Path) -> Path:
    root = tmp_path / "empty"
    root.mkdir()
    return root


class Hal:
    """``hal --hal-dir DIR ...`` bound to one directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __call__(self, *args: str) -> Result:
        return run_hal(*args, hal_dir=self.root)

    @property
    def config(self) -> Path:
        return self.root / "config"

    def text(self) -> str:
        return self.config.read_text(encoding="utf-8")

    def bytes(self) -> bytes:
        return self.config.read_bytes()

    def dep(self) -> dict[str, Any]:
        """The first deployment of the config, parsed."""
        found: dict[str, Any] = yaml.safe_load(self.text())["deploymentConfigurations"][0]
        return found

    def profiles(self) -> dict[str, dict[str, str]]:
        """Every service's rendered profiles, as ``hal deploy apply`` would write them."""
        return render_profiles(plan(load(HalPaths(self.root))))

    def profile(self, service: str, name: str) -> Any:
        """One rendered profile, parsed (``.js`` files are returned as text)."""
        text = self.profiles()[service][name]
        return text if name.endswith(".js") else yaml.safe_load(text)


@pytest.fixture
def hal(hal_dir: Path) -> Hal:
    return Hal(hal_dir)


@pytest.fixture
def hal_empty(empty_dir: Path) -> Hal:
    return Hal(empty_dir)


def deployment(hal: Hal, name: str = "default") -> dict[str, Any]:
    """The parsed mapping of one deployment in the hal dir's config."""
    data = yaml.safe_load(hal.text())
    found: dict[str, Any] = next(d for d in data["deploymentConfigurations"]
                                 if d["name"] == name)
    return found
