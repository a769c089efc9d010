"""Byte-preserving edits of a YAML document.

Halyard users keep comments, key order and odd quoting in ``~/.hal/config``; a
full round trip through a YAML library would rewrite all of it (and ruamel's
round trip costs seconds on large configs).  Instead the C parser composes the
node tree once and its marks tell where every key and value sits in the text.

Edits are recorded against that one tree and applied to ``data`` at once; the
text is produced only when someone reads ``text``: every recorded change
becomes a splice at the original marks (a replaced value, removed lines, new
lines after a mapping's or list's last entry) and everything outside those
spans stays byte-for-byte as it was.  Composing a 2,000-account config costs
~0.15 s, so re-parsing after every ``set`` (as a naive splicer must, to get
fresh marks) made multi-flag commands scale with the number of flags; now any
number of edits between two reads of ``text`` share one parse.

Before ``text`` is handed out it is proven to mean exactly ``data``: each
changed container is re-read over a window around its changes (a few lines
for ``ha clouddriver enable``), and anything the window check cannot vouch for
is settled by parsing the whole text.  A bug in the splicing therefore surfaces
as an error and a file left alone, never as a silently corrupted config.

What cannot be edited safely is refused with a clear error instead of guessed
at: a path through a YAML alias (its text lives at the anchor, so an edit would
change every use) or a mapping built with a merge key (``<<``).
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pyhalyard.errors import ConfigError, HalError

try:  # the C parser is ~10x faster; fall back where libyaml is missing
    from yaml import CSafeDumper as _BaseDumper
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeDumper as _BaseDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

PathKey = str | int
YamlPath = Sequence[PathKey]

_WIDE = 1 << 30  # never fold long scalars
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_MISSING = object()
_IdSet = set[int]


def _may_have(text: str, indicator: str) -> bool:
    """Whether ``indicator`` (``&`` anchor, ``!`` tag) may start a token somewhere in ``text``.

    Tokens start after a blank, a line break or ``[{,``; "a&b" in a URL is not an
    anchor.  A few ``str.find`` calls instead of a regex: this runs on every load and a
    regex scan of a 1.3 MB config costs ~60 ms.  False positives only cost speed.
    """
    i = text.find(indicator)
    while i >= 0:
        if i == 0 or text[i - 1] in " \t\r\n[{,":
            return True
        i = text.find(indicator, i + 1)
    return False


class PathError(HalError, KeyError):
    """A path that does not fit the document: a missing list item, a list where a mapping
    must be, or a spot that cannot be edited without changing other keys (aliases, ``<<``).

    Also a KeyError, which callers of the first version of this module caught.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class NotAListError(HalError, TypeError):
    """``append`` on something that is not a list."""


_TAGS: dict[str, str] = {}  # plain scalar -> resolved tag; Halyard configs repeat "false", "[]"...
_TAGS_MAX = 50_000
_RESOLVE: Any = _BaseLoader.resolve


class _Loader(_BaseLoader):
    """The safe loader minus per-node Python work that never changes its result.

    The C composer calls back into Python three times per node; path resolvers
    do not exist for the safe loader, and a plain scalar's tag depends only on
    its text.  Saves ~15% of composing a large config.
    """

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        # called only for nodes without an explicit tag; same answers as BaseResolver's
        if kind is ScalarNode:
            if not implicit[0]:
                return _STR  # quoted
            tag = _TAGS.get(value)
            if tag is None:
                tag = _RESOLVE(self, kind, value, implicit)
                if len(_TAGS) < _TAGS_MAX:
                    _TAGS[value] = tag
            return tag
        return _SEQ if kind is SequenceNode else _MAP


class _Dumper(_BaseDumper):
    """Never writes ``&id001``/``*id001`` for objects that appear twice."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


class _SnippetDumper(yaml.SafeDumper):
    """For text spliced into a document: no aliases, and every scalar on one line (strings
    with line breaks double-quoted), so generated text is indented by prefixing lines."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: Any, data: str) -> yaml.Node:
    if "\n" in data or "\r" in data:
        node: yaml.Node = dumper.represent_scalar(_STR, data, style='"')
    else:
        node = dumper.represent_str(data)
    return node


_SnippetDumper.add_representer(str, _represent_str)


def format_path(path: YamlPath) -> str:
    """``deploymentConfigurations[0].providers.kubernetes`` style, for messages."""
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


# ------------------------------------------------------------------------ reading


class _Parsed:
    # Plain classes with __slots__ rather than dataclasses here: four dataclasses cost
    # ~1.5 ms of import time, and every ``hal`` command imports this module.
    __slots__ = ("data", "duplicate_free", "merged", "root")

    def __init__(self, root: Node | None, data: Any, merged: set[int],
                 duplicate_free: bool = False) -> None:
        self.root = root
        self.data = data
        self.merged = merged  # mappings that had a "<<" key (their node.value is flattened)
        # True: proven while constructing that no mapping writes a key's text twice
        # (False: not known, the node tree has to be walked).
        self.duplicate_free = duplicate_free


class _Slow(Exception):
    """The fast constructor met something only PyYAML's full constructor handles."""


def _construct(loader: Any, node: Node, constructors: dict[Any, Any],
               unsure: list[Node]) -> Any:
    """PyYAML's SafeConstructor result for trees without anchors, tags or merges, ~5x faster.

    The standard constructor goes through generators and bookkeeping for
    recursive structures that such trees cannot have.  Mappings that may repeat a
    key's text (fewer keys than entries, or a key that is not a plain string) are
    added to ``unsure``: when none is, the duplicate-key check needs no second walk.
    """
    cls = type(node)
    if cls is ScalarNode:
        if node.tag == _STR:
            return node.value
        return constructors[node.tag](loader, node)
    if cls is MappingNode and node.tag == _MAP:
        out: dict[Any, Any] = {}
        pairs = node.value
        for key_node, value_node in pairs:
            if type(key_node) is not ScalarNode:
                raise _Slow
            if key_node.tag == _STR:
                key = key_node.value
            else:
                key = constructors[key_node.tag](loader, key_node)
                unsure.append(node)
            out[key] = _construct(loader, value_node, constructors, unsure)
        if len(out) != len(pairs):
            unsure.append(node)
        return out
    if cls is SequenceNode and node.tag == _SEQ:
        return [_construct(loader, item, constructors, unsure) for item in node.value]
    raise _Slow


def _merge_mappings(root: Node) -> set[int]:
    found: set[int] = set()
    stack = [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if key.tag == _MERGE:
                    found.add(id(node))
                stack.extend((key, value))
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return found


_FREEZE_ABOVE = 200_000  # characters
# Aliases may repeat a node, but a document may not expand to more nodes than this
# (plus a few per node actually written): past it, walking the tree (``-o json``,
# validation, rendering) would take minutes and gigabytes ("billion laughs").
EXPANSION_LIMIT = 2_000_000
_EXPANSION_PER_NODE = 20


def _check_expansion(root: Node, source: str) -> None:
    """Refuse a document whose aliases expand past the bound, before anything walks it.

    Linear in the size of the text however large the expansion would be: one pass
    counts the distinct nodes ``U`` and how often each node is referenced; then the
    expanded size is ``U + sum((refs(s) - 1) * size(s))`` over the aliased nodes ``s``
    (every extra reference copies the alias target's whole expansion), with each
    ``size(s)`` computed once, memoised, over the target's own subtree.
    """
    seen: set[int] = set()
    refs: dict[int, int] = {}  # aliased nodes only: how often they are referenced
    nodes: dict[int, Node] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        key = id(node)
        if key in seen:
            refs[key] = refs.get(key, 1) + 1
            nodes[key] = node
            continue
        seen.add(key)
        if type(node) is MappingNode:
            for pair in node.value:
                stack.extend(pair)
        elif type(node) is SequenceNode:
            stack.extend(node.value)
    shared = list(refs)
    if not shared:
        return
    limit = EXPANSION_LIMIT + _EXPANSION_PER_NODE * len(seen)
    sizes: dict[int, int] = {}

    def size(top: Node) -> int:
        work: list[tuple[Node, bool]] = [(top, False)]
        while work:
            node, done = work.pop()
            if id(node) in sizes:
                continue
            if isinstance(node, MappingNode):
                children: list[Node] = [n for pair in node.value for n in pair]
            elif isinstance(node, SequenceNode):
                children = node.value
            else:
                sizes[id(node)] = 1
                continue
            if not done:
                work.append((node, True))
                work.extend((c, False) for c in children if id(c) not in sizes)
                continue
            total = 1 + sum(sizes[id(c)] for c in children)
            sizes[id(node)] = total
            if total > limit:
                _refuse_expansion(node, source)
        return sizes[id(top)]

    total = len(seen)
    for key in shared:
        total += (refs[key] - 1) * size(nodes[key])
        if total > limit:
            _refuse_expansion(nodes[key], source)


def _refuse_expansion(node: Node, source: str) -> None:
    mark = node.start_mark
    raise ConfigError(source, "YAML aliases (*name) would expand this document to more than "
                      f"{EXPANSION_LIMIT:,} nodes (an alias bomb); refusing to read it -- remove "
                      "the repeated aliases", mark.line + 1, mark.column + 1)





def _parse(text: str, source: str) -> _Parsed:
    """Parse with the cyclic garbage collector paused.

    Composing creates a few objects per character of input and none of them
    form cycles, yet each allocation burst triggers a collection that walks
    every object made so far: on a 2,000-account config the collector took more
    than half of the 0.3 s parse.  After a large parse the new objects are
    frozen (``gc.freeze``): otherwise the first collection afterwards walks all
    of them once more (~50 ms).  Reference counting still frees them.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse_document(text, source)
    finally:
        if len(text) > _FREEZE_ABOVE:
            gc.freeze()
        if collecting:
            gc.enable()


def _parse_document(text: str, source: str) -> _Parsed:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        merged: set[int] = set()
        duplicate_free = node is None
        if node is None:
            data = None
        else:
            if _may_have(text, "*"):
                _check_expansion(node, source)
            if "<<" in text:
                merged = _merge_mappings(node)
            try:
                if merged or _may_have(text, "&") or _may_have(text, "!"):
                    data = loader.construct_document(node)
                else:
                    try:
                        unsure: list[Node] = []
                        data = _construct(loader, node, loader.yaml_constructors, unsure)
                        duplicate_free = not unsure
                    except (_Slow, KeyError, TypeError):
                        data = loader.construct_document(node)
            except (ValueError, TypeError, OverflowError) as exc:
                raise _unreadable(loader, node, source, exc) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if mark is None:
            raise ConfigError(source, f"invalid YAML: {problem}") from None
        raise ConfigError(source, f"invalid YAML: {problem}", mark.line + 1,
                          mark.column + 1) from None
    except yaml.YAMLError as exc:
        raise ConfigError(source, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise ConfigError(source, "invalid YAML: nested too deeply") from None
    finally:
        loader.dispose()
    return _Parsed(node, data, merged, duplicate_free)


def _unreadable(loader: Any, root: Node, source: str, exc: Exception) -> ConfigError:
    """The scalar a constructor rejected ("2024-13-45", "!!int Berlin"), located."""
    constructors = loader.yaml_constructors
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            stack.extend(v for pair in reversed(node.value) for v in reversed(pair))
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, ScalarNode) and node.tag in constructors and node.tag != _STR:
            try:
                constructors[node.tag](loader, node)
            except (ValueError, TypeError, OverflowError) as bad:
                kind = node.tag.rsplit(":", 1)[-1]
                mark = node.start_mark
                return ConfigError(source, f"invalid YAML: cannot read {node.value!r} as "
                                           f"{kind} ({bad})", mark.line + 1, mark.column + 1)
    return ConfigError(source, f"invalid YAML: {exc}")


def parse(text: str, source: str) -> tuple[Node | None, Any]:
    """Compose and construct in one parse; errors name file:line:column."""
    parsed = _parse(text, source)
    return parsed.root, parsed.data


def dump(value: Any) -> str:
    """Block-style YAML in Halyard's layout (indentless sequences, keys in given order)."""
    return yaml.dump(value, Dumper=_Dumper, default_flow_style=False, sort_keys=False,
                     allow_unicode=True, width=_WIDE)


def _snippet(value: Any, flow: bool = False) -> str:
    """Like :func:`dump`, for the small values spliced into a document.

    Uses PyYAML's Python emitter: libyaml escapes characters beyond the BMP (an
    emoji becomes a double-quoted ``\\U`` escape), the Python one writes them as
    they are.
    """
    return yaml.dump(value, Dumper=_SnippetDumper, default_flow_style=flow, sort_keys=False,
                     allow_unicode=True, width=_WIDE)


def _flow(value: Any) -> str:
    """One-line flow text for ``value``, safe inside ``{...}``/``[...]``."""
    return _snippet([value], flow=True).strip()[1:-1]


def _inline(value: Any) -> str:
    """Text for a scalar or empty collection after ``key: `` (one line)."""
    return _snippet({"k": value})[3:].rstrip("\n")


def _is_block(value: Any) -> bool:
    return isinstance(value, (dict, list)) and bool(value)


def _indent(text: str, column: int, first: bool = True) -> str:
    """Prefix lines with ``column`` spaces (the first only if ``first``); no final newline."""
    pad = " " * column
    lines = text.rstrip("\n").split("\n")
    return "\n".join(pad + line if (first or i) else line for i, line in enumerate(lines))


def _normalize(value: Any) -> Any:
    """``value`` exactly as the parser will read it back from the text we write for it."""
    try:
        text = _snippet(value)
    except yaml.YAMLError as exc:
        raise TypeError(f"cannot write {type(value).__name__} into YAML: {exc}") from None
    return _parse(text, "<value>").data


def _same(a: Any, b: Any) -> bool:
    """Equal as YAML data: like ``==`` but 1, 1.0 and True differ, and NaN equals NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, float) and a != a:
        return bool(b != b)
    equal: bool = a == b
    return equal


def _is_flow(node: Node) -> bool:
    return bool(getattr(node, "flow_style", False))


def _keeps_flow(node: Node, value: Any) -> bool:
    """A non-empty ``{...}``/``[...]`` the user wrote stays flow; ``{}``/``[]`` grow into blocks."""
    return _is_flow(node) and bool(node.value) and isinstance(value, (dict, list))


def _nest(path: YamlPath, value: Any, source: str, full: YamlPath) -> Any:
    """``value`` under new mappings for ``path`` (the missing tail of ``full``)."""
    for i, key in enumerate(path):
        if isinstance(key, int):
            where = format_path(full[:len(full) - len(path) + i + 1])
            raise PathError(f"{source}: {where}: no such item (a new list item needs append)")
    for key in reversed(path):
        value = {key: value}
    return value


# ------------------------------------------------------------------------ editing


class _Loc:
    """One step of a path: the original node there (None when its text will be generated
    from data: a new key or item, or inside a replaced value) and where it hangs."""

    __slots__ = ("key", "node", "parent", "path")

    def __init__(self, node: Node | None, path: tuple[PathKey, ...],
                 parent: Node | None = None, key: ScalarNode | None = None) -> None:
        self.node = node
        self.path = path
        self.parent = parent
        self.key = key


class _Overlay:
    """Changes recorded against the parsed tree (node ids), applied when text is read."""

    __slots__ = ("changed", "deleted", "dirty", "inserted", "replaced", "root", "views")

    def __init__(self) -> None:
        self.changed = False
        self.root = False  # the whole document is regenerated from data
        self.replaced: set[int] = set()  # values regenerated from data
        self.dirty: set[int] = set()  # containers with changes inside
        self.deleted: dict[int, set[int]] = {}  # mapping -> entry indexes
        self.inserted: dict[int, list[Any]] = {}  # mapping -> new keys
        self.views: dict[int, list[int]] = {}  # sequence -> original index, or -1 when new


class _Touch:
    """One changed container while rendering: its splices (base offsets) and which of its
    entries they concern, so the result can be checked over a small window."""

    __slots__ = ("after", "children", "insert", "node", "splices", "value")

    def __init__(self, node: Node, value: Any) -> None:
        self.node = node
        self.value = value
        self.splices: list[tuple[int, int, str]] = []
        self.children: set[int] = set()
        self.insert = False
        self.after = 0  # end of the last range removed, where inserted lines must go


class Document:
    """A YAML text plus its data; ``set``/``delete``/``append`` change both.

    ``data`` is updated at once; ``text`` is rebuilt (and checked by parsing it)
    when read.  Mutators raise PathError/NotAListError (HalErrors) for paths
    that do not fit; then nothing was changed.
    """

    def __init__(self, text: str, source: str = "config") -> None:
        self.source = source
        bom = "\ufeff" if text.startswith("\ufeff") else ""  # libyaml's marks skip it
        body = text[len(bom):]
        self._bom = bom
        self._rebase(body, _parse(body, source))

    def _rebase(self, body: str, parsed: _Parsed) -> None:
        self._stale = False
        self._base = body
        self._root = parsed.root
        self._merged = parsed.merged
        self._duplicate_free = parsed.duplicate_free
        self.data: Any = parsed.data
        newline = body.find("\n")
        self._eol = "\r\n" if newline > 0 and body[newline - 1] == "\r" else "\n"
        self._ov = _Overlay()
        self._text: str | None = self._bom + body
        self._shared: _IdSet | None = None
        self._fixed_ends: _IdSet = set()
        self._moves: list[tuple[int, int, int, _Touch]] = []

    # ---------------------------------------------------------------- reading
    @property
    def text(self) -> str:
        """The edited text; proven to read back as ``data`` before it is returned."""
        if self._text is None:
            body, touches = self._render()
            if touches is not None and self._verify_locally(body, touches):
                self._stale = True  # the tree is parsed again only if another edit needs it
                self._rebase_text(body)
            else:
                self._rebase(body, self._reparse(body))
        assert self._text is not None
        return self._text

    def _reparse(self, body: str) -> _Parsed:
        """Parse edited text; it must mean exactly ``data`` (else a bug: refuse, write nothing)."""
        try:
            parsed = _parse(body, self.source)
        except ConfigError as exc:
            raise HalError(f"{self.source}: internal error: the edit produced invalid YAML "
                           f"({exc}); nothing was written") from None
        if not (parsed.data == self.data or _same(parsed.data, self.data)):
            raise HalError(f"{self.source}: internal error: the edited text would not read "
                           "back as intended; nothing was written")
        return parsed

    def _rebase_text(self, body: str) -> None:
        self._base = body
        self._ov = _Overlay()
        self._text = self._bom + body
        self._root = None
        self._duplicate_free = False
        self._shared = None

    def _tree(self) -> None:
        """Make sure the node tree matches the text (after a locally checked edit it may not)."""
        if self._stale:
            parsed = self._reparse(self._base)
            self._stale = False
            self._rebase(self._base, parsed)

    @property
    def root(self) -> Node | None:
        """The node tree of ``text`` (marks index into ``text`` without a leading BOM)."""
        self.text  # noqa: B018 - applies pending edits
        self._tree()
        return self._root

    @property
    def duplicate_free(self) -> bool:
        """True when parsing proved that no mapping of ``root`` writes a key twice; False
        when that is not known (then walk ``root``)."""
        self.root  # noqa: B018 - applies pending edits, parses again if needed
        return self._duplicate_free

    def get(self, path: YamlPath, default: Any = None) -> Any:
        cur = self.data
        for key in path:
            if isinstance(key, int):
                if not isinstance(cur, list) or not -len(cur) <= key < len(cur):
                    return default
                cur = cur[key]
            else:
                if not isinstance(cur, dict) or key not in cur:
                    return default
                cur = cur[key]
        return cur

    # --------------------------------------------------------------- mutators
    def set(self, path: YamlPath, value: Any) -> None:
        """Set ``path`` to ``value``, creating missing mappings on the way."""
        self._tree()
        value = _normalize(value)
        path = list(path)
        if not path or not isinstance(self.data, (dict, list)):
            new = _nest(path, value, self.source, path)  # a null/scalar document: mapping
            if _same(new, self.data):
                return
            self.data = new
            self._touch_root()
            return
        locs, depth = self._walk(path)
        if depth == len(path):
            if _same(self.get(path), value):
                return
            self._check_replace(locs)
            self._assign(path, value)
            self._mark_replaced(locs)
            return
        key = path[depth]
        rest = _nest(path[depth + 1:], value, self.source, path)
        holder = self.get(path[:depth])
        if isinstance(holder, dict):
            if isinstance(key, int):
                raise PathError(f"{self.source}: {format_path(path[:depth])}: is a mapping, "
                                f"not a list (no item [{key}])")
            self._check_insert(locs, path)
            holder[key] = rest
            self._mark_inserted(locs, key)
        elif isinstance(holder, list):
            raise PathError(f"{self.source}: {format_path(path[:depth])}: is a list, "
                            f"expected a mapping with '{key}'")
        else:
            if isinstance(key, int):
                raise PathError(f"{self.source}: {format_path(path[:depth + 1])}: no such item")
            self._check_replace(locs)
            self._assign(path[:depth], {key: rest})
            self._mark_replaced(locs)

    def delete(self, path: YamlPath) -> bool:
        """Remove the key or sequence item at ``path``; False when it is not there."""
        self._tree()
        path = list(path)
        if not path or self.data is None:
            return False
        try:
            locs, depth = self._walk(path)
        except PathError:
            if self.get(path, _MISSING) is _MISSING:
                return False
            raise
        if depth < len(path):
            return False
        holder = self.get(path[:-1])
        key = path[-1]
        self._check_delete(locs, path)
        if isinstance(key, int):
            key %= len(holder)
        del holder[key]
        self._mark_deleted(locs, key, not holder)
        return True

    def append(self, path: YamlPath, item: Any) -> None:
        """Append ``item`` to the sequence at ``path`` (created when missing or null)."""
        self._tree()
        path = list(path)
        current = self.get(path)
        if current is None:
            self.set(path, [item])
            return
        if not isinstance(current, list):
            raise NotAListError(f"{self.source}: {format_path(path)} is not a list")
        item = _normalize(item)
        locs, _ = self._walk(path)
        self._check_path(locs, path)
        current.append(item)
        target = locs[-1].node
        if target is None or self._generated(locs):
            self._touch(locs)
        elif not isinstance(target, SequenceNode) or target.flow_style or not target.value \
                or self._base[target.start_mark.index] != "-":
            self._mark_replaced(locs)
        else:
            view = self._ov.views.setdefault(id(target), list(range(len(target.value))))
            view.append(-1)
            self._touch(locs)

    # ----------------------------------------------------------------- walking
    def _walk(self, path: YamlPath) -> tuple[list[_Loc], int]:
        """Steps down ``path`` in data and tree as far as data exists; how many keys matched."""
        ov = self._ov
        locs = [_Loc(None if ov.root else self._root, ())]
        cur = self.data
        for depth, key in enumerate(path):
            node = locs[-1].node
            if node is not None and id(node) in ov.replaced:
                node = None
            if isinstance(key, int):
                if not isinstance(cur, list):
                    return locs, depth
                if not -len(cur) <= key < len(cur):
                    raise PathError(f"{self.source}: {format_path(path[:depth + 1])}: "
                                    "no such item")
                index = key % len(cur)
                cur = cur[index]
                child: Node | None = None
                if isinstance(node, SequenceNode):
                    view = ov.views.get(id(node))
                    original = view[index] if view is not None else index
                    child = node.value[original] if original >= 0 else None
                elif node is not None:
                    raise PathError(f"{self.source}: {format_path(path[:depth])}: "
                                    "not written as a list")
                locs.append(_Loc(child, tuple(path[:depth + 1]), node))
                continue
            if not isinstance(cur, dict) or key not in cur:
                return locs, depth
            cur = cur[key]
            if node is None:
                locs.append(_Loc(None, tuple(path[:depth + 1])))
                continue
            if not isinstance(node, MappingNode):
                raise PathError(f"{self.source}: {format_path(path[:depth])}: "
                                "not written as a mapping")
            if key in ov.inserted.get(id(node), ()):
                locs.append(_Loc(None, tuple(path[:depth + 1]), node))
                continue
            entry = self._entry(node, key)
            if entry is None:
                raise PathError(f"{self.source}: {format_path(path[:depth + 1])}: not "
                                "written in the file (it comes from a YAML merge key '<<'); "
                                "edit it by hand")
            key_node, value_node = node.value[entry]
            locs.append(_Loc(value_node, tuple(path[:depth + 1]), node, key_node))
        return locs, len(path)

    def _entry(self, node: MappingNode, key: Any) -> int | None:
        """Index of the live (last, not deleted) entry of ``key`` in ``node``."""
        deleted = self._ov.deleted.get(id(node), ())
        for i in range(len(node.value) - 1, -1, -1):
            key_node = node.value[i][0]
            if i not in deleted and isinstance(key_node, ScalarNode) \
                    and key_node.tag == _STR and key_node.value == key:
                return i
        return None

    def _entries(self, node: MappingNode, key: Any) -> list[int]:
        deleted = self._ov.deleted.get(id(node), ())
        return [i for i, (k, _) in enumerate(node.value)
                if i not in deleted and isinstance(k, ScalarNode) and k.tag == _STR
                and k.value == key]

    def _generated(self, locs: list[_Loc]) -> bool:
        """True when the last step's text will be regenerated from data anyway."""
        return any(loc.node is None or id(loc.node) in self._ov.replaced for loc in locs)

    def _assign(self, path: YamlPath, value: Any) -> None:
        if not path:
            self.data = value
            return
        holder = self.get(path[:-1])
        holder[path[-1]] = value

    # ----------------------------------------------------------- safety checks
    def _shared_ids(self) -> _IdSet:
        """Nodes reachable twice: alias targets (and merged entries)."""
        if self._shared is None:
            shared: _IdSet = set()
            if self._root is not None and (_may_have(self._base, "&") or self._merged):
                seen: _IdSet = set()
                stack = [self._root]
                while stack:
                    node = stack.pop()
                    if id(node) in seen:
                        shared.add(id(node))
                        continue
                    seen.add(id(node))
                    if isinstance(node, MappingNode):
                        for key, value in node.value:
                            stack.extend((key, value))
                    elif isinstance(node, SequenceNode):
                        stack.extend(node.value)
            self._shared = shared
        return self._shared

    def _refuse(self, path: YamlPath | None, why: str) -> PathError:
        where = format_path(path) if path else "the document"
        return PathError(f"{self.source}: cannot edit {where}: {why}; edit it by hand")

    def _check_path(self, locs: list[_Loc], path: YamlPath | None = None) -> None:
        shared = self._shared_ids()
        if shared and any(loc.node is not None and id(loc.node) in shared for loc in locs[1:]):
            raise self._refuse(path, "it is (inside) a YAML anchor that an alias (*name) "
                                     "repeats elsewhere, so the edit would change both")

    def _check_subtree(self, node: Node | None, path: YamlPath | None = None) -> None:
        shared = self._shared_ids()
        if not shared or node is None:
            return
        stack = [node]
        while stack:
            cur = stack.pop()
            if id(cur) in shared:
                raise self._refuse(path, "it contains a YAML anchor that an alias (*name) "
                                         "uses elsewhere")
            if isinstance(cur, MappingNode):
                for key, value in cur.value:
                    stack.extend((key, value))
            elif isinstance(cur, SequenceNode):
                stack.extend(cur.value)

    def _check_container(self, locs: list[_Loc], path: YamlPath | None) -> None:
        node = locs[-1].node
        if node is not None and id(node) in self._merged and not self._generated(locs):
            raise self._refuse(path, "the mapping uses a YAML merge key '<<'")

    def _check_replace(self, locs: list[_Loc]) -> None:
        if self._generated(locs):
            return
        path = locs[-1].path
        self._check_path(locs, path)
        self._check_subtree(locs[-1].node, path)
        if len(locs) > 1:
            self._check_container(locs[:-1], path)

    def _check_insert(self, locs: list[_Loc], path: YamlPath) -> None:
        if self._generated(locs):
            return
        self._check_path(locs, path)
        self._check_container(locs, path)

    def _check_delete(self, locs: list[_Loc], path: YamlPath) -> None:
        if self._generated(locs):
            return
        self._check_path(locs, path)
        self._check_container(locs[:-1], path)
        container = locs[-2].node
        if isinstance(container, MappingNode):
            for i in self._entries(container, path[-1]):
                self._check_subtree(container.value[i][0], path)
                self._check_subtree(container.value[i][1], path)
        else:
            self._check_subtree(locs[-1].node, path)

    # ------------------------------------------------------------ recording
    def _touch(self, locs: list[_Loc]) -> None:
        ov = self._ov
        ov.changed = True
        self._text = None
        for loc in locs:
            if loc.node is not None:
                ov.dirty.add(id(loc.node))

    def _touch_root(self) -> None:
        self._ov.root = True
        self._ov.changed = True
        self._text = None

    def _mark_replaced(self, locs: list[_Loc]) -> None:
        """The value at the end of ``locs`` is regenerated from data."""
        if self._generated(locs):
            self._touch(locs)
            return
        target = locs[-1]
        assert target.node is not None
        if target.parent is None:
            self._touch_root()
            return
        parent = target.parent
        if _is_flow(parent) and isinstance(target.node, ScalarNode) \
                and target.node.start_mark.index == target.node.end_mark.index:
            self._mark_replaced(locs[:-1])  # "{a: }": rewrite the whole flow collection
            return
        if self._shared_ids():
            # its data may be shared with an alias elsewhere; later edits inside must not be
            import copy

            self._assign(target.path, copy.deepcopy(self.get(target.path)))
        self._ov.replaced.add(id(target.node))
        self._touch(locs[:-1])

    def _mark_inserted(self, locs: list[_Loc], key: Any) -> None:
        """``key`` was added to the mapping at the end of ``locs``."""
        if self._generated(locs):
            self._touch(locs)
            return
        node = locs[-1].node
        assert isinstance(node, MappingNode)
        if node.flow_style or not node.value or self._lead(node.value[0][0]) == "other":
            self._mark_replaced(locs)
            return
        deleted = self._ov.deleted.get(id(node), set())
        again = [i for i, (k, _) in enumerate(node.value) if i in deleted
                 and isinstance(k, ScalarNode) and k.tag == _STR and k.value == key]
        if again:  # deleted earlier in this edit: put it back where it was
            deleted.discard(again[-1])
            self._ov.replaced.add(id(node.value[again[-1]][1]))
        else:
            self._ov.inserted.setdefault(id(node), []).append(key)
        self._touch(locs)

    def _mark_deleted(self, locs: list[_Loc], key: Any, holder_empty: bool) -> None:
        """``key`` (a mapping key or a list index) left the container at ``locs[-2]``."""
        ov = self._ov
        target = locs[-1]
        locs = locs[:-1]
        node = locs[-1].node
        if self._generated(locs):
            self._touch(locs)
            return
        assert node is not None
        if isinstance(node, MappingNode):
            if target.node is None:  # inserted in this edit
                ov.inserted[id(node)].remove(key)
                if holder_empty:
                    self._mark_replaced(locs)
                else:
                    self._touch(locs)
                return
            entries = self._entries(node, key)
            deleted = ov.deleted.setdefault(id(node), set())
            deleted.update(entries)
            survivors = len(node.value) - len(deleted)
            leads = {self._lead(node.value[i][0]) for i in entries}
            first_inline = 0 in deleted and self._lead(node.value[0][0]) != "line"
            if node.flow_style or holder_empty or "other" in leads or \
                    (first_inline and survivors == 0):
                self._mark_replaced(locs)
                return
            self._touch(locs)
            return
        assert isinstance(node, SequenceNode)
        view = ov.views.setdefault(id(node), list(range(len(node.value))))
        original = view.pop(key)
        if original < 0:
            if holder_empty:
                self._mark_replaced(locs)
            else:
                self._touch(locs)
            return
        if node.flow_style or holder_empty or self._dash(node, original) is None:
            self._mark_replaced(locs)
            return
        self._touch(locs)

    # ------------------------------------------------------------ text helpers
    def _line_start(self, offset: int) -> int:
        return self._base.rfind("\n", 0, offset) + 1

    def _line_end(self, offset: int) -> int:
        """Offset just past the newline of the line holding ``offset``."""
        end = self._base.find("\n", offset)
        return len(self._base) if end < 0 else end + 1

    def _after_line(self, end: int) -> int:
        """Offset past the line break that ends content ending at ``end`` (a ``|+`` block
        ends just after its own last line break)."""
        if end > 0 and self._base[end - 1] == "\n":
            return end
        return self._line_end(end)

    def _eol_at(self, offset: int) -> int:
        """Offset of the line break (or end of text) of the line holding ``offset``."""
        end = self._base.find("\n", offset)
        if end < 0:
            return len(self._base)
        return end - 1 if end > 0 and self._base[end - 1] == "\r" else end

    def _lead(self, node: Node) -> str:
        """What precedes ``node`` on its line: "line" (only blanks), "dash" ("- ") or "other"."""
        start = node.start_mark.index
        prefix = self._base[self._line_start(start):start]
        if not prefix.strip(" \t"):
            return "line"
        if not prefix.strip(" \t-"):
            return "dash"
        return "other"

    def _dash(self, seq: SequenceNode, index: int) -> int | None:
        """Offset of the ``-`` of item ``index`` when it starts its line, else None."""
        base = self._base
        first = seq.start_mark.index
        if base[first] != "-":
            return None
        column = seq.start_mark.column
        pos = seq.value[index].start_mark.index + 1
        while True:
            dash = base.rfind("-", first, pos)
            if dash < 0:
                return None
            line_start = self._line_start(dash)
            if dash - line_start == column:
                return dash if not base[line_start:dash].strip(" \t") else None
            pos = dash

    def _content_end(self, node: Node) -> int:
        """Offset just past the last character that belongs to ``node``."""
        while isinstance(node, (MappingNode, SequenceNode)) and node.value \
                and not node.flow_style:
            last = node.value[-1]
            node = last[1] if isinstance(node, MappingNode) else last
        end: int = node.end_mark.index
        if isinstance(node, ScalarNode) and node.style in ("|", ">"):
            base = self._base
            indicator = base.find(node.style, node.start_mark.index)
            header = base[indicator + 1:indicator + 3]
            if "+" not in header.split("#")[0].split(" ")[0]:  # trailing blank lines are
                start = node.start_mark.index                  # not content (clip/strip)
                while end > start and base[end - 1] in " \t\r\n":
                    end -= 1
        return end

    def _comment_on_line(self, offset: int) -> str:
        """The comment (with its leading blanks) after ``offset`` on its line, or ""."""
        tail = self._base[offset:self._eol_at(offset)]
        return tail.rstrip(" \t") if tail.lstrip(" \t").startswith("#") else ""

    # ------------------------------------------------------------- rendering
    def _render(self) -> tuple[str, list[_Touch] | None]:
        """The edited text, and what changed where (None: the whole document was rewritten)."""
        ov = self._ov
        if ov.root or self._root is None:
            return self._render_root(), None
        touches: list[_Touch] = []
        if id(self._root) in ov.dirty:
            self._emit(self._root, self.data, touches)
        splices = [(start, end, new, touch) for touch in touches
                   for start, end, new in touch.splices]
        # inserts go before a removal starting at the same offset; equal inserts keep
        # their order (a nested mapping's new keys before its parent's)
        splices.sort(key=lambda s: (s[0], s[1]))
        pieces: list[str] = []
        pos = 0
        base = self._base
        self._moves = []
        for start, end, new, touch in splices:
            if start < pos:
                raise HalError(f"{self.source}: internal error: overlapping edits; "
                               "nothing was written")
            pieces.append(base[pos:start])
            new = self._native(new)
            pieces.append(new)
            self._moves.append((start, end, len(new) - (end - start), touch))
            pos = end
        pieces.append(base[pos:])
        return "".join(pieces), touches

    def _moved(self, offset: int, owner: _Touch | None = None) -> int:
        """Where base ``offset`` is in the rendered text.

        Lines inserted exactly at ``offset`` count as before it, except, for the
        end of ``owner``'s window, those of ``owner`` itself and of containers
        inside it (they start after it; its ancestors start before it).
        """
        moved = offset
        for start, end, delta, touch in self._moves:
            if end > offset or start > offset:
                break
            if start == end == offset and owner is not None and touch is not owner and \
                    touch.node.start_mark.index <= owner.node.start_mark.index:
                continue
            moved += delta
        return moved

    def _render_root(self) -> str:
        base, root, value = self._base, self._root, self.data
        if root is None:  # keep leading comments and "---" of an empty document
            generated = _snippet(value) if value is not None else ""
            if any(line.strip() == "..." for line in base.splitlines()):
                return self._native(generated)
            if base and not base.endswith("\n"):
                base += self._eol
            return base + self._native(generated)
        start, end = root.start_mark.index, self._content_end(root)
        if _keeps_flow(root, value):
            new = _flow(value)
        elif not _is_block(value):
            new = _inline(value)
        elif self._lead(root) == "line":
            new = _indent(_snippet(value), root.start_mark.column, first=False)
        else:  # after "--- " or a tag: start the block on the next line
            new = "\n" + _snippet(value).rstrip("\n")
        if start == end == len(base) and _is_block(value):
            new += "\n"  # an empty root at the very end ("---\n")
        return base[:start] + self._native(new) + base[end:]

    def _native(self, generated: str) -> str:
        """Generated text with the document's line breaks."""
        return generated.replace("\n", self._eol) if self._eol != "\n" else generated

    def _emit(self, node: Node, value: Any, touches: list[_Touch]) -> None:
        """Splices for a container with changes inside (the container itself is kept)."""
        ov = self._ov
        touch = _Touch(node, value)
        out = touch.splices
        if isinstance(node, MappingNode):
            deleted = ov.deleted.get(id(node), set())
            covered = 0
            if 0 in deleted and self._lead(node.value[0][0]) != "line":
                # "- a: 1" losing "a": pull the next surviving key up onto the dash line
                first = min(i for i in range(len(node.value)) if i not in deleted)
                out.append((node.value[0][0].start_mark.index,
                            node.value[first][0].start_mark.index, ""))
                touch.children.update(range(first + 1))
                covered = first
            for i in sorted(deleted):
                if i >= covered:
                    key_node, value_node = node.value[i]
                    end = self._after_line(self._content_end(value_node))
                    before = [v for j, (_, v) in enumerate(node.value[:i]) if j not in deleted]
                    if before and self._ends_in_block_scalar(before[-1]):
                        end = self._skip_trivia(end, key_node.start_mark.column)
                    out.append((self._line_start(key_node.start_mark.index), end, ""))
                    touch.children.add(i)
                    touch.after = end
            for i, (key_node, value_node) in enumerate(node.value):
                if i in deleted:
                    continue
                if id(value_node) in ov.replaced:
                    out.append(self._replacement(node, key_node, value_node,
                                                 value[key_node.value]))
                    touch.children.add(i)
                elif id(value_node) in ov.dirty:
                    self._emit(value_node, value[key_node.value], touches)
            new_keys = ov.inserted.get(id(node))
            if new_keys:
                block = _snippet({k: value[k] for k in new_keys})
                column = node.value[0][0].start_mark.column
                self._insert_after(node.value[-1][1], _indent(block, column), touch)
            touches.append(touch)  # after the nested ones: their inserts go first
            return
        assert isinstance(node, SequenceNode)
        view = ov.views.get(id(node)) or list(range(len(node.value)))
        where = {original: j for j, original in enumerate(view) if original >= 0}
        for i, item in enumerate(node.value):
            if i not in where:
                dash = self._dash(node, i)
                assert dash is not None
                end = self._after_line(self._content_end(item))
                before = [v for j, v in enumerate(node.value[:i]) if j in where]
                if before and self._ends_in_block_scalar(before[-1]):
                    end = self._skip_trivia(end, dash - self._line_start(dash))
                out.append((self._line_start(dash), end, ""))
                touch.children.add(i)
                touch.after = end
            elif id(item) in ov.replaced:
                out.append(self._replacement(node, None, item, value[where[i]]))
                touch.children.add(i)
            elif id(item) in ov.dirty:
                self._emit(item, value[where[i]], touches)
        new_items = [value[j] for j, original in enumerate(view) if original < 0]
        if new_items:
            self._insert_after(node.value[-1], _indent(_snippet(new_items),
                                                       node.start_mark.column), touch)
        touches.append(touch)

    def _insert_after(self, last: Node, block: str, touch: _Touch) -> None:
        """New lines right after the line where ``last`` (a container's last entry) ends
        (or after the lines removed with it, when it was deleted)."""
        pos = max(self._after_line(self._content_end(last)), touch.after)
        touch.insert = True
        if pos == len(self._base) and not self._base.endswith("\n"):
            touch.splices.append((pos, pos, "\n" + block))  # keep "no newline at end of file"
            self._keep_block_scalar_end(last, touch)
        else:
            touch.splices.append((pos, pos, block + "\n"))

    def _keep_block_scalar_end(self, node: Node, touch: _Touch) -> None:
        """A ``|`` block at the very end of a file without a final newline has no trailing
        line break; lines added after it would give it one, so make it ``|-`` (same value)."""
        ov = self._ov
        while isinstance(node, (MappingNode, SequenceNode)) and node.value \
                and not node.flow_style and id(node) not in ov.replaced:
            last = len(node.value) - 1
            if isinstance(node, MappingNode):
                if last in ov.deleted.get(id(node), ()):
                    return
                node = node.value[last][1]
            else:
                if last not in ov.views.get(id(node), [last]):
                    return
                node = node.value[last]
        if not isinstance(node, ScalarNode) or node.style not in ("|", ">") \
                or id(node) in ov.replaced or id(node) in self._fixed_ends:
            return
        self._fixed_ends.add(id(node))
        indicator = self._base.find(node.style, node.start_mark.index) + 1
        header = self._base[indicator:indicator + 2]
        if "-" in header:
            return
        keep = header.find("+")
        if keep >= 0:
            touch.splices.append((indicator + keep, indicator + keep + 1, "-"))
        else:
            touch.splices.append((indicator, indicator, "-"))

    # ----------------------------------------------------------- verification
    def _verify_locally(self, text: str, touches: list[_Touch]) -> bool:
        """True when every changed container, re-read on its own, means its data.

        Each container is checked over a window of its entries: one untouched
        neighbour before and after the changed ones (the seams where a splice
        could merge with its surroundings), or to its end when lines were added
        there.  The window is parsed as a document of its own (YAML allows an
        indented top-level block; a leading "- " makes it a one-item list).  An
        edit that disturbs the text around the window changes the window's own
        indentation structure, which this parse sees.  Anything unusual answers
        False, and the caller parses the whole text instead.
        """
        for touch in touches:
            if not touch.splices:
                continue
            window = self._window(touch)
            if window is None:
                return False
            start, end, expected = window
            # the blank and comment lines after the window go with it: a ``|`` block at
            # its end would read them as its text if they are indented enough
            fragment = text[self._moved(start):self._moved(end, touch)] + \
                self._base[end:self._trivia_after(end)]
            try:
                got = _parse(fragment, self.source).data
            except ConfigError:
                return False
            if not (got == expected or _same(got, expected)):
                return False
        return True

    def _window(self, touch: _Touch) -> tuple[int, int, Any] | None:
        """(start, end, expected data) in base offsets for the changed part of a container."""
        node, value = touch.node, touch.value
        if _is_flow(node):
            return None
        count = len(node.value)
        children = touch.children
        lo = max(min(children) - 1, 0) if children else count - 1
        hi = count - 1 if touch.insert else min(max(children) + 1, count - 1)
        ov = self._ov
        expected: Any
        if isinstance(node, MappingNode):
            keys = [k.value if isinstance(k, ScalarNode) and k.tag == _STR else None
                    for k, _ in node.value]
            if None in keys or len(set(keys)) != count:
                lo, hi = 0, count - 1  # duplicate or non-string keys: the whole mapping
                expected = value
            else:
                deleted = ov.deleted.get(id(node), ())
                expected = {keys[i]: value[keys[i]] for i in range(lo, hi + 1)
                            if i not in deleted}
                if touch.insert:
                    expected.update((k, value[k]) for k in ov.inserted.get(id(node), ()))
            first = node.value[lo][0].start_mark.index
            last_end = self._content_end(node.value[hi][1])
        else:
            assert isinstance(node, SequenceNode)
            dash = self._dash(node, lo)
            if dash is None:
                return None
            view = ov.views.get(id(node)) or list(range(count))
            expected = [value[j] for j, original in enumerate(view)
                        if lo <= original <= hi or (original < 0 and touch.insert)]
            first = dash
            last_end = self._content_end(node.value[hi])
        line_start = self._line_start(first)
        prefix = self._base[line_start:first]
        if prefix.strip(" \t-"):
            return None
        for _ in range(prefix.count("-")):
            expected = [expected]
        # a removed last entry may have taken blank/comment lines after it along
        return line_start, max(self._after_line(last_end), touch.after), expected

    def _ends_in_block_scalar(self, node: Node) -> bool:
        while isinstance(node, (MappingNode, SequenceNode)) and node.value \
                and not node.flow_style:
            last = node.value[-1]
            node = last[1] if isinstance(node, MappingNode) else last
        return isinstance(node, ScalarNode) and node.style in ("|", ">")

    def _skip_trivia(self, offset: int, column: int) -> int:
        """Past the blank lines, and the comment lines indented beyond ``column``, at
        ``offset``: lines that would become text of a ``|`` block above if the lines
        between were removed (YAML reads deeper lines after a block scalar as its
        content, and ``|+`` keeps blank lines)."""
        base = self._base
        while offset < len(base):
            end = self._line_end(offset)
            line = base[offset:end]
            body = line.strip()
            if body and not (body.startswith("#")
                             and len(line) - len(line.lstrip(" \t")) > column):
                break
            offset = end
        return offset

    def _trivia_after(self, offset: int) -> int:
        """Past the blank and comment lines at ``offset`` (any indent)."""
        base = self._base
        while offset < len(base):
            end = self._line_end(offset)
            body = base[offset:end].strip()
            if body and not body.startswith("#"):
                break
            offset = end
        return offset

    def _replacement(self, parent: Node, key: ScalarNode | None, node: Node,
                     value: Any) -> tuple[int, int, str]:
        """The splice that makes ``node`` (a value in ``parent``) read as ``value``.

        A ``|+`` block scalar keeps its trailing line breaks as content, so the span it
        ends may end at the start of the next line; the new text then ends its own line
        too, or the next key would join it."""
        start, end, text = self._replacement_span(parent, key, node, value)
        if end > start and self._base[end - 1] == "\n" and not text.endswith("\n"):
            text += self._eol
        return start, end, text

    def _replacement_span(self, parent: Node, key: ScalarNode | None, node: Node,
                          value: Any) -> tuple[int, int, str]:
        start, end = node.start_mark.index, self._content_end(node)
        empty = isinstance(node, ScalarNode) and start == node.end_mark.index
        block_node = isinstance(node, (MappingNode, SequenceNode)) and not node.flow_style
        if _is_flow(parent) or _keeps_flow(node, value):
            return start, node.end_mark.index, _flow(value)
        if key is None:  # a list item
            if empty:  # "-" alone: the item goes after the dash
                text = _snippet([value])[2:]
                return start, start, " " + _indent(text, node.start_mark.column - 1, first=False)
            return start, end, _indent(_snippet([value])[2:], node.start_mark.column - 2,
                                       first=False)
        colon = self._base.find(":", key.end_mark.index)
        key_column = key.start_mark.column
        if not _is_block(value):
            text = _inline(value)
            if empty:
                return start, start, " " + text
            if block_node:
                return colon + 1, end, " " + text + self._comment_on_line(colon + 1)
            return start, end, text
        generated = _snippet(value)
        if block_node and self._lead(node) == "line" and \
                (isinstance(value, list) or node.start_mark.column > key_column):
            return start, end, _indent(generated, node.start_mark.column, first=False)
        column = key_column + 2 if isinstance(value, dict) else key_column
        if block_node:
            comment = self._comment_on_line(colon + 1)
        else:  # a scalar or flow value on the key line: keep its comment on that line
            comment = self._comment_on_line(end)
            if comment:
                end = self._eol_at(end)
        return colon + 1, end, comment + "\n" + _indent(generated, column)


