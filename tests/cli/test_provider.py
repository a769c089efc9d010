"""``hal config provider kubernetes ...``: enable/disable and the account commands."""

from __future__ import annotations

import json
from typing import Any

import yaml

from tests.cli.conftest import Hal, deployment


def k8s(hal: Hal, name: str = "default") -> Any:
    return deployment(hal, name)["providers"]["kubernetes"]


def accounts(hal: Hal, name: str = "default") -> dict[str, Any]:
    return {a["name"]: a for a in k8s(hal, name)["accounts"]}


def test_enable_disable(hal: Hal) -> None:
    assert hal("--deployment", "sandbox", "config", "provider", "kubernetes", "enable").code == 0
    assert k8s(hal, "sandbox")["enabled"] is True
    result = hal("--deployment", "sandbox", "config", "provider", "kubernetes", "disable")
    assert result.code == 0 and "disabled" in result.out
    assert k8s(hal, "sandbox")["enabled"] is False


def test_provider_show(hal: Hal) -> None:
    result = hal("config", "provider", "-o", "json")
    assert json.loads(result.out) == {"appengine": False, "dockerRegistry": True,
                                      "kubernetes": True}


def test_add_with_every_flag(hal: Hal) -> None:
    result = hal("config", "provider", "kubernetes", "account", "add", "k2",
                 "--context", "c2", "--kubeconfig-file", "/home/me/.kube/config",
                 "--namespaces", "a, b,", "--service-account", "false",
                 "--docker-registries", "dockerhub", "--only-spinnaker-managed", "true")
    assert result.code == 0, result.err
    got = accounts(hal)["k2"]
    assert got["providerVersion"] == "V2"  # the default
    assert got["context"] == "c2" and got["kubeconfigFile"] == "/home/me/.kube/config"
    assert got["namespaces"] == ["a", "b"] and got["omitNamespaces"] == []
    assert got["serviceAccount"] is False and got["onlySpinnakerManaged"] is True
    assert got["dockerRegistries"] == [{"accountName": "dockerhub", "namespaces": []}]
    assert k8s(hal)["primaryAccount"] == "spin-cluster"  # unchanged


def test_bare_boolean_flag_means_true(hal: Hal) -> None:
    result = hal("config", "provider", "kubernetes", "account", "add", "k3",
                 "--service-account", "--provider-version", "v1")
    assert result.code == 0, result.err
    assert accounts(hal)["k3"]["serviceAccount"] is True
    assert accounts(hal)["k3"]["providerVersion"] == "V1"


def test_first_account_becomes_primary_and_creates_default(hal_empty: Hal) -> None:
    result = hal_empty("config", "provider", "kubernetes", "account", "add", "first",
                       "--context", "kind")
    assert result.code == 0, result.err
    assert k8s(hal_empty)["primaryAccount"] == "first"
    assert yaml.safe_load(hal_empty.text())["currentDeployment"] == "default"


def test_add_existing_is_refused(hal: Hal) -> None:
    before = hal.bytes()
    result = hal("config", "provider", "kubernetes", "account", "add", "legacy")
    assert result.code == 1 and "already exists" in result.err
    assert hal.bytes() == before


def test_add_with_both_namespace_lists_is_refused(hal: Hal) -> None:
    before = hal.bytes()
    result = hal("config", "provider", "kubernetes", "account", "add", "k4",
                 "--namespaces", "a", "--omit-namespaces", "b")
    assert result.code == 1 and "both namespaces and omitNamespaces" in result.err
    assert hal.bytes() == before


def test_add_with_unknown_registry_is_refused(hal: Hal) -> None:
    result = hal("config", "provider", "kubernetes", "account", "add", "k5",
                 "--docker-registries", "quay")
    assert result.code == 1 and "docker registry 'quay'" in result.err


def test_edit_changes_only_given_keys(hal: Hal) -> None:
    before = accounts(hal)["spin-cluster"]
    result = hal("config", "provider", "kubernetes", "account", "edit", "spin-cluster",
                 "--kubeconfig-file", "/k", "--remove-omit-namespace", "kube-public")
    assert result.code == 0, result.err
    after = accounts(hal)["spin-cluster"]
    assert after.pop("kubeconfigFile") == "/k"
    assert after.pop("omitNamespaces") == ["kube-system"]
    before.pop("omitNamespaces")
    assert after == before


def test_edit_to_v1_with_ha_on_is_refused(hal: Hal) -> None:
    before = hal.bytes()
    result = hal("--deployment", "prod", "config", "provider", "kubernetes", "account", "edit",
                 "prod", "--provider-version", "V1")
    assert result.code == 1 and "needs a manifest-based Kubernetes (V2) account" in result.err
    assert hal.bytes() == before


def test_edit_unknown_account(hal: Hal) -> None:
    result = hal("config", "provider", "kubernetes", "account", "edit", "nope", "--context", "x")
    assert result.code == 1
    assert "no Kubernetes account named 'nope' (accounts: spin-cluster, legacy)" in result.err


def test_edit_without_flags_is_a_usage_error(hal: Hal) -> None:
    result = hal("config", "provider", "kubernetes", "account", "edit", "legacy")
    assert result.code == 2 and "nothing to change" in result.err


def test_bad_provider_version_is_a_usage_error(hal: Hal) -> None:
    result = hal("config", "provider", "kubernetes", "account", "add", "k6",
                 "--provider-version", "V3")
    assert result.code == 2


def test_delete(hal: Hal) -> None:
    assert hal("config", "provider", "kubernetes", "account", "delete", "legacy").code == 0
    assert set(accounts(hal)) == {"spin-cluster"}


def test_delete_the_deploy_account_is_refused(hal: Hal) -> None:
    before = hal.bytes()
    result = hal("config", "provider", "kubernetes", "account", "delete", "spin-cluster")
    assert result.code == 1
    assert "accountName 'spin-cluster' is not a Kubernetes account" in result.err
    assert hal.bytes() == before


def test_delete_primary_moves_primary(hal: Hal) -> None:
    assert hal("--deployment", "sandbox", "config", "provider", "kubernetes", "account", "add",
               "a").code == 0
    assert hal("--deployment", "sandbox", "config", "provider", "kubernetes", "account", "add",
               "b").code == 0
    assert hal("--deployment", "sandbox", "config", "provider", "kubernetes", "account",
               "delete", "a").code == 0
    assert k8s(hal, "sandbox")["primaryAccount"] == "b"
    assert hal("--deployment", "sandbox", "config", "provider", "kubernetes", "account",
               "delete", "b").code == 0
    assert "primaryAccount" not in k8s(hal, "sandbox")


def test_delete_unknown(hal: Hal) -> None:
    result = hal("config", "provider", "kubernetes", "account", "delete", "nope")
    assert result.code == 1 and "no Kubernetes account named 'nope'" in result.err


def test_get_and_list(hal: Hal) -> None:
    result = hal("config", "provider", "kubernetes", "account", "get", "legacy", "-o", "json")
    assert json.loads(result.out) == {"name": "legacy", "providerVersion": "V1",
                                      "context": "legacy-ctx",
                                      "namespaces": ["team-a", "team-b"]}
    result = hal("config", "provider", "kubernetes", "account", "list")
    assert result.out.splitlines() == ["- spin-cluster [V2, context prod-ctx] (primary)",
                                       "- legacy [V1, context legacy-ctx]"]
    rows = json.loads(hal("config", "provider", "kubernetes", "account", "list",
                          "-o", "json").out)
    assert [r["name"] for r in rows] == ["spin-cluster", "legacy"]
    assert hal("config", "provider", "kubernetes", "account", "get", "nope").code == 1
