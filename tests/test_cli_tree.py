"""Every command of the tree resolves and answers -h (Halyard: help on every command)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from pyhalyard import __version__
from pyhalyard.cli.main import cli
from tests.helpers import run_hal


def _walk(group: click.Group, ctx: click.Context, prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"lazy entry {' '.join((*prefix, name))} does not resolve"
        path = (*prefix, name)
        found.append(path)
        if isinstance(command, click.Group):
            found += _walk(command, click.Context(command, parent=ctx, info_name=name), path)
    return found


def all_commands() -> list[tuple[str, ...]]:
    return _walk(cli, click.Context(cli, info_name="hal"), ())


def test_every_command_has_help() -> None:
    commands = all_commands()
    assert ("config", "deploy", "ha", "clouddriver", "edit") in commands
    assert ("deploy", "apply") in commands and ("deploy", "render") in commands
    for path in commands:
        argv = list(path)
        if "component-sizing" in argv[:-1]:  # its subcommands follow a service NAME
            argv.insert(argv.index("component-sizing") + 1, "spin-gate")
        result = run_hal(*argv, "-h")
        assert result.code == 0, (path, result.err)
        usage = result.out.splitlines()[0].replace(" [NAME]", "")
        assert usage.startswith("Usage: hal " + " ".join(path)), path


def test_version_and_unknown_command() -> None:
    assert run_hal("--version").out.strip().endswith(__version__)
    bad = run_hal("config", "frobnicate")
    assert bad.code == 2 and "No such command" in bad.err and "Traceback" not in bad.err


def test_hal_dir_from_environment_expands_home(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("HAL_DIR", "~/myhal")
    assert run_hal("config", "version", "edit", "--version", "2025.2.1").code == 0
    assert (tmp_path / "myhal" / "config").read_text().count("version: 2025.2.1") == 1
