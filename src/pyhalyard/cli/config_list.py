"""``hal config list``: every deployment of the halconfig, as Halyard's ``ListCommand`` shows them.

Halyard prints the whole list of deployment configurations (YAML by default,
``-o json`` too); pyhalyard masks credentials in it as every show command does.
"""

from __future__ import annotations

import click

from pyhalyard.cli.context import common_options, get_app


@click.command("list")
@common_options
def config_list() -> None:
    """List all your deployments (their whole configuration, secrets masked)."""
    from pyhalyard.cli.config_common import mask_secrets
    from pyhalyard.halconfig.store import DEPLOYMENTS_KEY, HalConfig

    app = get_app()
    cfg = HalConfig.load(app.paths)
    deployments = cfg.data.get(DEPLOYMENTS_KEY) or []

    def human() -> None:
        from pyhalyard.halconfig.document import dump
        from pyhalyard.redis.endpoint import mask_text

        if not deployments:
            app.info(f"No deployments in {app.paths.config}.")
            return
        current = cfg.current_deployment()
        app.info(f"+ Retrieved all deployments (current: {current}).")
        click.echo(mask_text(dump(mask_secrets(deployments))).rstrip("\n"))

    app.emit(mask_secrets(deployments), human)
