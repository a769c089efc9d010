"""diff: object changes, Secrets by key only (never values), live projection."""

from __future__ import annotations

import base64
from typing import Any

from pyhalyard.deploy.diff import diff_bundles, diff_live, project, render
from pyhalyard.render.bundle import Bundle, ServiceBundle

SECRET = "hunter2-password"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def objects(suffix: str, password: str, replicas: int = 1) -> tuple[dict[str, Any], ...]:
    labels = {"app": "spin", "cluster": "spin-gate"}
    secret = {"apiVersion": "v1", "kind": "Secret",
              "metadata": {"name": f"spin-gate-files-{suffix}", "namespace": "s",
                           "labels": labels},
              "data": {"gate.yml": b64(f"redis: redis://:{password}@r:6379\n"),
                       "spinnaker.yml": b64("a: 1\n")}}
    dep = {"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "spin-gate", "namespace": "s", "labels": labels},
           "spec": {"replicas": replicas, "template": {"spec": {"volumes": [
               {"name": "c", "secret": {"secretName": f"spin-gate-files-{suffix}"}}]}}}}
    return secret, dep


def bundle(*objs: dict[str, Any]) -> Bundle:
    return Bundle("s", "1", (), {"gate": ServiceBundle("gate", {}, tuple(objs))})


def test_a_changed_password_shows_as_a_changed_key() -> None:
    old = bundle(*objects("aaa", SECRET))
    new = bundle(*objects("bbb", "other-" + SECRET))
    changes = diff_bundles(old, new)
    text = render(changes, "the last applied bundle (#1)")
    assert SECRET not in text and "other-" not in text
    assert "~ Secret spin-gate-files-aaa -> spin-gate-files-bbb (config changed)" in text
    assert "~ key gate.yml changed (value hidden)" in text
    assert "spinnaker.yml" not in text  # unchanged keys are not listed
    assert "-          secretName: spin-gate-files-aaa" in text
    assert "+          secretName: spin-gate-files-bbb" in text
    assert text.endswith("Against the last applied bundle (#1): 0 to add, 2 to change, "
                         "0 to remove.")


def test_first_diff_lists_keys_of_new_secrets_only() -> None:
    text = render(diff_bundles(None, bundle(*objects("aaa", SECRET))), "nothing")
    assert "+ Secret spin-gate-files-aaa (new)" in text
    assert "key gate.yml" in text and SECRET not in text and b64(SECRET)[:8] not in text


def test_no_changes() -> None:
    same = bundle(*objects("aaa", SECRET))
    assert render(diff_bundles(same, same), "x") == "No changes against x."


def test_live_projection_ignores_server_fields_and_compares_decoded_data() -> None:
    secret, dep = objects("aaa", SECRET)
    desired = bundle(secret, dep)
    live_secret = {**secret, "type": "Opaque",
                   "metadata": {**secret["metadata"], "uid": "u", "resourceVersion": "9"}}
    live_dep = {**dep, "status": {"replicas": 1},
                "metadata": {**dep["metadata"], "generation": 4, "managedFields": []},
                "spec": {**dep["spec"], "revisionHistoryLimit": 10}}
    live = {("Secret", "spin-gate-files-aaa"): live_secret, ("Deployment", "spin-gate"): live_dep}
    assert diff_live(desired, live) == []
    string_data = {**secret, "stringData": {"gate.yml": f"redis: redis://:{SECRET}@r:6379\n",
                                            "spinnaker.yml": "a: 1\n"}}
    del string_data["data"]
    assert diff_live(bundle(string_data, dep), live) == []
    missing = diff_live(desired, {("Deployment", "spin-gate"): live_dep})
    assert [(c.action, c.kind) for c in missing] == [("+", "Secret")]


def test_project_keeps_only_what_desired_mentions() -> None:
    assert project({"a": {"b": 1}, "l": [{"x": 1}]},
                   {"a": {"b": 2, "c": 3}, "l": [{"x": 1, "y": 2}], "z": 1}) == {
        "a": {"b": 2}, "l": [{"x": 1}]}
