"""Canary and pub/sub validation as Halyard's validators (halyard-config validate/v1/canary/
CanaryValidator, CanaryAccountValidator, GoogleCanaryValidator, AwsCanaryValidator,
PrometheusCanaryAccountValidator; pubsub/google/GooglePublisherValidator,
GooglePubsubValidator): an edit that would break them is refused, the file untouched."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import CLI_FIXTURES, Hal

HAL_CONFIG = CLI_FIXTURES / "halyard-ops.yml"


def refused(hal: Hal, *args: str, says: str) -> None:
    before = hal.text()
    result = hal(*args)
    assert result.code == 1, (args, result.out, result.err)
    assert says in result.err, result.err
    assert hal.text() == before


def test_canary_account_names_are_unique_across_integrations(hal: Hal) -> None:
    assert hal("config", "canary", "prometheus", "account", "add", "metrics",
               "--base-url", "http://p:9090").code == 0
    refused(hal, "config", "canary", "datadog", "account", "add", "metrics", "--base-url",
            "https://dd", "--api-key", "k", "--application-key", "a",
            says="canary account 'metrics' appears more than once")


def test_canary_account_names_follow_halyards_pattern(hal: Hal) -> None:
    refused(hal, "config", "canary", "prometheus", "account", "add", "My_Prom",
            "--base-url", "http://p:9090", says="must match")


def test_gcs_and_s3_need_an_account_with_a_bucket(hal: Hal) -> None:
    refused(hal, "config", "canary", "google", "edit", "--gcs-enabled", "true",
            says="at least one google canary account must name a bucket")
    refused(hal, "config", "canary", "aws", "edit", "--s3-enabled", "true",
            says="at least one aws canary account must name a bucket")
    assert hal("config", "canary", "google", "account", "add", "gcp", "--project", "p",
               "--bucket", "b").code == 0
    assert hal("config", "canary", "google", "edit", "--gcs-enabled", "true").code == 0


def test_prometheus_username_password_file_needs_a_colon(hal: Hal, tmp_path: Path) -> None:
    bad = tmp_path / "userpass"
    bad.write_text("just-a-user\n")
    refused(hal, "config", "canary", "prometheus", "account", "add", "prom", "--base-url",
            "http://p:9090", "--username-password-file", str(bad), says="does not contain a ':'")
    bad.write_text("user:pass\n")
    assert hal("config", "canary", "prometheus", "account", "add", "prom", "--base-url",
               "http://p:9090", "--username-password-file", str(bad)).code == 0


def test_publishers_need_project_and_topic_and_unique_names(hal: Hal) -> None:
    refused(hal, "config", "notification", "pubsub", "google", "add", "events",
            "--project", "p", says="has no topicName")
    assert hal("config", "notification", "pubsub", "google", "add", "events",
               "--project", "p", "--topic-name", "t").code == 0
    result = hal("config", "validate")
    assert "pubsub" not in result.out + result.err
