"""Byte-preserving edits of a YAML document.

Halyard users keep comments, key order and odd quoting in ``~/.hal/config``; a
full round trip through a YAML library would rewrite all of it (and ruamel's
round trip costs seconds on large configs).  Instead the C parser composes the
node tree once, its marks tell where every key and value sits in the text, and
an edit splices new text into exactly those spans.  Everything outside the span
stays byte-for-byte as it was.  After each splice the text is parsed again, so
the document is never left in a state the parser would reject.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from pyhalyard.errors import ConfigError

try:  # the C parser is ~10x faster; fall back where libyaml is missing
    from yaml import CSafeDumper as _Dumper
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

PathKey = str | int
YamlPath = Sequence[PathKey]

_WIDE = 1 << 30  # never fold long scalars


def format_path(path: YamlPath) -> str:
    """``deploymentConfigurations[0].providers.kubernetes`` style, for messages."""
    out = ""
    for key in path:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def parse(text: str, source: str) -> tuple[yaml.Node | None, Any]:
    """Compose and construct in one parse; errors name file:line:column."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if mark is None:
            raise ConfigError(source, f"invalid YAML: {problem}") from None
        raise ConfigError(source, f"invalid YAML: {problem}", mark.line + 1,
                          mark.column + 1) from None
    except yaml.YAMLError as exc:
        raise ConfigError(source, f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()
    return node, data


def dump(value: Any) -> str:
    """Block-style YAML in Halyard's layout (indentless sequences, keys in given order)."""
    return yaml.dump(value, Dumper=_Dumper, default_flow_style=False, sort_keys=False,
                     allow_unicode=True, width=_WIDE)


def _inline(value: Any, indent: int) -> str:
    """Text that follows ``key:`` for ``value`` when the key sits at column ``indent``."""
    body = dump({"k": value})[2:].rstrip("\n")  # drop the "k:" we dumped it under
    if "\n" not in body:
        return body  # " scalar", " {}", " []"
    pad = " " * indent
    return "\n".join(pad + line if i else line for i, line in enumerate(body.split("\n")))


def _block(text: str, indent: int) -> str:
    pad = " " * indent
    return "".join(pad + line + "\n" for line in text.rstrip("\n").split("\n"))


@dataclass
class _Step:
    """Where a node sits: in ``parent`` under ``key_node`` (mapping) or at ``index`` (sequence)."""

    parent: yaml.Node | None
    key_node: yaml.ScalarNode | None
    index: int | None
    node: yaml.Node


class Document:
    """A YAML text plus its node tree; mutators splice text and re-parse."""

    def __init__(self, text: str, source: str = "config") -> None:
        self.source = source
        self.text = ""
        self.root: yaml.Node | None = None
        self.data: Any = None
        self._reset(text)

    def _reset(self, text: str) -> None:
        root, data = parse(text, self.source)
        self.text, self.root, self.data = text, root, data

    # ---------------------------------------------------------------- reading
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

    def _walk(self, path: YamlPath) -> tuple[list[_Step], int]:
        """Steps down ``path`` as far as nodes exist; returns them and how many keys matched."""
        assert self.root is not None
        steps = [_Step(None, None, None, self.root)]
        for depth, key in enumerate(path):
            node = steps[-1].node
            if isinstance(node, yaml.MappingNode) and isinstance(key, str):
                for key_node, value_node in reversed(node.value):  # last duplicate wins
                    if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                        steps.append(_Step(node, key_node, None, value_node))
                        break
                else:
                    return steps, depth
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
                if not -len(node.value) <= key < len(node.value):
                    raise KeyError(f"{format_path(path[:depth + 1])}: no such item")
                steps.append(_Step(node, None, key % len(node.value), node.value[key]))
            else:
                return steps, depth
        return steps, len(path)

    # ------------------------------------------------------------ text spans
    def _line_start(self, offset: int) -> int:
        return self.text.rfind("\n", 0, offset) + 1

    def _line_end(self, offset: int) -> int:
        """Offset just past the newline of the line holding ``offset``."""
        end = self.text.find("\n", offset)
        return len(self.text) if end < 0 else end + 1

    def _content_end(self, node: yaml.Node) -> int:
        """Offset just past the last character that belongs to ``node``."""
        if isinstance(node, yaml.MappingNode) and node.value and not node.flow_style:
            return self._content_end(node.value[-1][1])
        if isinstance(node, yaml.SequenceNode) and node.value and not node.flow_style:
            return self._content_end(node.value[-1])
        end: int = node.end_mark.index
        if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
            while end > node.start_mark.index and self.text[end - 1] in " \t\r\n":
                end -= 1
        if isinstance(node, yaml.ScalarNode) and node.value == "" and node.style is None:
            # an empty value ("key:") ends where its key's ":" is
            end = node.start_mark.index
        return end

    def _splice(self, start: int, end: int, new: str) -> None:
        self._reset(self.text[:start] + new + self.text[end:])

    def _insert_lines(self, after: int, lines: str) -> None:
        pos = self._line_end(after)
        prefix = "" if pos == 0 or self.text[pos - 1] == "\n" else "\n"
        self._splice(pos, pos, prefix + lines)

    # --------------------------------------------------------------- writing
    def set(self, path: YamlPath, value: Any) -> None:
        """Set ``path`` to ``value``, creating missing mappings on the way."""
        if self.root is None or not path:
            self._reset(dump(_nest(path, value)))
            return
        steps, depth = self._walk(path)
        if depth == len(path):
            self._replace(steps[-1], value)
            return
        here = steps[-1]
        rest = _nest(path[depth + 1:], value)
        key = path[depth]
        if isinstance(here.node, yaml.MappingNode) and isinstance(key, str):
            self._add_key(here, key, rest)
        else:  # a scalar/null/flow where a mapping has to be: replace it
            if isinstance(key, int):
                raise KeyError(f"{format_path(path[:depth + 1])}: no such item")
            self._replace(here, {key: rest})

    def delete(self, path: YamlPath) -> bool:
        """Remove the key or sequence item at ``path``; False when it is not there."""
        if self.root is None or not path:
            return False
        try:
            steps, depth = self._walk(path)
        except KeyError:
            return False
        if depth < len(path):
            return False
        step, parent_step = steps[-1], steps[-2]
        parent = step.parent
        assert parent is not None
        siblings = len(parent.value)
        if parent.flow_style or siblings == 1:
            remaining = self.get(path[:-1])
            if isinstance(remaining, dict):
                remaining = {k: v for k, v in remaining.items() if k != path[-1]}
            else:
                remaining = [v for i, v in enumerate(remaining) if i != step.index]
            self._replace(parent_step, remaining)
            return True
        first = step.key_node if step.key_node is not None else step.node
        start = self._line_start(first.start_mark.index)
        lead = self.text[start:first.start_mark.index]
        if lead.strip() not in ("", "-"):
            # the entry shares its line with a "- " of an enclosing item: rewrite the parent
            remaining = {k: v for k, v in self.get(path[:-1]).items() if k != path[-1]}
            self._replace(parent_step, remaining)
            return True
        end = self._line_end(self._content_end(step.node))
        self._splice(start, end, "")
        return True

    def append(self, path: YamlPath, item: Any) -> None:
        """Append ``item`` to the sequence at ``path`` (created when missing)."""
        current = self.get(path)
        if current is None:
            self.set(path, [item])
            return
        if not isinstance(current, list):
            raise TypeError(f"{format_path(path)} is not a list")
        steps, _ = self._walk(path)
        step = steps[-1]
        node = step.node
        assert isinstance(node, yaml.SequenceNode)
        if node.flow_style or not node.value:
            self._replace(step, [*current, item])
            return
        first = node.value[0]
        dash = self.text.rfind("-", self._line_start(first.start_mark.index),
                               first.start_mark.index)
        column = dash - self._line_start(dash)
        self._insert_lines(self._content_end(node) - 1, _block(dump([item]), column))

    def _add_key(self, step: _Step, key: str, value: Any) -> None:
        node = step.node
        assert isinstance(node, yaml.MappingNode)
        if node.flow_style or not node.value:
            current = dict(self.get_node_data(node))
            current[key] = value
            self._replace(step, current)
            return
        column = node.value[0][0].start_mark.column
        last_value = node.value[-1][1]
        self._insert_lines(self._content_end(last_value) - 1, _block(dump({key: value}), column))

    def get_node_data(self, node: yaml.Node) -> Any:
        return parse(self.text[node.start_mark.index:node.end_mark.index], self.source)[1] or {}

    def _replace(self, step: _Step, value: Any) -> None:
        node = step.node
        if step.parent is None:  # the whole document
            self._reset(dump(value))
            return
        end = self._content_end(node)
        if isinstance(node, yaml.ScalarNode) and not isinstance(value, (dict, list)) and \
                node.style not in ("|", ">") and (node.value != "" or node.style is not None):
            self._splice(node.start_mark.index, end, _inline(value, 0).lstrip(" "))
            return
        if step.key_node is not None:  # mapping entry: rewrite everything after "key"
            key = step.key_node
            self._splice(key.end_mark.index, max(end, key.end_mark.index),
                         ":" + _inline(value, key.start_mark.column))
            return
        # sequence item: rewrite from the item's first character
        start = node.start_mark.index
        dash = self.text.rfind("-", self._line_start(start), start)
        column = dash - self._line_start(dash)
        text = dump([value]).rstrip("\n")
        lines = text.split("\n")
        body = "\n".join([lines[0][2:]] + [" " * column + line for line in lines[1:]])
        self._splice(start, end, body)


def _nest(path: YamlPath, value: Any) -> Any:
    for key in reversed(path):
        if isinstance(key, int):
            raise KeyError(f"cannot create list item [{key}]")
        value = {key: value}
    return value
