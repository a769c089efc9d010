"""Fixtures for the ``hal config`` command tests: a hal dir holding a Halyard-style config."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import Result, run_hal

CLI_FIXTURES = Path(__file__).resolve().parent / "fixtures"
HALYARD_STYLE = CLI_FIXTURES / "halyard-style.yml"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's ~/.hal or colour settings."""
    monkeypatch.delenv("HAL_DIR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def hal_dir(tmp_path: Path) -> Path:
    root = tmp_path / "hal"
    root.mkdir()
    shutil.copy(HALYARD_STYLE, root / "config")
    return root


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
