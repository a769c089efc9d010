"""The API server DOUBLE behaves like kube-apiserver where pyhalyard's takeover depends on it.

Each test states the real behaviour it pins and where it comes from (Kubernetes source, or the
structured-merge-diff library the double runs).  Everything goes over HTTP, as a client sees it.
"""

from __future__ import annotations

import base64
import copy
import json
import time
from typing import Any

import httpx2
import pytest

from tests.deploy.apiserver_double import ApiServerDouble
from tests.deploy.halyard_objects import halyard_objects, seed_halyard

NS = "spinnaker"
APPLY = "application/apply-patch+yaml"
DEPLOYMENTS = f"/apis/apps/v1/namespaces/{NS}/deployments"
SERVICES = f"/api/v1/namespaces/{NS}/services"
SECRETS = f"/api/v1/namespaces/{NS}/secrets"


@pytest.fixture
def http(api: ApiServerDouble) -> httpx2.Client:
    api.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    return httpx2.Client(base_url=api.url, headers={"Authorization": f"Bearer {api.token}"})


def apply(http: httpx2.Client, url: str, body: dict[str, Any], *, force: bool = False,
          dry_run: bool = False, manager: str = "pyhalyard") -> httpx2.Response:
    params = {"fieldManager": manager}
    if force:
        params["force"] = "true"
    if dry_run:
        params["dryRun"] = "All"
    return http.patch(url, content=json.dumps(body), params=params,
                      headers={"Content-Type": APPLY})


def json_patch(http: httpx2.Client, url: str, ops: list[dict[str, Any]],
               manager: str = "pyhalyard") -> httpx2.Response:
    return http.patch(url, content=json.dumps(ops), params={"fieldManager": manager},
                      headers={"Content-Type": "application/json-patch+json"})


def entries(obj: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(e["manager"], e["operation"]): e["fieldsV1"]
            for e in obj["metadata"].get("managedFields") or ()}


def deployment(name: str = "spin-gate", *, image: str = "gate:2",
               probe: dict[str, Any] | None = None, env: list[dict[str, Any]] | None = None,
               **spec: Any) -> dict[str, Any]:
    labels = {"app": "spin", "cluster": name}
    container: dict[str, Any] = {"name": "gate", "image": image,
                                 "ports": [{"name": "http", "containerPort": 8084,
                                            "protocol": "TCP"}]}
    if probe is not None:
        container["readinessProbe"] = probe
    if env is not None:
        container["env"] = env
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": NS, "labels": labels},
            "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [container]}}, **spec}}


def rendered_gate() -> dict[str, Any]:
    """What pyhalyard renders for gate (httpGet probe, spin-config volume, no annotations)."""
    dep = deployment(probe={"httpGet": {"path": "/health", "port": 8084}})
    pod = dep["spec"]["template"]["spec"]
    pod["containers"][0]["volumeMounts"] = [{"name": "spin-config",
                                             "mountPath": "/opt/spinnaker/config"}]
    pod["volumes"] = [{"name": "spin-config", "secret": {"secretName": "spin-gate-files-abc"}}]
    return dep


def csaupgrade_ops(live: dict[str, Any]) -> list[dict[str, Any]]:
    """client-go util/csaupgrade UpgradeManagedFields in short: the Update entries of the
    client-side-apply managers become one Apply entry of pyhalyard (union of their fields)."""
    keep: list[dict[str, Any]] = []
    union: dict[str, Any] = {}
    for entry in live["metadata"]["managedFields"]:
        if entry["manager"] in ("kubectl-client-side-apply", "before-first-apply") and \
                entry["operation"] == "Update":
            _union(union, entry["fieldsV1"])
        else:
            keep.append(entry)
    keep.insert(0, {"manager": "pyhalyard", "operation": "Apply",
                    "apiVersion": live["apiVersion"], "fieldsType": "FieldsV1",
                    "fieldsV1": union})
    return [{"op": "test", "path": "/metadata/resourceVersion",
             "value": live["metadata"]["resourceVersion"]},
            {"op": "replace", "path": "/metadata/managedFields", "value": keep}]


def _union(into: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        _union(into.setdefault(key, {}), value)


# ------------------------------------------------------------------ ownership
def test_client_side_apply_seed_owns_every_defaulted_field(http: httpx2.Client,
                                                           api: ApiServerDouble) -> None:
    """kubectl apply (client-side) creates with an Update; the server records the fields of
    the *defaulted* object (fieldmanager.go DefaultTrackOnCreateProbability = 1)."""
    api.seed_client_side_apply(deployment(probe={"exec": {"command": ["true"]}}))
    live = http.get(f"{DEPLOYMENTS}/spin-gate").json()
    owned = entries(live)
    assert list(owned) == [("kubectl-client-side-apply", "Update")]
    fields = owned[("kubectl-client-side-apply", "Update")]
    assert "f:kubectl.kubernetes.io/last-applied-configuration" in \
        fields["f:metadata"]["f:annotations"]
    spec = fields["f:spec"]
    assert {"f:revisionHistoryLimit", "f:progressDeadlineSeconds", "f:strategy"} <= set(spec)
    assert set(spec["f:strategy"]["f:rollingUpdate"]) == {".", "f:maxSurge", "f:maxUnavailable"}
    container = spec["f:template"]["f:spec"]["f:containers"]['k:{"name":"gate"}']
    assert {"f:imagePullPolicy", "f:terminationMessagePath", "f:readinessProbe"} <= set(container)
    assert '.' not in spec  # spec exists in the empty object a create starts from
    assert live["spec"]["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {
        "maxSurge": "25%", "maxUnavailable": "25%"}}


def test_server_side_create_leaves_defaults_unowned(http: httpx2.Client) -> None:
    """structuredmerge.go defaults the merged object after the field set is taken: the applier
    owns only what it sent."""
    created = apply(http, f"{DEPLOYMENTS}/spin-gate", deployment())
    assert created.status_code == 201
    obj = created.json()
    assert obj["spec"]["revisionHistoryLimit"] == 10
    assert obj["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    fields = entries(obj)[("pyhalyard", "Apply")]
    assert "f:revisionHistoryLimit" not in fields["f:spec"]
    assert "f:strategy" not in fields["f:spec"]
    again = apply(http, f"{DEPLOYMENTS}/spin-gate", deployment())
    assert again.json()["metadata"]["resourceVersion"] == obj["metadata"]["resourceVersion"]


def test_fields_the_applier_drops_are_removed_unless_someone_else_owns_them(
        http: httpx2.Client, api: ApiServerDouble) -> None:
    """merge/update.go prune: a field the applier owned, no longer applies and nobody else
    owns is removed; env merges by name (associative list keyed on name)."""
    url = f"{DEPLOYMENTS}/spin-gate"
    two = [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    assert apply(http, url, deployment(env=two)).status_code == 201
    one = apply(http, url, deployment(env=[{"name": "A", "value": "1"}])).json()
    assert one["spec"]["template"]["spec"]["containers"][0]["env"] == [
        {"name": "A", "value": "1"}]
    assert apply(http, url, deployment(env=two)).status_code == 200

    def add_c(obj: dict[str, Any]) -> None:
        obj["spec"]["template"]["spec"]["containers"][0]["env"].append(
            {"name": "C", "value": "3"})
    api.update(add_c, kind="Deployment", name="spin-gate", namespace=NS, manager="kubectl-edit")
    kept = apply(http, url, deployment(env=[{"name": "A", "value": "1"}])).json()
    names = [e["name"] for e in kept["spec"]["template"]["spec"]["containers"][0]["env"]]
    assert names == ["A", "C"]  # B pruned; C belongs to kubectl-edit


def test_apply_over_halyard_objects_keeps_their_fields_and_is_invalid(
        http: httpx2.Client, api: ApiServerDouble) -> None:
    """Without a takeover, SSA keeps fields the CSA manager owns: Halyard's exec probe next to
    pyhalyard's httpGet is "may not specify more than 1 handler type" (validateHandler), even
    with force (Probe is a granular struct)."""
    seed_halyard(api, ["gate"])
    bad = apply(http, f"{DEPLOYMENTS}/spin-gate", rendered_gate(), force=True)
    assert bad.status_code == 422
    body = bad.json()
    assert body["message"] == (
        'Deployment.apps "spin-gate" is invalid: spec.template.spec.containers[0].'
        "readinessProbe.httpGet: Forbidden: may not specify more than 1 handler type")
    assert body["details"]["causes"] == [{
        "reason": "FieldValueForbidden", "message": "Forbidden: may not specify more than 1 "
        "handler type", "field": "spec.template.spec.containers[0].readinessProbe.httpGet"}]
    assert "exec" in http.get(f"{DEPLOYMENTS}/spin-gate").json()["spec"]["template"]["spec"][
        "containers"][0]["readinessProbe"]  # nothing was written


def test_managed_fields_takeover_then_apply_leaves_exactly_the_render(
        http: httpx2.Client, api: ApiServerDouble) -> None:
    """A JSON patch that replaces /metadata/managedFields sets them as given (fieldmanager.go
    Update decodes the new object's managedFields first); after moving the CSA entry to an
    Apply entry of pyhalyard, the next apply prunes everything Halyard had and pyhalyard
    does not render -- probe, volumes, mounts, lifecycle, grace, annotations."""
    seed_halyard(api, ["orca"], staging=True)
    url = f"{DEPLOYMENTS}/spin-orca"
    live = http.get(url).json()
    moved = json_patch(http, url, csaupgrade_ops(live))
    assert moved.status_code == 200, moved.text
    assert [(e["manager"], e["operation"]) for e in moved.json()["metadata"]["managedFields"]] \
        == [("pyhalyard", "Apply")]
    render = rendered_gate()
    render["metadata"] = {"name": "spin-orca", "namespace": NS,
                          "labels": {"app": "spin", "cluster": "spin-orca"}}
    render["spec"]["selector"]["matchLabels"] = {"app": "spin", "cluster": "spin-orca"}
    render["spec"]["template"]["metadata"]["labels"] = {"app": "spin", "cluster": "spin-orca"}
    render["spec"]["template"]["spec"]["containers"][0]["name"] = "orca"
    done = apply(http, url, render)
    assert done.status_code == 200, done.text
    obj = done.json()
    assert "annotations" not in obj["metadata"]
    pod = obj["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["containers"]] == ["orca"]
    container = pod["containers"][0]
    assert container["readinessProbe"] == {"httpGet": {"path": "/health", "port": 8084,
                                                       "scheme": "HTTP"},
                                           "timeoutSeconds": 1, "periodSeconds": 10,
                                           "successThreshold": 1, "failureThreshold": 3}
    assert "lifecycle" not in container and "env" not in container
    assert [v["name"] for v in pod["volumes"]] == ["spin-config"]
    assert [m["mountPath"] for m in container["volumeMounts"]] == ["/opt/spinnaker/config"]
    assert pod["terminationGracePeriodSeconds"] == 30  # Halyard's 60 pruned, re-defaulted
    assert obj["metadata"]["labels"] == {"app": "spin", "cluster": "spin-orca"}


def test_json_patch_test_failure_is_422_and_changes_nothing(http: httpx2.Client,
                                                             api: ApiServerDouble) -> None:
    """patch.go jsonPatcher: a failing ``test`` op is a 422 (the csaupgrade guard)."""
    api.seed_client_side_apply(deployment())
    url = f"{DEPLOYMENTS}/spin-gate"
    live = http.get(url).json()
    api.update(lambda o: o["spec"].update(replicas=3), kind="Deployment", name="spin-gate",
               namespace=NS, manager="kubectl-scale")
    stale = json_patch(http, url, csaupgrade_ops(live))
    assert stale.status_code == 422
    assert stale.json()["message"] == ("testing value /metadata/resourceVersion failed: "
                                       "test failed")
    after = http.get(url).json()
    assert ("kubectl-client-side-apply", "Update") in entries(after)


# ------------------------------------------------------------------ conflicts
def test_conflict_with_kubectl_edit_is_reported_and_force_takes_the_field(
        http: httpx2.Client, api: ApiServerDouble) -> None:
    """merge/update.go: applying a value another manager set is a conflict unless forced;
    internal/conflict.go NewConflictError builds the 409 and its causes."""
    service = {"apiVersion": "v1", "kind": "Service",
               "metadata": {"name": "spin-deck", "namespace": NS},
               "spec": {"type": "ClusterIP", "selector": {"app": "spin"},
                        "ports": [{"name": "http", "port": 9000, "targetPort": 9000,
                                   "protocol": "TCP"}]}}
    url = f"{SERVICES}/spin-deck"
    assert apply(http, url, service).status_code == 201
    api.update(lambda o: o["spec"].update(type="LoadBalancer"), kind="Service",
               name="spin-deck", namespace=NS, manager="kubectl-edit")
    edited = http.get(url).json()
    assert edited["spec"]["type"] == "LoadBalancer" and edited["spec"]["ports"][0]["nodePort"]
    refused = apply(http, url, service)
    assert refused.status_code == 409
    body = refused.json()
    assert body["reason"] == "Conflict"
    assert body["message"] == ('Apply failed with 1 conflict: conflict with "kubectl-edit" '
                               "using v1: .spec.type")
    assert body["details"]["causes"] == [{"reason": "FieldManagerConflict",
                                          "message": 'conflict with "kubectl-edit" using v1',
                                          "field": ".spec.type"}]
    assert http.get(url).json()["spec"]["type"] == "LoadBalancer"
    forced = apply(http, url, service, force=True).json()
    assert forced["spec"]["type"] == "ClusterIP"
    assert "nodePort" not in forced["spec"]["ports"][0]
    assert "f:type" in entries(forced)[("pyhalyard", "Apply")]["f:spec"]


def test_several_conflicts_are_counted(http: httpx2.Client, api: ApiServerDouble) -> None:
    url = f"{DEPLOYMENTS}/spin-gate"
    api.seed_client_side_apply(deployment(image="gate:1"))
    api.update(lambda o: o["spec"].update(replicas=4), kind="Deployment", name="spin-gate",
               namespace=NS, manager="kubectl-scale")
    refused = apply(http, url, deployment(image="gate:2", replicas=1))
    assert refused.status_code == 409
    message = refused.json()["message"]
    assert message.startswith("Apply failed with 2 conflicts: conflicts with "
                              '"kubectl-client-side-apply" using apps/v1:\n- .spec.template')
    assert 'conflicts with "kubectl-scale" using apps/v1:\n- .spec.replicas' in message


# ------------------------------------------------------------------ schema, validation
def test_unknown_field_is_a_typed_conversion_error(http: httpx2.Client) -> None:
    """Halyard's deploymentStrategy format reaches the server verbatim: SSA's typed conversion
    fails ("field not declared in schema"), reported as 500 by many versions (#122480)."""
    body = deployment(strategy={"type": "rollingUpdate", "strategySettings": {"maxSurge": 1}})
    refused = apply(http, f"{DEPLOYMENTS}/spin-gate", body)
    assert refused.status_code == 500
    assert refused.json()["message"] == (
        "Internal error occurred: failed to create typed patch object (spinnaker/spin-gate; "
        "apps/v1, Kind=Deployment): .spec.strategy.strategySettings: field not declared in "
        "schema")
    assert http.get(f"{DEPLOYMENTS}/spin-gate").status_code == 404


def test_recreate_over_a_defaulted_rolling_update_is_invalid(http: httpx2.Client) -> None:
    """SetDefaults_Deployment fills rollingUpdate, nobody owns it after an SSA create, so a
    later Recreate keeps it: ValidateDeploymentStrategy refuses."""
    url = f"{DEPLOYMENTS}/spin-gate"
    apply(http, url, deployment())
    refused = apply(http, url, deployment(strategy={"type": "Recreate"}))
    assert refused.status_code == 422
    assert refused.json()["message"].endswith(
        "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is "
        "'Recreate'")


@pytest.mark.parametrize(("body", "field", "text"), [
    (deployment(env=[{"name": "A", "value": "x", "valueFrom": {"secretKeyRef": {
        "name": "s", "key": "k"}}}]),
     "spec.template.spec.containers[0].env[0].valueFrom",
     'Invalid value: "": may not be specified when `value` is not empty'),
    (deployment(probe={"exec": {"command": ["true"]}, "tcpSocket": {"port": 1}}),
     "spec.template.spec.containers[0].readinessProbe.tcpSocket",
     "Forbidden: may not specify more than 1 handler type"),
    ({**deployment(), "spec": {**deployment()["spec"], "template": {
        "metadata": {"labels": {"app": "other"}}, "spec": deployment()["spec"]["template"][
            "spec"]}}},
     "spec.template.metadata.labels",
     'Invalid value: map[string]string{"app":"other"}: `selector` does not match template '
     "`labels`"),
])
def test_deployment_validators(http: httpx2.Client, body: dict[str, Any], field: str,
                               text: str) -> None:
    refused = apply(http, f"{DEPLOYMENTS}/spin-gate", body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["message"] == f'Deployment.apps "spin-gate" is invalid: {field}: {text}'
    assert refused.json()["details"]["causes"][0]["field"] == field


def test_volume_mount_must_name_a_volume(http: httpx2.Client) -> None:
    body = deployment()
    body["spec"]["template"]["spec"]["containers"][0]["volumeMounts"] = [
        {"name": "gone", "mountPath": "/x"}]
    refused = apply(http, f"{DEPLOYMENTS}/spin-gate", body)
    assert refused.status_code == 422
    assert refused.json()["message"].endswith(
        'spec.template.spec.containers[0].volumeMounts[0].name: Not found: "gone"')


def test_selector_is_immutable(http: httpx2.Client) -> None:
    url = f"{DEPLOYMENTS}/spin-gate"
    apply(http, url, deployment())
    body = deployment()
    body["spec"]["selector"] = {"matchLabels": {"app": "spin"}}
    refused = apply(http, url, body)
    assert refused.status_code == 422
    assert "spec.selector: Invalid value" in refused.json()["message"]
    assert "field is immutable" in refused.json()["message"]


def test_service_port_rules(http: httpx2.Client, api: ApiServerDouble) -> None:
    """ValidateService: more than one port -> every port named; names unique. A port renamed
    by hand next to an unnamed Halyard port ends up with two entries (ports merge by
    (port, protocol))."""
    url = f"{SERVICES}/spin-deck"
    two: dict[str, Any] = {"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": "spin-deck", "namespace": NS},
           "spec": {"selector": {"app": "spin"}, "ports": [
               {"port": 9000, "protocol": "TCP"}, {"port": 9001, "protocol": "TCP"}]}}
    refused = apply(http, url, two)
    assert refused.status_code == 422
    assert refused.json()["message"] == ('Service "spin-deck" is invalid: [spec.ports[0].name: '
                                         "Required value, spec.ports[1].name: Required value]")
    for port, name in zip(two["spec"]["ports"], ("http", "http"), strict=True):
        port["name"] = name
    duplicate = apply(http, url, two)
    assert duplicate.status_code == 422
    assert duplicate.json()["message"].endswith('spec.ports[1].name: Duplicate value: "http"')
    seed_halyard(api, ["deck"])
    renumbered = {"apiVersion": "v1", "kind": "Service",
                  "metadata": {"name": "spin-deck", "namespace": NS},
                  "spec": {"selector": {"app": "spin", "cluster": "spin-deck"}, "ports": [
                      {"name": "http", "port": 9443, "targetPort": 9443, "protocol": "TCP"}]}}
    left = apply(http, url, renumbered, force=True)
    assert left.status_code == 422  # Halyard's unnamed 9000 stays next to the new port
    assert "spec.ports[0].name: Required value" in left.json()["message"]


def test_secret_limits(http: httpx2.Client) -> None:
    """ValidateSecret: at most 1 MiB of data; ValidateSecretUpdate: immutable data."""
    big = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "big", "namespace": NS},
           "data": {"a": base64.b64encode(b"x" * (1024 * 1024 + 1)).decode()}}
    refused = apply(http, f"{SECRETS}/big", big)
    assert refused.status_code == 422
    assert refused.json()["message"] == ('Secret "big" is invalid: data: Too long: must have at '
                                         "most 1048576 bytes")
    frozen = {"apiVersion": "v1", "kind": "Secret", "immutable": True,
              "metadata": {"name": "s", "namespace": NS}, "data": {"a": "eA=="}}
    assert apply(http, f"{SECRETS}/s", frozen).status_code == 201
    assert http.get(f"{SECRETS}/s").json()["type"] == "Opaque"
    changed = apply(http, f"{SECRETS}/s", {**frozen, "data": {"a": "eQ=="}})
    assert changed.status_code == 422
    assert changed.json()["message"] == ('Secret "s" is invalid: data: Forbidden: field is '
                                         "immutable when `immutable` is set")


def test_service_defaults_and_allocation(http: httpx2.Client) -> None:
    """SetDefaults_Service + the registry's ClusterIP allocation."""
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "spin-gate",
                                                             "namespace": NS},
           "spec": {"selector": {"app": "spin"}, "ports": [{"port": 8084}]}}
    obj = apply(http, f"{SERVICES}/spin-gate", svc).json()
    spec = obj["spec"]
    assert spec["type"] == "ClusterIP" and spec["sessionAffinity"] == "None"
    assert spec["ports"] == [{"port": 8084, "protocol": "TCP", "targetPort": 8084}]
    assert spec["clusterIP"].startswith("10.96.") and spec["clusterIPs"] == [spec["clusterIP"]]
    assert spec["ipFamilies"] == ["IPv4"]


def test_namespace_default_label(api: ApiServerDouble) -> None:
    api.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}})
    ns = api.get("Namespace", "other")
    assert ns is not None
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "other"}


# ------------------------------------------------------------------ dry run
def test_dry_run_processes_everything_and_stores_nothing(http: httpx2.Client,
                                                         api: ApiServerDouble) -> None:
    url = f"{DEPLOYMENTS}/spin-gate"
    rv = http.get(f"/api/v1/namespaces/{NS}").json()["metadata"]["resourceVersion"]
    would = apply(http, url, deployment(), dry_run=True)
    assert would.status_code == 201
    assert would.json()["spec"]["revisionHistoryLimit"] == 10  # defaulted
    assert http.get(url).status_code == 404
    assert api.names("ReplicaSet", NS) == []
    apply(http, url, deployment())
    before = http.get(url).json()
    changed = apply(http, url, deployment(image="gate:3"), dry_run=True)
    assert changed.status_code == 200
    assert changed.json()["spec"]["template"]["spec"]["containers"][0]["image"] == "gate:3"
    assert http.get(url).json()["metadata"] == before["metadata"]
    invalid = apply(http, url, deployment(strategy={"type": "Recreate"}), dry_run=True)
    assert invalid.status_code == 422
    api.update(lambda o: o["spec"].update(replicas=2), kind="Deployment", name="spin-gate",
               namespace=NS, manager="kubectl-scale")
    assert apply(http, url, deployment(), dry_run=True).status_code == 409
    deleted = http.delete(url, params={"dryRun": "All"})
    assert deleted.status_code == 200 and http.get(url).status_code == 200
    assert rv != http.get(url).json()["metadata"]["resourceVersion"]


# ------------------------------------------------------------------ version, RBAC
def test_version_and_policy_v1_below_1_21(http: httpx2.Client, api: ApiServerDouble) -> None:
    assert http.get("/version").json()["gitVersion"] == "v1.26.3"
    pdb = f"/apis/policy/v1/namespaces/{NS}/poddisruptionbudgets"
    assert http.get(pdb).status_code == 200
    api.set_version("v1.20.15")
    version = http.get("/version").json()
    assert (version["major"], version["minor"]) == ("1", "20")
    missing = http.get(pdb)
    assert missing.status_code == 404
    assert missing.json()["message"] == "the server could not find the requested resource"
    assert http.get("/apis/policy/v1").status_code == 404


def test_rbac_denial_and_access_reviews(http: httpx2.Client, api: ApiServerDouble) -> None:
    """The spinnaker.io "minimal" role has no policy group: 403 with the RBAC message; the
    SelfSubjectAccessReview and SelfSubjectRulesReview answer from the same rules."""
    api.deny("*", "policy", "poddisruptionbudgets")
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
           "metadata": {"name": "spin-clouddriver-ro", "namespace": NS},
           "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "spin"}}}}
    refused = apply(http, f"/apis/policy/v1/namespaces/{NS}/poddisruptionbudgets/"
                          "spin-clouddriver-ro", pdb)
    assert refused.status_code == 403
    body = refused.json()
    assert body["reason"] == "Forbidden"
    assert body["message"] == (
        'poddisruptionbudgets.policy "spin-clouddriver-ro" is forbidden: User '
        '"system:serviceaccount:spinnaker:spinnaker-service-account" cannot patch resource '
        '"poddisruptionbudgets" in API group "policy" in the namespace "spinnaker"')

    def review(verb: str, group: str, resource: str) -> bool:
        answer = http.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", json={
            "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": {"namespace": NS, "verb": verb, "group": group,
                                            "resource": resource}}})
        assert answer.status_code == 201
        return bool(answer.json()["status"]["allowed"])
    assert review("patch", "policy", "poddisruptionbudgets") is False
    assert review("patch", "", "secrets") is True
    rules = http.post("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", json={
        "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview",
        "spec": {"namespace": NS}}).json()["status"]["resourceRules"]
    assert not any("poddisruptionbudgets" in r["resources"] for r in rules)
    assert any("secrets" in r["resources"] and "patch" in r["verbs"] for r in rules)


# ------------------------------------------------------------------ controller
def _secret(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": NS},
            "data": {"gate.yml": base64.b64encode(b"server: {port: 8084}\n").decode()}}


def _with_secret(secret: str) -> dict[str, Any]:
    dep = deployment()
    pod = dep["spec"]["template"]["spec"]
    pod["volumes"] = [{"name": "spin-config", "secret": {"secretName": secret}}]
    pod["containers"][0]["volumeMounts"] = [{"name": "spin-config",
                                             "mountPath": "/opt/spinnaker/config"}]
    return dep


def test_replica_set_history_and_rollout_undo(http: httpx2.Client, api: ApiServerDouble) -> None:
    """sync.go: one ReplicaSet per template (pod-template-hash, revision annotation, owner
    reference), old ones scaled to 0 and kept; ``kubectl rollout undo`` brings the previous
    template back, whose pods start only if its Secret still exists."""
    url = f"{DEPLOYMENTS}/spin-gate"
    for name in ("s1", "s2"):
        apply(http, f"{SECRETS}/{name}", _secret(name))
    apply(http, url, _with_secret("s1"))
    apply(http, url, _with_secret("s2"))
    listed = http.get(f"/apis/apps/v1/namespaces/{NS}/replicasets",
                      params={"labelSelector": "app=spin,cluster=spin-gate"}).json()["items"]
    by_revision = {int(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"]): rs
                   for rs in listed}
    assert sorted(by_revision) == [1, 2]
    old, new = by_revision[1], by_revision[2]
    assert old["spec"]["replicas"] == 0 and new["spec"]["replicas"] == 1
    assert old["metadata"]["ownerReferences"][0]["name"] == "spin-gate"
    assert old["spec"]["template"]["spec"]["volumes"][0]["secret"]["secretName"] == "s1"
    assert "pod-template-hash" in old["metadata"]["labels"]
    assert http.delete(f"{SECRETS}/s1").status_code == 200
    undone = api.rollout_undo("spin-gate", NS)
    assert undone["spec"]["template"]["spec"]["volumes"][0]["secret"]["secretName"] == "s1"
    assert ("kubectl-rollout", "Update") in entries(undone)
    revisions = {rs["metadata"]["name"]: rs["metadata"]["annotations"][
        "deployment.kubernetes.io/revision"] for rs in http.get(
        f"/apis/apps/v1/namespaces/{NS}/replicasets").json()["items"]}
    assert revisions[old["metadata"]["name"]] == "3"  # the old RS reused, next revision
    status = http.get(url).json()["status"]
    progressing = next(c for c in status["conditions"] if c["type"] == "Progressing")
    assert 'secret "s1" not found' in progressing["message"]  # pods hang in ContainerCreating


def test_revision_history_limit_drops_the_oldest(http: httpx2.Client,
                                                 api: ApiServerDouble) -> None:
    url = f"{DEPLOYMENTS}/spin-gate"
    for tag in range(4):
        apply(http, url, deployment(image=f"gate:{tag}", revisionHistoryLimit=2))
    assert len(api.names("ReplicaSet", NS)) == 3  # the current one + 2 old ones


def test_paused_deployment_makes_no_new_replica_set(http: httpx2.Client,
                                                     api: ApiServerDouble) -> None:
    url = f"{DEPLOYMENTS}/spin-gate"
    apply(http, url, deployment(image="gate:1"))
    api.update(lambda o: o["spec"].update(paused=True), kind="Deployment", name="spin-gate",
               namespace=NS, manager="kubectl")
    applied = apply(http, url, deployment(image="gate:2"), force=True)
    assert applied.status_code == 200 and applied.json()["spec"]["paused"] is True
    assert len(api.names("ReplicaSet", NS)) == 1
    time.sleep(0.05)  # past observe_delay: the controller has seen the new generation
    status = http.get(url).json()["status"]
    assert status.get("updatedReplicas", 0) == 0
    progressing = next(c for c in status["conditions"] if c["type"] == "Progressing")
    assert (progressing["status"], progressing["reason"]) == ("Unknown", "DeploymentPaused")


def test_held_foreground_deletion_and_apply_to_a_terminating_object(
        http: httpx2.Client, api: ApiServerDouble) -> None:
    """store.go: foreground deletion keeps the object (deletionTimestamp, foregroundDeletion
    finalizer) until its dependents are gone; an apply to it is accepted and patches it, but
    the controller only syncs status (sync.go)."""
    url = f"{DEPLOYMENTS}/spin-gate"
    apply(http, url, deployment(image="gate:1"))
    api.hold_deletion("Deployment", "spin-gate", NS)  # forever
    assert http.delete(url, params={"propagationPolicy": "Foreground"}).status_code == 200
    live = http.get(url).json()
    assert live["metadata"]["deletionTimestamp"]
    assert live["metadata"]["finalizers"] == ["foregroundDeletion"]
    patched = apply(http, url, deployment(image="gate:2"))
    assert patched.status_code == 200
    assert patched.json()["metadata"]["deletionTimestamp"] == live["metadata"]["deletionTimestamp"]
    assert len(api.names("ReplicaSet", NS)) == 1  # no rollout of a terminating Deployment
    api.release_deletion("Deployment", "spin-gate", NS)
    assert http.get(url).status_code == 404


def test_custom_finalizer_holds_the_object_until_removed(http: httpx2.Client,
                                                         api: ApiServerDouble) -> None:
    secret = _secret("held")
    secret["metadata"]["finalizers"] = ["example.com/keep"]
    apply(http, f"{SECRETS}/held", secret)
    assert http.delete(f"{SECRETS}/held").status_code == 200
    assert http.get(f"{SECRETS}/held").json()["metadata"]["deletionTimestamp"]
    api.update(lambda o: o["metadata"].pop("finalizers"), kind="Secret", name="held",
               namespace=NS)
    assert http.get(f"{SECRETS}/held").status_code == 404


# ------------------------------------------------------------------ other writes
def test_put_and_patch_formats_record_update_managers(http: httpx2.Client,
                                                      api: ApiServerDouble) -> None:
    url = f"{DEPLOYMENTS}/spin-gate"
    apply(http, url, deployment())
    scaled = http.patch(url, content=json.dumps({"spec": {"replicas": 3}}),
                        params={"fieldManager": "kubectl-scale"},
                        headers={"Content-Type": "application/merge-patch+json"})
    assert scaled.status_code == 200 and scaled.json()["spec"]["replicas"] == 3
    assert entries(scaled.json())[("kubectl-scale", "Update")] == {"f:spec": {"f:replicas": {}}}
    smp = http.patch(url, content=json.dumps({"spec": {"template": {"spec": {"containers": [
        {"name": "gate", "image": "gate:9"}]}}}}),
        headers={"Content-Type": "application/strategic-merge-patch+json",
                 "User-Agent": "kubectl-patch/v1.26.3 (linux/amd64)"})
    assert smp.status_code == 200
    container = smp.json()["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "gate:9" and container["ports"][0]["containerPort"] == 8084
    assert ("kubectl-patch", "Update") in entries(smp.json())  # manager from the user agent
    live = smp.json()
    stale = copy.deepcopy(live)
    stale["metadata"]["resourceVersion"] = "1"
    assert http.put(url, json=stale).status_code == 409
    live["spec"]["replicas"] = 2
    put = http.put(url, json=live, params={"fieldManager": "kubectl-replace"})
    assert put.status_code == 200 and put.json()["spec"]["replicas"] == 2


# ------------------------------------------------------------------ Halyard's objects
def test_halyard_objects_are_seeded_as_halyard_left_them(http: httpx2.Client,
                                                         api: ApiServerDouble) -> None:
    """KubernetesV2Service / KubectlDeployer / KubernetesV2Executor (see halyard_objects)."""
    seed_halyard(api, ["clouddriver-caching", "deck", "redis", "orca"], metrics=True)
    caching = http.get(f"{DEPLOYMENTS}/spin-clouddriver-caching").json()
    pod = caching["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] == 720
    assert pod["containers"][0]["readinessProbe"]["exec"]["command"][:2] == [
        "wget", "--no-check-certificate"]
    assert [c["name"] for c in pod["containers"]] == ["clouddriver-caching", "monitoring-daemon"]
    assert pod["volumes"][0]["name"] == pod["volumes"][0]["secret"]["secretName"] == \
        "spin-clouddriver-caching-files-1234567890"
    assert "kubectl.kubernetes.io/last-applied-configuration" in caching["metadata"][
        "annotations"]
    assert [(e["manager"], e["operation"]) for e in caching["metadata"]["managedFields"]] == [
        ("kubectl-client-side-apply", "Update")]
    deck = http.get(f"{DEPLOYMENTS}/spin-deck").json()
    assert "tcpSocket" in deck["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
    redis = http.get(f"{DEPLOYMENTS}/spin-redis").json()["spec"]["template"]["spec"]
    assert redis["containers"][0]["image"] == "redis:6.2"
    assert redis["containers"][0]["env"] == [{"name": "MASTER", "value": "true"}]
    orca = http.get(f"{DEPLOYMENTS}/spin-orca").json()["spec"]["template"]["spec"]
    assert orca["containers"][0]["lifecycle"]["preStop"]["exec"]["command"] == [
        "bash", "/opt/spinnaker/scripts/shutdown.sh"]
    service = http.get(f"{SERVICES}/spin-deck").json()
    assert "name" not in service["spec"]["ports"][0]
    secret = http.get(f"{SECRETS}/spin-deck-files-1234567890").json()
    assert "annotations" not in secret["metadata"]
    assert [e["manager"] for e in secret["metadata"]["managedFields"]] == ["kubectl-replace"]


def test_halyard_variants_cover_both_splits() -> None:
    on = {o["metadata"]["name"] for o in halyard_objects(
        ("clouddriver-caching", "echo-scheduler", "echo-worker")) if o["kind"] == "Deployment"}
    assert on == {"spin-clouddriver-caching", "spin-echo-scheduler", "spin-echo-worker"}
    staged = halyard_objects(("gate",), staging=True)
    mounts = [m["mountPath"] for o in staged if o["kind"] == "Deployment"
              for m in o["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]]
    assert mounts == ["/opt/spinnaker/config",
                      "/home/spinnaker/.hal/default/staging/dependencies"]


def test_fields_newer_than_the_server_are_not_in_its_schema(http: httpx2.Client,
                                                            api: ApiServerDouble) -> None:
    """A 1.25 server has no PDB unhealthyPodEvictionPolicy (added in 1.26): apply fails the
    typed conversion; 1.26 accepts it."""
    pdb = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
           "metadata": {"name": "spin-gate", "namespace": NS},
           "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "spin"}},
                    "unhealthyPodEvictionPolicy": "AlwaysAllow"}}
    url = f"/apis/policy/v1/namespaces/{NS}/poddisruptionbudgets/spin-gate"
    api.set_version("v1.25.9")
    old = apply(http, url, pdb)
    assert old.status_code == 500
    assert old.json()["message"].endswith(
        ".spec.unhealthyPodEvictionPolicy: field not declared in schema")
    spread = deployment()
    spread["spec"]["template"]["spec"]["topologySpreadConstraints"] = [{
        "maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway",
        "matchLabelKeys": ["pod-template-hash"],
        "labelSelector": {"matchLabels": {"app": "spin"}}}]
    api.set_version("v1.24.17")
    refused = apply(http, f"{DEPLOYMENTS}/spin-gate", spread)
    assert refused.json()["message"].endswith(
        '.spec.template.spec.topologySpreadConstraints[topologyKey="zone",'
        'whenUnsatisfiable="ScheduleAnyway"].matchLabelKeys: field not declared in schema')
    api.set_version("v1.26.3")
    assert apply(http, url, pdb).status_code == 201


def test_unknown_fields_in_an_update_are_dropped_or_refused_when_strict(
        http: httpx2.Client) -> None:
    """Non-apply writes decode into the Go type: unknown fields vanish (fieldValidation Warn,
    the server default) or, with fieldValidation=Strict (kubectl >= 1.27), are a 400."""
    url = f"{DEPLOYMENTS}/spin-gate"
    apply(http, url, deployment())
    live = http.get(url).json()
    live["spec"]["bogus"] = 1
    live["spec"]["template"]["spec"]["containers"][0]["weird"] = True
    strict = http.put(url, json=live, params={"fieldValidation": "Strict"})
    assert strict.status_code == 400
    assert strict.json()["message"] == ('strict decoding error: unknown field "spec.bogus", '
                                        'unknown field "spec.template.spec.containers[0].weird"')
    lenient = http.put(url, json=live, params={"fieldManager": "kubectl-edit"})
    assert lenient.status_code == 200
    assert "bogus" not in lenient.json()["spec"]
    assert "weird" not in lenient.json()["spec"]["template"]["spec"]["containers"][0]


def test_untracked_object_gets_a_before_first_apply_manager(http: httpx2.Client,
                                                             api: ApiServerDouble) -> None:
    """managedFields: [{}] clears the records (as on objects older than managedFields); the
    first apply then gives everything already there to "before-first-apply"
    (skipnonapplied.go), so the applier conflicts with it on values it changes."""
    url = f"{DEPLOYMENTS}/spin-gate"
    api.seed(deployment(image="gate:1"))
    cleared = json_patch(http, url, [{"op": "replace", "path": "/metadata/managedFields",
                                      "value": [{}]}])
    assert cleared.status_code == 200 and "managedFields" not in cleared.json()["metadata"]
    refused = apply(http, url, deployment(image="gate:2"))
    assert refused.status_code == 409
    assert '"before-first-apply" using apps/v1' in refused.json()["message"]
    forced = apply(http, url, deployment(image="gate:2"), force=True).json()
    assert set(entries(forced)) == {("pyhalyard", "Apply"), ("before-first-apply", "Update")}


def test_apply_body_must_not_carry_managed_fields(http: httpx2.Client) -> None:
    body = deployment()
    body["metadata"]["managedFields"] = [{"manager": "x", "operation": "Apply"}]
    refused = apply(http, f"{DEPLOYMENTS}/spin-gate", body)
    assert refused.status_code == 400
    assert refused.json()["message"] == "metadata.managedFields must be nil"
