"""``hal shutdown``: Halyard stopped its daemon; pyhalyard has none, so there is nothing to stop."""

from __future__ import annotations

import click

from pyhalyard.cli.context import common_options, get_app


@click.command()
@common_options
def shutdown() -> None:
    """Shutdown the halyard daemon (pyhalyard runs no daemon: nothing to do)."""
    app = get_app()
    app.emit({"daemon": None, "shutdown": False},
             lambda: app.info("+ Nothing to shut down: pyhalyard runs no daemon; "
                              "every hal command does its work and exits."))
