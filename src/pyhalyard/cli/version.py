"""``hal version list|latest|bom``: the Spinnaker releases pyhalyard knows.

Halyard asked its daemon, which read a bucket that is no longer served; these read
the bundled release table (``pyhalyard.releases``) and, for ``bom``, the same BOM
sources rendering uses, so what ``hal version bom`` prints is what a deploy uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pyhalyard.cli.context import AppContext, common_options, get_app
from pyhalyard.errors import HalError
from pyhalyard.releases import TAGS_ARE_RELEASE, TAGS_FROM_BOM, strip_local, table


def configured_version(app: AppContext) -> str | None:
    """The deployment's version, or None when there is no config to read."""
    if not app.paths.config.is_file():
        return None
    from pyhalyard.cli.config_common import read_deployment

    try:
        _, _, dep = read_deployment(app)
    except HalError:
        return None
    value = dep.get("version")
    return str(value) if value else None


@click.group()
def version() -> None:
    """List Spinnaker releases, show the newest one, or print a release's BOM."""


_TAGS = {TAGS_FROM_BOM: "table", TAGS_ARE_RELEASE: "release", "none": "needs a BOM"}


@version.command("list")
@common_options
def list_() -> None:
    """Every release pyhalyard knows, newest first; `*` marks the configured one."""
    app = get_app()
    current = configured_version(app)
    mark = strip_local(current) if current else None
    rows = [{"version": r.version, "date": r.date, "images": _TAGS[r.tags],
             "configured": r.version == mark,
             "changelog": f"https://spinnaker.io/changelogs/{r.version}-changelog/"}
            for r in table().releases]

    def human() -> None:
        if current is not None:
            known = "" if table().find(current) else " (not a release in the table)"
            click.echo(f"You are on version {current}{known}; the releases are:")
        for row in rows:
            star = "*" if row["configured"] else " "
            click.echo(f"{star} {row['version']:<10} {row['date']:<10}  images: "
                       f"{row['images']}")

    app.emit(rows, human)


@version.command()
@common_options
def latest() -> None:
    """The newest Spinnaker release (-q: the version only, for $(hal version latest -q))."""
    app = get_app()
    newest = table().latest()
    if app.quiet and app.output is None:
        click.echo(newest.version)
        return
    app.emit({"version": newest.version, "date": newest.date},
             lambda: click.echo(f"Latest Spinnaker release: {newest.version} "
                                f"({newest.date})"))


@version.command()
@click.argument("release", metavar="[VERSION]", required=False)
@click.option("--artifact-name", metavar="NAME",
              help="Print only this artifact's version (e.g. clouddriver).")
@click.option("--bom", "bom_file", metavar="FILE",
              type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Resolve from this BOM file instead (as render/apply would).")
@common_options
def bom(release: str | None, artifact_name: str | None, bom_file: Path | None) -> None:
    """The BOM of VERSION (default: the configured version), as deploys resolve it."""
    from pyhalyard.render.images import Bom, default_registry, resolve_bom

    app = get_app()
    wanted = release or configured_version(app)
    if not wanted:
        raise HalError("no VERSION given and no version configured "
                       "(hal config version edit --version V)")
    resolved = resolve_bom(wanted, app.paths, bom_file)
    name = strip_local(wanted)
    if resolved is None:  # 2025.0.0 on: every service is tagged with the release
        from pyhalyard.releases import table as facts

        services = ("clouddriver", "deck", "echo", "fiat", "front50", "gate", "igor",
                    "kayenta", "orca", "rosco")
        found = facts().find(name)
        resolved = Bom(source="release", version=name, tags=dict.fromkeys(services, name),
                       registry=None, dependencies=dict(facts().dependencies),
                       timestamp=found.date if found else None)
    if artifact_name is not None:
        click.echo(resolved.tag(artifact_name))
        return
    data: dict[str, Any] = resolved.as_halyard(default_registry(name))
    if app.output is None:
        app.output = "yaml"  # Halyard prints the BOM as YAML unless told otherwise
    app.emit(data)
