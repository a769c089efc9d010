"""The ownership takeover as data: FieldsV1 sets and client-go's csaupgrade rules.

Reference: kubernetes/kubernetes ``staging/src/k8s.io/client-go/util/csaupgrade/upgrade.go``
(``upgradedManagedFields``/``unionManagerIntoIndex``): the SSA manager's Apply entry (or
else the most recent CSA Update entry, renamed) receives the union with the CSA entry of
the same apiVersion; all Update entries of the CSA manager are dropped.
"""

from __future__ import annotations

from typing import Any

from pyhalyard.deploy.fieldsets import FieldSet, union_json
from pyhalyard.deploy.kube import KubeError
from pyhalyard.deploy.prepare import take_over_object
from pyhalyard.deploy.takeover import (
    client_side_managers,
    migration_patch,
    strategy_claim,
    upgrade_entries,
    upgraded,
)

CSA = "kubectl-client-side-apply"


def entry(manager: str, operation: str, fields: dict[str, Any],
          api: str = "apps/v1") -> dict[str, Any]:
    return {"manager": manager, "operation": operation, "apiVersion": api,
            "time": "2020-01-01T00:00:00Z", "fieldsType": "FieldsV1", "fieldsV1": fields}


HALYARD: dict[str, Any] = {
    "f:metadata": {"f:annotations": {
        ".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}}},
    "f:spec": {"f:template": {"f:spec": {"f:containers": {
        'k:{"name":"gate"}': {".": {}, "f:readinessProbe": {".": {}, "f:exec": {
            ".": {}, "f:command": {}}}}}}}}}
EDIT: dict[str, Any] = {"f:spec": {"f:type": {}}}


def test_a_leaf_and_a_subtree_union_to_a_member_with_children() -> None:
    assert union_json({"f:a": {}}, {"f:a": {"f:b": {}}}) == {"f:a": {".": {}, "f:b": {}}}
    assert union_json({"f:a": {"f:b": {}}}, {"f:a": {"f:c": {}}}) == {
        "f:a": {"f:b": {}, "f:c": {}}}


def test_field_set_round_trip_and_membership() -> None:
    fields = FieldSet.from_json(HALYARD)
    assert fields.to_json() == HALYARD
    probe = ("f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"gate"}',
             "f:readinessProbe")
    assert fields.has(probe) and fields.has((*probe, "f:exec", "f:command"))
    assert not fields.has(("f:spec",)) and fields.has_under(("f:spec",))


def test_csa_entry_becomes_pyhalyard_apply_and_others_stay() -> None:
    entries = [entry("kubectl-edit", "Update", EDIT, "v1"), entry(CSA, "Update", HALYARD)]
    result = upgrade_entries(entries, CSA)
    assert [(e["manager"], e["operation"]) for e in result] == [
        ("kubectl-edit", "Update"), ("pyhalyard", "Apply")]
    assert result[1]["fieldsV1"] == HALYARD
    assert result[0] == entries[0]


def test_existing_apply_entry_receives_the_union() -> None:
    ours: dict[str, Any] = {"f:spec": {"f:replicas": {}}}
    entries = [entry("pyhalyard", "Apply", ours), entry(CSA, "Update", HALYARD),
               entry(CSA, "Update", {"f:spec": {"f:paused": {}}}, "apps/v1beta2")]
    result = upgrade_entries(entries, CSA)
    # Every Update entry of the CSA manager goes; only the same apiVersion is merged.
    assert [(e["manager"], e["operation"]) for e in result] == [("pyhalyard", "Apply")]
    assert result[0]["fieldsV1"] == union_json(ours, HALYARD)
    assert not FieldSet.from_json(result[0]["fieldsV1"]).has(("f:spec", "f:paused"))


def test_nothing_to_migrate_gives_no_patch() -> None:
    live = {"metadata": {"resourceVersion": "7", "managedFields": [
        entry("pyhalyard", "Apply", HALYARD), entry("kubectl-edit", "Update", EDIT),
        entry("kubectl-patch", "Update", EDIT), entry("kubectl-scale", "Update", EDIT),
        entry("kube-controller-manager", "Update", EDIT)]}}
    assert migration_patch(live) is None
    assert client_side_managers(live) == []


def test_kubectl_update_and_before_first_apply_move_but_kubectl_apply_does_not() -> None:
    entries = [entry("before-first-apply", "Update", {"f:spec": {"f:a": {}}}),
               entry("kubectl", "Update", {"f:spec": {"f:b": {}}}),
               entry("kubectl", "Apply", {"f:spec": {"f:c": {}}})]
    result = upgraded(entries)
    managers = [(e["manager"], e["operation"]) for e in result]
    assert managers == [("pyhalyard", "Apply"), ("kubectl", "Apply")]
    assert result[0]["fieldsV1"] == {"f:spec": {"f:a": {}, "f:b": {}}}


def test_patch_is_guarded_by_the_resource_version() -> None:
    live = {"metadata": {"resourceVersion": "42", "managedFields": [
        entry("kubectl-edit", "Update", EDIT), entry(CSA, "Update", HALYARD)]}}
    patch = migration_patch(live)
    assert patch is not None
    assert patch[0] == {"op": "test", "path": "/metadata/resourceVersion", "value": "42"}
    assert patch[1]["op"] == "replace" and patch[1]["path"] == "/metadata/managedFields"
    assert [e["manager"] for e in patch[1]["value"]] == ["kubectl-edit", "pyhalyard"]
    # The last-applied annotation is now pyhalyard's: its next apply removes it.
    assert FieldSet.from_json(patch[1]["value"][1]["fieldsV1"]).has(
        ("f:metadata", "f:annotations", "f:kubectl.kubernetes.io/last-applied-configuration"))


def test_recreate_claims_the_defaulted_rolling_update_nobody_owns() -> None:
    live: dict[str, Any] = {"apiVersion": "apps/v1", "metadata": {
        "resourceVersion": "3", "managedFields": [
        entry("pyhalyard", "Apply", {"f:spec": {"f:strategy": {"f:type": {}}}})]},
        "spec": {"strategy": {"type": "RollingUpdate",
                              "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}}}
    rendered = {"kind": "Deployment", "apiVersion": "apps/v1",
                "spec": {"strategy": {"type": "Recreate"}}}
    claim = strategy_claim(live, rendered)
    assert claim is not None
    patch = migration_patch(live, [claim])
    assert patch is not None
    fields = FieldSet.from_json(patch[1]["value"][0]["fieldsV1"])
    assert fields.has(("f:spec", "f:strategy", "f:rollingUpdate", "f:maxSurge"))
    # A rollingUpdate someone else set by hand stays theirs (their conflict to report).
    live["metadata"]["managedFields"].append(entry("kubectl-edit", "Update", {
        "f:spec": {"f:strategy": {"f:rollingUpdate": {"f:maxSurge": {}}}}}))
    assert migration_patch(live, [claim]) is None
    # RollingUpdate rendered: nothing to claim.
    assert strategy_claim(live, {"kind": "Deployment", "spec": {}}) is None


class Racing:
    """A cluster where someone writes the object between our read and our patch, once."""

    def __init__(self, fresh: dict[str, Any]) -> None:
        self.fresh = fresh
        self.patches: list[list[dict[str, Any]]] = []

    def patch_json(self, kind: str, name: str, namespace: str | None,
                   ops: list[dict[str, Any]], *, dry_run: bool = False) -> dict[str, Any]:
        self.patches.append(ops)
        if len(self.patches) == 1:
            raise KubeError("take over: 422 the server rejected our request: testing value "
                            "/metadata/resourceVersion failed", 422)
        return {}

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict[str, Any]:
        return self.fresh


def test_a_changed_object_is_read_again_and_the_patch_recomputed() -> None:
    def obj(version: str, *entries: dict[str, Any]) -> dict[str, Any]:
        return {"kind": "Deployment", "apiVersion": "apps/v1",
                "metadata": {"name": "spin-gate", "namespace": "spinnaker",
                             "resourceVersion": version, "managedFields": list(entries)}}
    stale = obj("5", entry(CSA, "Update", HALYARD))
    fresh = obj("6", entry("kubectl-edit", "Update", EDIT), entry(CSA, "Update", HALYARD))
    cluster = Racing(fresh)
    assert take_over_object(cluster, obj("0"), stale, dry_run=False)  # type: ignore[arg-type]
    assert [p[0]["value"] for p in cluster.patches] == ["5", "6"]
    # The second patch keeps what the other writer added.
    assert [e["manager"] for e in cluster.patches[1][1]["value"]] == ["kubectl-edit",
                                                                       "pyhalyard"]
