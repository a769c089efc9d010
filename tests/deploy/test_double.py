"""The API double refuses what a real API server refuses (so the client is really exercised)."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from tests.deploy.apiserver_double import ApiServerDouble

NS_URL = "/api/v1/namespaces/spinnaker"
SECRET_URL = "/api/v1/namespaces/spinnaker/secrets/s1"
APPLY = "application/apply-patch+yaml"


@pytest.fixture
def http(api: ApiServerDouble) -> httpx2.Client:
    return httpx2.Client(base_url=api.url, headers={"Authorization": f"Bearer {api.token}"})


def patch(http: httpx2.Client, url: str, body: dict[str, Any], *,
          content_type: str = APPLY, manager: str | None = "pyhalyard",
          force: bool = False) -> httpx2.Response:
    params = {"fieldManager": manager} if manager else {}
    if force:
        params["force"] = "true"
    return http.patch(url, content=json.dumps(body), params=params,
                      headers={"Content-Type": content_type})


def namespace(http: httpx2.Client) -> None:
    ok = patch(http, NS_URL, {"apiVersion": "v1", "kind": "Namespace",
                              "metadata": {"name": "spinnaker"}})
    assert ok.status_code == 201


def secret(name: str = "s1", namespace: str | None = "spinnaker") -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": {"app": "spin"}}
    if namespace:
        meta["namespace"] = namespace
    return {"apiVersion": "v1", "kind": "Secret", "metadata": meta, "data": {"a": "eA=="}}


def test_refuses_like_a_real_server(http: httpx2.Client) -> None:
    namespace(http)
    wrong_type = patch(http, SECRET_URL, secret(), content_type="application/json")
    assert wrong_type.status_code == 415
    assert wrong_type.json()["reason"] == "UnsupportedMediaType"
    no_manager = patch(http, SECRET_URL, secret(), manager=None)
    assert no_manager.status_code == 422
    assert "fieldManager: Required value" in no_manager.json()["message"]
    renamed = patch(http, SECRET_URL, secret("other"))
    assert renamed.status_code == 400
    assert renamed.json()["message"] == ("the name of the object (other) does not match the "
                                         "name on the URL (s1)")
    elsewhere = patch(http, SECRET_URL, secret(namespace="default"))
    assert elsewhere.status_code == 400 and "namespace" in elsewhere.json()["message"]
    unknown = patch(http, "/api/v1/namespaces/spinnaker/configmaps/c", secret("c"))
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "the server could not find the requested resource"
    no_ns = patch(http, "/api/v1/namespaces/missing/secrets/s1", secret(namespace="missing"))
    assert no_ns.status_code == 404 and no_ns.json()["message"] == 'namespaces "missing" not found'
    kind = patch(http, SECRET_URL, {**secret(), "kind": "ConfigMap"})
    assert kind.status_code == 400
    anonymous = httpx2.get(http.base_url.join(SECRET_URL))
    assert anonymous.status_code == 401
    assert all(r.headers["Content-Type"] == "application/json"
               for r in (wrong_type, no_manager, renamed, unknown, anonymous))


def test_apply_is_idempotent_and_immutable_secrets_stay(http: httpx2.Client,
                                                        api: ApiServerDouble) -> None:
    namespace(http)
    first = patch(http, SECRET_URL, {**secret(), "immutable": True})
    assert first.status_code == 201
    again = patch(http, SECRET_URL, {**secret(), "immutable": True})
    assert again.status_code == 200
    assert again.json()["metadata"]["resourceVersion"] == first.json()["metadata"][
        "resourceVersion"]
    changed = patch(http, SECRET_URL, {**secret(), "immutable": True, "data": {"a": "eQ=="}})
    assert changed.status_code == 422 and "immutable" in changed.json()["message"]
    listed = http.get("/api/v1/namespaces/spinnaker/secrets",
                      params={"labelSelector": "app=spin"}).json()
    assert [i["metadata"]["name"] for i in listed["items"]] == ["s1"]
    none = http.get("/api/v1/namespaces/spinnaker/secrets",
                    params={"labelSelector": "app=other"}).json()
    assert none["items"] == []
    assert http.delete(SECRET_URL).status_code == 200
    assert http.get(SECRET_URL).status_code == 404
    assert http.delete(SECRET_URL).status_code == 404


def test_status_lags_the_write_until_observed(http: httpx2.Client,
                                              api: ApiServerDouble) -> None:
    """Right after a write, observedGeneration is the old one while the old pods are all
    updated and available: exactly the state a naive readiness check gets wrong."""
    api.observe_delay = 0.2
    namespace(http)
    labels = {"app": "spin", "cluster": "spin-x"}
    dep: dict[str, Any] = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "spin-x", "namespace": "spinnaker", "labels": labels},
        "spec": {"replicas": 2, "selector": {"matchLabels": labels}, "template": {
            "metadata": {"labels": labels},
            "spec": {"containers": [{"name": "x", "image": "x:1"}]}}}}
    api.seed(dep)
    url = "/apis/apps/v1/namespaces/spinnaker/deployments/spin-x"
    seeded = http.get(url).json()
    assert seeded["status"]["updatedReplicas"] == 2 == seeded["status"]["availableReplicas"]
    dep["spec"]["template"]["spec"]["containers"][0]["image"] = "x:2"
    # The seeding tool owns the image: without force that is a conflict, as on a real server.
    assert patch(http, url, dep).status_code == 409
    written = patch(http, url, dep, force=True).json()
    assert written["metadata"]["generation"] == 2
    assert written["status"]["observedGeneration"] == 1
    assert written["status"]["updatedReplicas"] == 2  # still the old ReplicaSet's numbers
    selector = patch(http, url, {**dep, "spec": {**dep["spec"], "selector": {
        "matchLabels": {"app": "spin"}}}}, force=True)
    assert selector.status_code == 422
