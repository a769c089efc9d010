"""Take ownership of objects Halyard (``kubectl apply``, client-side) left in the cluster.

Server-side apply keeps every field that another manager owns.  An object
Halyard created is owned by ``kubectl-client-side-apply`` (older kubectl:
``kubectl``; objects older than managed fields: ``before-first-apply``), all
with operation ``Update`` -- including the fields the API server defaulted on
create.  Applied over that, pyhalyard's render would be merged with Halyard's:
two readiness-probe handlers (the server rejects the object), old volumes, the
monitoring sidecar, orca's preStop hook and the last-applied annotation would
stay.  So, before the first apply, those entries are folded into one
``pyhalyard`` / ``Apply`` entry, exactly the way ``kubectl apply --server-side``
upgrades an object (client-go ``util/csaupgrade``): from then on pyhalyard owns
what Halyard owned, and an apply that no longer mentions a field removes it.

Only those three client-side-apply managers move.  Fields owned by
``kubectl-edit``, ``kubectl-patch``, ``kubectl-scale``, controllers or other
tools stay theirs: changing them is a conflict the user is told about.

The same patch may also *claim* fields nobody owns that would otherwise survive
the apply and make the object invalid: the ``rollingUpdate`` block the server
defaulted, when the rendered strategy is ``Recreate``.

The patch replaces ``/metadata/managedFields`` and is guarded by a ``test`` of
the ``resourceVersion`` read: if anybody wrote the object in between, the server
refuses it and the caller re-reads and recomputes.
"""

from __future__ import annotations

import contextlib
import copy
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pyhalyard.deploy.fieldsets import FieldSet

FIELD_MANAGER = "pyhalyard"
APPLY = "Apply"
UPDATE = "Update"
# Managers that wrote an object by client-side apply; their fields become pyhalyard's.
BEFORE_FIRST_APPLY = "before-first-apply"
CLIENT_SIDE_APPLY = ("kubectl-client-side-apply", "kubectl", BEFORE_FIRST_APPLY)
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
ROLLING_UPDATE = ("f:spec", "f:strategy", "f:rollingUpdate")
ROLLING_UPDATE_FIELDS = (ROLLING_UPDATE, (*ROLLING_UPDATE, "f:maxSurge"),
                         (*ROLLING_UPDATE, "f:maxUnavailable"))

Entry = dict[str, Any]


def _is(entry: Mapping[str, Any], manager: str, operation: str) -> bool:
    return (entry.get("manager") == manager and entry.get("operation") == operation
            and not entry.get("subresource"))


def _first(entries: Sequence[Entry], manager: str, operation: str,
           api_version: str | None = None) -> int | None:
    for index, entry in enumerate(entries):
        if _is(entry, manager, operation) and (
                api_version is None or entry.get("apiVersion") == api_version):
            return index
    return None


def upgrade_entries(entries: Sequence[Mapping[str, Any]], csa_manager: str,
                    ssa_manager: str = FIELD_MANAGER) -> list[Entry]:
    """One client-side-apply manager folded into the server-side-apply manager.

    Follows csaupgrade: the ``Apply`` entry of ``ssa_manager`` receives the union
    of its fields and those of the first ``Update`` entry of ``csa_manager`` with
    the same apiVersion; without such an ``Apply`` entry, the first (most recent)
    ``Update`` entry of ``csa_manager`` becomes it.  Every ``Update`` entry of
    ``csa_manager`` is then dropped.
    """
    result: list[Entry] = [copy.deepcopy(dict(e)) for e in entries]
    target = _first(result, ssa_manager, APPLY)
    if target is None:
        target = _first(result, csa_manager, UPDATE)
        if target is None:
            return result
        result[target]["manager"] = ssa_manager
        result[target]["operation"] = APPLY
    source = _first(result, csa_manager, UPDATE, result[target].get("apiVersion"))
    fields = FieldSet.from_json(result[target].get("fieldsV1"))
    if source is not None:
        fields = fields.union(FieldSet.from_json(result[source].get("fieldsV1")))
    result[target]["fieldsV1"] = fields.to_json()
    result[target].setdefault("fieldsType", "FieldsV1")
    return [e for e in result if not _is(e, csa_manager, UPDATE)]


def untracked(obj: Mapping[str, Any]) -> bool:
    """An object older than managed fields (or whose records were reset): the server files
    everything in it under ``before-first-apply`` at the first apply."""
    return not (obj.get("metadata") or {}).get("managedFields")


def client_side_managers(obj: Mapping[str, Any]) -> list[str]:
    """The client-side-apply managers of ``obj`` that a takeover would move to pyhalyard."""
    if untracked(obj):
        return [BEFORE_FIRST_APPLY]
    entries = (obj.get("metadata") or {}).get("managedFields") or ()
    return sorted({str(e.get("manager")) for e in entries
                   if e.get("manager") in CLIENT_SIDE_APPLY and e.get("operation") == UPDATE
                   and not e.get("subresource")})


def stub(obj: Mapping[str, Any]) -> dict[str, Any]:
    """An apply that sets nothing: sent to an untracked object, it makes the server record
    ``before-first-apply`` for what is there, which the takeover can then move."""
    meta = obj.get("metadata") or {}
    body: dict[str, Any] = {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"),
                            "metadata": {"name": meta.get("name")}}
    if meta.get("namespace"):
        body["metadata"]["namespace"] = meta["namespace"]
    return body


def owners(obj: Mapping[str, Any], path: Sequence[str]) -> list[str]:
    """Managers owning ``path`` or anything under it."""
    entries = (obj.get("metadata") or {}).get("managedFields") or ()
    found = []
    for entry in entries:
        try:
            fields = FieldSet.from_json(entry.get("fieldsV1"))
        except ValueError:
            continue
        if fields.has_under(path):
            found.append(str(entry.get("manager")))
    return found


@dataclass(frozen=True)
class Claim:
    """Fields nobody owns that pyhalyard takes so that its next apply can drop them."""

    api_version: str
    paths: tuple[tuple[str, ...], ...]
    why: str


def strategy_claim(live: Mapping[str, Any], rendered: Mapping[str, Any]) -> Claim | None:
    """A Recreate render over a live RollingUpdate: the defaulted ``rollingUpdate`` block
    must go, or the server rejects the object ("may not be specified when strategy type
    is 'Recreate'").  Claimed only when no manager owns it (after the takeover)."""
    if rendered.get("kind") != "Deployment":
        return None
    want = ((rendered.get("spec") or {}).get("strategy") or {}).get("type")
    have = ((live.get("spec") or {}).get("strategy") or {})
    if want != "Recreate" or "rollingUpdate" not in have:
        return None
    return Claim(str(rendered.get("apiVersion") or live.get("apiVersion") or "apps/v1"),
                 ROLLING_UPDATE_FIELDS, "defaulted spec.strategy.rollingUpdate")


def upgraded(entries: Sequence[Mapping[str, Any]], claims: Iterable[Claim] = (),
             now: str | None = None) -> list[Entry]:
    """The managed fields after the takeover: client-side-apply managers folded into
    pyhalyard's Apply entry, and ``claims`` that no other manager holds added to it."""
    result = [copy.deepcopy(dict(e)) for e in entries]
    for manager in CLIENT_SIDE_APPLY:
        result = upgrade_entries(result, manager)
    for claim in claims:
        others = [e for e in result if not _is(e, FIELD_MANAGER, APPLY)]
        free = [p for p in claim.paths if not any(
            FieldSet.from_json(e.get("fieldsV1")).has_under(p) for e in others)]
        if len(free) != len(claim.paths):
            continue  # somebody else's: applying over it is their conflict to report
        index = _first(result, FIELD_MANAGER, APPLY)
        if index is None:
            result.insert(0, {"manager": FIELD_MANAGER, "operation": APPLY,
                              "apiVersion": claim.api_version,
                              "time": now or time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                           time.gmtime()),
                              "fieldsType": "FieldsV1", "fieldsV1": {}})
            index = 0
        fields = FieldSet.from_json(result[index].get("fieldsV1"))
        for path in claim.paths:
            fields.add(path)
        result[index]["fieldsV1"] = fields.to_json()
    return result


def _normal(entries: Sequence[Mapping[str, Any]]) -> list[Any]:
    """Entries compared by meaning (a field set's key order is not significant)."""
    out = []
    for entry in entries:
        item = dict(entry)
        with contextlib.suppress(ValueError):
            item["fieldsV1"] = FieldSet.from_json(entry.get("fieldsV1")).to_json()
        out.append(item)
    return out


def migration_patch(live: Mapping[str, Any],
                    claims: Iterable[Claim] = ()) -> list[dict[str, Any]] | None:
    """The JSON patch that hands the object to pyhalyard, or None when nothing moves."""
    meta = live.get("metadata") or {}
    entries = meta.get("managedFields") or []
    new = upgraded(entries, claims)
    if _normal(new) == _normal(entries):
        return None
    return [
        {"op": "test", "path": "/metadata/resourceVersion",
         "value": str(meta.get("resourceVersion", ""))},
        {"op": "replace", "path": "/metadata/managedFields", "value": new},
    ]
