"""``hal plugins``: the PF4J plugins and plugin repositories Spinnaker services load.

Hand-written rather than table rows: Halyard keeps both as mappings keyed by id
(``spinnaker.extensibility.plugins.<id>``, ``.repositories.<id>``; halyard-config
model/v1/node/Extensibility.java, plugins/Plugin.java, PluginRepository.java), not as
the named lists the table describes, and ``add`` builds the extensions mapping from a
comma-separated flag.  Flags follow halyard-cli .../command/v1/plugins/AddPluginCommand,
DeletePluginCommand, ListPluginsCommand and repositories/*PluginRepositoryCommand.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from pyhalyard.cli.config_common import (
    BOOL,
    dep_path,
    edit_deployment,
    mapping_at,
    read_deployment,
    set_value,
    split_list,
)
from pyhalyard.cli.context import common_options, get_app
from pyhalyard.errors import HalError, UsageError
from pyhalyard.halconfig.store import HalConfig

EXTENSIBILITY = ("spinnaker", "extensibility")


def _read(kind: str) -> dict[str, Any]:
    app = get_app()
    cfg, index, dep = read_deployment(app)
    return mapping_at(dep, [*EXTENSIBILITY, kind],
                      f"{cfg.doc.source}: deploymentConfigurations[{index}]")


def _entries(cfg: HalConfig, index: int, kind: str) -> dict[str, Any]:
    found = cfg.doc.get(dep_path(index, *EXTENSIBILITY, kind))
    if found is None:
        return {}
    if not isinstance(found, dict):
        raise HalError(f"{cfg.doc.source}: deploymentConfigurations[{index}]."
                       f"{'.'.join(EXTENSIBILITY)}.{kind}: expected a mapping")
    return found


def _no_such(noun: str, name: str, kind: str, known: dict[str, Any]) -> HalError:
    """The error for a name that is not there, listing the names that are."""
    return HalError(f"no {noun} named '{name}' ({kind}: {', '.join(known) or 'none'})")


def _delete(kind: str, name: str, noun: str) -> None:
    """Delete the entry ``name`` of the ``kind`` mapping (plugins or repositories)."""
    app = get_app()

    def change(cfg: HalConfig, index: int) -> None:
        known = _entries(cfg, index, kind)
        if name not in known:
            raise _no_such(noun, name, kind, known)
        cfg.doc.delete(dep_path(index, *EXTENSIBILITY, kind, name))

    edit_deployment(app, change)
    app.info(f"+ Successfully deleted {noun} {name}.")


def _list(kind: str, line: Callable[[str, Any], str], none: str) -> None:
    """Emit the ``kind`` mapping: as data, or one ``line(name, value)`` per entry."""
    app = get_app()
    found = _read(kind)

    def human() -> None:
        for name, value in found.items():
            app.info(line(name, value))
        if not found:
            app.info(none)

    app.emit(found, human)


@click.group(invoke_without_command=True)
@common_options
@click.pass_context
def plugins(ctx: click.Context) -> None:
    """Show, add and delete plugins and plugin repositories."""
    if ctx.invoked_subcommand is None:
        get_app().emit(_read("plugins"))


@plugins.command("add")
@click.argument("plugin")
@click.option("--version", "version", help="The plugin version to use.")
@click.option("--enabled", type=BOOL, metavar="true|false",
              help="Whether services load the plugin (Halyard's default: false).")
@click.option("--extensions", metavar="A[,B...]",
              help="Extensions of the plugin to enable (comma-separated).")
@common_options
def add(plugin: str, version: str | None, enabled: bool | None,
        extensions: str | None) -> None:
    """Add a plugin (spinnaker.extensibility.plugins.PLUGIN)."""
    item: dict[str, Any] = {"id": plugin, "enabled": bool(enabled)}
    if version is not None:
        item["version"] = version
    item["extensions"] = {ext: {"id": ext, "enabled": True}
                          for ext in split_list(extensions or "")}
    app = get_app()

    def change(cfg: HalConfig, index: int) -> None:
        if plugin in _entries(cfg, index, "plugins"):
            raise HalError(f"a plugin named '{plugin}' already exists "
                           f"(delete it first: hal plugins delete {plugin})")
        set_value(cfg.doc, dep_path(index, *EXTENSIBILITY, "plugins", plugin), item)

    edit_deployment(app, change)
    app.info(f"+ Successfully added plugin {plugin}.")


@plugins.command("delete")
@click.argument("plugin")
@common_options
def delete(plugin: str) -> None:
    """Delete a plugin."""
    _delete("plugins", plugin, "plugin")


@plugins.command("list")
@common_options
def list_plugins() -> None:
    """List the configured plugins."""
    _list("plugins", lambda name, _: f"- {name}", "No plugins configured.")


@plugins.group("repository", invoke_without_command=True)
@common_options
@click.pass_context
def repository(ctx: click.Context) -> None:
    """Show, add, edit and delete plugin repositories."""
    if ctx.invoked_subcommand is None:
        get_app().emit(_read("repositories"))


def _set_repository(name: str, url: str, *, new: bool) -> None:
    app = get_app()

    def change(cfg: HalConfig, index: int) -> None:
        known = _entries(cfg, index, "repositories")
        if new and name in known:
            raise HalError(f"a plugin repository named '{name}' already exists "
                           f"(use: hal plugins repository edit {name})")
        if not new and name not in known:
            raise _no_such("plugin repository", name, "repositories", known)
        if new:
            set_value(cfg.doc, dep_path(index, *EXTENSIBILITY, "repositories", name),
                      {"id": name, "url": url})
        else:
            set_value(cfg.doc, dep_path(index, *EXTENSIBILITY, "repositories", name, "url"),
                      url)

    edit_deployment(app, change)
    app.info(f"+ Successfully {'added' if new else 'edited'} plugin repository {name}.")


@repository.command("add")
@click.argument("repository_id", metavar="REPOSITORY")
@click.option("--url", required=True, help="The location of the plugin repository.")
@common_options
def repository_add(repository_id: str, url: str) -> None:
    """Add a plugin repository."""
    _set_repository(repository_id, url, new=True)


@repository.command("edit")
@click.argument("repository_id", metavar="REPOSITORY")
@click.option("--url", help="The location of the plugin repository.")
@common_options
def repository_edit(repository_id: str, url: str | None) -> None:
    """Edit a plugin repository."""
    if url is None:
        raise UsageError("nothing to change: give --url")
    _set_repository(repository_id, url, new=False)


@repository.command("delete")
@click.argument("repository_id", metavar="REPOSITORY")
@common_options
def repository_delete(repository_id: str) -> None:
    """Delete a plugin repository."""
    _delete("repositories", repository_id, "plugin repository")


@repository.command("list")
@common_options
def repository_list() -> None:
    """List the plugin repositories."""

    def line(name: str, value: Any) -> str:
        url = value.get("url", "") if isinstance(value, dict) else ""
        return f"- {name}: {url}"

    _list("repositories", line, "No plugin repositories configured.")
