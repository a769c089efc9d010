"""Fixtures: throwaway copies of the bundled example and of the real team's ~/.hal."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.support import copy_example, copy_realworld


@pytest.fixture(autouse=True)
def _no_user_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read the developer's ~/.hal, kubeconfig or colour settings."""
    for name in ("HAL_DIR", "NO_COLOR", "KUBECONFIG", "HAL_DEBUG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return copy_example(tmp_path)


@pytest.fixture
def realworld(tmp_path: Path) -> Path:
    """As committed: location is still the SPINNAKER_NAMESPACE template placeholder."""
    return copy_realworld(tmp_path)


@pytest.fixture
def realworld_ns(tmp_path: Path) -> Path:
    """The realworld config with its namespace placeholder filled in, as its team deploys it."""
    return copy_realworld(tmp_path, location="oss-spinnaker")
