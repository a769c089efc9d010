"""A small reader for mermaid flowcharts: the seed's diagram and our own output."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pyhalyard import catalog

NODE = r"[A-Za-z0-9_-]+"
# (Label)  [(Label)]  [Label]  ("Label")
SHAPE = r"(?:\[\(.*?\)\]|\(.*?\)|\[.*?\])?"
EDGE = re.compile(rf"^({NODE}){SHAPE}\s*(-->|-\.->)(?:\|([^|]*)\|)?\s*({NODE}){SHAPE}\s*;?$")
NODE_DECL = re.compile(rf"^({NODE})({SHAPE});?$")
CLASS = re.compile(rf"^class\s+({NODE}(?:,{NODE})*)\s+({NODE});?$")
OTHER = re.compile(r"^(graph (TB|TD|LR)|classDef \S+ \S+;?|linkStyle default \S+;?)$")


@dataclass
class Flowchart:
    nodes: set[str] = field(default_factory=set)
    edges: set[tuple[str, str]] = field(default_factory=set)
    labels: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    classes: dict[str, set[str]] = field(default_factory=dict)
    unparsed: list[str] = field(default_factory=list)


def parse(text: str) -> Flowchart:
    chart = Flowchart()
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if m := EDGE.match(line):
            src, _, label, dst = m.groups()
            chart.nodes |= {src, dst}
            chart.edges.add((src, dst))
            if label:
                chart.labels.setdefault((src, dst), set()).add(label)
        elif m := CLASS.match(line):
            chart.classes.setdefault(m[2], set()).update(m[1].split(","))
        elif m := NODE_DECL.match(line):
            chart.nodes.add(m[1])
        elif not OTHER.match(line):
            chart.unparsed.append(line)
    return chart


def seed_block(seed: Path) -> str:
    text = seed.read_text(encoding="utf-8")
    m = re.search(r'<div class="mermaid">(.*?)</div>', text, re.S)
    assert m, f"no mermaid block in {seed}"
    return m.group(1)


def canonical(node: str) -> str:
    """The seed's names read as ours: echo-slave is echo-worker."""
    try:
        return catalog.canonical_name(node)
    except catalog.UnknownServiceError:
        return node


def seed_chart(seed: Path) -> Flowchart:
    chart = parse(seed_block(seed))
    out = Flowchart(
        nodes={canonical(n) for n in chart.nodes},
        edges={(canonical(a), canonical(b)) for a, b in chart.edges},
        classes={k: {canonical(n) for n in v} for k, v in chart.classes.items()},
        unparsed=chart.unparsed,
    )
    return out
