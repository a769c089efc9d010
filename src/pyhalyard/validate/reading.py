"""Checks on how a real ``~/.hal`` reads, run before generate, render and apply.

- A key written twice in one mapping: YAML keeps the last one silently (two
  ``haServices:`` blocks turn clouddriver HA off without a word), so say so.
- A deployment pyhalyard cannot render: anything but a Distributed install on
  Kubernetes (Halyard's LocalDebian and LocalGit run the services on the host).
- A custom ``<name>-overrides.yml`` merged over the overrides pyhalyard generates
  (Redis of an HA role, re-pointed callers): name the generated keys it replaces,
  so a team routing a service through its own proxy can see which value wins.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pyhalyard.halconfig.document import format_path, parse
from pyhalyard.halconfig.model import DISTRIBUTED
from pyhalyard.pipeline import Loaded
from pyhalyard.validate.problem import Problem, Severity

ENV = "deploymentEnvironment"


def _key_text(node: Node) -> str | None:
    return node.value if isinstance(node, ScalarNode) else None


def _has_duplicates(root: Node) -> bool:
    """Fast first pass (no paths kept): most configs have no duplicated key at all."""
    stack = [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            if id(node) in seen:
                continue
            seen.add(id(node))
            pairs = node.value
            keys = {k.value for k, _ in pairs if isinstance(k, ScalarNode)}
            if len(keys) != sum(1 for k, _ in pairs if isinstance(k, ScalarNode)):
                return True
            stack.extend(v for _, v in pairs)
        elif isinstance(node, SequenceNode):
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.extend(node.value)
    return False


def duplicate_keys_in(root: Node | None) -> Iterator[tuple[str, str, int, int]]:
    """(path of the mapping, key, line of the shadowed entry, line of the winning entry)
    for every key written more than once in one mapping (1-based lines)."""
    if root is None or not _has_duplicates(root):
        return
    seen_nodes: set[int] = set()
    stack: list[tuple[Node, tuple[str | int, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen_nodes:
            continue  # an alias: its text was checked where the anchor is
        seen_nodes.add(id(node))
        if isinstance(node, MappingNode):
            first: dict[str, int] = {}
            for key_node, value_node in node.value:
                key = _key_text(key_node)
                if key is None:
                    continue
                line = key_node.start_mark.line + 1
                if key in first:
                    yield format_path(path) or "(top level)", key, first[key], line
                first[key] = line
                stack.append((value_node, (*path, key)))
        elif isinstance(node, SequenceNode):
            stack.extend((item, (*path, i)) for i, item in enumerate(node.value))


def _duplicate_problems(source: str, root: Node | None, prefix: str = ""
                        ) -> Iterator[Problem]:
    found = sorted(duplicate_keys_in(root), key=lambda d: d[2])
    for where, key, shadowed, wins in found:
        location = key if where == "(top level)" else f"{where}.{key}"
        yield Problem(Severity.WARNING, prefix + location,
                      f"'{key}' is written twice in {source} (lines {shadowed} and {wins}); "
                      f"the entry on line {wins} wins and the one on line {shadowed} is "
                      "ignored (hal edits change only the winning entry)",
                      f"merge the two '{key}' blocks into one and delete the other")


def duplicate_keys(loaded: Loaded) -> Iterator[Problem]:
    """YAML's last-one-wins, made visible, in the config and in service-settings files."""
    doc = loaded.config.doc
    if not doc.duplicate_free:  # parsing usually proved there is none: no second walk
        yield from _duplicate_problems(doc.source, doc.root)
    folder = loaded.paths.deployment(loaded.deployment.name).service_settings
    if folder.is_dir():
        for path in sorted(folder.glob("*.y*ml")):
            try:
                root = parse(path.read_text(encoding="utf-8"), str(path))[0]
            except (OSError, UnicodeDecodeError):
                continue  # reading the settings already reported it
            yield from _duplicate_problems(str(path), root, f"service-settings/{path.name}: ")


def distributed_kubernetes_only(loaded: Loaded) -> Iterator[Problem]:
    """pyhalyard renders and deploys only Distributed installs on a Kubernetes account."""
    env = loaded.deployment.environment
    if env.type != DISTRIBUTED:
        yield Problem(Severity.ERROR, f"{ENV}.type",
                      f"deploymentEnvironment.type is '{env.type}'; pyhalyard generates, "
                      "renders and deploys only Distributed (Kubernetes) installs",
                      "hal config deploy edit --type Distributed --account-name ACCOUNT")
    # A Distributed install without its Kubernetes account: distributed_needs_account.


def _leaves(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict) and data:
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(_leaves(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: data} if prefix else {}


def overridden_generated_keys(generated: dict[str, Any], user: Any) -> list[str]:
    """Generated properties (dotted) that the user's file sets too, or replaces a parent of."""
    if not isinstance(user, dict):
        return []
    mine = _leaves(generated)
    theirs = _leaves(user)
    hits = []
    for key in sorted(mine):
        if key in theirs or any(key.startswith(t + ".") for t in theirs):
            hits.append(key)
    return hits


def custom_overrides(loaded: Loaded) -> Iterator[Problem]:
    """INFO: which generated override keys a custom ``<name>-overrides.yml`` wins over."""
    from pyhalyard.pipeline import plan as plan_of
    from pyhalyard.render.profiles import overrides_file

    if not any(name.endswith("-overrides.yml") for name in loaded.custom.profiles):
        return  # no custom overrides file: nothing to compare (and no plan to build)
    plan = plan_of(loaded)  # the one validate's file rules and rendering use too
    for sp in plan.enabled():
        if not sp.overrides:
            continue
        own = overrides_file(sp.service)
        text = loaded.custom.profiles.get(own)
        if text is None:
            continue
        user = parse(text, f"profiles/{own}")[1]
        keys = overridden_generated_keys(sp.overrides, user)
        if keys:
            yield Problem(Severity.INFO, f"profiles/{own}",
                          f"merged over the overrides pyhalyard generates for {sp.name}; "
                          f"your values win for: {', '.join(keys)}",
                          "delete those keys from the file to use the generated wiring")


def monitoring_daemon_release(loaded: Loaded) -> Iterator[Problem]:
    """metricStores need the monitoring-daemon sidecar, whose image only some releases ship."""
    if not loaded.deployment.metrics_enabled:
        return
    from pyhalyard.releases import table
    from pyhalyard.render import monitoring
    from pyhalyard.render.images import Images

    dep = loaded.deployment
    images = Images(dep.version, loaded.paths, variant=None)
    artifact = str(loaded.custom.settings.get("monitoring-daemon", {}).get("artifactId") or "")
    if artifact.strip() or monitoring.image(images) is not None:
        return
    with_daemon = ", ".join(table().shipping(monitoring.ARTIFACT)[:3]) or "none bundled"
    yield Problem(Severity.WARNING, "metricStores.enabled",
                  f"Spinnaker {dep.version or '(no version)'} ships no monitoring-daemon image "
                  "(releases from 2025.0.0 on have none; releases whose BOM lists "
                  f"monitoring-daemon do, e.g. {with_daemon}), so no monitoring sidecar is "
                  "deployed and the configured metric stores receive nothing",
                  "scrape the services' own /spectator/metrics or /aop-prometheus endpoints "
                  "instead, and set metricStores.enabled: false")


def service_location(loaded: Loaded) -> Iterator[Problem]:
    """Halyard put a service with its own ``location`` into that namespace, and so do
    generate, render and ``hal deploy apply`` (which creates it); said as INFO because the
    deploy account then needs its rights in that namespace too."""
    from pyhalyard.kube_names import NAMESPACE_RULE, is_dns_label

    namespace = loaded.deployment.namespace
    for name, settings in sorted(loaded.custom.settings.items()):
        location = settings.get("location")
        if not location or str(location) == namespace:
            continue
        where = f"service-settings/{name}.yml: location"
        if not is_dns_label(str(location)):
            yield Problem(Severity.ERROR, where,
                          f"'{location}' is not a Kubernetes namespace name ({NAMESPACE_RULE})",
                          f"fix or delete 'location' in service-settings/{name}.yml")
            continue
        yield Problem(Severity.INFO, where,
                      f"{name} is placed in namespace '{location}', not '{namespace}' "
                      "(Halyard's per-service location): generate, render and hal deploy "
                      "apply put it there, and apply creates that namespace",
                      f"the deploy account needs the same rights in '{location}'")
