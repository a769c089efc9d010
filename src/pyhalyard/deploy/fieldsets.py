"""Field sets in the API server's ``FieldsV1`` encoding (``metadata.managedFields[].fieldsV1``).

A field set is a trie: each key is one path element (``f:name`` a field,
``k:{...}`` a list item by its keys, ``v:...`` a set value, ``i:N`` an index)
and ``"."`` marks that the path ending at this node is itself a member.  A leaf
written as ``{}`` is a member too.  pyhalyard needs two operations on it -- the
union (taking over another manager's fields) and adding a path (claiming a field
nobody owns) -- and both must keep the exact encoding the server reads back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

SELF = "."


@dataclass
class FieldSet:
    """One node of the trie: whether its own path is a member, and its children."""

    member: bool = False
    children: dict[str, FieldSet] = field(default_factory=dict)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None, *, root: bool = True) -> FieldSet:
        node = cls()
        items = dict(raw or {})
        # A non-root node with nothing under it is a member leaf; the root never is.
        if not root and (not items or SELF in items):
            node.member = True
        for key, value in items.items():
            if key == SELF:
                continue
            if not isinstance(value, Mapping):
                raise ValueError(f"fieldsV1: {key} is not an object")
            node.children[key] = cls.from_json(value, root=False)
        return node

    def to_json(self, *, root: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.member and self.children and not root:
            out[SELF] = {}
        for key in sorted(self.children):
            out[key] = self.children[key].to_json(root=False)
        return out

    def union(self, other: FieldSet) -> FieldSet:
        merged = FieldSet(self.member or other.member, {})
        for key in self.children.keys() | other.children.keys():
            mine, theirs = self.children.get(key), other.children.get(key)
            if mine is not None and theirs is not None:
                merged.children[key] = mine.union(theirs)
            else:
                merged.children[key] = _copy(mine if mine is not None else theirs)
        return merged

    def add(self, path: Iterable[str]) -> None:
        """Make ``path`` (path elements, e.g. ``("f:spec", "f:strategy")``) a member."""
        node = self
        for element in path:
            node = node.children.setdefault(element, FieldSet())
        node.member = True

    def has(self, path: Iterable[str]) -> bool:
        node: FieldSet | None = self
        for element in path:
            node = node.children.get(element) if node is not None else None
        return node is not None and node.member

    def has_under(self, path: Iterable[str]) -> bool:
        """Is ``path`` or anything below it a member?"""
        node: FieldSet | None = self
        for element in path:
            node = node.children.get(element) if node is not None else None
            if node is None:
                return False
        return node is not None and (node.member or bool(node.children))

    def paths(self, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
        out = [prefix] if self.member else []
        for key in sorted(self.children):
            out.extend(self.children[key].paths((*prefix, key)))
        return out


def _copy(node: FieldSet | None) -> FieldSet:
    assert node is not None
    return FieldSet(node.member, {k: _copy(v) for k, v in node.children.items()})


def union_json(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> dict[str, Any]:
    return FieldSet.from_json(a).union(FieldSet.from_json(b)).to_json()
