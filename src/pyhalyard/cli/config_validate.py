"""``hal config validate``: every problem of the deployment, exit 1 when one is an ERROR."""

from __future__ import annotations

import click

from pyhalyard.cli.context import common_options, get_app
from pyhalyard.errors import HalError
from pyhalyard.redis.endpoint import mask_text


class InvalidConfig(HalError):
    """Problems were already printed; this only carries the exit code."""


@click.command()
@common_options
def validate() -> None:
    """List the configuration's problems (exit 1 when any is an ERROR)."""
    from pyhalyard.pipeline import load
    from pyhalyard.validate import Severity
    from pyhalyard.validate import validate as run_rules

    app = get_app()
    loaded = load(app.paths, app.deployment)
    problems = run_rules(loaded)
    data = [p.as_dict() for p in problems]

    def human() -> None:
        if not problems:
            click.echo(f"+ Deployment '{loaded.deployment.name}' has no problems")
        for problem in problems:
            click.echo(mask_text(str(problem)))

    app.emit(data, human)
    failing = sum(1 for p in problems if p.severity is Severity.ERROR)
    if failing:
        raise InvalidConfig(f"deployment '{loaded.deployment.name}' has {failing} "
                            f"error{'s' if failing > 1 else ''}")
