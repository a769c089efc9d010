"""``hal config deploy [edit]``, ``hal config storage ...`` and ``hal config version ...``."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from tests.cli.conftest import Hal, deployment


def env(hal: Hal, name: str = "default") -> Any:
    return deployment(hal, name)["deploymentEnvironment"]


# ------------------------------------------------------------------- deploy
def test_deploy_shows_the_environment(hal: Hal) -> None:
    result = hal("--deployment", "prod", "config", "deploy")
    assert result.code == 0
    shown = yaml.safe_load(result.out)
    assert shown["type"] == "Distributed" and shown["location"] == "spinnaker-prod"
    assert "hunter2" not in result.out  # Redis passwords masked
    data = json.loads(hal("config", "deploy", "-o", "json").out)
    assert data["accountName"] == "spin-cluster"


def test_deploy_edit_every_flag(hal: Hal) -> None:
    result = hal("--deployment", "sandbox", "config", "deploy", "edit", "--type", "distributed",
                 "--account-name", "sb", "--location", "sb-ns", "--image-variant", "ubuntu",
                 "--liveness-probe-enabled", "true",
                 "--liveness-probe-initial-delay-seconds", "90", "--no-validate")
    assert result.code == 0, result.err
    got = env(hal, "sandbox")
    assert got["type"] == "Distributed"  # Halyard's spelling whatever the input case
    assert got["accountName"] == "sb" and got["location"] == "sb-ns"
    assert got["imageVariant"] == "UBUNTU"
    assert got["livenessProbeConfig"] == {"enabled": True, "initialDelaySeconds": 90}


def test_distributed_without_known_account_is_refused(hal: Hal) -> None:
    before = hal.bytes()
    result = hal("--deployment", "sandbox", "config", "deploy", "edit", "--type", "Distributed")
    assert result.code == 1 and "needs accountName" in result.err
    result = hal("config", "deploy", "edit", "--account-name", "ghost")
    assert result.code == 1
    assert "accountName 'ghost' is not a Kubernetes account" in result.err
    assert hal.bytes() == before


@pytest.mark.parametrize("args, code", [
    (["--type", "Kubernetes"], 2),
    (["--image-variant", "alpine"], 2),
    (["--liveness-probe-initial-delay-seconds", "-5"], 2),
    (["--location", "Bad_Namespace"], 1),
    ([], 2),
])
def test_deploy_edit_bad_input(hal: Hal, args: list[str], code: int) -> None:
    before = hal.bytes()
    result = hal("config", "deploy", "edit", *args)
    assert result.code == code
    assert "Traceback" not in result.err
    assert hal.bytes() == before


# ------------------------------------------------------------------ storage
def test_storage_show_masks_secrets(hal: Hal) -> None:
    result = hal("--deployment", "prod", "config", "storage", "-o", "json")
    data = json.loads(result.out)
    assert data["s3"]["secretAccessKey"] == "****"
    assert "storage-key-do-not-print" not in result.out
    result = hal("--deployment", "prod", "config", "storage", "s3")
    assert "storage-key-do-not-print" not in result.out and "bucket: prod-front50" in result.out


def test_storage_type(hal: Hal) -> None:
    assert hal("config", "storage", "edit", "--type", "S3").code == 0
    assert deployment(hal)["persistentStorage"]["persistentStoreType"] == "s3"
    assert hal("config", "storage", "edit", "--type", "ftp").code == 2
    assert hal("config", "storage", "edit").code == 2


def test_s3_edit_never_echoes_the_secret(hal: Hal) -> None:
    result = hal("config", "storage", "s3", "edit", "--bucket", "b", "--root-folder", "r",
                 "--region", "eu-west-1", "--endpoint", "http://minio:9000",
                 "--access-key-id", "AKIA1", "--secret-access-key", "s3cr3t-value",
                 "--path-style-access", "true")
    assert result.code == 0, result.err
    assert "s3cr3t-value" not in result.out + result.err
    assert "secretAccessKey=****" in result.out
    assert "persistentStoreType is gcs" in result.out  # hint: s3 is not selected
    s3 = deployment(hal)["persistentStorage"]["s3"]
    assert s3 == {"rootFolder": "r", "bucket": "b", "region": "eu-west-1",
                  "endpoint": "http://minio:9000", "accessKeyId": "AKIA1",
                  "secretAccessKey": "s3cr3t-value", "pathStyleAccess": True}


def test_s3_secret_read_from_stdin(hal: Hal, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bare --secret-access-key reads one line from a piped stdin (secret_input)."""
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("typed-secret\nignored\n"))
    result = hal("config", "storage", "s3", "edit", "--secret-access-key")
    assert result.code == 0, result.err
    assert deployment(hal)["persistentStorage"]["s3"]["secretAccessKey"] == "typed-secret"
    assert "typed-secret" not in result.out + result.err


def test_gcs_edit(hal: Hal) -> None:
    result = hal("config", "storage", "gcs", "edit", "--bucket", "g", "--project", "p",
                 "--json-path", "/secrets/key.json", "--bucket-location", "eu",
                 "--root-folder", "f50")
    assert result.code == 0, result.err
    assert "persistentStoreType" not in result.out  # gcs is already selected
    assert deployment(hal)["persistentStorage"]["gcs"] == {
        "rootFolder": "f50", "bucketLocation": "eu", "bucket": "g", "project": "p",
        "jsonPath": "/secrets/key.json"}
    assert hal("config", "storage", "gcs", "edit").code == 2
    assert hal("config", "storage", "gcs", "edit", "--bucket").code == 2


# ------------------------------------------------------------------ version
def test_version_show_and_edit(hal: Hal) -> None:
    assert hal("config", "version").out == "1.30.1\n"
    result = hal("--deployment", "prod", "config", "version", "edit", "--version", "2025.2.1")
    assert result.code == 0 and "2025.2.1" in result.out
    assert deployment(hal, "prod")["version"] == "2025.2.1"
    assert deployment(hal)["version"] == "1.30.1"
    assert json.loads(hal("--deployment", "prod", "config", "version", "-o", "json").out) == {
        "version": "2025.2.1"}


def test_version_bad_input(hal: Hal) -> None:
    before = hal.bytes()
    assert hal("config", "version", "edit").code == 2
    result = hal("config", "version", "edit", "--version", "1.30 beta")
    assert result.code == 1 and "is not a version" in result.err
    assert hal.bytes() == before


def test_quiet_silences_confirmations(hal: Hal) -> None:
    result = hal("-q", "config", "version", "edit", "--version", "1.31.0")
    assert result.code == 0 and result.out == ""
