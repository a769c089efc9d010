"""Byte-exact expectations for the editor's edge cases (each one a layout users have)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from pyhalyard.errors import ConfigError, HalError
from pyhalyard.halconfig.document import Document, NotAListError, PathError, dump, parse


def edit(text: str, *ops: tuple[Any, ...]) -> str:
    doc = Document(text)
    for name, *args in ops:
        getattr(doc, name)(*args)
    result = doc.text
    assert yaml.load(result, Loader=yaml.CSafeLoader) == doc.data
    return result


# ------------------------------------------------------------------ line ends


def test_no_trailing_newline_is_kept() -> None:
    assert edit("a: 1\nb: 2", ("set", ["b"], 3)) == "a: 1\nb: 3"
    assert edit("a: 1\nb: 2", ("set", ["c"], 3)) == "a: 1\nb: 2\nc: 3"
    assert edit("l:\n- x", ("append", ["l"], "y")) == "l:\n- x\n- y"
    assert edit("a:\n  b: 1", ("set", ["a", "c"], {"d": 1})) == "a:\n  b: 1\n  c:\n    d: 1"


def test_block_scalar_at_end_without_newline_keeps_its_value() -> None:
    text = "a: 1\nb: |\n  one\n  two"
    out = edit(text, ("set", ["c"], 3))
    assert out == "a: 1\nb: |-\n  one\n  two\nc: 3"
    assert edit("b: |+\n  one", ("set", ["c"], 3)) == "b: |-\n  one\nc: 3"


def test_crlf_stays_crlf() -> None:
    text = "a: 1\r\nb:\r\n  c: 2\r\nl:\r\n- x\r\n"
    out = edit(text, ("set", ["b", "d"], {"e": [1]}), ("append", ["l"], "y"),
               ("set", ["a"], "z"))
    assert out == "a: z\r\nb:\r\n  c: 2\r\n  d:\r\n    e:\r\n    - 1\r\nl:\r\n- x\r\n- y\r\n"
    assert edit(text, ("delete", ["b", "c"])) == "a: 1\r\nb: {}\r\nl:\r\n- x\r\n"
    assert "\n" not in edit(text, ("set", ["b"], {"m": {"n": 1}})).replace("\r\n", "")


def test_bom_is_kept() -> None:
    assert edit("\ufeffa: 1\nb: 2\n", ("set", ["b"], 3)) == "\ufeffa: 1\nb: 3\n"


# ----------------------------------------------------------------------- flow


def test_flow_collections_at_every_level() -> None:
    assert edit("{a: 1, b: 2}\n", ("set", ["b"], 3)) == "{a: 1, b: 3}\n"
    assert edit("{a: 1}\n", ("set", ["b"], [1, 2])) == "{a: 1, b: [1, 2]}\n"
    assert edit("x:\n  y: {a: 1, b: [1, 2]}\n", ("set", ["x", "y", "a"], "q, r")) == \
        "x:\n  y: {a: 'q, r', b: [1, 2]}\n"
    assert edit("x: {a: 1, b: [1, 2]}\n", ("append", ["x", "b"], 3)) == \
        "x: {a: 1, b: [1, 2, 3]}\n"
    assert edit("x: {a: 1, b: 2}  # c\n", ("delete", ["x", "a"])) == "x: {b: 2}  # c\n"
    assert edit("x: {a: 1}\n", ("set", ["x", "c"], {"d": 1})) == "x: {a: 1, c: {d: 1}}\n"
    assert edit("l:\n- {a: 1}\n- [1, 2]\n", ("set", ["l", 0, "a"], 2),
                ("append", ["l", 1], 3)) == "l:\n- {a: 2}\n- [1, 2, 3]\n"
    assert edit("x: {a: , b: 1}\n", ("set", ["x", "a"], 5)) == "x: {a: 5, b: 1}\n"


def test_empty_flow_grows_into_a_block() -> None:
    assert edit("env:\n  customSizing: {}\n  x: 1\n",
                ("set", ["env", "customSizing", "spin-echo", "replicas"], 2)) == \
        "env:\n  customSizing:\n    spin-echo:\n      replicas: 2\n  x: 1\n"
    assert edit("accounts: []\nz: 1\n", ("append", ["accounts"], {"name": "a"})) == \
        "accounts:\n- name: a\nz: 1\n"


# ----------------------------------------------------------------------- nulls


def test_null_spellings() -> None:
    assert edit("a:\nb: 1\n", ("set", ["a"], 5)) == "a: 5\nb: 1\n"
    assert edit("a:   # c\nb: 1\n", ("set", ["a"], 5)) == "a: 5   # c\nb: 1\n"
    assert edit("a: ~\nb: 1\n", ("set", ["a"], 5)) == "a: 5\nb: 1\n"
    assert edit("a: null\n", ("set", ["a", "x"], 1)) == "a:\n  x: 1\n"
    assert edit("a:\nb: 1\n", ("set", ["a", "x"], 1)) == "a:\n  x: 1\nb: 1\n"
    assert edit("a:   # c\nb: 1\n", ("set", ["a", "x"], 1)) == "a:   # c\n  x: 1\nb: 1\n"
    assert edit("a: 1\n", ("set", ["a"], None)) == "a: null\n"
    assert edit("l:\n-\n- x\n", ("set", ["l", 0], "y")) == "l:\n- y\n- x\n"
    assert edit("l:\n-\n- x\n", ("set", ["l", 0], {"k": 1, "m": 2})) == \
        "l:\n- k: 1\n  m: 2\n- x\n"


def test_empty_and_null_documents() -> None:
    assert edit("", ("set", ["a", "b"], 1)) == "a:\n  b: 1\n"
    assert edit("# only a comment\n", ("set", ["a"], 1)) == "# only a comment\na: 1\n"
    assert edit("---\n", ("set", ["a"], 1)) == "---\na: 1\n"
    assert edit("~\n", ("set", ["a"], 1)) == "a: 1\n"
    assert Document("").delete(["a"]) is False


# -------------------------------------------------------------- block scalars


def test_block_scalars_around_the_edit() -> None:
    text = "a: |\n  line 1\n\n  line 3\n\nb: 1\nc: >\n  folded\n  text\nd: 2\n"
    assert edit(text, ("set", ["b"], 5)) == text.replace("b: 1", "b: 5")
    assert edit(text, ("set", ["d"], 5)) == text.replace("d: 2", "d: 5")
    assert edit(text, ("set", ["a"], "x")) == "a: x\n\nb: 1\nc: >\n  folded\n  text\nd: 2\n"
    assert edit("m:\n  a: |\n    x\n\nz: 1\n", ("set", ["m", "b"], 1)) == \
        "m:\n  a: |\n    x\n  b: 1\n\nz: 1\n"
    keep = "m:\n  a: |+\n    x\n\nz: 1\n"
    assert edit(keep, ("set", ["m", "b"], 1)) == "m:\n  a: |+\n    x\n\n  b: 1\nz: 1\n"


def test_multiline_strings_are_written_on_one_line() -> None:
    assert edit("a: 1\n", ("set", ["a"], "x\ny")) == 'a: "x\\ny"\n'


# ----------------------------------------------------------------- comments


def test_comments_everywhere_survive() -> None:
    text = ("# head\n"
            "a:\n"
            "  # before b\n"
            "  b: 1  # after b\n"
            "      # deeper\n"
            "# shallower\n"
            "  c: 2\n"
            "  # after c\n"
            "z: 3 # z\n")
    out = edit(text, ("set", ["a", "b"], 9))
    assert out == text.replace("b: 1  #", "b: 9  #")
    out = edit(text, ("set", ["a", "d"], 4))
    assert out == text.replace("  c: 2\n", "  c: 2\n  d: 4\n")
    out = edit(text, ("delete", ["a", "b"]))
    assert out == text.replace("  b: 1  # after b\n", "")


def test_comment_on_key_line_is_kept_when_value_becomes_a_block() -> None:
    assert edit("a: 1  # keep me\nb: 2\n", ("set", ["a"], {"x": 1})) == \
        "a:  # keep me\n  x: 1\nb: 2\n"
    assert edit("a:  # keep me\n  x: 1\nb: 2\n", ("set", ["a"], 5)) == "a: 5  # keep me\nb: 2\n"


# ---------------------------------------------------------------- keys


def test_duplicate_keys_last_wins_and_delete_removes_all() -> None:
    text = "a: 1\nb: 2\na: 3\n"
    assert Document(text).data == {"a": 3, "b": 2}
    assert edit(text, ("set", ["a"], 4)) == "a: 1\nb: 2\na: 4\n"
    assert edit(text, ("delete", ["a"])) == "b: 2\n"


def test_quoted_and_unusual_keys() -> None:
    text = "'a b': 1\n\"on\": 2\n\"ü\": 3\nkey : 4\n"
    out = edit(text, ("set", ["a b"], 5), ("set", ["on"], 6), ("set", ["ü"], 7),
               ("set", ["key"], 8))
    assert out == "'a b': 5\n\"on\": 6\n\"ü\": 7\nkey : 8\n"
    assert edit("a: 1\n", ("set", ["true"], 1)) == "a: 1\n'true': 1\n"
    assert edit("a: 1\n", ("set", ["x: y"], 1)) == "a: 1\n'x: y': 1\n"


def test_non_string_keys_are_not_matched_by_string_paths() -> None:
    doc = Document("1: a\nnull: b\n")
    assert doc.data == {1: "a", None: "b"}
    doc.set(["1"], "c")
    assert doc.text == "1: a\nnull: b\n'1': c\n"


def test_unicode_before_the_edit() -> None:
    text = "a: é😀中文\nb: 1\n"
    assert edit(text, ("set", ["b"], "ü😀")) == "a: é😀中文\nb: ü😀\n"


# -------------------------------------------------------- anchors and merges


def test_edit_inside_an_aliased_node_is_refused() -> None:
    text = "base: &b\n  x: 1\nuse: *b\nother: 2\n"
    doc = Document(text)
    ops: dict[str, Callable[[], object]] = {
        "use.x": lambda: doc.set(["use", "x"], 2), "base.x": lambda: doc.set(["base", "x"], 2),
        "base": lambda: doc.delete(["base"]), "base.y": lambda: doc.set(["base", "y"], 1),
        "use": lambda: doc.set(["use"], 1)}
    for where, op in ops.items():
        with pytest.raises(PathError, match=rf"^config: cannot edit {where}: .*alias"):
            op()
    assert doc.text == text
    doc.set(["other"], 3)  # elsewhere is fine
    assert doc.text == text.replace("other: 2", "other: 3")


def test_merge_keys_are_refused_in_that_mapping() -> None:
    text = "base: &b {x: 1}\nm:\n  <<: *b\n  y: {z: 1}\n"
    doc = Document(text)
    with pytest.raises(PathError, match="merge"):
        doc.set(["m", "w"], 1)
    with pytest.raises(PathError):
        doc.set(["m", "x"], 2)
    doc.set(["m", "y", "z"], 2)  # a value written in the mapping itself
    assert doc.text == text.replace("z: 1", "z: 2")


def test_unused_anchor_is_editable() -> None:
    assert edit("a: &x 1\nb: 2\n", ("set", ["a"], 5)) == "a: 5\nb: 2\n"


# ------------------------------------------------------------- documents


def test_document_start_marker_and_directives() -> None:
    text = "%YAML 1.1\n---\n# c\na: 1\n"
    assert edit(text, ("set", ["b"], 2)) == text + "b: 2\n"
    assert edit("--- {a: 1}\n", ("set", ["a"], 2)) == "--- {a: 2}\n"
    assert edit("--- !!map\na: 1\n", ("set", ["b"], 2)) == "--- !!map\na: 1\nb: 2\n"


def test_tabs_as_separators() -> None:
    assert edit("a:\t1\nb:\t2 # c\n", ("set", ["a"], 3)) == "a:\t3\nb:\t2 # c\n"


def test_very_long_lines_are_not_folded() -> None:
    long = "x" * 20000
    text = f"a: {long}\nb: 1\n"
    assert edit(text, ("set", ["b"], long + " y")) == f"a: {long}\nb: {long} y\n"


# ------------------------------------------------------------------ lists


def test_list_styles_are_followed() -> None:
    assert edit("l:\n- a\nz: 1\n", ("append", ["l"], "b")) == "l:\n- a\n- b\nz: 1\n"
    assert edit("l:\n    - a\nz: 1\n", ("append", ["l"], {"k": 1, "m": 2})) == \
        "l:\n    - a\n    - k: 1\n      m: 2\nz: 1\n"
    assert edit("l:\n  -   k: 1\n      m: 2\n", ("set", ["l", 0], {"k": 3, "n": 4})) == \
        "l:\n  -   k: 3\n      n: 4\n"
    assert edit("l:\n  - a\n", ("set", ["l"], ["x", "y"])) == "l:\n  - x\n  - y\n"


def test_deleting_the_last_item_or_key_leaves_an_empty_collection() -> None:
    assert edit("l:\n- a\nz: 1\n", ("delete", ["l", 0])) == "l: []\nz: 1\n"
    assert edit("m:\n  k: 1\nz: 1\n", ("delete", ["m", "k"])) == "m: {}\nz: 1\n"
    assert edit("k: 1\n", ("delete", ["k"])) == "{}\n"
    assert edit("- a\n", ("delete", [0])) == "[]\n"
    assert edit("l:\n- k: 1\n", ("delete", ["l", 0, "k"])) == "l:\n- {}\n"


def test_deleting_items_whose_mapping_starts_on_the_dash_line() -> None:
    text = "l:\n- name: a\n  x: 1\n- name: b\n  x: 2\n- name: c\nz: 1\n"
    assert edit(text, ("delete", ["l", 1])) == "l:\n- name: a\n  x: 1\n- name: c\nz: 1\n"
    assert edit(text, ("delete", ["l", 2])) == "l:\n- name: a\n  x: 1\n- name: b\n  x: 2\nz: 1\n"
    assert edit(text, ("delete", ["l", 0, "name"])) == \
        "l:\n- x: 1\n- name: b\n  x: 2\n- name: c\nz: 1\n"
    assert edit(text, ("delete", ["l", 0, "name"]), ("delete", ["l", 0, "x"])) == \
        "l:\n- {}\n- name: b\n  x: 2\n- name: c\nz: 1\n"


def test_deleting_after_a_block_scalar_keeps_its_text() -> None:
    # lines after the deleted entry would otherwise become text of the "|" block above
    assert edit("l:\n- |-\n  a\n- false\n  # note\nz: 1\n", ("delete", ["l", 1])) == \
        "l:\n- |-\n  a\nz: 1\n"
    assert edit("x: |\n  text\ny: 1\n  # deeper\n# shallow\nz: 2\n", ("delete", ["y"])) == \
        "x: |\n  text\n# shallow\nz: 2\n"
    assert edit("a: |+\n  x\nb: 1\n\nc: 2\n", ("delete", ["b"])) == "a: |+\n  x\nc: 2\n"
    assert edit("a: 1\nb: 1\n  # deeper\nc: 2\n", ("delete", ["b"])) == \
        "a: 1\n  # deeper\nc: 2\n"


def test_appending_to_scalar_lists() -> None:
    text = "omitNamespaces:\n- kube-system\n- kube-public\nkinds: []\n"
    assert edit(text, ("append", ["omitNamespaces"], "default"),
                ("append", ["kinds"], "Pod")) == \
        "omitNamespaces:\n- kube-system\n- kube-public\n- default\nkinds:\n- Pod\n"


def test_append_then_delete_and_delete_then_set_in_one_edit() -> None:
    text = "l:\n- a\nm:\n  k: 1\n  j: 2\n"
    assert edit(text, ("append", ["l"], "b"), ("delete", ["l", 1])) == text
    assert edit(text, ("delete", ["m", "k"]), ("set", ["m", "k"], 5)) == \
        "l:\n- a\nm:\n  k: 5\n  j: 2\n"
    assert edit(text, ("set", ["m", "n"], 1), ("delete", ["m", "n"])) == text


def test_several_edits_recorded_against_one_parse() -> None:
    text = ("d:\n- name: x\n  env:\n    customSizing: {}\n    ha:\n      cd:\n"
            "        enabled: false\n")
    out = edit(text,
               ("set", ["d", 0, "env", "ha", "cd", "enabled"], True),
               ("set", ["d", 0, "env", "ha", "cd", "redisMasterEndpoint"], "redis://m:6379"),
               ("set", ["d", 0, "env", "customSizing", "spin-echo-worker", "replicas"], 2),
               ("set", ["d", 0, "env", "ha", "echo", "enabled"], True))
    assert out == ("d:\n- name: x\n  env:\n    customSizing:\n      spin-echo-worker:\n"
                   "        replicas: 2\n    ha:\n      cd:\n        enabled: true\n"
                   "        redisMasterEndpoint: redis://m:6379\n      echo:\n"
                   "        enabled: true\n")


# ----------------------------------------------------------------- errors


def test_errors_are_hal_errors_and_change_nothing() -> None:
    doc = Document("a: [1]\nm: {}\ns: x\n", "cfg")
    with pytest.raises(PathError, match=r"cfg: a\[5\]: no such item"):
        doc.set(["a", 5], 1)
    with pytest.raises(PathError, match="is a list"):
        doc.set(["a", "k"], 1)
    with pytest.raises(PathError, match=r"^cfg: m\.k\[0\]: no such item .*append"):
        doc.set(["m", "k", 0], 1)
    with pytest.raises(NotAListError):
        doc.append(["s"], 1)
    with pytest.raises(TypeError):
        doc.set(["m"], object())
    assert isinstance(PathError("x"), (HalError, KeyError))
    assert doc.delete(["a", 7]) is False
    assert doc.delete(["nope", "x"]) is False
    assert doc.data == {"a": [1], "m": {}, "s": "x"}
    assert doc.text == "a: [1]\nm: {}\ns: x\n"


def test_parse_errors_name_file_line_and_column() -> None:
    with pytest.raises(ConfigError, match=r"^cfg:2:5: invalid YAML: mapping values"):
        Document("a: 1\nb: c: d\n", "cfg")
    with pytest.raises(ConfigError, match="cfg"):
        parse("a: 1\n---\nb: 2\n", "cfg")


def test_parse_matches_pyyaml_for_tags_and_timestamps() -> None:
    text = "a: !!str 1\nb: 2024-01-02\nc: 0x1F\nd: .inf\ne: !!binary aGk=\nf: !!set {x}\n"
    assert parse(text, "x")[1] == yaml.load(text, Loader=yaml.CSafeLoader)


def test_dump_keeps_key_order_and_halyard_layout() -> None:
    assert dump({"b": 1, "a": [{"x": 1}]}) == "b: 1\na:\n- x: 1\n"


# ------------------------------------------------------------- the safety net


def test_a_wrong_splice_is_caught_before_the_text_is_handed_out(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from pyhalyard.halconfig import document

    real = document._indent
    monkeypatch.setattr(document, "_indent",
                        lambda text, column, first=True: real(text, column, first)
                        .replace("2", "3"))
    doc = Document("a:\n  b: 1\nc: 1\n")
    doc.set(["a", "x"], 2)  # written as "x: 3": not what data says
    with pytest.raises(HalError, match=r"internal error.*nothing was written"):
        doc.text  # noqa: B018


def test_a_wrong_indent_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    from pyhalyard.halconfig import document

    monkeypatch.setattr(document, "_indent", lambda text, column, first=True: text.rstrip())
    doc = Document("a:\n  b: 1\nc: 1\n")
    doc.set(["a", "x"], 2)  # "x: 2" at column 0 would become a top-level key
    with pytest.raises(HalError, match="internal error"):
        doc.text  # noqa: B018


def test_edits_after_reading_text_use_the_new_text() -> None:
    doc = Document("a:\n  b: 1\nl:\n- x\n")
    doc.set(["a", "c"], 2)
    assert doc.text == "a:\n  b: 1\n  c: 2\nl:\n- x\n"
    doc.append(["l"], "y")
    doc.delete(["a", "b"])
    assert doc.text == "a:\n  c: 2\nl:\n- x\n- y\n"
    assert doc.root is not None and doc.root.end_mark.index == len(doc.text)


def test_the_window_check_sees_lines_a_block_scalar_would_swallow(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Document, "_skip_trivia", lambda self, offset, column: offset)
    doc = Document("l:\n- |-\n  a\n- false\n  # note\nz: 1\n")
    doc.delete(["l", 1])  # without the fix the comment becomes part of l[0]
    with pytest.raises(HalError, match="internal error"):
        doc.text  # noqa: B018


def test_lines_go_after_a_removed_last_entry_and_what_it_took_along() -> None:
    assert edit("a: |\n  t\nb: 1\n\n  # c\n", ("delete", ["b"]), ("set", ["c"], 1)) == \
        "a: |\n  t\nc: 1\n"
    assert edit("l:\n- |\n  t\n- 1\n\n  # c\n", ("delete", ["l", 1]), ("append", ["l"], 2)) == \
        "l:\n- |\n  t\n- 2\n"


def test_values_the_constructor_rejects_are_located() -> None:
    with pytest.raises(ConfigError, match=r"^cfg:2:11: invalid YAML: cannot read "
                                          r"'2024-13-45' as timestamp \(month must be"):
        Document("a: 1\ntimezone: 2024-13-45\n", "cfg")
    with pytest.raises(ConfigError, match=r"^cfg:1:8: invalid YAML: cannot read 'Berlin' as int"):
        Document("x: [1, !!int Berlin]\n", "cfg")


def test_replacing_a_block_that_ends_in_a_keep_chomped_scalar_keeps_the_next_key() -> None:
    """A ``|+`` scalar keeps its trailing line breaks, so the block it ends runs up to the
    next key's line; replacing the block with a plain value must still end its line
    (found by the property test: the edit used to produce ``'0': null a: null``)."""
    text = "---\r\n'0':\r\n-\r\n     \r\n  - |+\r\n      line1\r\n      line2\r\na: null"
    doc = Document(text)
    doc.set(["0"], None)
    assert yaml.safe_load(doc.text) == {"0": None, "a": None}
    assert doc.text.endswith("\na: null")
