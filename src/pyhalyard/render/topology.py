"""The deployment's call graph, read back from the rendered profiles.

Who calls which *base* service is a fact of Spinnaker's code and lives in the
catalogue (``Service.calls``).  Which *concrete* service answers is deliberately
not taken from the plan: it is resolved the way the caller's JVM would resolve
it -- its ``spinnaker.yml`` and profile files merged in ``SPRING_PROFILES_ACTIVE``
order -- and the URL's host is mapped back to a service.  A wiring bug in the
profile renderers therefore shows up as a wrong (or red, "not deployed") edge.

Labels of endpoints outside the cluster carry the host only, so Redis passwords
in ``redis://:secret@host`` URLs can never reach the picture.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml

from pyhalyard import catalog
from pyhalyard.errors import ConfigError, HalError
from pyhalyard.plan import Plan
from pyhalyard.redis.endpoint import mask_text

FORMATS = ("mermaid", "dot", "svg")

# Node kinds (each has its own colour in both mermaid and dot).
SERVICE, SPLIT, EXTERNAL, REDIS, ENDPOINT, MISSING = (
    "service", "split", "external", "redis", "endpoint", "missing")

# The client that is not a Spinnaker service (the seed draws it too).
API_CALLER = "api"
API_LABEL = "Custom Script/API Caller"

# Edge labels.
MASTER, REPLICA = "master", "replica"

# Properties other than ``services.<base>.baseUrl`` through which a caller reaches a
# service: (dotted key, base service called, edge label).
EXTRA_ENDPOINTS: tuple[tuple[str, str, str], ...] = (
    ("clouddriver.readonly.baseUrl", "clouddriver", "readonly"),
    ("services.clouddriver.config.dynamicEndpoints.deck", "clouddriver", "deck"),
)
# Redis connections of a service: (dotted key, edge label).
REDIS_KEYS: tuple[tuple[str, str], ...] = (
    ("services.redis.baseUrl", MASTER),
    ("services.redisRo.baseUrl", REPLICA),
)

_ROLE_LABELS = {"caching": "Caching", "rw": "Read-Write", "ro": "Read-Only",
                "ro-deck": "Read-Only-Deck", "scheduler": "Scheduler", "worker": "Worker"}
_DEFAULT_PORTS = {"http": 80, "https": 443, "redis": 6379, "rediss": 6379}
_PLACEHOLDER = re.compile(r"\$\{([^}:]+)(?::([^}]*))?\}")

# Colours (fill, stroke): the seed's palette, plus Redis, external endpoints and missing.
STYLE: dict[str, tuple[str, str]] = {
    SERVICE: ("#d8e8ec", "#39546a"),
    EXTERNAL: ("#c0d89d", "#39546a"),
    SPLIT: ("#42f4c2", "#39546a"),
    REDIS: ("#f4d7a1", "#39546a"),
    ENDPOINT: ("#e8d5f0", "#39546a"),
    MISSING: ("#f8b4b4", "#b00020"),
}


@dataclass(frozen=True, order=True)
class Node:
    id: str
    label: str
    kind: str
    # A data store (drawn as a cylinder) rather than an HTTP service.
    store: bool = False


@dataclass(frozen=True, order=True)
class Edge:
    source: str
    target: str
    label: str = ""


@dataclass(frozen=True)
class Topology:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def node(self, node_id: str) -> Node:
        return next(n for n in self.nodes if n.id == node_id)

    def pairs(self) -> set[tuple[str, str]]:
        """(caller, callee) of every edge, labels ignored."""
        return {(e.source, e.target) for e in self.edges}

    def as_data(self) -> dict[str, Any]:
        return {
            "nodes": [{"id": n.id, "label": n.label, "kind": n.kind} for n in self.nodes],
            "edges": [{"from": e.source, "to": e.target, **({"label": e.label} if e.label else {})}
                      for e in self.edges],
        }


# ----------------------------------------------------------------- profiles
def _norm(segment: str) -> str:
    """Spring's relaxed binding: ``baseUrl``, ``base-url`` and ``base_url`` are one key."""
    return segment.replace("-", "").replace("_", "").lower()


def _norm_key(dotted: str) -> str:
    return ".".join(_norm(part) for part in dotted.split("."))


def _flatten(data: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            _flatten(value, path, out)
    elif prefix:
        out[_norm_key(prefix)] = data


def _load(service: str, file: str, text: str) -> dict[str, Any]:
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"rendered {service}/{file}", f"not valid YAML: {exc}",
                          mark.line + 1 if mark else None,
                          mark.column + 1 if mark else None) from None
    flat: dict[str, Any] = {}
    _flatten(data, "", flat)
    return flat


@dataclass(frozen=True)
class Properties:
    """A service's effective Spring properties (flattened, relaxed keys)."""

    values: dict[str, Any]

    def get(self, dotted: str) -> Any:
        return self.values.get(_norm_key(dotted))

    def url(self, dotted: str) -> str | None:
        value = self.get(dotted)
        if not isinstance(value, str) or not value.strip():
            return None
        return self._resolve(value, depth=0)

    def _resolve(self, text: str, depth: int) -> str:
        if depth > 10:
            return text

        def sub(m: re.Match[str]) -> str:
            found = self.values.get(_norm_key(m[1]))
            if found is None:
                return m[2] if m[2] is not None else m[0]
            return self._resolve(str(found), depth + 1)

        return _PLACEHOLDER.sub(sub, text)


def active_profiles(plan: Plan, name: str) -> tuple[str, ...]:
    """The Spring profiles the container really runs with (settings ``env`` may override)."""
    sp = plan.services[name]
    env = sp.env.get("SPRING_PROFILES_ACTIVE")
    if env is not None:
        return tuple(p.strip() for p in env.split(",") if p.strip())
    return sp.spring_profiles


def effective_properties(plan: Plan, name: str, files: Mapping[str, str]) -> Properties:
    """Merge the files the service's Spring Boot would read, later layers winning.

    Order: ``spinnaker.yml``, ``<base>.yml``, then per active profile ``spinnaker-<p>.yml``
    and ``<base>-<p>.yml``; last the container's environment variables.  For a role
    ``<base>-<role>-overrides.yml`` is exactly ``<base>-<p>.yml`` with ``p = <role>-overrides``.
    """
    base = plan.services[name].service.base
    flat: dict[str, Any] = {}
    for profile in (None, *active_profiles(plan, name)):
        suffix = f"-{profile}" if profile else ""
        for file in (f"spinnaker{suffix}.yml", f"{base}{suffix}.yml"):
            if file in files:
                flat.update(_load(name, file, files[file]))
    for key, value in sorted(plan.services[name].env.items()):
        if re.fullmatch(r"[A-Z0-9_]+", key):
            flat[_norm_key(key.lower().replace("_", "."))] = value
    return Properties(flat)


# ----------------------------------------------------------------- resolution
def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "x"


def _label(service: catalog.Service) -> str:
    base = service.base.replace("-", " ").title().replace(" ", "-")
    if service.role:
        return f"{base}-{_ROLE_LABELS.get(service.role, service.role.title())}"
    return base


def _kind(service: catalog.Service) -> str:
    if service.public and service.name == "deck":
        return EXTERNAL
    if service.base == "redis":
        return REDIS
    return SPLIT if service.is_role else SERVICE


class _Resolver:
    """Maps a URL from a profile back to a node (a service, or an endpoint by host)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.nodes: dict[str, Node] = {}
        # skipLifeCycleManagement services run with configuration pyhalyard does not
        # control, even when it stages profiles for them: their calls are unknown.
        self.elsewhere = {sp.name for sp in plan.enabled()
                          if not sp.managed and sp.service.deployable
                          and (sp.service.calls or sp.service.uses_redis)}
        # (host, port) of every enabled service's own base URL: public localhost
        # addresses of deck/gate and overrideBaseUrl services (an external Redis).
        self.addresses: dict[tuple[str, int], str] = {}
        # Exact base URLs, for host-less ones such as gate's ``/gate`` behind deck's ingress.
        self.urls: dict[str, str] = {}
        for sp in sorted(plan.enabled(), key=lambda s: s.name):
            self.urls.setdefault(sp.base_url.strip(), sp.name)
            hp = _host_port(sp.base_url)
            if hp is not None:
                self.addresses.setdefault(hp, sp.name)

    def service_node(self, name: str) -> Node:
        sp = self.plan.services[name]
        service = sp.service
        drawn = sp.enabled and service.deployable
        label = _label(service)
        if not drawn:
            label += " (not deployed)"
        elif name in self.elsewhere:
            label += " (managed elsewhere)"
        elif sp.settings.get("overrideBaseUrl") and (hp := _host_port(sp.base_url)):
            # e.g. Redis run outside Spinnaker: say where (host only, never the password).
            label += f" ({hp[0]})"
        node = Node(service.name, label, _kind(service) if drawn else MISSING,
                    store=service.base == "redis")
        self.nodes[node.id] = node
        return node

    def resolve(self, url: str) -> tuple[Node, str]:
        """The node answering ``url`` and a note for the edge (a port nobody listens on)."""
        url = url.strip()
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            port = None
        host = (parts.hostname or "").lower()
        port = port or _DEFAULT_PORTS.get(parts.scheme)
        name = self._cluster_name(host)
        if name is not None:
            expected = self.plan.services[name].port
            note = f"port {port}" if port is not None and port != expected else ""
            return self.service_node(name), note
        if port is not None and (host, port) in self.addresses:
            return self.service_node(self.addresses[(host, port)]), ""
        if url in self.urls:
            return self.service_node(self.urls[url]), ""
        return self._endpoint(host, port, parts.scheme, parts.path), ""

    def _cluster_name(self, host: str) -> str | None:
        first, _, rest = host.partition(".")
        if not first.startswith(catalog.NAME_PREFIX):
            return None
        ns = self.plan.namespace.lower()
        if rest not in ("", ns, f"{ns}.svc", f"{ns}.svc.cluster.local"):
            return None
        try:
            name = catalog.canonical_name(first)
        except catalog.UnknownServiceError:
            return None
        return name if name in self.plan.services else None

    def _endpoint(self, host: str, port: int | None, scheme: str, path: str) -> Node:
        # Host only: never the userinfo of the URL (Redis passwords live there).
        shown = host or (path if path.startswith("/") else "") or "(no host)"
        node_id = "ext-" + _slug(f"{shown}-{port}" if port else shown)
        node = Node(node_id, mask_text(shown), ENDPOINT, store=scheme in ("redis", "rediss"))
        self.nodes[node_id] = node
        return node


def _host_port(url: str) -> tuple[str, int] | None:
    parts = urlsplit(url)
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None
    if not parts.hostname or port is None:
        return None
    return parts.hostname.lower(), port


def _runs(props: Properties, base: str) -> bool:
    """Whether the caller's profiles say some service answers for ``base`` at all.

    ``services.fiat.enabled: false`` (authz off) means gate never calls fiat; a split
    base is disabled too, but its roles are enabled and the caller still calls it.
    """
    keys = [catalog.BY_NAME[base].camel,
            *(catalog.BY_NAME[role].camel for role in catalog.SPLITS.get(base, ()))]
    return any(props.get(f"services.{key}.enabled") is not False for key in keys)


def _callers(plan: Plan) -> list[str]:
    return sorted(sp.name for sp in plan.enabled() if sp.service.deployable)


def build_topology(plan: Plan, profiles: Mapping[str, Mapping[str, str]]) -> Topology:
    """The call graph of ``plan`` as its rendered ``profiles`` wire it."""
    resolver = _Resolver(plan)
    edges: set[Edge] = set()
    for name in _callers(plan):
        sp = plan.services[name]
        service = sp.service
        files = profiles.get(name)
        caller = resolver.service_node(name)
        if name in resolver.elsewhere:
            continue
        if service.base == "deck":
            props = _deck_properties(files or {}, profiles)
        elif service.java:
            if files is None or "spinnaker.yml" not in files:
                raise HalError(f"topology: no rendered spinnaker.yml for service '{name}'")
            props = effective_properties(plan, name, files)
        else:
            props = Properties({})

        for base in service.calls:
            if not _runs(props, base):
                continue
            url = props.url(f"services.{catalog.BY_NAME[base].camel}.baseUrl")
            if url is None:
                continue
            target, note = resolver.resolve(url)
            edges.add(Edge(caller.id, target.id, note))
        for key, base, label in EXTRA_ENDPOINTS:
            url = props.url(key)
            if url is not None and base in service.calls:
                target, note = resolver.resolve(url)
                edges.add(Edge(caller.id, target.id, " ".join(filter(None, (label, note)))))
        if service.uses_redis:
            edges |= _redis_edges(caller.id, props, resolver)

    gate = plan.services.get("gate")
    if gate is not None and gate.enabled:
        resolver.nodes[API_CALLER] = Node(API_CALLER, API_LABEL, EXTERNAL)
        edges.add(Edge(API_CALLER, resolver.service_node("gate").id))
    return Topology(tuple(sorted(resolver.nodes.values())), tuple(sorted(edges)))


_GATE_URL = re.compile(r"""\bgateUrl\b["']?\s*[:=]\s*(["'])(.*?)\1""")


def _deck_properties(files: Mapping[str, str],
                     profiles: Mapping[str, Mapping[str, str]]) -> Properties:
    """Deck runs in the browser and calls gate at its ``gateUrl``.

    Read from deck's rendered ``settings.js`` then ``settings-local.js`` (loaded in
    that order, last assignment wins).  A custom ``settings.js`` that computes the
    URL instead of spelling it out falls back to ``services.gate.baseUrl`` of the
    shared ``spinnaker.yml``, which is what Halyard substitutes there.
    """
    found: list[str] = []
    for file in ("settings.js", "settings-local.js"):
        found += [m[2] for m in _GATE_URL.finditer(files.get(file, ""))]
    if found:
        return Properties({_norm_key("services.gate.baseUrl"): found[-1]})
    for name in sorted(profiles):
        if "spinnaker.yml" in profiles[name]:
            return Properties(_load(name, "spinnaker.yml", profiles[name]["spinnaker.yml"]))
    return Properties({})


def _redis_edges(caller: str, props: Properties, resolver: _Resolver) -> set[Edge]:
    targets: dict[str, tuple[Node, str]] = {}
    for key, label in REDIS_KEYS:
        url = props.url(key)
        if url is not None:
            targets[label] = resolver.resolve(url)
    edges: set[Edge] = set()
    replica = targets.get(REPLICA)
    for label, (node, note) in targets.items():
        # A read-only role points both connections at its replica: one "replica" edge.
        if label == MASTER and replica is not None and replica[0].id == node.id:
            continue
        edges.add(Edge(caller, node.id, " ".join(filter(None, (label, note)))))
    return edges


def topology_for(plan: Plan) -> Topology:
    """Render the profiles of ``plan`` and read the call graph back from them."""
    from pyhalyard.render.profiles import render_profiles

    return build_topology(plan, render_profiles(plan))


# ----------------------------------------------------------------- output
def _by_kind(nodes: Iterable[Node]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for node in nodes:
        out.setdefault(node.kind, []).append(node.id)
    return out


def _mermaid_label(text: str) -> str:
    return text.replace('"', "'")


def to_mermaid(topology: Topology) -> str:
    """A mermaid flowchart in the seed's style (split roles highlighted)."""
    lines = ["graph TB", ""]
    for node in topology.nodes:
        text = _mermaid_label(node.label)
        shape = f'[("{text}")]' if node.store else f'("{text}")'
        lines.append(f"  {node.id}{shape};")
    lines.append("")
    stores = {n.id for n in topology.nodes if n.store}
    for edge in topology.edges:
        # Redis connections dotted, calls solid.
        link = "-.->" if edge.target in stores else "-->"
        arrow = f"{link}|{_mermaid_label(edge.label)}|" if edge.label else link
        lines.append(f"  {edge.source} {arrow} {edge.target};")
    lines.append("")
    fill, stroke = STYLE[SERVICE]
    lines.append(f"  classDef default fill:{fill},stroke:{stroke};")
    lines.append(f"  linkStyle default stroke:{stroke},stroke-width:1px,fill:none;")
    groups = _by_kind(topology.nodes)
    for kind in (EXTERNAL, SPLIT, REDIS, ENDPOINT, MISSING):
        if kind not in groups:
            continue
        fill, stroke = STYLE[kind]
        dash = ",stroke-dasharray:4 3" if kind == MISSING else ""
        lines.append(f"  classDef {kind} fill:{fill},stroke:{stroke}{dash};")
        lines.append(f"  class {','.join(groups[kind])} {kind};")
    return "\n".join(lines) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(topology: Topology) -> str:
    """A Graphviz digraph; the same colours as the mermaid output."""
    fill, stroke = STYLE[SERVICE]
    lines = [
        "digraph spinnaker {",
        "  rankdir=TB;",
        f'  node [shape=box, style="rounded,filled", fillcolor="{fill}", color="{stroke}", '
        'fontname="Helvetica"];',
        f'  edge [color="{stroke}", fontname="Helvetica", fontsize=10];',
    ]
    for node in topology.nodes:
        attrs = [f"label={_dot_quote(node.label)}"]
        if node.kind != SERVICE:
            kfill, kstroke = STYLE[node.kind]
            attrs += [f'fillcolor="{kfill}"', f'color="{kstroke}"']
        if node.store:
            attrs.append("shape=cylinder")
        style = ["filled"] if node.store else ["rounded", "filled"]
        if node.kind == MISSING:
            style.append("dashed")
        if style != ["rounded", "filled"]:
            attrs.append(f'style="{",".join(style)}"')
        lines.append(f"  {_dot_quote(node.id)} [{', '.join(attrs)}];")
    stores = {n.id for n in topology.nodes if n.store}
    for edge in topology.edges:
        attrs = [f"label={_dot_quote(edge.label)}"] if edge.label else []
        if edge.target in stores:
            attrs.append("style=dashed")
        extra = f" [{', '.join(attrs)}]" if attrs else ""
        lines.append(f"  {_dot_quote(edge.source)} -> {_dot_quote(edge.target)}{extra};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_svg(topology: Topology) -> str:
    """SVG drawn by Graphviz's ``dot`` (deterministic: no timestamps in its output)."""
    dot = shutil.which("dot")
    if dot is None:
        raise HalError("--format svg needs Graphviz's 'dot' on PATH (e.g. apt-get install "
                       "graphviz); --format dot or mermaid work without it")
    result = subprocess.run([dot, "-Tsvg"], input=to_dot(topology), capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        raise HalError(f"dot -Tsvg failed (exit {result.returncode}): "
                       f"{mask_text(result.stderr.strip())}")
    return result.stdout


def render(topology: Topology, fmt: str) -> str:
    if fmt == "mermaid":
        return to_mermaid(topology)
    if fmt == "dot":
        return to_dot(topology)
    if fmt == "svg":
        return to_svg(topology)
    raise HalError(f"unknown topology format '{fmt}' (expected one of: {', '.join(FORMATS)})")
