"""``hal config``: show or switch the current deployment; subcommands edit the config."""

from __future__ import annotations

import click

from pyhalyard.cli.context import common_options, get_app
from pyhalyard.cli.edit import run_edit
from pyhalyard.cli.lazy import LazyGroup
from pyhalyard.halconfig.store import HalConfig


@click.group(cls=LazyGroup, invoke_without_command=True, lazy={
    "version": "pyhalyard.cli.config_version:version",
    "provider": "pyhalyard.cli.config_provider:provider",
    "deploy": "pyhalyard.cli.config_deploy:deploy",
    "storage": "pyhalyard.cli.config_storage:storage",
    "validate": "pyhalyard.cli.config_validate:validate",
    "generate": "pyhalyard.cli.generate:generate",
    "list": "pyhalyard.cli.config_list:config_list",
    "ci": "pyhalyard.cli.table.build:config_ci",
    "security": "pyhalyard.cli.table.build:config_security",
    "artifact": "pyhalyard.cli.table.build:config_artifact",
    "notification": "pyhalyard.cli.table.build:config_notification",
    "pubsub": "pyhalyard.cli.table.build:config_pubsub",
    "features": "pyhalyard.cli.table.build:config_features",
    "webhook": "pyhalyard.cli.table.build:config_webhook",
    "stats": "pyhalyard.cli.table.build:config_stats",
    "metric-stores": "pyhalyard.cli.table.build:config_metric_stores",
    "repository": "pyhalyard.cli.table.build:config_repository",
    "canary": "pyhalyard.cli.table.build:config_canary",
})
@click.option("--set-current-deployment", metavar="NAME",
              help="Make NAME the current deployment (created if missing).")
@common_options
@click.pass_context
def config(ctx: click.Context, set_current_deployment: str | None) -> None:
    """Show the current deployment's configuration, or edit it with a subcommand."""
    if ctx.invoked_subcommand is not None:
        return
    app = get_app(ctx)
    if set_current_deployment:
        def change(cfg: HalConfig) -> None:
            cfg.ensure_deployment(set_current_deployment)
            cfg.doc.set(["currentDeployment"], set_current_deployment)
        run_edit(app, change, deployment=set_current_deployment)
        app.info(f"+ Current deployment is now '{set_current_deployment}'")
        return
    from pyhalyard.cli.config_common import mask_secrets

    cfg = HalConfig.load(app.paths)
    app.emit(mask_secrets(cfg.deployment(app.deployment)))
