"""Checks on the sections the command table edits (issue 13), for hand-edited files too.

The generated commands already refuse a duplicate ``add``, a dangling reference and
an unreadable file; these rules catch the same mistakes when the YAML was edited by
hand.  Halyard: AccountService.getAnyProviderAccount ("More than one account named
... was found": clouddriver keys credentials by account name alone, across
providers), ArtifactAccountService / ArtifactTemplateService / ClusterService
(duplicates within one list), EcsAccountValidator (the AWS account must exist),
DCOSAccountValidator (docker registries must exist), and the ``@LocalFile`` fields
Halyard reads while validating.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from pyhalyard.pipeline import Loaded
from pyhalyard.validate.problem import Problem, Severity

_NOT_LOCAL = ("encrypted:", "configserver:")


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _names(items: Any) -> list[tuple[int, str]]:
    return [(i, str(item.get("name"))) for i, item in enumerate(items)
            if isinstance(item, dict) and item.get("name") is not None] \
        if isinstance(items, list) else []


def _duplicates(entries: list[tuple[str, str]], what: str,
                fix: str = "rename or delete one of them") -> Iterator[Problem]:
    """``entries``: (location, name); every repeat of a name is one ERROR."""
    seen: dict[str, str] = {}
    for where, name in entries:
        if name in seen:
            yield Problem(Severity.ERROR, where,
                          f"more than one {what} is named '{name}' (also {seen[name]})", fix)
        else:
            seen[name] = where


def named_items_unique(loaded: Loaded) -> Iterator[Problem]:
    raw = loaded.deployment.raw
    providers = _mapping(raw.get("providers"))
    yield from _duplicates(
        [(f"providers.{p}.accounts[{i}]", name)
         for p, block in providers.items()
         for i, name in _names(_mapping(block).get("accounts"))],
        "provider account", "rename one: clouddriver needs account names unique across "
                            "all providers")
    yield from _duplicates([(f"providers.dcos.clusters[{i}]", name) for i, name in
                            _names(_mapping(providers.get("dcos")).get("clusters"))],
                           "DC/OS cluster")
    for section, key in (("artifacts", "accounts"), ("ci", "masters"), ("ci", "accounts")):
        for kind, block in _mapping(raw.get(section)).items():
            items = _mapping(block).get(key)
            yield from _duplicates([(f"{section}.{kind}.{key}[{i}]", name)
                                    for i, name in _names(items)], f"{kind} {key[:-1]}")
    templates = _mapping(raw.get("artifacts")).get("templates")
    yield from _duplicates([(f"artifacts.templates[{i}]", name)
                            for i, name in _names(templates)], "artifact template")


def table_references(loaded: Loaded) -> Iterator[Problem]:
    providers = _mapping(loaded.deployment.raw.get("providers"))

    def known(provider: str) -> set[str]:
        return {name for _, name in _names(_mapping(providers.get(provider)).get("accounts"))}

    aws = known("aws")
    for i, account in enumerate(_mapping(providers.get("ecs")).get("accounts") or []):
        ref = _mapping(account).get("awsAccount")
        if ref is not None and str(ref) not in aws:
            yield Problem(Severity.ERROR, f"providers.ecs.accounts[{i}].awsAccount",
                          f"ECS account '{_mapping(account).get('name')}' uses AWS account "
                          f"'{ref}', which is not an aws account of this deployment",
                          "hal config provider aws account add ... first")
    registries = known("dockerRegistry")
    for i, account in enumerate(_mapping(providers.get("dcos")).get("accounts") or []):
        refs = _mapping(account).get("dockerRegistries") or []
        for j, ref in enumerate(refs if isinstance(refs, list) else []):
            name = _mapping(ref).get("accountName")
            if name is not None and str(name) not in registries:
                yield Problem(Severity.ERROR,
                              f"providers.dcos.accounts[{i}].dockerRegistries[{j}]",
                              f"docker registry '{name}' is not a dockerRegistry account of "
                              "this deployment", "hal config provider docker-registry "
                                                 "account add ... first")


def _node(raw: dict[str, Any], node: tuple[str, ...]) -> Any:
    """The mapping at a row's node; ``key[field=value]`` picks a list item (canary)."""
    cur: Any = raw
    for part in node:
        key, _, pick = part.partition("[")
        cur = _mapping(cur).get(key)
        if pick:
            field, _, value = pick.rstrip("]").partition("=")
            cur = next((i for i in cur if _mapping(i).get(field) == value), None) \
                if isinstance(cur, list) else None
    return cur


def _file_values(raw: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(location, path) of every file-valued key the table knows, wherever it is set."""
    import importlib

    from pyhalyard.cli.table.areas import AREAS

    for modules in AREAS.values():
        for module_name in modules:
            for group in importlib.import_module(module_name).GROUPS:
                node = _node(raw, group.node)
                places = [(".".join(group.node), _mapping(node), group.edit)]
                if group.items is not None:
                    items = _mapping(node).get(group.items.key)
                    places += [(f"{'.'.join(group.node)}.{group.items.key}[{i}]", item,
                                group.items.flags)
                               for i, item in enumerate(items if isinstance(items, list)
                                                        else []) if isinstance(item, dict)]
                for where, block, flags in places:
                    for flag in flags:
                        if not flag.file:
                            continue
                        value: Any = block
                        for part in flag.key.split("."):
                            value = _mapping(value).get(part)
                        for path in value if isinstance(value, list) else [value]:
                            if isinstance(path, str) and path:
                                yield f"{where}.{flag.key}", path


def local_files_readable(loaded: Loaded) -> Iterator[Problem]:
    """Files the halconfig names (keystores, JSON keys, ...) must exist where hal runs."""
    for where, path in _file_values(loaded.deployment.raw):
        if path.startswith(_NOT_LOCAL):
            continue
        if not (os.path.isfile(path) and os.access(path, os.R_OK)):
            yield Problem(Severity.WARNING, where, f"cannot read the file {path}",
                          "point it at a readable file (Halyard refuses a missing one)")
