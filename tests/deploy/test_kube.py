"""The cluster seam: credentials from the deploy account, retries, rollout status."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pyhalyard.deploy.kube import Credentials, Kube, KubeError, Retry, Rollout, credentials
from pyhalyard.errors import HalError
from tests.deploy.apiserver_double import ApiServerDouble
from tests.deploy.bundles import make_hal, plan_for

NS_OBJ = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "spinnaker"}}


def test_credentials_come_from_the_deploy_account(tmp_path: Path, kubeconfig: Path) -> None:
    plan = plan_for(make_hal(tmp_path, kubeconfig))
    creds = credentials(plan.deployment)
    assert creds == Credentials("prod-cluster", str(kubeconfig), "double", False)
    assert creds.kubectl_args() == ["--kubeconfig", str(kubeconfig), "--context", "double"]


def test_service_account_outside_a_pod_is_a_clear_error(tmp_path: Path, kubeconfig: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    creds = Credentials("in-cluster", None, None, True)
    assert creds.kubectl_args() == []
    with pytest.raises(HalError, match=r"account 'in-cluster': .*serviceaccount"):
        Kube.connect(creds)


def test_service_account_credentials_are_used(tmp_path: Path, api: ApiServerDouble,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """In a pod: token and namespace files plus KUBERNETES_SERVICE_HOST/PORT."""
    from lightkube.config import kubeconfig as lk

    account = tmp_path / "sa"
    account.mkdir()
    (account / "token").write_text(api.token)
    (account / "namespace").write_text("spinnaker")
    (account / "ca.crt").write_text("")
    captured = {}
    real = lk.KubeConfig.from_service_account

    def from_sa(service_account: str = lk.SERVICE_ACCOUNT) -> lk.KubeConfig:
        config = real(service_account=str(account))
        captured["server"] = config.clusters["default"].server
        return config
    monkeypatch.setattr(lk.KubeConfig, "from_service_account", staticmethod(from_sa))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", api.url.rsplit(":", 1)[1])
    creds = Credentials("in-cluster", None, None, True)
    # https to a plain-http double: it fails, but only after reading the mounted token.
    with pytest.raises(HalError), Kube.connect(creds, Retry(attempts=1)) as kube:
        kube.get("Namespace", "spinnaker")
    assert captured["server"] == f"https://127.0.0.1:{api.url.rsplit(':', 1)[1]}"


def test_missing_kubeconfig_and_context(tmp_path: Path, kubeconfig: Path) -> None:
    with pytest.raises(HalError, match=r"account 'a': cannot load credentials from .*nope"):
        Kube.connect(Credentials("a", str(tmp_path / "nope"), None, False))
    with pytest.raises(HalError, match="Context 'other' not found"):
        Kube.connect(Credentials("a", str(kubeconfig), "other", False))


def test_kubeconfig_env_is_the_fallback(kubeconfig: Path, api: ApiServerDouble,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", f"/does/not/exist:{kubeconfig}")
    with Kube.connect(Credentials("a", None, None, False)) as kube:
        assert kube.apply(NS_OBJ)["metadata"]["name"] == "spinnaker"


def test_retry_after_is_honoured(kube: Kube, api: ApiServerDouble) -> None:
    api.inject(429, method="PATCH", times=1, retry_after="0.3")
    started = time.monotonic()
    kube.retry = Retry(attempts=3, base=0.01, cap=1.0)
    kube.apply(NS_OBJ)
    assert time.monotonic() - started >= 0.3
    assert [c for m, _, c in api.requests if m == "PATCH"] == [429, 201]


def test_retries_give_up_with_the_last_error(kube: Kube, api: ApiServerDouble) -> None:
    api.inject(503, method="GET", times=10)
    kube.retry = Retry(attempts=3, base=0.01, cap=0.02)
    with pytest.raises(KubeError, match="get Namespace/spinnaker: 503 injected fault") as err:
        kube.get("Namespace", "spinnaker")
    assert err.value.code == 503
    assert api.counts("GET") == 3


def test_client_errors_are_not_retried(kube: Kube, api: ApiServerDouble) -> None:
    with pytest.raises(KubeError, match='namespaces "spinnaker" not found') as err:
        kube.apply({"apiVersion": "v1", "kind": "Service",
                    "metadata": {"name": "s", "namespace": "spinnaker"}})
    assert err.value.code == 404
    assert api.counts("PATCH") == 1
    assert kube.get("Secret", "s", "spinnaker") is None
    assert kube.delete("Secret", "s", "spinnaker") is False
    with pytest.raises(HalError, match="cannot handle kind 'ConfigMap'"):
        kube.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}})


def test_rollout_judges_the_new_generation_only() -> None:
    def obj(**status: int) -> dict:
        return {"metadata": {"name": "d", "generation": 3}, "spec": {"replicas": 2},
                "status": status}
    old_looks_fine = Rollout.from_object(obj(observedGeneration=2, replicas=2,
                                             updatedReplicas=2, availableReplicas=2))
    assert not old_looks_fine.complete
    assert old_looks_fine.summary() == "waiting for the controller to see generation 3"
    surge = Rollout.from_object(obj(observedGeneration=3, replicas=3, updatedReplicas=2,
                                    availableReplicas=3))
    assert not surge.complete and surge.summary().endswith("1 old pod left")
    done = Rollout.from_object(obj(observedGeneration=3, replicas=2, updatedReplicas=2,
                                   availableReplicas=2))
    assert done.complete
    stalled = Rollout.from_object({**obj(observedGeneration=3), "status": {
        "observedGeneration": 3, "conditions": [
            {"type": "Available", "status": "False", "reason": "MinimumReplicasUnavailable"},
            {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
             "message": "too slow"}]}})
    assert stalled.stalled is not None
    assert str(stalled.last_condition) == "Progressing=False (ProgressDeadlineExceeded): too slow"


def test_a_refused_secret_is_reported_without_the_servers_message(kube: Kube,
                                                                  api: ApiServerDouble) -> None:
    """API servers quote offending values; for a Secret those are the secret itself.  The
    field paths of the refusal (never values) are shown, so the user knows what to fix."""
    kube.apply(NS_OBJ)
    with pytest.raises(KubeError) as err:
        kube.apply({"apiVersion": "v1", "kind": "Secret",
                    "metadata": {"name": "s", "namespace": "spinnaker"},
                    "data": {"k": "not base64 hunter2!"}})
    assert str(err.value) == "apply Secret/s: 422 Invalid: data[k]"
    assert "hunter2" not in str(err.value)
