"""The ``~/.hal`` layout, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def default_hal_dir() -> Path:
    env = os.environ.get("HAL_DIR")
    return Path(env).expanduser() if env else Path.home() / ".hal"


@dataclass(frozen=True)
class HalPaths:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def lock(self) -> Path:
        return self.root / ".config.lock"

    @property
    def backup_dir(self) -> Path:
        return self.root / ".backup"

    @property
    def boms_dir(self) -> Path:
        """Where Halyard caches release BOMs: ``.boms/bom/<version>.yml``."""
        return self.root / ".boms" / "bom"

    def deployment(self, name: str) -> DeploymentPaths:
        return DeploymentPaths(self.root / name)


@dataclass(frozen=True)
class DeploymentPaths:
    root: Path

    @property
    def profiles(self) -> Path:
        return self.root / "profiles"

    @property
    def service_settings(self) -> Path:
        return self.root / "service-settings"

    @property
    def staging(self) -> Path:
        return self.root / "staging"

    @property
    def history(self) -> Path:
        return self.root / "history"
