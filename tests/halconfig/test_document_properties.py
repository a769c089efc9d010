"""Property tests: random edits on random YAML keep everything they do not touch.

Documents come from ``yamlgen`` (many layouts, comments, CRLF, flow/block
mixes); edit sequences are drawn against the current data.  Each example
checks, against a plain-Python model of the edits:

- the edited text parses, and reads back as exactly the model's data;
- ``Document.data`` is that same data;
- siblings of every edited path are equal to what they were;
- the bytes before and after the region an edit may touch are unchanged.

Two modes: reading ``text`` after every edit (each edit alone against a fresh
parse) and after the whole sequence (edits recorded against one parse, which
is how commands with several flags run).
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyhalyard.halconfig.document import Document, NotAListError, PathError
from tests.halconfig import yamlgen
from tests.halconfig.yamlgen import same

# HAL_PROPERTY_EXAMPLES=2000 for a longer hunt; the default keeps the suite quick on 2 cores.
SETTINGS = settings(max_examples=int(os.environ.get("HAL_PROPERTY_EXAMPLES", "120")),
                    deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def load(text: str) -> Any:
    return yaml.load(text, Loader=yaml.CSafeLoader)


# --------------------------------------------------------------------- the model


@dataclass
class Op:
    kind: str  # "set" | "delete" | "append"
    path: tuple[Any, ...]
    value: Any = None


def _nest(path: tuple[Any, ...], value: Any) -> Any:
    for key in reversed(path):
        value = {key: value}
    return value


def model_apply(data: Any, op: Op) -> tuple[Any, Any]:
    """(new data, result) of ``op`` under the documented semantics."""
    path = op.path
    if op.kind == "delete":
        holder = data
        for key in path[:-1]:
            holder = holder[key]
        del holder[path[-1]]
        return data, True
    if op.kind == "append":
        cur = data
        for key in path:
            if isinstance(cur, dict):
                cur = cur.get(key)
            elif isinstance(cur, list) and isinstance(key, int) and key < len(cur):
                cur = cur[key]
            else:
                cur = None
        if cur is None:
            return model_apply(data, Op("set", path, [op.value]))
        if not isinstance(cur, list):
            raise TypeError("not a list")
        cur.append(op.value)
        return data, None
    if not path or not isinstance(data, (dict, list)):
        return _nest(path, op.value), None
    holder = data
    for depth, key in enumerate(path[:-1]):
        nxt = holder[key] if isinstance(holder, list) else holder.get(key)
        if not isinstance(nxt, (dict, list)):
            holder[key] = _nest(path[depth + 1:], op.value)
            return data, None
        holder = nxt
    holder[path[-1]] = op.value
    return data, None


# ------------------------------------------------------------------- drawing ops


def draw_op(draw: Any, data: Any, history: list[Op] | None = None) -> Op:
    every = [p for p in yamlgen.paths(data) if p]
    kind = draw(st.sampled_from(["set", "set", "set_new", "delete", "append", "deep_new",
                                 "again"]))
    value = draw(yamlgen.trees(max_leaves=6))
    if kind == "again" and history:  # the same spot again: re-add, re-delete, re-set
        path = draw(st.sampled_from([op.path for op in history]))
        present = path in set(every)
        if present and draw(st.booleans()):
            return Op("delete", path)
        if path and present and isinstance(path[-1], int):
            return Op("set", path, value)
        if path and not isinstance(path[-1], int) and _exists(data, path[:-1]):
            return Op("set", path, value)
    if kind == "set" and every:
        return Op("set", draw(st.sampled_from(every)), value)
    if kind == "delete" and every:
        return Op("delete", draw(st.sampled_from(every)))
    if kind == "append":
        lists = [p for p in yamlgen.paths(data) if isinstance(_get(data, p), list)]
        if lists and draw(st.booleans()):
            return Op("append", draw(st.sampled_from(lists)), value)
        maps = [p for p in yamlgen.paths(data) if isinstance(_get(data, p), dict)]
        if maps:
            return Op("append", (*draw(st.sampled_from(maps)), draw(yamlgen.keys)), value)
    maps = [p for p in yamlgen.paths(data) if isinstance(_get(data, p), dict)]
    if kind == "deep_new":  # through a scalar or null, or two levels of new keys
        leaves = [p for p in every if not isinstance(_get(data, p), (dict, list))]
        if leaves and draw(st.booleans()):
            return Op("set", (*draw(st.sampled_from(leaves)), draw(yamlgen.keys)), value)
        if maps:
            return Op("set", (*draw(st.sampled_from(maps)), draw(yamlgen.keys),
                              draw(yamlgen.keys)), value)
    if maps:
        return Op("set", (*draw(st.sampled_from(maps)), draw(yamlgen.keys)), value)
    return Op("set", (draw(yamlgen.keys),), value)


def _exists(data: Any, path: tuple[Any, ...]) -> bool:
    return path in set(yamlgen.paths(data)) and isinstance(_get(data, path), dict)


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def apply_both(doc: Document, op: Op, expected: Any) -> bool:
    """Run ``op`` on ``doc``; when the model says the path cannot exist (a key into a
    list), the document must refuse with PathError and keep its data.  False then."""
    try:
        _, result = model_apply(copy.deepcopy(expected), op)
    except (TypeError, KeyError, IndexError):
        before = copy.deepcopy(doc.data)
        try:
            run_op(doc, op)
        except (PathError, NotAListError):
            assert same(doc.data, before)
            return False
        raise AssertionError(f"{op} should have been refused") from None
    assert run_op(doc, op) == result
    return True


def run_op(doc: Document, op: Op) -> Any:
    if op.kind == "set":
        return doc.set(list(op.path), copy.deepcopy(op.value))
    if op.kind == "delete":
        return doc.delete(list(op.path))
    return doc.append(list(op.path), copy.deepcopy(op.value))


# ------------------------------------------------------------ what may change


def _content_end(text: str, node: yaml.Node) -> int:
    end: int = node.end_mark.index
    return end


def touched_region(text: str, ops: list[Op]) -> tuple[int, int] | None:
    """[start, end) of ``text`` (no BOM) outside which ``ops`` may not change a byte.

    For each op: the node two levels above the deepest node of its path that
    exists in ``text`` (a value's text starts in its parent's span, and a
    container emptied by a delete is rewritten as ``{}`` in its parent), widened
    to the parent of the outermost flow collection around it.  None: anywhere.
    """
    root = yaml.compose(text, Loader=yaml.CSafeLoader)
    if root is None:
        return None
    lo, hi = len(text), 0
    list_deleted = False
    for op in ops:
        chain = [root]
        for key in op.path:
            node = chain[-1]
            child = None
            if isinstance(node, yaml.MappingNode) and isinstance(key, str):
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.tag.endswith(":str") \
                            and k.value == key:
                        child = v
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) \
                    and not list_deleted and key < len(node.value):
                child = node.value[key]
            if child is None:
                break
            chain.append(child)
        if op.kind == "delete" and op.path and isinstance(op.path[-1], int):
            list_deleted = True
        index = len(chain) - 3
        flows = [i for i, n in enumerate(chain) if getattr(n, "flow_style", False)]
        if flows:
            index = min(index, flows[0] - 1)
        if index <= 0:
            return None
        region = chain[index]
        start = text.rfind("\n", 0, region.start_mark.index) + 1
        end = text.find("\n", _content_end(text, region))
        lo, hi = min(lo, start), max(hi, len(text) if end < 0 else end + 1)
    return lo, hi


def check_bytes_outside(before: str, after: str, region: tuple[int, int] | None) -> None:
    if region is None:
        return
    bom = "\ufeff" if before.startswith("\ufeff") else ""
    old, new = before[len(bom):], after[len(bom):]
    lo, hi = region
    assert new[:lo] == old[:lo], "bytes before the edited region changed"
    tail = len(old) - hi
    assert new[len(new) - tail:] == old[hi:], "bytes after the edited region changed"


def check_siblings(before: Any, after: Any, op: Op) -> None:
    """Everything beside ``op.path`` is equal to what it was (list deletes shift by one)."""
    old, new = before, after
    for depth, key in enumerate(op.path):
        if not isinstance(old, (dict, list)) or not isinstance(new, (dict, list)):
            return
        last = depth == len(op.path) - 1
        if isinstance(old, dict) and isinstance(new, dict):
            for k in old:
                if k != key:
                    assert k in new and same(old[k], new[k]), f"sibling {k!r} changed"
        elif isinstance(old, list) and isinstance(new, list) and isinstance(key, int):
            shift = 1 if (last and op.kind == "delete") else 0
            for i, item in enumerate(old):
                if i < key:
                    assert same(item, new[i])
                elif i > key:
                    assert same(item, new[i - shift])
        else:
            return
        if key not in (old if isinstance(old, dict) else range(len(old))):
            return
        if isinstance(new, dict) and key not in new:
            return
        if isinstance(new, list) and not (isinstance(key, int) and key < len(new)):
            return
        old, new = old[key], new[key]


# ------------------------------------------------------------------------ tests


@SETTINGS
@given(yamlgen.documents, st.integers(0, 2**32))
def test_parse_matches_pyyaml(data: Any, seed: int) -> None:
    text = yamlgen.write(data, seed)
    doc = Document(text)
    assert same(doc.data, load(text))
    assert doc.text == text


@SETTINGS
@given(yamlgen.documents, st.integers(0, 2**32), st.data())
def test_each_edit_alone(data: Any, seed: int, draw: st.DataObject) -> None:
    text = yamlgen.write(data, seed)
    doc = Document(text)
    expected = load(text)
    for _ in range(draw.draw(st.integers(1, 5))):
        op = draw_op(draw.draw, expected)
        before_text, before_data = doc.text, copy.deepcopy(expected)
        region = touched_region(before_text.lstrip("\ufeff"), [op])
        if not apply_both(doc, op, expected):
            continue
        expected, _ = model_apply(expected, op)
        after = doc.text
        assert same(load(after), expected), (before_text, op, after)
        assert same(doc.data, expected)
        if op.kind == "set":  # the edited path holds the new value
            assert same(_get(load(after), op.path), op.value)
        elif op.kind == "append":
            assert same(_get(load(after), op.path)[-1], op.value)
        check_siblings(before_data, expected, op)
        check_bytes_outside(before_text, after, region)


@SETTINGS
@given(yamlgen.documents, st.integers(0, 2**32), st.data())
def test_edit_sequence_at_once(data: Any, seed: int, draw: st.DataObject) -> None:
    text = yamlgen.write(data, seed)
    doc = Document(text)
    expected = load(text)
    ops: list[Op] = []
    for _ in range(draw.draw(st.integers(1, 8))):
        op = draw_op(draw.draw, expected, ops)
        if not apply_both(doc, op, expected):
            continue
        ops.append(op)
        expected, _ = model_apply(expected, op)
        assert same(doc.data, expected)
    after = doc.text
    assert same(load(after), expected), (text, ops, after)
    check_bytes_outside(text, after, touched_region(text.lstrip("\ufeff"), ops))


@SETTINGS
@given(yamlgen.documents, st.integers(0, 2**32), st.data())
def test_setting_current_values_changes_nothing(data: Any, seed: int,
                                                draw: st.DataObject) -> None:
    text = yamlgen.write(data, seed)
    doc = Document(text)
    every = [p for p in yamlgen.paths(doc.data) if p]
    for path in draw.draw(st.lists(st.sampled_from(every), max_size=5)) if every else []:
        doc.set(list(path), copy.deepcopy(_get(doc.data, path)))
    assert doc.text == text


def test_path_error_is_a_key_error() -> None:
    doc = Document("a: [1]\n")
    try:
        doc.set(["a", 5], 1)
    except KeyError as exc:
        assert isinstance(exc, PathError)
        assert "a[5]" in str(exc)
    else:
        raise AssertionError("expected a PathError")
