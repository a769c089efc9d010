"""What the API server says an apply would do, asked with ``dryRun=All``.

A server-side dry run goes through everything a real write does -- merge by
field ownership, defaulting, validation, admission, RBAC -- and stores nothing.
``hal deploy apply`` asks it for every object before it writes anything, so a
field another manager owns (a Service someone edited into a LoadBalancer) stops
the deploy before the first change; ``hal deploy apply --dry-run`` prints the
answers.

Conflicts with Halyard's client-side-apply managers are not reported: the
takeover (:mod:`pyhalyard.deploy.takeover`) hands those fields to pyhalyard
before the first real apply.  The server can only judge such an object after
that takeover, so the dry run shows which of its fields differ from the render.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pyhalyard.deploy.diff import SERVER_META, project, secret_files
from pyhalyard.deploy.kube import KubeError
from pyhalyard.deploy.takeover import client_side_managers

CREATE = "create"
CHANGE = "change"
UNCHANGED = "unchanged"
REJECTED = "rejected"
CONFLICT = "conflict"
_MANAGER = re.compile(r'conflict with "([^"]+)"')
# Fields that change on every write and say nothing about the object.
_VOLATILE_META = (*SERVER_META, "annotations.deployment.kubernetes.io/revision")


class Writer(Protocol):
    def apply(self, obj: Mapping[str, Any], *, force: bool = False,
              dry_run: bool = False) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Conflict:
    """A field that another manager owns with a different value."""

    kind: str
    name: str
    field: str
    manager: str

    def line(self) -> str:
        return f"{self.kind}/{self.name}: {self.field or '(object)'} is owned by {self.manager}"


@dataclass(frozen=True)
class Verdict:
    kind: str
    name: str
    action: str
    fields: tuple[str, ...] = ()
    message: str = ""
    conflicts: tuple[Conflict, ...] = ()
    takeover: tuple[str, ...] = ()  # client-side-apply managers whose fields move to pyhalyard
    result: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def refused(self) -> bool:
        return self.action in (REJECTED, CONFLICT)

    def line(self) -> str:
        head = f"{self.kind}/{self.name}: {self.action}"
        if self.takeover:
            head += f" (taken over from {', '.join(self.takeover)})"
        if self.action == CHANGE and self.fields:
            shown = ", ".join(self.fields[:8])
            more = len(self.fields) - 8
            head += f": {shown}" + (f" and {more} more" if more > 0 else "")
        if self.action == REJECTED:
            head += f": {self.message}"
        if self.action == CONFLICT:
            head += ": " + "; ".join(f"{c.field} owned by {c.manager}" for c in self.conflicts)
        if self.message and self.action not in (REJECTED, CONFLICT):
            head += f" ({self.message})"
        return head

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "action": self.action,
                "fields": list(self.fields), "message": self.message,
                "conflicts": [{"field": c.field, "manager": c.manager} for c in self.conflicts],
                "takeover": list(self.takeover)}


def conflicts_of(error: KubeError, kind: str, name: str) -> list[Conflict]:
    """The field-manager conflicts a 409 lists (``details.causes``)."""
    found = []
    for cause in error.causes:
        if cause.reason and cause.reason != "FieldManagerConflict":
            continue
        match = _MANAGER.search(cause.message)
        found.append(Conflict(kind, name, cause.field, match.group(1) if match else "?"))
    return found


def _strip(obj: Mapping[str, Any]) -> dict[str, Any]:
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in SERVER_META}
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items()
                   if k != "deployment.kubernetes.io/revision"}
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    out = {k: v for k, v in obj.items() if k not in ("status", "metadata")}
    out["metadata"] = meta
    return out


def _item_key(item: Any) -> str | None:
    """The key a server-side merge matches list items by (ports by number, mounts by path)."""
    if isinstance(item, dict):
        for key in ("mountPath", "containerPort", "port", "name"):
            if key in item:
                return f"{key}={item[key]}"
    return None


def changed_fields(old: Any, new: Any, prefix: str = "") -> list[str]:
    """Dotted paths where ``new`` differs from ``old`` (list items matched by name)."""
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in sorted(set(old) | set(new), key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in old or key not in new:
                out.append(path)
            else:
                out.extend(changed_fields(old[key], new[key], path))
        return out
    if isinstance(old, list) and isinstance(new, list):
        keys_old = [_item_key(i) for i in old]
        keys_new = [_item_key(i) for i in new]
        if None in keys_old or None in keys_new or len(set(keys_old)) != len(keys_old) \
                or len(set(keys_new)) != len(keys_new):
            return [] if old == new else [prefix]
        by_old = dict(zip(keys_old, old, strict=True))
        by_new = dict(zip(keys_new, new, strict=True))
        out = []
        for key in sorted(set(by_old) | set(by_new), key=str):
            path = f"{prefix}[{key}]"
            if key not in by_old or key not in by_new:
                out.append(path)
            else:
                out.extend(changed_fields(by_old[key], by_new[key], path))
        return out
    return [] if old == new else [prefix]


def object_changes(live: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Changed fields of a live object; a Secret by key names only (never values)."""
    if str(after.get("kind") or live.get("kind")) == "Secret":
        old, new = secret_files(live), secret_files(after)
        keys = [f"data.{k}" for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]
        rest_old = {k: v for k, v in _strip(live).items() if k not in ("data", "stringData")}
        rest_new = {k: v for k, v in _strip(after).items() if k not in ("data", "stringData")}
        return keys + changed_fields(rest_old, rest_new)
    return changed_fields(_strip(live), _strip(after))


def preview(kube: Writer, obj: Mapping[str, Any], live: Mapping[str, Any] | None, *,
            force: bool = False, moving: bool = False) -> Verdict:
    """The server's answer to a dry-run apply of ``obj`` (``live``: the cluster's copy).

    ``moving``: a takeover patch will change the object's ownership records before the
    apply, so the server's judgement now is not the one that counts."""
    kind = str(obj.get("kind"))
    name = str((obj.get("metadata") or {}).get("name", ""))
    takeover = tuple(client_side_managers(live)) if live else ()
    moving = moving or bool(takeover)
    try:
        after = kube.apply(obj, force=force, dry_run=True)
    except KubeError as exc:
        if exc.code == 409 and exc.causes:
            conflicts = [c for c in conflicts_of(exc, kind, name) if c.manager not in takeover]
            if conflicts:
                return Verdict(kind, name, CONFLICT, conflicts=tuple(conflicts),
                               takeover=takeover)
        if moving and exc.code in (409, 422):
            # Judged by the server once Halyard's fields are pyhalyard's (before the apply).
            return Verdict(kind, name, CHANGE, tuple(_projected_changes(obj, live)),
                           "checked by the server after the takeover", takeover=takeover)
        return Verdict(kind, name, REJECTED, message=_reason(exc), takeover=takeover)
    if live is None:
        return Verdict(kind, name, CREATE, result=after)
    if moving:
        fields = _projected_changes(obj, live)
        return Verdict(kind, name, CHANGE, tuple(fields), takeover=takeover, result=after)
    fields = object_changes(live, after)
    return Verdict(kind, name, CHANGE if fields else UNCHANGED, tuple(fields), result=after)


def _projected_changes(obj: Mapping[str, Any], live: Mapping[str, Any] | None) -> list[str]:
    """Fields of the render that differ from the live object (what the takeover apply sets)."""
    if live is None:
        return []
    if str(obj.get("kind")) == "Secret":
        return object_changes(live, obj)
    return changed_fields(project(_strip(obj), _strip(live)), _strip(obj))


def _reason(error: KubeError) -> str:
    text = str(error)
    # "apply Deployment/spin-x: 422 <server message>": the object is already on the line.
    head, sep, rest = text.partition(": ")
    return rest if sep and head.startswith(("apply ", "take over ")) else text


def summary(verdicts: Sequence[Verdict]) -> str:
    counts: dict[str, int] = {}
    for verdict in verdicts:
        counts[verdict.action] = counts.get(verdict.action, 0) + 1
    order = (CREATE, CHANGE, UNCHANGED, CONFLICT, REJECTED)
    return ", ".join(f"{counts[a]} {a}" for a in order if counts.get(a))
