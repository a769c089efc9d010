"""A config edit imports only what it uses (issue 13: edit latency on the 50-account
config stays <= 100 ms; bench/bench_config_edit.py).  The plan and the Redis URI parser
are loaded only by commands that need them; messages are still masked."""

from __future__ import annotations

import shutil
from pathlib import Path

from pyhalyard.cli.mask import mask_text
from tests.cli.conftest import HALYARD_STYLE
from tests.cli.imports_probe import imports_of

NOT_ON_AN_EDIT = ("pyhalyard.plan", "pyhalyard.redis.endpoint")


def _modules_after(tmp_path: Path, *words: str) -> list[str]:
    root = tmp_path / "hal"
    root.mkdir()
    shutil.copy(HALYARD_STYLE, root / "config")
    code, modules, err = imports_of(root, *words)
    assert code == 0, err
    assert "pyhalyard.validate.rules" in modules  # the edit was validated
    return modules


def test_a_table_command_edit_loads_no_plan_and_no_uri_parser(tmp_path: Path) -> None:
    modules = _modules_after(tmp_path, "config", "artifact", "github", "enable")
    assert [m for m in NOT_ON_AN_EDIT if m in modules] == []


def test_text_without_a_url_is_printed_as_is_and_urls_are_still_masked() -> None:
    assert mask_text("+ artifact github enabled") == "+ artifact github enabled"
    shown = mask_text("endpoint redis://:s3cret@redis.example:6379 and "
                      "https://user:t0ken@registry.example/v2")
    assert "s3cret" not in shown and "t0ken" not in shown
    assert "redis.example:6379" in shown and "registry.example/v2" in shown
