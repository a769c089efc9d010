"""Preflight and dry-run verdicts as plain functions (the double-backed tests are in
test_preflight.py and test_takeover.py)."""

from __future__ import annotations

import pytest

from pyhalyard.deploy.kube import Cause, KubeError
from pyhalyard.deploy.preflight import (
    Access,
    access_message,
    check_version,
    needed,
    server_version,
)
from pyhalyard.deploy.preview import CONFLICT, REJECTED, changed_fields, object_changes, preview
from pyhalyard.errors import HalError


class Version:
    def __init__(self, data: dict[str, object]) -> None:
        self.data = data

    def server_version(self) -> dict[str, object]:
        return self.data

    def access_review(self, verb: str, group: str, resource: str, namespace: str | None,
                      name: str | None = None) -> tuple[bool, str]:
        return True, ""


def test_managed_cluster_minor_with_plus_is_read() -> None:
    assert server_version({"major": "1", "minor": "27+", "gitVersion": "v1.27.3-eks"}) == (
        1, 27, "v1.27.3-eks")
    assert server_version({"gitVersion": "v1.30.0"})[:2] == (1, 30)


def test_old_server_is_refused_clearly() -> None:
    with pytest.raises(HalError, match=r"runs Kubernetes v1\.20\.7; pyhalyard needs 1\.21 or "
                                       r"newer \(PodDisruptionBudget policy/v1"):
        check_version(Version({"major": "1", "minor": "20", "gitVersion": "v1.20.7"}))
    assert check_version(Version({"major": "1", "minor": "21", "gitVersion": "v1.21.0"})) == (
        1, 21)


def test_needed_names_every_verb_the_deploy_uses() -> None:
    wanted = needed("spinnaker", apply_kinds={"Deployment", "PodDisruptionBudget"},
                    delete_kinds=())
    verbs = {(a.resource, a.verb) for a in wanted}
    assert {("poddisruptionbudgets", "patch"), ("poddisruptionbudgets", "create"),
            ("deployments", "get"), ("replicasets", "list"), ("secrets", "delete")} <= verbs
    assert not any(a.resource == "namespaces" for a in wanted)
    fresh = needed("spinnaker", apply_kinds=(), delete_kinds=(),
                   namespace_verbs=("create", "patch"))
    assert [(a.verb, a.namespace) for a in fresh if a.resource == "namespaces"] == [
        ("create", None), ("patch", None)]


def test_missing_access_is_one_message_with_the_rule_to_add() -> None:
    text = access_message("prod", [Access("policy", "poddisruptionbudgets", "create", "spin"),
                                   Access("policy", "poddisruptionbudgets", "patch", "spin")])
    assert text.splitlines() == [
        "account 'prod' may not do everything this deploy needs (2 permissions missing):",
        "  create poddisruptionbudgets.policy in namespace spin",
        "  patch poddisruptionbudgets.policy in namespace spin",
        "Add these rules to the account's Role (or ClusterRole) and rerun:",
        '  - apiGroups: ["policy"]',
        '    resources: ["poddisruptionbudgets"]',
        '    verbs: ["create", "patch"]',
    ]


class Refusing:
    def __init__(self, error: KubeError) -> None:
        self.error = error

    def apply(self, obj: object, *, force: bool = False,
              dry_run: bool = False) -> dict[str, object]:
        raise self.error


SVC = {"kind": "Service", "metadata": {"name": "spin-deck"}, "spec": {"type": "ClusterIP"}}


def test_conflicts_name_field_and_manager_and_skip_halyards_own() -> None:
    error = KubeError("apply Service/spin-deck: 409 Apply failed with 2 conflicts", 409,
                      "Conflict", (
                          Cause("FieldManagerConflict", ".spec.type",
                                'conflict with "kubectl-edit" using v1'),
                          Cause("FieldManagerConflict", ".metadata.labels.x",
                                'conflict with "kubectl-client-side-apply" using v1')))
    live = {"metadata": {"managedFields": [{"manager": "kubectl-client-side-apply",
                                            "operation": "Update"}]}}
    verdict = preview(Refusing(error), SVC, live)
    assert verdict.action == CONFLICT
    assert [(c.field, c.manager) for c in verdict.conflicts] == [(".spec.type", "kubectl-edit")]
    assert verdict.takeover == ("kubectl-client-side-apply",)
    assert verdict.line() == ("Service/spin-deck: conflict (taken over from "
                              "kubectl-client-side-apply): .spec.type owned by kubectl-edit")


def test_rejection_keeps_the_servers_message() -> None:
    error = KubeError('apply Service/spin-deck: 422 Service "spin-deck" is invalid: x', 422)
    verdict = preview(Refusing(error), SVC, None)
    assert verdict.action == REJECTED
    assert verdict.message == '422 Service "spin-deck" is invalid: x'


def test_changed_fields_match_list_items_by_name_and_hide_secret_values() -> None:
    old = {"spec": {"containers": [{"name": "a", "image": "1"}, {"name": "b", "image": "1"}]}}
    new = {"spec": {"containers": [{"name": "b", "image": "1"}, {"name": "a", "image": "2"}]}}
    assert changed_fields(old, new) == ["spec.containers[name=a].image"]
    secret_old = {"kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "c2VjcmV0"}}
    secret_new = {"kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "b3RoZXI="}}
    changes = object_changes(secret_old, secret_new)
    assert changes == ["data.k"]
    assert "secret" not in " ".join(changes) and "c2VjcmV0" not in " ".join(changes)
