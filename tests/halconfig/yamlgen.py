"""Random YAML for property tests: data trees written in many hand-picked styles.

The writer here is deliberately independent of ``document.dump``: block and
flow collections, indentless and indented lists, "- key:" items, compact
"- - x" lists, every null spelling, quoted keys, literal block scalars,
comments at any indent, ``---``, CRLF and a missing final newline.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from typing import Any

import yaml
from hypothesis import strategies as st

_WIDE = 1 << 30


class _FlowDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _one_line_str(dumper: _FlowDumper, data: str) -> yaml.Node:
    if "\n" in data or "\r" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    return dumper.represent_str(data)


_FlowDumper.add_representer(str, _one_line_str)

# Printable, no line/paragraph separators, no surrogates; BMP below the CJK blocks.
_ALPHABET = st.characters(categories=["L", "N", "P", "S", "Zs"], max_codepoint=0x2FFF,
                          exclude_characters="\x7f\x85\xa0")
SPECIAL_TEXT = ["", " ", "yes", "no", "on", "off", "null", "~", "1.0", "0x1F", "1_000", "- a",
                "a: b", "#x", "x #y", "'", '"', "\\", "a\nb", "line1\nline2\n", "  lead",
                "trail  ", "ü ñ 中文", "😀 emoji", "{a}", "[b]", "*alias", "&anc", "!tag", "%",
                "@", "`", "|", ">", "---", "...", "a\tb", "2024-01-01", "=", "<<",
                "x" * 300]
KEYS = ["a", "b", "c", "name", "enabled", "accounts", "x y", "on", "true", "1", "null", "ü",
        "-dash", "#h", "key:colon", "'q'", "a.b", "", "😀"]

texts = st.one_of(st.sampled_from(SPECIAL_TEXT), st.text(_ALPHABET, max_size=12))
keys = st.one_of(st.sampled_from(KEYS), st.text(_ALPHABET, min_size=1, max_size=6))
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**12),
                    st.floats(allow_nan=False, allow_infinity=False), texts)


def trees(max_leaves: int = 25) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda children: st.one_of(st.lists(children, max_size=4),
                                   st.dictionaries(keys, children, max_size=5)),
        max_leaves=max_leaves)


documents = st.dictionaries(keys, trees(), min_size=1, max_size=6)


def _literal_ok(text: str) -> bool:
    """Strings a plain ``|`` block scalar writes back exactly."""
    if "\n" not in text.rstrip("\n") or text.endswith("\n\n") or "\r" in text:
        return False
    lines = text.rstrip("\n").split("\n")
    return all(line and line == line.strip() and line.isprintable() and "\t" not in line
               for line in lines)


class Writer:
    """Writes one data tree as YAML text, every style decision drawn from ``rnd``."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.lines: list[str] = []
        self.ends_in_block = False

    def chance(self, p: float) -> bool:
        return self.rnd.random() < p

    def write(self, value: Any) -> str:
        eol = "\r\n" if self.chance(0.15) else "\n"
        if self.chance(0.2):
            self.add("# leading comment")
        if self.chance(0.2):
            self.add("---")
        if isinstance(value, dict) and value:
            self.block_map(value, 0)
        elif isinstance(value, list) and value:
            self.block_seq(value, 0)
        else:
            self.add(self.inline(value))
        if self.chance(0.15):
            self.add("# trailing comment")
        text = eol.join(self.lines)
        bom = "\ufeff" if self.chance(0.05) else ""
        # a "|" block at the very end needs its line break (without it the value changes)
        final = eol if self.ends_in_block or not self.chance(0.15) else ""
        return bom + text + final

    # ------------------------------------------------------------- pieces
    def comment_line(self, indent: int) -> None:
        if self.chance(0.05):
            self.add(" " * self.rnd.choice([0, indent + 3]))  # a blank line
        if self.chance(0.12):
            column = self.rnd.choice([0, indent, indent + 2, indent + 5])
            self.add(" " * column + "# note: - a: [b] 'c'")

    def tail(self, tab: bool = True) -> str:
        choices = ["  # tail", " #t", "\t# tab"] if tab else ["  # tail", " #t"]
        return self.rnd.choice(choices) if self.chance(0.15) else ""

    def key(self, key: Any) -> str:
        text = self.scalar(key)
        if isinstance(key, str) and "\n" not in key and self.chance(0.2) and key.isprintable():
            text = "'" + key.replace("'", "''") + "'"
        return text

    def scalar(self, value: Any) -> str:
        if isinstance(value, str) and value.isprintable() and "\t" not in value:
            style = self.rnd.random()
            if style < 0.15:
                return "'" + value.replace("'", "''") + "'"
            if style < 0.3:  # JSON escapes are YAML escapes, except surrogate pairs
                ascii_ok = all(ord(c) < 0x10000 for c in value)
                return json.dumps(value, ensure_ascii=ascii_ok and self.chance(0.5))
        if value is None:
            return self.rnd.choice(["", "~", "null", "Null"])
        text = yaml.dump(value, Dumper=_FlowDumper, width=_WIDE, allow_unicode=self.chance(0.7))
        if text.endswith("\n...\n"):
            text = text[:-5]
        return text.strip("\n")

    def flow(self, value: Any) -> str:
        return yaml.dump(value, Dumper=_FlowDumper, default_flow_style=True, width=_WIDE,
                         allow_unicode=True).strip()

    def inline(self, value: Any) -> str:
        if isinstance(value, (dict, list)):
            return self.flow(value)
        return self.scalar(value)

    def add(self, line: str) -> None:
        self.lines.append(line)
        self.ends_in_block = False

    def add_block(self, lines: list[str]) -> None:
        self.lines.extend(lines)
        self.ends_in_block = True

    def literal(self, value: str, indent: int) -> list[str]:
        step = self.rnd.choice([2, 4])
        body = value.rstrip("\n").split("\n")
        head = ("|+" if self.chance(0.3) else "|") if value.endswith("\n") else "|-"
        return [head] + [" " * (indent + step) + line for line in body]

    def entry(self, head: str, value: Any, indent: int) -> None:
        """``head`` is the text up to and including ``key:``."""
        if isinstance(value, dict) and value and not self.chance(0.15):
            self.add(head + self.tail())
            self.block_map(value, indent + self.rnd.choice([2, 2, 4]))
        elif isinstance(value, list) and value and not self.chance(0.15):
            self.add(head + self.tail())
            self.block_seq(value, indent + self.rnd.choice([0, 0, 2]))
        elif isinstance(value, str) and _literal_ok(value) and self.chance(0.6):
            first, *rest = self.literal(value, indent)
            self.add(head + " " + first)
            self.add_block(rest)
        else:
            text = self.inline(value)
            sep = "\t" if text and self.chance(0.05) else " "
            self.add(head + (sep + text if text else "") + self.tail())

    def block_map(self, value: dict[Any, Any], indent: int, lead: str | None = None) -> None:
        for i, (key, item) in enumerate(value.items()):
            if lead is None or i:
                self.comment_line(indent)
            prefix = lead if (lead is not None and i == 0) else " " * indent
            self.entry(prefix + self.key(key) + ":", item, indent)

    def block_seq(self, value: list[Any], indent: int, lead: str | None = None) -> None:
        for i, item in enumerate(value):
            if lead is None or i:
                self.comment_line(indent)
            dash = (lead if (lead is not None and i == 0) else " " * indent) + "-"
            if isinstance(item, dict) and item and not self.chance(0.15):
                if self.chance(0.7):
                    self.block_map(item, indent + 2, lead=dash + " ")
                else:
                    self.add(dash + self.tail(tab=False))
                    self.block_map(item, indent + 2)
            elif isinstance(item, list) and item and not self.chance(0.15):
                if self.chance(0.5):
                    self.block_seq(item, indent + 2, lead=dash + " ")
                else:
                    self.add(dash)
                    self.block_seq(item, indent + 2)
            elif isinstance(item, str) and _literal_ok(item) and self.chance(0.5):
                first, *rest = self.literal(item, indent)
                self.add(dash + " " + first)
                self.add_block(rest)
            else:
                text = self.inline(item)
                self.add(dash + (" " + text if text else "") + self.tail(tab=bool(text)))


def write(value: Any, seed: int) -> str:
    """``value`` as YAML: mostly by the Writer above, sometimes by PyYAML's own emitter with
    random options (narrow widths fold long scalars over several lines; canonical style
    writes ``!!tags`` and ``? key`` entries; flow styles nest ``{[...]}``)."""
    rnd = random.Random(seed)
    if rnd.random() < 0.75:
        return Writer(rnd).write(value)
    canonical = rnd.random() < 0.1
    return yaml.dump(value, Dumper=yaml.SafeDumper, sort_keys=False,
                     default_flow_style=rnd.choice([False, None, True]),
                     indent=rnd.choice([2, 3, 4]), width=rnd.choice([12, 30, 80, _WIDE]),
                     explicit_start=rnd.random() < 0.3, allow_unicode=rnd.random() < 0.5,
                     canonical=canonical)


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path into ``value`` (string keys only: the editor addresses str keys)."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from paths(item, (*prefix, i))


def same(a: Any, b: Any) -> bool:
    """Equal as YAML data: 1, 1.0 and True differ."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) or ((a.keys() == b.keys()) and all(same(v, b[k])
                                                                     for k, v in a.items()))
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same, a, b))
    return bool(a == b)
