"""``hal deploy topology``: draw the services and who calls whom, as the profiles wire them."""

from __future__ import annotations

from pathlib import Path

import click

from pyhalyard.cli.context import common_options, get_app
from pyhalyard.cli.render import not_empty

# The picture is not a secret: readable by everyone, unlike config files (0600).
OUTPUT_MODE = 0o644


@click.command()
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot", "svg"]), default="mermaid",
              show_default=True, help="mermaid (for Markdown), dot (Graphviz) or svg (needs dot).")
# Not ``--output``: Halyard's global ``-o/--output yaml|json`` owns that name on every command.
@click.option("--output-file", "output_file", metavar="FILE", callback=not_empty,
              type=click.Path(dir_okay=False),
              help="Write to FILE (atomically) instead of stdout.")
@common_options
def topology(fmt: str, output_file: Path | None) -> None:
    """Draw the deployment's services and their calls (Redis edges: master vs replica).

    Each edge is read back from the caller's rendered Spring profiles, so the picture
    shows what the services will really call, split roles highlighted.
    """
    from pyhalyard import pipeline
    from pyhalyard.halconfig.store import atomic_write
    from pyhalyard.redis.endpoint import mask_text
    from pyhalyard.render.topology import render, topology_for

    app = get_app()
    graph = topology_for(pipeline.plan(pipeline.load(app.paths, app.deployment)))
    if app.output is not None and output_file is None:
        # -o yaml|json: the graph as data (nodes, edges), for scripts.
        app.emit(graph.as_data())
        return
    if app.output is not None:
        text = mask_text(data_text(graph.as_data(), app.output))
        fmt = app.output
    else:
        text = mask_text(render(graph, fmt))
    if output_file is None:
        click.echo(text, nl=False)
        return
    atomic_write(output_file, text, mode=OUTPUT_MODE)
    app.info(f"wrote {fmt} topology to {output_file}")


def data_text(data: object, output: str) -> str:
    """The graph as -o json|yaml writes it, for --output-file (same text as stdout)."""
    if output == "json":
        import json

        return json.dumps(data, indent=2) + "\n"
    from pyhalyard.halconfig.document import dump

    return dump(data)
