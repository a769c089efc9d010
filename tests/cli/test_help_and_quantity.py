"""``-h`` on every command of the config tree; the Kubernetes quantity grammar."""

from __future__ import annotations

from decimal import Decimal

import click
import pytest

from pyhalyard.cli.config import config
from pyhalyard.validate.quantity import quantity_problem, to_decimal
from tests.cli.conftest import Hal


def command_paths(group: click.Group, prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
    ctx = click.Context(group)
    paths = [prefix]
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        if isinstance(command, click.Group):
            paths += command_paths(command, (*prefix, name))
        else:
            paths.append((*prefix, name))
    return paths


OWN = ("version", "provider", "deploy", "storage", "validate")
PATHS = [p for p in command_paths(config, ("config",)) if len(p) > 1 and p[1] in OWN]


def test_the_tree_has_every_command() -> None:
    joined = {" ".join(p) for p in PATHS}
    for expected in [
        "config version edit",
        "config provider kubernetes enable", "config provider kubernetes disable",
        "config provider kubernetes account add", "config provider kubernetes account edit",
        "config provider kubernetes account delete", "config provider kubernetes account get",
        "config provider kubernetes account list",
        "config deploy edit", "config deploy ha clouddriver enable",
        "config deploy ha clouddriver disable", "config deploy ha clouddriver edit",
        "config deploy ha echo enable", "config deploy ha echo disable",
        "config deploy ha services clouddriver edit", "config deploy ha services echo enable",
        "config deploy component-sizing edit", "config deploy component-sizing delete",
        "config storage edit", "config storage s3 edit", "config storage gcs edit",
        "config validate",
    ]:
        assert expected in joined


@pytest.mark.parametrize("path", PATHS, ids=[" ".join(p) for p in PATHS])
@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_everywhere(hal: Hal, path: tuple[str, ...], flag: str) -> None:
    args = list(path)
    if path[:3] == ("config", "deploy", "component-sizing") and len(path) > 3:
        args.insert(3, "gate")  # the NAME argument comes before edit/delete
    result = hal(*args, flag)
    assert result.code == 0, result.err
    assert result.out.startswith("Usage: hal ")
    for option in ("--deployment", "--no-validate", "--output", "--no-color"):
        assert option in result.out


def test_config_help_lists_only_present_modules(hal: Hal) -> None:
    result = hal("config", "--help")
    assert result.code == 0, result.err
    for name in OWN:
        assert name in result.out


@pytest.mark.parametrize("value, expected", [
    ("500m", Decimal("0.5")), ("2Gi", Decimal(2 * 1024**3)), ("1.5", Decimal("1.5")),
    ("1e3", Decimal(1000)), (".5k", Decimal(500)), (2, Decimal(2)), (0.25, Decimal("0.25")),
    ("100Ki", Decimal(102400)), ("1E", Decimal(10) ** 18), ("3n", Decimal("3e-9")),
])
def test_good_quantities(value: object, expected: Decimal) -> None:
    assert quantity_problem(value) is None
    assert to_decimal(value) == expected


@pytest.mark.parametrize("value", ["", "abc", "2 Gi", "2GB", "1.2.3", "Mi", "0x10", "1e",
                                   True, None, [1], {"cpu": 1}])
def test_bad_quantities(value: object) -> None:
    assert quantity_problem(value) is not None
    assert to_decimal(value) is None


def test_negative_quantity() -> None:
    assert "negative" in (quantity_problem("-500m") or "")
