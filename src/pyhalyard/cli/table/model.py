"""The row format: one :class:`Group` per Halyard command group, one :class:`Flag` per flag.

A row says where its settings live in the halconfig and what Halyard's command
class writes there; ``build.py`` turns rows into click commands on demand.  Rows
are plain classes with ``__slots__`` and keyword defaults, not dataclasses: every
generated edit imports this module, and building three frozen dataclasses (their
methods are compiled with ``exec``) cost more than all the rows of an area.
Treat rows as constants; a test compares the generated tree with them.
"""

from __future__ import annotations

from typing import Any, Literal

Kind = Literal["str", "int", "float", "bool", "list", "enum", "map"]
Only = Literal["add", "edit"]


class Flag:
    """One Halyard flag and the halconfig key it writes.

    ``name`` is Halyard's flag without the leading dashes.  ``key`` is relative to
    the group's node (or to the list item for account/master flags); dots nest
    (``permissions.READ``).  ``list`` flags take comma-separated values (as
    JCommander splits them); ``map`` flags are repeated ``KEY=VALUE`` pairs that
    replace the whole mapping (JCommander's dynamic parameters).  ``add_remove``
    names the singular that gets ``--add-<x>``/``--remove-<x>`` on ``edit``.
    ``default`` is what ``add`` writes when the flag is absent (Halyard's model
    default).  ``file`` values must name a readable file and are stored as
    absolute paths (Halyard's LocalFileConverter).  ``ref`` is a node path (below
    the deployment) of a named-item list that each value must name.  ``only``
    limits the flag to the ``add`` or ``edit`` command.

    Two of Halyard's edit commands write more than the flag's own key:
    ``sets`` maps a value (``"*"``: any value) to further ``(key, value)`` pairs
    written after all flags, ``None`` removing the key (OAuth2's ``--provider``
    presets); ``url_key`` stores values starting with ``http`` under that key
    instead, removing the other one (SAML's ``--metadata``).  ``wrap``: a list flag
    whose items Halyard writes as ``{wrap: value}`` mappings (AWS ``regions``).
    """

    __slots__ = ("add_remove", "choices", "default", "file", "help", "key", "kind", "name",
                 "only", "ref", "required", "secret", "sets", "url_key", "wrap")

    def __init__(self, name: str, key: str, kind: Kind = "str", help: str = "",
                 choices: tuple[str, ...] = (), default: Any = None, required: bool = False,
                 secret: bool = False, file: bool = False, add_remove: str | None = None,
                 ref: tuple[str, ...] | None = None, only: Only | None = None,
                 sets: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = (),
                 url_key: str | None = None, wrap: str | None = None) -> None:
        self.name = name
        self.key = key
        self.kind: Kind = kind
        self.help = help
        self.choices = choices
        self.default = default
        self.required = required
        self.secret = secret
        self.file = file
        self.add_remove = add_remove
        self.ref = ref
        self.only: Only | None = only
        self.sets = sets
        self.url_key = url_key
        self.wrap = wrap

    def __repr__(self) -> str:
        return f"Flag(--{self.name} -> {self.key})"

    @property
    def dest(self) -> str:
        """The Python parameter name click passes the value as."""
        return "f_" + self.name.replace("-", "_")


class Items:
    """A list of named items under the group's node (``account``, ``master``, ...).

    ``template`` is the item Halyard writes before the flags (its model defaults,
    in its key order); ``primary`` keeps the node's ``primaryAccount`` pointing at
    an existing account as providers do.
    """

    __slots__ = ("flags", "help", "key", "noun", "primary", "source", "template", "what")

    def __init__(self, flags: tuple[Flag, ...], source: str, noun: str = "account",
                 key: str = "accounts", template: tuple[tuple[str, Any], ...] = (),
                 primary: bool = False, help: str = "", what: str = "") -> None:
        self.flags = flags
        self.source = source
        self.noun = noun
        self.key = key
        self.template = template
        self.primary = primary
        self.help = help
        self.what = what  # how messages name one item (default: "<group words> <noun>")


class Group:
    """One command group: ``hal <path...>`` acting on ``deploymentConfigurations[i].<node>``.

    Generated subcommands: ``enable``/``disable`` (``enabled`` true/false) when
    ``enable``; ``edit`` when ``edit`` flags exist; ``<items.noun> add|edit|delete|
    get|list`` when ``items``; the bare group shows the node, secrets masked.
    ``source`` cites the Halyard command class(es) the row follows.
    ``parent_enabled``: after enable/disable, the parent node's ``enabled`` becomes
    "any sibling enabled" (Halyard computes ``authn.enabled`` from its methods).
    """

    __slots__ = ("edit", "enable", "help", "items", "node", "node_template", "parent_enabled",
                 "path", "source")

    def __init__(self, path: tuple[str, ...], node: tuple[str, ...], help: str, source: str,
                 enable: bool = False, edit: tuple[Flag, ...] = (), items: Items | None = None,
                 parent_enabled: bool = False,
                 node_template: tuple[tuple[str, Any], ...] = ()) -> None:
        self.path = path
        self.node = node
        self.help = help
        self.source = source
        self.enable = enable
        self.edit = edit
        self.items = items
        self.parent_enabled = parent_enabled
        # A node element ``key[field=value]`` picks the list item whose ``field`` is
        # ``value`` (canary's ``serviceIntegrations[name=google]``); a missing one is
        # created as ``{field: value, **node_template}`` (Halyard's model defaults).
        self.node_template = node_template

    def __repr__(self) -> str:
        return f"Group({self.command})"

    @property
    def command(self) -> str:
        return " ".join(("hal", *self.path))


# ------------------------------------------------------------ shared flag sets
def permissions(*, edit_forms: bool = True) -> tuple[Flag, ...]:
    """Halyard's ``--read-permissions``/``--write-permissions`` (providers, CI, artifacts)."""
    return (
        Flag("read-permissions", "permissions.READ", "list",
             "Roles that may see this account (comma-separated).",
             add_remove="read-permission" if edit_forms else None),
        Flag("write-permissions", "permissions.WRITE", "list",
             "Roles that may deploy with this account (comma-separated).",
             add_remove="write-permission" if edit_forms else None),
    )
