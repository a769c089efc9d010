"""Fixtures: a running API double, a kubeconfig for it, and a connected Kube."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pyhalyard.deploy import kube as kube_module
from pyhalyard.deploy.kube import Credentials, Kube, Retry
from tests.deploy.apiserver_double import ApiServerDouble

FAST_RETRY = Retry(attempts=5, base=0.01, cap=0.05)


@pytest.fixture
def api() -> Iterator[ApiServerDouble]:
    with ApiServerDouble(ready_delay=0.03, grace=0.01) as double:
        yield double


@pytest.fixture
def kubeconfig(api: ApiServerDouble, tmp_path: Path) -> Path:
    return api.write_kubeconfig(tmp_path / "kubeconfig")


@pytest.fixture
def kube(kubeconfig: Path) -> Iterator[Kube]:
    client = Kube.connect(Credentials("test", str(kubeconfig), "double", False), FAST_RETRY)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI uses the module default; keep retried faults quick in tests."""
    monkeypatch.setattr(kube_module, "DEFAULT_RETRY", FAST_RETRY)
