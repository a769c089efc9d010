"""What an apply would change, against the last applied bundle or the live objects.

Secret values never reach the output: a Secret is compared file by file and
only the names of added, removed or changed keys are shown (its profiles hold
Redis passwords and storage keys).  Config Secrets are named by content hash,
so a changed profile shows as one Secret renamed with the keys that differ,
not as an unrelated removal and addition.  Every other line still passes
through :func:`mask_text`.
"""

from __future__ import annotations

import base64
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from pyhalyard.redis.endpoint import mask_text
from pyhalyard.render.bundle import Bundle

Key = tuple[str, str]  # (kind, name)
# Fields the API server owns; a live object is compared without them.
SERVER_META = ("uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
               "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "finalizers",
               "ownerReferences")


@dataclass(frozen=True)
class Change:
    action: str  # "+" add, "-" remove, "~" change
    kind: str
    name: str
    lines: tuple[str, ...] = ()
    note: str = ""

    def text(self) -> str:
        head = f"{self.action} {self.kind} {self.name}"
        if self.note:
            head += f" ({self.note})"
        return "\n".join([head, *(f"    {line}" for line in self.lines)])


def _key(obj: Mapping[str, Any]) -> Key:
    return str(obj.get("kind")), str((obj.get("metadata") or {}).get("name", ""))


def _service_of(obj: Mapping[str, Any]) -> str:
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return str(labels.get("cluster") or _key(obj)[1])


def secret_files(obj: Mapping[str, Any]) -> dict[str, bytes]:
    """A Secret's keys with their decoded values (compared, never printed)."""
    files: dict[str, bytes] = {}
    for key, value in (obj.get("data") or {}).items():
        try:
            files[str(key)] = base64.b64decode(str(value), validate=False)
        except ValueError:
            files[str(key)] = str(value).encode()
    for key, value in (obj.get("stringData") or {}).items():
        files[str(key)] = str(value).encode()
    return files


def _without_data(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in ("data", "stringData")}


def _yaml(obj: Any) -> list[str]:
    text = yaml.safe_dump(obj, sort_keys=True, default_flow_style=False, width=1000)
    return text.splitlines()


def _text_diff(old: Any, new: Any, old_label: str, new_label: str) -> list[str]:
    lines = difflib.unified_diff(_yaml(old), _yaml(new), old_label, new_label, n=2,
                                 lineterm="")
    return [mask_text(line) for line in lines]


def _key_changes(old: Mapping[str, bytes], new: Mapping[str, bytes]) -> list[str]:
    out = []
    for key in sorted(set(old) | set(new)):
        if key not in old:
            out.append(f"+ key {key} added")
        elif key not in new:
            out.append(f"- key {key} removed")
        elif old[key] != new[key]:
            out.append(f"~ key {key} changed (value hidden)")
    return out


def _secret_change(old: Mapping[str, Any], new: Mapping[str, Any],
                   old_label: str, new_label: str) -> list[str]:
    lines = _key_changes(secret_files(old), secret_files(new))
    rest_old, rest_new = _without_data(old), _without_data(new)
    if rest_old != rest_new:
        lines += _text_diff(rest_old, rest_new, old_label, new_label)
    return lines


def _object_change(old: Mapping[str, Any], new: Mapping[str, Any],
                   old_label: str, new_label: str) -> list[str]:
    if str(new.get("kind")) == "Secret":
        return _secret_change(old, new, old_label, new_label)
    if old == new:
        return []
    return _text_diff(old, new, old_label, new_label)


def _compare(old: dict[Key, Mapping[str, Any]], new: dict[Key, Mapping[str, Any]],
             old_label: str, new_label: str, removed_note: str) -> list[Change]:
    changes: list[Change] = []
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    # Pair a service's config Secret across a content-hash rename (its required-files
    # and AWS-credentials Secrets likewise: same service, same name before the hash).
    renamed: list[tuple[Key, Key]] = []
    for new_key in [k for k in added if k[0] == "Secret"]:
        match = [k for k in removed if k[0] == "Secret"
                 and _service_of(old[k]) == _service_of(new[new_key])
                 and k[1].rsplit("-", 1)[0] == new_key[1].rsplit("-", 1)[0]]
        if len(match) == 1:
            renamed.append((match[0], new_key))
            removed.remove(match[0])
            added.remove(new_key)
    for key in sorted(set(old) & set(new)):
        lines = _object_change(old[key], new[key], old_label, new_label)
        if lines:
            changes.append(Change("~", key[0], key[1], tuple(lines)))
    for old_key, new_key in renamed:
        lines = _secret_change(_unnamed(old[old_key]), _unnamed(new[new_key]), old_label,
                               new_label)
        changes.append(Change("~", "Secret", f"{old_key[1]} -> {new_key[1]}", tuple(lines),
                              "config changed"))
    for key in added:
        lines = [f"key {k}" for k in sorted(secret_files(new[key]))] if key[0] == "Secret" else []
        changes.append(Change("+", key[0], key[1], tuple(lines), "new"))
    for key in removed:
        changes.append(Change("-", key[0], key[1], (), removed_note))
    order = {"+": 0, "~": 1, "-": 2}
    return sorted(changes, key=lambda c: (order[c.action], c.kind, c.name))


def _unnamed(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The object without its name (already in the rename line)."""
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "name"}
    return {**obj, "metadata": meta}


def _by_key(objects: Iterable[Mapping[str, Any]]) -> dict[Key, Mapping[str, Any]]:
    return {_key(o): o for o in objects}


def diff_bundles(old: Bundle | None, new: Bundle) -> list[Change]:
    """Changes from the last applied bundle (None: nothing applied yet) to ``new``."""
    before = _by_key(old.objects()) if old is not None else {}
    return _compare(before, _by_key(new.objects()), "last applied", "new",
                    "no longer rendered")


def project(desired: Any, live: Any) -> Any:
    """The part of ``live`` that ``desired`` speaks about (server defaults dropped)."""
    if isinstance(desired, dict) and isinstance(live, dict):
        return {k: project(v, live[k]) for k, v in desired.items() if k in live}
    if isinstance(desired, list) and isinstance(live, list) and len(desired) == len(live):
        return [project(d, v) for d, v in zip(desired, live, strict=True)]
    return live


def _without_server_fields(live: Mapping[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in (live.get("metadata") or {}).items() if k not in SERVER_META}
    trimmed = {k: v for k, v in live.items() if k != "status"}
    trimmed["metadata"] = meta
    return trimmed


def _live_view(desired: Mapping[str, Any], live: Mapping[str, Any]) -> dict[str, Any]:
    trimmed = _without_server_fields(live)
    if str(desired.get("kind")) == "Secret":
        # Compare decoded files; keep the desired spelling (data or stringData) for the rest.
        view = project(_without_data(desired), _without_data(trimmed))
        view["data"] = {k: base64.b64encode(v).decode()
                        for k, v in secret_files(live).items()}
        return dict(view)
    result: dict[str, Any] = project(desired, trimmed)
    return result


def diff_live(new: Bundle, live: Mapping[Key, Mapping[str, Any] | None],
              extra: Iterable[Mapping[str, Any]] = ()) -> list[Change]:
    """Changes from the live objects to ``new``.

    ``live`` maps each bundle object's (kind, name) to the cluster's copy (None:
    missing); ``extra`` are live objects labelled app=spin that the bundle lacks.
    """
    desired = _by_key(new.objects())
    current: dict[Key, Mapping[str, Any]] = {}
    for key, obj in desired.items():
        found = live.get(key)
        if found is not None:
            current[key] = _live_view(obj, found)
    for obj in extra:
        key = _key(obj)
        if key not in desired:
            current[key] = _without_server_fields(obj)
    return _compare(current, desired, "live", "new",
                    "in the cluster, not in the bundle; kept unless "
                    "--delete-orphaned-services or an HA switch removes it")


def render(changes: list[Change], against: str) -> str:
    if not changes:
        return f"No changes against {against}."
    counts = {a: sum(1 for c in changes if c.action == a) for a in "+~-"}
    body = "\n".join(c.text() for c in changes)
    return (f"{body}\n\nAgainst {against}: {counts['+']} to add, {counts['~']} to change, "
            f"{counts['-']} to remove.")
