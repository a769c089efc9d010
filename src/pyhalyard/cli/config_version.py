"""``hal config version``: the Spinnaker release a deployment runs."""

from __future__ import annotations

import re

import click

from pyhalyard.cli.config_common import edit_value, read_deployment
from pyhalyard.cli.context import common_options, get_app
from pyhalyard.errors import HalError
from pyhalyard.halconfig.paths import HalPaths

# Release numbers (1.30.1, 2025.2.1), Halyard's "local:<version>" and branch builds; no spaces,
# because the value ends up in image tags.
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+-]*$")


def _check_known(paths: HalPaths, value: str) -> None:
    """Refuse a version no BOM source knows: a typo would otherwise surface only at deploy.

    Known: a release in the bundled table, or one whose BOM is in ``.boms/bom/``
    (``local:X`` included).  Accepted with a warning: a release in the table without
    tags (it needs a BOM before it can deploy) and a CalVer release newer than the table.
    """
    from pyhalyard.releases import TAGS_UNKNOWN, release_tuple, strip_local, table

    name = strip_local(value)
    cached = "/" not in name and (paths.boms_dir / f"{name}.yml").is_file()
    release = table().find(name)
    if cached:
        return
    key = release_tuple(name)
    newest = table().latest()
    if release is None and key is not None and key >= (2025, 0, 0) and key > newest.key:
        # images are tagged with the release from 2025.0.0 on: a release newer than the
        # table needs no BOM, but may be a typo
        click.echo(f"warning: {name} is newer than every release pyhalyard's table knows "
                   f"(newest: {newest.version}); its images must be tagged {name}", err=True)
        return
    if release is None:
        raise HalError(f"--version: '{value}' is not a Spinnaker release pyhalyard knows "
                       f"(see `hal version list`; newest: {table().latest().version}). "
                       f"For your own build, save its BOM as {paths.boms_dir / (name + '.yml')}"
                       " or pass --no-validate")
    if release.tags == TAGS_UNKNOWN:
        click.echo(f"warning: Spinnaker {name}'s image tags are not bundled; save its BOM as "
                   f"{paths.boms_dir / (name + '.yml')} (or pass --bom FILE) before "
                   "deploying", err=True)


@click.group(invoke_without_command=True)
@common_options
@click.pass_context
def version(ctx: click.Context) -> None:
    """Show the Spinnaker version of the deployment, or change it with `edit`."""
    if ctx.invoked_subcommand is not None:
        return
    app = get_app(ctx)
    _, _, dep = read_deployment(app)
    value = dep.get("version") or ""
    app.emit({"version": value}, human=lambda: click.echo(value or "(no version set)"))


@version.command("edit")
@click.option("--version", "new_version", required=True, metavar="VERSION",
              help="Spinnaker release to deploy, e.g. 2025.2.1.")
@common_options
def edit(new_version: str) -> None:
    """Set the Spinnaker version to deploy."""
    app = get_app()
    new_version = new_version.strip()
    if not _VERSION.match(new_version):
        raise HalError(f"--version: '{new_version}' is not a version "
                       "(expected e.g. 2025.2.1 or local:2025.2.1)")
    if not app.no_validate:
        _check_known(app.paths, new_version)
    changed = edit_value(app, ["version"], new_version)
    app.info(f"+ Spinnaker version {'set to' if changed else 'is already'} {new_version}")
