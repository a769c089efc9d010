"""Global options and the per-invocation context every command receives.

Halyard accepts ``--deployment``, ``--no-validate``, ``-q``, ``-o`` and
``--no-color`` on every command, so :func:`common_options` adds them to each
leaf command as well as to the root; whichever is given wins.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import click

from pyhalyard.cli.mask import mask_text
from pyhalyard.halconfig.paths import HalPaths, default_hal_dir

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class AppContext:
    hal_dir: Path = field(default_factory=default_hal_dir)
    deployment: str | None = None
    no_validate: bool = False
    quiet: bool = False
    output: str | None = None  # "yaml" | "json" | None (human)
    color: bool = True

    @property
    def paths(self) -> HalPaths:
        return HalPaths(self.hal_dir)

    # ----------------------------------------------------------- printing
    def info(self, message: str) -> None:
        """Human progress/confirmation lines: silenced by -q and by -o (stdout is data then)."""
        if not self.quiet and self.output is None:
            click.echo(mask_text(message))

    def warn(self, message: str) -> None:
        click.echo(mask_text(message), err=True)

    def emit(self, data: Any, human: Callable[[], None] | None = None) -> None:
        """Show data: as YAML/JSON with -o, else through ``human`` (or as YAML)."""
        if self.output == "json":
            import json  # only -o json pays for it

            click.echo(mask_text(json.dumps(data, indent=2, sort_keys=False, default=str)))
        elif self.output == "yaml" or human is None:
            from pyhalyard.halconfig.document import dump

            click.echo(mask_text(dump(data)).rstrip("\n"))
        else:
            human()


def get_app(ctx: click.Context | None = None) -> AppContext:
    ctx = ctx or click.get_current_context()
    root = ctx.find_root()
    if not isinstance(root.obj, AppContext):
        root.obj = AppContext()
    return root.obj


def _store(attr: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None or value is False:
            return value
        app = get_app(ctx)
        setattr(app, attr, value)
        return value
    return callback


def _no_color(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value or os.environ.get("NO_COLOR"):
        get_app(ctx).color = False
    return value


def _quiet(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        get_app(ctx).quiet = True
    return value


def common_options(func: F) -> F:
    """Halyard's global flags, accepted on every command (values go to the AppContext)."""
    options = [
        click.option("--deployment", metavar="NAME", expose_value=False, is_eager=True,
                     callback=_store("deployment"),
                     help="Deployment to act on (default: currentDeployment)."),
        click.option("--no-validate", is_flag=True, default=False, expose_value=False,
                     is_eager=True, callback=_store("no_validate"),
                     help="Skip validation (save even with ERROR problems)."),
        click.option("-q", "--quiet", is_flag=True, default=False, expose_value=False,
                     is_eager=True, callback=_quiet, help="Print only errors and data."),
        click.option("-o", "--output", type=click.Choice(["yaml", "json"]),
                     expose_value=False, is_eager=True, callback=_store("output"),
                     help="Machine-readable output for show commands."),
        click.option("--no-color", is_flag=True, default=False, expose_value=False,
                     is_eager=True, callback=_no_color,
                     help="No colour (also when NO_COLOR is set)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def is_tty() -> bool:
    return sys.stdout.isatty()
