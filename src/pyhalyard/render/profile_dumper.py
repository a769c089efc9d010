"""PyYAML's safe dumper for profiles, with the Python-level work of the common case cut.

A 2,000-account ``clouddriver.yml`` is ~65,000 YAML nodes.  libyaml emits them in C,
but PyYAML builds every node in Python (representer lookup by type, alias
bookkeeping, style checks per mapping) and asks the resolver twice per scalar which
implicit type its text would read as.  Render spent most of its time there.

``ProfileDumper`` gives the same nodes for the same data, so libyaml writes the same
bytes: plain ``dict``/``list``/``tuple`` containers (keys made strings, mappings in
sorted key order, block style) and ``str``/``bool``/``int``/``None`` scalars are turned
into nodes directly, anything else goes through PyYAML's representer as before; and
the resolver's answer for a scalar text -- a pure function of the text -- is
remembered.  A test compares it with ``yaml.dump`` on rendered profiles.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

try:
    _SafeDumper: type[yaml.SafeDumper] = yaml.CSafeDumper  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _SafeDumper = yaml.SafeDumper

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"

# implicit flags -> scalar text -> tag; the safe resolver has no path resolvers, so the
# answer depends on nothing else.
_RESOLVED: dict[tuple[bool, bool], dict[str, str]] = {}


class ProfileDumper(_SafeDumper):  # type: ignore[misc, valid-type]
    """Sorted keys, block style, never ``&anchor``/``*alias`` (people diff these files).

    Use with ``sort_keys=True, default_flow_style=False`` (what profiles are written
    with); other settings fall back to PyYAML's representer for every node."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode and not self.yaml_path_resolvers:
            known = _RESOLVED.get(implicit)
            if known is None:
                known = _RESOLVED[implicit] = {}
            found = known.get(value)
            if found is None:
                found = known[value] = str(super().resolve(kind, value, implicit))
            return found
        return str(super().resolve(kind, value, implicit))

    def represent(self, data: Any) -> None:
        if self.sort_keys and self.default_flow_style is False and self.default_style is None:
            node = self._node(data)
        else:
            node = self.represent_data(data)
        self.serialize(node)
        self.represented_objects: dict[Any, Any] = {}
        self.object_keeper: list[Any] = []
        self.alias_key = None

    def _node(self, data: Any) -> Node:
        """What SafeRepresenter.represent_data gives for ``canonical(data)``."""
        cls = type(data)
        if cls is str:
            return ScalarNode(_STR, data)
        if cls is bool:
            return ScalarNode(_BOOL, "true" if data else "false")
        if cls is int:
            return ScalarNode(_INT, str(data))
        if data is None:
            return ScalarNode(_NULL, "null")
        if isinstance(data, dict):
            items = sorted({str(k): v for k, v in data.items()}.items())
            node = self._node
            return MappingNode(_MAP, [(ScalarNode(_STR, k), node(v)) for k, v in items],
                               flow_style=False)
        if isinstance(data, (list, tuple)):
            node = self._node
            return SequenceNode(_SEQ, [node(v) for v in data], flow_style=False)
        represented: Node = self.represent_data(data)
        return represented
