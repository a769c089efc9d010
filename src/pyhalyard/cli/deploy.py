"""``hal deploy``: render, draw, apply and manage what is in the cluster."""

from __future__ import annotations

import click

from pyhalyard.cli.context import common_options
from pyhalyard.cli.lazy import LazyGroup


@click.group(cls=LazyGroup, lazy={
    "render": "pyhalyard.cli.render:render",
    "topology": "pyhalyard.cli.topology:topology",
    "apply": "pyhalyard.cli.deploy_cluster:apply",
    "diff": "pyhalyard.cli.deploy_cluster:diff",
    "rollback": "pyhalyard.cli.deploy_cluster:rollback",
    "clean": "pyhalyard.cli.deploy_cluster:clean",
    "connect": "pyhalyard.cli.deploy_cluster:connect",
    "details": "pyhalyard.cli.deploy_details:details",
    "collect-logs": "pyhalyard.cli.deploy_details:collect_logs",
})
@common_options
def deploy() -> None:
    """Render the deployment, or apply it to the cluster."""
