"""Entry point of ``hal``: the root group, the lazy command map and the one error path."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import click

from pyhalyard import __version__
from pyhalyard.cli.context import common_options, get_app
from pyhalyard.cli.lazy import LazyGroup
from pyhalyard.cli.mask import mask_text
from pyhalyard.errors import HalError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _hal_dir(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value:
        get_app(ctx).hal_dir = Path(value).expanduser()
    return value


@click.group(cls=LazyGroup, context_settings=CONTEXT, lazy={
    "config": "pyhalyard.cli.config:config",
    "deploy": "pyhalyard.cli.deploy:deploy",
    "version": "pyhalyard.cli.version:version",
    "backup": "pyhalyard.cli.backup:backup",
    "shutdown": "pyhalyard.cli.shutdown:shutdown",
    "plugins": "pyhalyard.cli.plugins:plugins",
})
@click.version_option(__version__, "--version", prog_name="hal")
@click.option("--hal-dir", metavar="DIR", expose_value=False, is_eager=True, callback=_hal_dir,
              help="Halyard directory (default: $HAL_DIR, else ~/.hal).")
@common_options
def cli() -> None:
    """pyhalyard: configure and deploy a distributed, highly-available Spinnaker."""


def main(argv: list[str] | None = None) -> None:
    """Run ``hal``; every failure becomes one line on stderr and an exit code."""
    try:
        rc = cli.main(args=argv, prog_name="hal", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        # click echoes bad values ("Got unexpected extra argument (redis://:pw@...)"): mask.
        shown = io.StringIO()
        exc.show(file=shown)
        if isinstance(exc, click.UsageError):  # name the closest command, or what to do
            from pyhalyard.cli.unknown import explain

            shown.write(explain(exc))
        click.echo(mask_text(shown.getvalue()).rstrip("\n"), err=True)
        sys.exit(exc.exit_code)
    except HalError as exc:
        click.echo(f"error: {mask_text(str(exc))}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("HAL_DEBUG"):
            raise
        click.echo(f"internal error: {type(exc).__name__}: {mask_text(str(exc))} "
                   "(set HAL_DEBUG=1 for a traceback)", err=True)
        sys.exit(70)
    sys.exit(rc if isinstance(rc, int) else 0)
