"""Parsing proves a config has no repeated key, so validation skips its second tree walk.

``Document.duplicate_free`` may only be True when no mapping writes a key's text twice:
the duplicate-key WARNING (validate/reading.py) trusts it.
"""

from __future__ import annotations

import pytest

from pyhalyard.halconfig.document import Document
from pyhalyard.validate.reading import duplicate_keys_in


@pytest.mark.parametrize("text", [
    "a: 1\nb:\n  c: [1, 2]\n  d: {e: f}\n",
    "list:\n- name: x\n  v: 1\n- name: y\n  v: 2\n",
    "",
])
def test_a_config_without_repeated_keys_is_proven_free(text: str) -> None:
    doc = Document(text)
    assert doc.duplicate_free
    assert list(duplicate_keys_in(doc.root)) == []


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n",  # plain repeat
    "outer:\n- inner:\n    k: 1\n    k: 2\n",  # deep inside a list
    "1: a\n'1': b\n",  # same text, different types: the walk decides
    "true: a\nTrue: b\n",  # different text, same key once read
    "x: &a {k: 1}\ny: *a\n",  # anchors: the slow constructor, not proven
])
def test_a_possible_repeat_is_never_claimed_free(text: str) -> None:
    assert not Document(text).duplicate_free


def test_the_warning_still_names_a_repeat_and_edits_keep_the_answer_right() -> None:
    doc = Document("a:\n  b: 1\n  b: 2\nc: 3\n")
    assert not doc.duplicate_free
    assert [(d[1], d[2], d[3]) for d in duplicate_keys_in(doc.root)] == [("b", 2, 3)]
    clean = Document("a:\n  b: 1\nc: 3\n")
    clean.set(("c",), 4)
    assert clean.text == "a:\n  b: 1\nc: 4\n"
    assert clean.duplicate_free
