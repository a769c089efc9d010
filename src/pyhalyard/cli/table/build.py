"""Click commands generated from the rows, one group at a time.

``hal config ci jenkins master add x`` imports the CI rows and builds only the
groups on that path and the one ``add`` command; nothing else of the table is
turned into click objects, so an edit through a generated command costs what a
hand-written one does.  Every edit goes through :func:`edit_deployment` (locked,
validated, atomic, byte-preserving).
"""

from __future__ import annotations

import importlib
import os
import re
from collections.abc import Callable, Sequence
from typing import Any

import click

from pyhalyard.cli.config_common import (
    BOOL,
    delete_account,
    dep_path,
    edit_deployment,
    mapping_at,
    mask_secrets,
    read_deployment,
    set_value,
    split_list,
)
from pyhalyard.cli.context import common_options, get_app
from pyhalyard.cli.secret_input import PROMPT, resolve_secret
from pyhalyard.cli.table.areas import AREAS
from pyhalyard.cli.table.model import Flag, Group, Items
from pyhalyard.errors import HalError, UsageError
from pyhalyard.halconfig.document import PathKey
from pyhalyard.halconfig.store import HalConfig

# Values Halyard keeps as they are instead of reading a local file (LocalFileConverter).
_NOT_LOCAL = ("encrypted:", "configserver:")
_ITEM_VERBS = ("add", "edit", "delete", "get", "list")
# A node element that picks a list item by a field: ``serviceIntegrations[name=google]``.
_PICK = re.compile(r"(?P<key>[^\[\]]+)\[(?P<field>[^=\]]+)=(?P<value>[^\]]+)\]")


def node_path(cfg: HalConfig, index: int, row: Group, *rest: PathKey,
              create: bool = True) -> list[PathKey]:
    """``deploymentConfigurations[index].<row.node>.<rest>`` with picked list items resolved.

    A picked item that is missing is appended as Halyard's model writes it
    (``{field: value, **row.node_template}``) when ``create``; otherwise the path
    points past the end of the list, where reads find nothing.
    """
    path = dep_path(index)
    for part in row.node:
        pick = _PICK.fullmatch(part)
        if pick is None:
            path.append(part)
            continue
        key, field, value = pick["key"], pick["field"], pick["value"]
        found = cfg.doc.get([*path, key])
        items = found if isinstance(found, list) else []
        at = next((i for i, item in enumerate(items)
                   if isinstance(item, dict) and item.get(field) == value), None)
        if at is None:
            at = len(items)
            if create:
                item = {field: value, **{k: _copy(v) for k, v in row.node_template}}
                if isinstance(found, list):
                    cfg.doc.append([*path, key], item)
                else:
                    cfg.doc.set([*path, key], [item])
        path += [key, at]
    return [*path, *rest]


def read_node(dep: Any, row: Group) -> Any:
    """The row's node in a deployment mapping (picked items resolved), None when absent."""
    cur = dep
    for part in row.node:
        pick = _PICK.fullmatch(part)
        cur = cur.get(pick["key"] if pick else part) if isinstance(cur, dict) else None
        if pick is not None:
            cur = next((i for i in cur if isinstance(i, dict)
                        and i.get(pick["field"]) == pick["value"]), None) \
                if isinstance(cur, list) else None
    return cur


# ----------------------------------------------------------------- the table
class Table:
    """The rows of one area (``config security``): groups by path, help of the paths between."""

    def __init__(self, root: tuple[str, ...]) -> None:
        self.root = root
        self.groups: dict[tuple[str, ...], Group] = {}
        self.help: dict[tuple[str, ...], str] = {}
        for module_name in AREAS[" ".join(root)]:
            module = importlib.import_module(module_name)
            for group in module.GROUPS:
                if group.path in self.groups:
                    raise AssertionError(f"two rows for {group.command}")
                self.groups[group.path] = group
            for path, text in module.HELP.items():
                self.help[tuple(path.split())] = text

    def children(self, path: tuple[str, ...]) -> list[str]:
        """Words that follow ``path`` in some row (sub-groups, not generated verbs)."""
        depth = len(path)
        return sorted({p[depth] for p in self.groups if len(p) > depth and p[:depth] == path})


_TABLES: dict[tuple[str, ...], Table] = {}


def table(root: tuple[str, ...]) -> Table:
    if root not in _TABLES:
        _TABLES[root] = Table(root)
    return _TABLES[root]


def area_of(path: tuple[str, ...]) -> tuple[str, ...] | None:
    """The area (root path) ``path`` belongs to, if any."""
    for n in range(len(path), 0, -1):
        if " ".join(path[:n]) in AREAS:
            return path[:n]
    return None


class TableGroup(click.Group):
    """A group whose subcommands come from the table (after any hand-written ones).

    Hand-written groups that the table extends (``config provider``) use this class
    with ``table_path`` set; generated groups are instances too.
    """

    def __init__(self, *args: Any, table_path: Sequence[str] = (), **kwargs: Any) -> None:
        kwargs.setdefault("invoke_without_command", True)
        super().__init__(*args, **kwargs)
        self.table_path = tuple(table_path)

    def _table(self) -> Table:
        root = area_of(self.table_path)
        assert root is not None, f"no area for {self.table_path}"
        return table(root)

    def _row(self) -> Group | None:
        return self._table().groups.get(self.table_path)

    def list_commands(self, ctx: click.Context) -> list[str]:
        names = set(super().list_commands(ctx)) | set(self._table().children(self.table_path))
        row = self._row()
        if row is not None:
            names |= set(_verbs(row))
        return sorted(names)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is not None:
            return found
        path = (*self.table_path, cmd_name)
        row = self._row()
        if row is not None and cmd_name in _verbs(row):
            command = _verbs(row)[cmd_name]()
            self.add_command(command, cmd_name)
            return command
        if cmd_name in self._table().children(self.table_path):
            group = make_group(path)
            self.add_command(group, cmd_name)
            return group
        return None


def _verbs(row: Group) -> dict[str, Callable[[], click.Command]]:
    """The generated subcommands of ``row`` by name, as factories (built only when used)."""
    verbs: dict[str, Callable[[], click.Command]] = {}
    if row.enable:
        verbs["enable"] = lambda: switch_command(row, True)
        verbs["disable"] = lambda: switch_command(row, False)
    if row.edit:
        verbs["edit"] = lambda: node_edit_command(row)
    if row.items is not None and row.items.noun:
        verbs[row.items.noun] = lambda: items_group(row)
    elif row.items is not None:  # the verbs directly on the group (artifact templates)
        for verb in _ITEM_VERBS:
            verbs[verb] = lambda verb=verb: item_commands(row)[verb]  # type: ignore[misc]
    return verbs


def make_group(path: tuple[str, ...]) -> TableGroup:
    """The generated group ``hal <path>``: shows its node when run bare."""
    root = area_of(path)
    assert root is not None
    tbl = table(root)
    row = tbl.groups.get(path)
    text = row.help if row is not None else tbl.help.get(path, "")

    def show() -> None:
        ctx = click.get_current_context()
        if ctx.invoked_subcommand is not None:
            return
        if row is None:
            click.echo(ctx.get_help())
            return
        app = get_app()
        cfg, index, dep = read_deployment(app)
        if any(_PICK.fullmatch(part) for part in row.node):
            app.emit(mask_secrets(read_node(dep, row) or {}))
            return
        app.emit(mask_secrets(mapping_at(dep, row.node, f"{cfg.doc.source}: "
                                                          f"deploymentConfigurations[{index}]")))

    doc = text + (f"\n\nHalyard: {row.source}" if row is not None else "")
    return TableGroup(path[-1], callback=show, help=doc, table_path=path,
                      params=_common_params())


def _common_params() -> list[click.Parameter]:
    holder = common_options(lambda: None)
    return list(getattr(holder, "__click_params__", []))


# ------------------------------------------------------------------ options
def _option(flag: Flag, *, for_add: bool) -> list[click.Option]:
    """The click option(s) of ``flag``; on ``edit`` a list flag gains --add-x/--remove-x."""
    opts: list[click.Option] = []
    decl = f"--{flag.name}"
    help_text = flag.help
    if flag.secret:
        help_text += " Secret: without a value it is prompted for (or read from stdin)."
    if flag.file:
        help_text += " A local file (stored as an absolute path)."
    if flag.ref:
        help_text += f" Must name an item of {'.'.join(flag.ref)}."
    required = flag.required and for_add
    if flag.kind == "bool":
        opts.append(click.Option([decl, flag.dest], type=BOOL, is_flag=False, flag_value="true",
                                 metavar="true|false", required=required, help=help_text))
    elif flag.kind == "enum":
        opts.append(click.Option([decl, flag.dest],
                                 type=click.Choice(flag.choices, case_sensitive=False),
                                 required=required, help=help_text))
    elif flag.kind in ("int", "float"):
        opts.append(click.Option([decl, flag.dest], type=int if flag.kind == "int" else float,
                                 required=required, help=help_text))
    elif flag.kind == "map":
        opts.append(click.Option([decl, flag.dest], multiple=True, metavar="KEY=VALUE",
                                 required=required, help=help_text + " Repeat for more keys."))
    elif flag.secret:
        opts.append(click.Option([decl, flag.dest], is_flag=False, flag_value=PROMPT,
                                 metavar="[VALUE]", required=required, help=help_text))
    else:
        metavar = "A[,B...]" if flag.kind == "list" else ("FILE" if flag.file else None)
        opts.append(click.Option([decl, flag.dest], metavar=metavar, required=required,
                                 help=help_text))
    if flag.add_remove and not for_add:
        singular = flag.add_remove
        opts.append(click.Option([f"--add-{singular}", _add_dest(flag)], multiple=True,
                                 metavar="VALUE", help=f"Add one value to --{flag.name}."))
        opts.append(click.Option([f"--remove-{singular}", _remove_dest(flag)], multiple=True,
                                 metavar="VALUE", help=f"Remove one value from --{flag.name}."))
    return opts


def _add_dest(flag: Flag) -> str:
    return "add_" + str(flag.add_remove).replace("-", "_")


def _remove_dest(flag: Flag) -> str:
    return "remove_" + str(flag.add_remove).replace("-", "_")


def _flags_for(flags: Sequence[Flag], verb: str) -> list[Flag]:
    return [f for f in flags if f.only is None or f.only == verb]


def _params(flags: Sequence[Flag], *, for_add: bool) -> list[click.Parameter]:
    params: list[click.Parameter] = []
    for flag in flags:
        params += _option(flag, for_add=for_add)
    return params + _common_params()


# ------------------------------------------------------------------- values
def _split_key(key: str) -> list[PathKey]:
    return list(key.split("."))


def _convert(flag: Flag, raw: Any) -> Any:
    """The value Halyard writes for the flag's command-line value ``raw``."""
    if flag.secret:
        raw = resolve_secret(raw, f"--{flag.name}")
    if flag.kind == "enum":
        return next(c for c in flag.choices if c.lower() == str(raw).lower())
    if flag.kind == "map":
        pairs = [str(item).partition("=") for item in raw]
        bad = [key for key, eq, _ in pairs if not key or not eq]
        if bad:
            raise UsageError(f"--{flag.name}: expected KEY=VALUE, got '{bad[0]}'")
        return {key: value for key, _, value in pairs}
    if flag.kind == "list":
        values = split_list(str(raw))
        if flag.file:
            return [_local_file(flag, v) for v in values]
        return [{flag.wrap: v} for v in values] if flag.wrap else values
    if flag.file:
        return _local_file(flag, str(raw))
    return raw


def _local_file(flag: Flag, value: str) -> str:
    """A file flag's value: must be readable now; stored absolute (as Halyard stores it)."""
    if not value or value.startswith(_NOT_LOCAL):
        return value
    path = os.path.abspath(os.path.expanduser(value))
    if not os.path.isfile(path) or not os.access(path, os.R_OK):
        raise UsageError(f"--{flag.name}: cannot read the file {value}")
    return path


def given_values(flags: Sequence[Flag], kwargs: dict[str, Any]) -> dict[Flag, Any]:
    """Converted values of the flags given on the command line (absent ones left out)."""
    out: dict[Flag, Any] = {}
    for flag in flags:
        raw = kwargs.get(flag.dest)
        if raw is not None and raw != ():
            out[flag] = _convert(flag, raw)
    return out


def _list_edits(flags: Sequence[Flag], kwargs: dict[str, Any]
                ) -> dict[Flag, tuple[tuple[str, ...], tuple[str, ...]]]:
    edits = {}
    for flag in flags:
        if flag.add_remove:
            added = tuple(kwargs.get(_add_dest(flag)) or ())
            removed = tuple(kwargs.get(_remove_dest(flag)) or ())
            if added or removed:
                if flag.file:
                    added = tuple(_local_file(flag, v) for v in added)
                edits[flag] = (added, removed)
    return edits


def _check_refs(cfg: HalConfig, index: int, values: dict[Flag, Any]) -> None:
    """Each ``ref`` flag names existing items (Halyard's validators refuse dangling names)."""
    for flag, value in values.items():
        if not flag.ref:
            continue
        known = {str(i.get("name")) for i in _item_list(cfg, index, flag.ref, "")
                 if isinstance(i, dict)}
        for item in value if isinstance(value, list) else [value]:
            name = item.get(flag.wrap) if flag.wrap and isinstance(item, dict) else item
            if str(name) not in known:
                shown = ", ".join(sorted(known)) or "none"
                raise HalError(f"--{flag.name}: no item named '{name}' under "
                               f"{'.'.join(flag.ref)} (known: {shown})")


def _apply(cfg: HalConfig, base: list[PathKey], values: dict[Flag, Any],
           edits: dict[Flag, tuple[tuple[str, ...], tuple[str, ...]]]) -> None:
    for flag, value in values.items():
        key, other = flag.key, flag.url_key
        if other and str(value).startswith("http"):
            key, other = other, key
        elif other:
            value = _local_file(flag, str(value))
        set_value(cfg.doc, [*base, *_split_key(key)], value)
        if other:
            cfg.doc.delete([*base, *_split_key(other)])
    for flag, (added, removed) in edits.items():
        path = [*base, *_split_key(flag.key)]
        current = values.get(flag, cfg.doc.get(path))
        items = list(current) if isinstance(current, list) else []
        for value in added:
            item: Any = {flag.wrap: value} if flag.wrap else value
            if item not in items:
                items.append(item)
        kept = [x for x in items
                if (x.get(flag.wrap) if flag.wrap and isinstance(x, dict) else x) not in removed]
        set_value(cfg.doc, path, kept)
    for flag, value in values.items():
        for when, pairs in flag.sets:
            if when in ("*", value):
                for key, extra in pairs:
                    if extra is None:
                        cfg.doc.delete([*base, *_split_key(key)])
                    else:
                        set_value(cfg.doc, [*base, *_split_key(key)], extra)


def _shown(values: dict[Flag, Any]) -> str:
    """``key=value`` of each flag given (secrets as ****) for the confirmation line."""
    def key(flag: Flag, value: Any) -> str:
        return flag.url_key if flag.url_key and str(value).startswith("http") else flag.key

    return ", ".join(f"{key(f, v)}=****" if f.secret else f"{key(f, v)}={v}"
                     for f, v in values.items())


# ------------------------------------------------------------------ commands
def switch_command(row: Group, on: bool) -> click.Command:
    word = "enable" if on else "disable"

    def change(cfg: HalConfig, index: int) -> bool:
        node = node_path(cfg, index, row)
        changed = set_value(cfg.doc, [*node, "enabled"], on)
        if row.parent_enabled:
            parent = cfg.doc.get(node[:-1])
            anyone = any(isinstance(v, dict) and v.get("enabled") is True
                         for v in (parent.values() if isinstance(parent, dict) else ()))
            set_value(cfg.doc, [*node[:-1], "enabled"], anyone)
        return changed

    def run() -> None:
        app = get_app()
        changed = edit_deployment(app, change)
        state = "enabled" if on else "disabled"
        app.info(f"+ {' '.join(row.path[1:])} {state}" + ("" if changed else " (unchanged)"))

    return click.Command(word, callback=run, params=_common_params(),
                         help=f"Set {'.'.join(row.node)}.enabled to {str(on).lower()}."
                              f"\n\nHalyard: {row.source}")


def _edit_values(flags: Sequence[Flag], kwargs: dict[str, Any]
                 ) -> tuple[dict[Flag, Any], dict[Flag, tuple[tuple[str, ...], tuple[str, ...]]]]:
    """The values and list edits an ``edit`` was given; none at all is a usage error, not
    a silent no-op."""
    values = given_values(flags, kwargs)
    edits = _list_edits(flags, kwargs)
    if not values and not edits:
        names = ", ".join(f"--{f.name}" for f in flags)
        raise UsageError(f"nothing to change: give at least one of {names}")
    return values, edits


def node_edit_command(row: Group) -> click.Command:
    flags = _flags_for(row.edit, "edit")

    def run(**kwargs: Any) -> None:
        app = get_app()
        values, edits = _edit_values(flags, kwargs)

        def change(cfg: HalConfig, index: int) -> None:
            _check_refs(cfg, index, values)
            _apply(cfg, node_path(cfg, index, row), values, edits)

        edit_deployment(app, change)
        app.info(f"+ Edited {' '.join(row.path[1:])}: {_shown(values)}".rstrip(": "))

    return click.Command("edit", callback=run, params=_params(flags, for_add=False),
                         help=f"Change the {' '.join(row.path[1:])} settings given "
                              f"(keys under {'.'.join(row.node)}).\n\nHalyard: {row.source}")


def _item_list(cfg: HalConfig, index: int, node: Sequence[str] | Group, key: str
               ) -> list[Any]:
    rest = [key] if key else []
    path = node_path(cfg, index, node, *rest, create=False) if isinstance(node, Group) \
        else dep_path(index, *node, *rest)
    found = cfg.doc.get(path)
    if found is None:
        return []
    if not isinstance(found, list):
        raise HalError(f"{cfg.doc.source}: deploymentConfigurations[{index}]."
                       f"{'.'.join(str(p) for p in path[2:])}: expected a list")
    return found


def _find(cfg: HalConfig, index: int, row: Group, items: Items, name: str) -> int | None:
    for i, item in enumerate(_item_list(cfg, index, row, items.key)):
        if isinstance(item, dict) and item.get("name") == name:
            return i
    return None


def _require(cfg: HalConfig, index: int, row: Group, items: Items, name: str) -> int:
    found = _find(cfg, index, row, items, name)
    if found is None:
        known = ", ".join(str(i.get("name")) for i in
                          _item_list(cfg, index, row, items.key)
                          if isinstance(i, dict)) or "none"
        raise HalError(f"no {_what(row, items)} named '{name}' ({items.key}: {known})")
    return found


def _what(row: Group, items: Items) -> str:
    if items.what:
        return items.what
    return f"{' '.join(row.path[2:]) or row.path[-1]} {items.noun}"


def new_item(items: Items, name: str, values: dict[Flag, Any]) -> dict[str, Any]:
    """The item as Halyard writes it: name, its template, then the flags (defaults filled)."""
    item: dict[str, Any] = {"name": name}
    for key, value in items.template:
        item[key] = _copy(value)
    for flag in _flags_for(items.flags, "add"):
        value = values.get(flag, flag.default)
        if value is None:
            continue
        cur = item
        parts = flag.key.split(".")
        for part in parts[:-1]:
            nxt = cur.get(part)
            if not isinstance(nxt, dict):
                nxt = cur[part] = {}
            cur = nxt
        cur[parts[-1]] = _copy(value)
    return item


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copy(v) for v in value]
    return value


def items_group(row: Group) -> click.Group:
    items = row.items
    assert items is not None
    group = click.Group(items.noun, params=_common_params(),
                        help=(items.help or f"Add, edit, delete and show {_what(row, items)}s.")
                        + f"\n\nHalyard: {items.source}")
    for name, command in item_commands(row).items():
        group.add_command(command, name)
    return group


def item_commands(row: Group) -> dict[str, click.Command]:
    """``add``, ``edit``, ``delete``, ``get`` and ``list`` of the row's named items."""
    items = row.items
    assert items is not None
    what = _what(row, items)
    base = " ".join(row.path) + (f" {items.noun}" if items.noun else "")

    def add(name: str, **kwargs: Any) -> None:
        app = get_app()
        values = given_values(_flags_for(items.flags, "add"), kwargs)

        def change(cfg: HalConfig, index: int) -> None:
            if _find(cfg, index, row, items, name) is not None:
                raise HalError(f"a {what} named '{name}' already exists "
                               f"(use: hal {base} edit {name})")
            _check_refs(cfg, index, values)
            node = node_path(cfg, index, row)
            cfg.doc.append([*node, items.key], new_item(items, name, values))
            if items.primary and not cfg.doc.get([*node, "primaryAccount"]):
                cfg.doc.set([*node, "primaryAccount"], name)

        edit_deployment(app, change)
        app.info(f"+ Added {what} {name}")

    def edit(name: str, **kwargs: Any) -> None:
        app = get_app()
        values, edits = _edit_values(_flags_for(items.flags, "edit"), kwargs)

        def change(cfg: HalConfig, index: int) -> None:
            i = _require(cfg, index, row, items, name)
            _check_refs(cfg, index, values)
            _apply(cfg, node_path(cfg, index, row, items.key, i), values, edits)

        edit_deployment(app, change)
        app.info(f"+ Edited {what} {name}")

    def delete(name: str) -> None:
        app = get_app()

        def change(cfg: HalConfig, index: int) -> None:
            i = _require(cfg, index, row, items, name)
            item = node_path(cfg, index, row, items.key, i)
            primary = node_path(cfg, index, row, "primaryAccount")
            delete_account(cfg.doc, item, primary if items.primary else None, name,
                           lambda: _item_list(cfg, index, row, items.key))

        edit_deployment(app, change)
        app.info(f"+ Deleted {what} {name}")

    def get(name: str) -> None:
        app = get_app()
        cfg, index, _ = read_deployment(app)
        i = _require(cfg, index, row, items, name)
        app.emit(mask_secrets(_item_list(cfg, index, row, items.key)[i]))

    def list_items() -> None:
        app = get_app()
        cfg, index, _ = read_deployment(app)
        names = [str(i.get("name")) for i in _item_list(cfg, index, row, items.key)
                 if isinstance(i, dict)]
        primary = cfg.doc.get(node_path(cfg, index, row, "primaryAccount", create=False))

        def human() -> None:
            if not names:
                click.echo(f"No {what}s.")
            for n in names:
                click.echo(f"- {n}" + (" (primary)" if items.primary and n == primary else ""))

        app.emit(names, human)

    add_flags = _flags_for(items.flags, "add")
    return {
        "add": click.Command(
            "add", callback=add, params=[click.Argument(["name"]),
                                         *_params(add_flags, for_add=True)],
            help=f"Add the {what} NAME.\n\nHalyard: {items.source}"),
        "edit": click.Command(
            "edit", callback=edit,
            params=[click.Argument(["name"]),
                    *_params(_flags_for(items.flags, "edit"), for_add=False)],
            help=f"Change the settings given of the {what} NAME.\n\nHalyard: {items.source}"),
        "delete": click.Command(
            "delete", callback=delete, params=[click.Argument(["name"]), *_common_params()],
            help=f"Delete the {what} NAME."),
        "get": click.Command(
            "get", callback=get, params=[click.Argument(["name"]), *_common_params()],
            help=f"Show the {what} NAME (secrets masked)."),
        "list": click.Command(
            "list", callback=list_items, params=_common_params(), help=f"List the {what}s."),
    }


# ------------------------------------------------------------- lazy entries
def __getattr__(attr: str) -> click.Command:
    """``build.config_security`` etc.: the area's root group, for the lazy command maps."""
    for area in AREAS:
        if area.replace(" ", "_").replace("-", "_") == attr:
            return make_group(tuple(area.split()))
    raise AttributeError(attr)
