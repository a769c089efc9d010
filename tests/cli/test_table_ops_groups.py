"""Notification, pubsub, features, webhook, stats, metric-store, repository and storage
commands: each edit changes only its own lines of a commented Halyard-style config, writes
the key Halyard's command class writes (cited per case), and reaches the rendered profiles
as Halyard rendered it.

Command classes: halyard-cli .../command/v1/config/{notifications,pubsubs,webhook,stats,
metricStores,repository,persistentStorage}/** and config/EditFeaturesCommand.java.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.conftest import CLI_FIXTURES, Hal
from tests.cli.lines import Change, Lines, changes
from tests.helpers import deck_settings_object, is_staged

HAL_CONFIG = CLI_FIXTURES / "halyard-ops.yml"
FIXTURE = Lines(HAL_CONFIG.read_text(encoding="utf-8"))
BEFORE, LINES = FIXTURE.text, FIXTURE.lines
at, swap, insert_before = FIXTURE.at, FIXTURE.swap, FIXTURE.insert_before




CASES: list[tuple[str, list[str], list[Change]]] = [
    # ------------------------------------------------------------ notification
    ("NotificationEnableDisableCommandBuilder: notifications.slack.enabled",
     ["config", "notification", "slack", "enable"],
     [swap("      enabled: false", "      enabled: true", after="    slack:")]),
    ("EditSlackCommand: setBotName, setToken",
     ["config", "notification", "slack", "edit", "--bot-name", "spinbot", "--token", "xoxb-1"],
     [insert_before("    twilio:", ["      botName: spinbot", "      token: xoxb-1"])]),
    ("EditTwilioCommand: setAccount, setFrom (baseUrl kept)",
     ["config", "notification", "twilio", "edit", "--account", "AC123", "--from", "+1555"],
     [insert_before("    github-status:", ["      account: AC123", "      from: '+1555'"])]),
    ("EditGithubStatusCommand: setToken under the github-status key",
     ["config", "notification", "github-status", "edit", "--token", "ghp-1"],
     [insert_before("  repository:", ["      token: ghp-1"])]),
    ("GoogleAddPublisherCommand: name, content NOTIFICATIONS, project, topicName",
     ["config", "notification", "pubsub", "google", "add", "events", "--project", "proj",
      "--topic-name", "spin-events"],
     [(at("      publishers: []"), ["      publishers: []"],
       ["      publishers:", "      - name: events", "        content: NOTIFICATIONS",
        "        project: proj", "        topicName: spin-events"])]),
    # ------------------------------------------------------------ pubsub
    ("PubsubEnableDisableCommandBuilder: pubsub.google.enabled",
     ["config", "pubsub", "google", "enable"],
     [swap("      enabled: false", "      enabled: true", after="    google:")]),
    ("GoogleAddSubscriptionCommand: project, subscriptionName, messageFormat",
     ["config", "pubsub", "google", "subscription", "add", "gcs-events", "--project", "proj",
      "--subscription-name", "spin-gcs", "--message-format", "gcs",
      "--ack-deadline-seconds", "30"],
     [(at("      subscriptions: []"), ["      subscriptions: []"],
       ["      subscriptions:", "      - name: gcs-events", "        project: proj",
        "        subscriptionName: spin-gcs", "        ackDeadlineSeconds: 30",
        "        messageFormat: GCS"])]),
    # ------------------------------------------------------------ features
    ("EditFeaturesCommand: setChaos, setPipelineTemplates, setGremlin",
     ["config", "features", "edit", "--chaos", "true", "--pipeline-templates", "true",
      "--gremlin"],
     [swap("    chaos: false   # no chaos monkey here", "    chaos: true   # no chaos monkey here"),
      insert_before("  metricStores:", ["    pipelineTemplates: true", "    gremlin: true"])]),
    # ------------------------------------------------------------ webhook, stats
    ("EnableDisableWebhookTrustCommandBuilder: webhook.trust.enabled",
     ["config", "webhook", "trust", "enable"],
     [swap("      enabled: false", "      enabled: true", after="    trust:")]),
    ("WebhookTrustEditCommand: setTrustStorePassword",
     ["config", "webhook", "trust", "edit", "--trustStorePassword", "changeit"],
     [insert_before("  stats:", ["      trustStorePassword: changeit"])]),
    ("StatsEnableDisableCommandBuilder: stats.enabled",
     ["config", "stats", "disable"],
     [swap("    enabled: true", "    enabled: false", after="  stats:")]),
    ("StatsEditCommand: setEndpoint",
     ["config", "stats", "edit", "--endpoint", "https://stats.internal"],
     [swap("    endpoint: https://stats.spinnaker.io", "    endpoint: https://stats.internal")]),
    # ------------------------------------------------------------ metric stores
    ("EditMetricStoresCommand: setPeriod",
     ["config", "metric-stores", "edit", "--period", "60"],
     [swap("    period: 30", "    period: 60")]),
    ("MetricStoreEnableDisableCommandBuilder: datadog.enabled; MetricStores.isEnabled",
     ["config", "metric-stores", "datadog", "enable"],
     [swap("      enabled: false", "      enabled: true", after="    datadog:"),
      swap("    enabled: false", "    enabled: true", after="    period: 30")]),
    ("EditDatadogCommand: setApiKey (api_key), tags via --add-tag",
     ["config", "metric-stores", "datadog", "edit", "--api-key", "dd-key", "--add-tag",
      "env:prod"],
     [(at("      tags: []", after="    datadog:"), ["      tags: []"],
       ["      tags:", "      - env:prod", "      api_key: dd-key"])]),
    ("EditPrometheusCommand: setPushGateway (push_gateway)",
     ["config", "metric-stores", "prometheus", "edit", "--push-gateway", "http://pgw:9091"],
     [insert_before("    stackdriver:", ["      push_gateway: http://pgw:9091"])]),
    ("EditNewrelicCommand: setInsertKey (insert_key), setHost",
     ["config", "metric-stores", "newrelic", "edit", "--insert-key", "nr-key", "--host",
      "insights.eu"],
     [insert_before("    period: 30", ["      insert_key: nr-key", "      host: insights.eu"])]),
    # ------------------------------------------------------------ repository
    ("RepositoryEnableDisableCommandBuilder: repository.artifactory.enabled",
     ["config", "repository", "artifactory", "enable"],
     [swap("      enabled: false", "      enabled: true", after="    artifactory:")]),
    ("NexusEditSearchCommand: setRepo",
     ["config", "repository", "nexus", "search", "edit", "maven-releases", "--repo",
      "snapshots"],
     [swap("        repo: releases", "        repo: snapshots")]),
    ("ArtifactoryAddSearchCommand: baseUrl, repo, groupId, repoType (lower case), user",
     ["config", "repository", "artifactory", "search", "add", "libs", "--base-url",
      "https://jfrog.example.com", "--repo", "libs-release", "--groupId", "com.example",
      "--repo-type", "MAVEN", "--username", "igor", "--password", "af-pass"],
     [(at("      searches: []", after="    artifactory:"), ["      searches: []"],
       ["      searches:", "      - name: libs", "        permissions: {}",
        "        baseUrl: https://jfrog.example.com", "        repo: libs-release",
        "        username: igor", "        password: af-pass", "        groupId: com.example",
        "        repoType: maven"])]),
    ("AbstractDeleteSearchCommand: the search and nothing else",
     ["config", "repository", "nexus", "search", "delete", "maven-releases"],
     [(at("      searches:", after="    nexus:"),
       LINES[at("      searches:", after="    nexus:"):at("  pubsub:")],
       ["      searches: []"])]),
    # ------------------------------------------------------------ canary
    ("EnableDisableCanaryCommandBuilder: canary.enabled",
     ["config", "canary", "enable"],
     [swap("    enabled: false", "    enabled: true", after="  canary:")]),
    ("EditCanaryCommand: setDefaultMetricsStore, setShowAllConfigsEnabled",
     ["config", "canary", "edit", "--default-metrics-store", "prometheus",
      "--show-all-configs-enabled", "false"],
     [(at("    showAllConfigsEnabled: true"), ["    showAllConfigsEnabled: true"],
       ["    showAllConfigsEnabled: false", "    defaultMetricsStore: prometheus"])]),
    ("EnableDisableCanaryServiceIntegrationCommandBuilder: the prometheus item's enabled",
     ["config", "canary", "prometheus", "enable"],
     [swap("      enabled: false", "      enabled: true", after="    - name: prometheus")]),
    ("PrometheusAddCanaryAccountCommand: endpoint.baseUrl; supportedTypes METRICS_STORE",
     ["config", "canary", "prometheus", "account", "add", "prom", "--base-url",
      "http://prometheus:9090"],
     [(at("      accounts: []", after="    - name: prometheus"), ["      accounts: []"],
       ["      accounts:", "      - name: prom", "        supportedTypes:",
        "        - METRICS_STORE", "        endpoint:",
        "          baseUrl: http://prometheus:9090"])]),
    ("EditCanaryGoogleCommand: setStackdriverEnabled on the google item",
     ["config", "canary", "google", "edit", "--stackdriver-enabled", "true"],
     [swap("      stackdriverEnabled: false", "      stackdriverEnabled: true")]),
    ("CanaryUtils.getServiceIntegrationByClass: a missing integration is added",
     ["config", "canary", "datadog", "enable"],
     [insert_before("    reduxLoggerEnabled: true",
                    ["    - name: datadog", "      enabled: true", "      accounts: []"])]),
    # ------------------------------------------------------------ storage
    ("AzsEditCommand: storageAccountName, storageAccountKey, storageContainerName",
     ["config", "storage", "azs", "edit", "--storage-account-name", "spinacct",
      "--storage-account-key", "az-key", "--storage-container-name", "front50"],
     [(at("    azs: {}"), ["    azs: {}"],
       ["    azs:", "      storageAccountName: spinacct", "      storageAccountKey: az-key",
        "      storageContainerName: front50"])]),
    ("OracleEditCommand: setBucketName, setNamespace",
     ["config", "storage", "oracle", "edit", "--bucket-name", "spin", "--namespace", "ns1"],
     [(at("    oracle: {}"), ["    oracle: {}"],
       ["    oracle:", "      bucketName: spin", "      namespace: ns1"])]),
]


@pytest.mark.parametrize(("source", "args", "expected"), CASES, ids=[c[0] for c in CASES])
def test_only_intended_lines_change(hal: Hal, source: str, args: list[str],
                                    expected: list[Change]) -> None:
    result = hal(*args)
    assert result.code == 0, result.err
    assert changes(BEFORE, hal.text()) == expected
    for secret in ("xoxb-1", "ghp-1", "changeit", "dd-key", "nr-key", "af-pass", "az-key",
                   "dd-api"):
        assert secret not in result.out + result.err


def test_show_commands_mask_the_new_secrets(hal: Hal) -> None:
    for args in (["config", "metric-stores", "datadog", "edit", "--api-key", "dd-key",
                  "--app-key", "dd-app"],
                 ["config", "metric-stores", "newrelic", "edit", "--insert-key", "nr-key"],
                 ["config", "storage", "azs", "edit", "--storage-account-key", "az-key"],
                 ["config", "notification", "twilio", "edit", "--token", "tw-tok"]):
        assert hal(*args).code == 0
    for show in (["config", "metric-stores"], ["config", "storage"],
                 ["config", "notification", "twilio"], ["config"]):
        for form in ((), ("-o", "json")):
            out = hal(*show, *form).out
            assert not {"dd-key", "dd-app", "nr-key", "az-key", "tw-tok"} & set(
                re.findall(r"[\w-]+", out)), (show, out)


def test_bad_values_are_refused_without_touching_the_file(hal: Hal) -> None:
    before = hal.text()
    for args in (["config", "pubsub", "google", "subscription", "add", "s",
                  "--message-format", "XML"],
                 ["config", "metric-stores", "edit", "--period", "often"],
                 ["config", "repository", "artifactory", "search", "add", "x", "--repo", "r"],
                 ["config", "repository", "nexus", "search", "add", "maven-releases",
                  "--base-url", "u", "--repo", "r", "--username", "u", "--password", "p"],
                 ["config", "webhook", "trust", "edit", "--trustStore", "/no/such/file.jks"],
                 ["config", "notification", "slack", "edit"]):
        result = hal(*args)
        assert result.code != 0, args
        assert "Traceback" not in result.err
        assert hal.text() == before, args


# ------------------------------------------------------------------ rendering
def test_notifications_reach_echo_and_deck(hal: Hal) -> None:
    """EchoProfileFactory copies ``notifications`` to echo's top level; DeckProfileFactory
    binds notifications.slack.enabled/botName, twilio and github-status enabled."""
    for args in (["config", "notification", "slack", "enable"],
                 ["config", "notification", "slack", "edit", "--bot-name", "spinbot",
                  "--token", "xoxb-1"],
                 ["config", "notification", "github-status", "enable"],
                 ["config", "notification", "pubsub", "google", "add", "events",
                  "--project", "proj", "--topic-name", "spin-events"]):
        assert hal(*args).code == 0, args
    echo = hal.profile("echo", "echo.yml")
    assert echo["slack"] == {"enabled": True, "botName": "spinbot", "token": "xoxb-1"}
    assert echo["github-status"] == {"enabled": True}
    assert echo["twilio"]["enabled"] is False
    assert echo["pubsub"]["google"]["publishers"] == [
        {"name": "events", "content": "NOTIFICATIONS", "project": "proj",
         "topicName": "spin-events"}]
    deck = deck_settings_object(hal.profile("deck", "settings.js"))["notifications"]
    assert deck["slack"] == {"botName": "spinbot", "enabled": True}
    assert deck["githubStatus"] == {"enabled": True} and deck["sms"] == {"enabled": False}


def test_pubsub_subscriptions_reach_echo(hal: Hal) -> None:
    assert hal("config", "pubsub", "google", "enable").code == 0
    assert hal("config", "pubsub", "google", "subscription", "add", "gcr", "--project", "p",
               "--subscription-name", "gcr-sub", "--message-format", "GCR").code == 0
    google = hal.profile("echo", "echo.yml")["pubsub"]["google"]
    assert google["enabled"] is True
    assert google["subscriptions"] == [{"name": "gcr", "project": "p",
                                        "subscriptionName": "gcr-sub", "messageFormat": "GCR"}]


def test_features_reach_deck_and_orca(hal: Hal) -> None:
    """DeckProfileFactory: features.* bindings (only those deck's settings.js template still
    reads: not artifactsRewrite or gremlin); OrcaProfileFactory: pipelineTemplates;
    gremlin: integrations.gremlin.enabled."""
    assert hal("config", "features", "edit", "--pipeline-templates", "true", "--gremlin",
               "--chaos", "true", "--artifacts-rewrite", "true").code == 0
    feature = deck_settings_object(hal.profile("deck", "settings.js"))["feature"]
    assert feature["pipelineTemplates"] is True and feature["chaosMonkey"] is True
    orca = hal.profile("orca", "orca.yml")
    assert orca["pipelineTemplates"] == {"enabled": True}
    assert orca["integrations"]["gremlin"]["enabled"] is True


def test_webhook_trust_reaches_orca(hal: Hal, tmp_path: Path) -> None:
    store = tmp_path / "trust.jks"
    store.write_bytes(b"jks")
    assert hal("config", "webhook", "trust", "enable").code == 0
    assert hal("config", "webhook", "trust", "edit", "--trustStore", str(store),
               "--trustStorePassword", "changeit").code == 0
    trust = hal.profile("orca", "orca.yml")["webhook"]["trust"]
    assert is_staged(trust.pop("trustStore"), "trust.jks")  # shipped into orca's pod
    assert trust == {"enabled": True, "trustStorePassword": "changeit"}


def test_stats_reach_echo(hal: Hal) -> None:
    assert hal("config", "stats", "edit", "--endpoint", "https://stats.internal").code == 0
    assert hal("config", "stats", "disable").code == 0
    stats = hal.profile("echo", "echo.yml")["stats"]
    assert stats["endpoint"] == "https://stats.internal" and stats["enabled"] is False


def test_a_metric_store_turns_on_the_metrics_endpoint(hal: Hal) -> None:
    before = hal.profile("gate", "gate.yml")["spectator"]["webEndpoint"]["enabled"]
    assert before is False
    assert hal("config", "metric-stores", "prometheus", "enable").code == 0
    for service, name in (("gate", "gate.yml"), ("orca", "orca.yml")):
        assert hal.profile(service, name)["spectator"]["webEndpoint"]["enabled"] is True


def test_repository_searches_reach_igor(hal: Hal) -> None:
    """igor runs only with CI or a Docker registry (KubernetesV2IgorService.isEnabled)."""
    assert hal("config", "ci", "jenkins", "enable").code == 0
    assert hal("config", "repository", "artifactory", "enable").code == 0
    assert hal("config", "repository", "artifactory", "search", "add", "libs", "--base-url",
               "https://jfrog", "--repo", "libs", "--username", "u", "--password", "p",
               "--repo-type", "helm").code == 0
    igor = hal.profile("igor", "igor.yml")
    assert igor["artifactory"]["enabled"] is True
    assert igor["artifactory"]["searches"][0]["repoType"] == "helm"
    assert igor["nexus"]["searches"][0]["repo"] == "releases"


def test_azs_and_oracle_storage_reach_front50(hal: Hal) -> None:
    assert hal("config", "storage", "azs", "edit", "--storage-account-name", "acct",
               "--storage-account-key", "az-key", "--storage-container-name", "f50").code == 0
    assert hal("config", "storage", "edit", "--type", "azs").code == 0
    spinnaker = hal.profile("front50", "front50.yml")["spinnaker"]
    assert spinnaker["azs"] == {"storageAccountName": "acct", "storageAccountKey": "az-key",
                                "storageContainerName": "f50", "enabled": True}
    assert spinnaker["gcs"]["enabled"] is False
    assert spinnaker["oracle"] == {"enabled": False}


def test_canary_reaches_kayenta_and_deck(hal: Hal) -> None:
    """KayentaProfileFactory: kayenta.<integration> with its accounts (supportedTypes as
    the add commands computed them) and the gcs/stackdriver switches; DeckProfileFactory:
    canary.* bindings only when canary is enabled."""
    canary = deck_settings_object(hal.profile("deck", "settings.js"))["canary"]
    assert canary["featureDisabled"] is True
    for args in (["config", "canary", "enable"],
                 ["config", "canary", "edit", "--default-metrics-store", "prometheus",
                  "--default-metrics-account", "prom"],
                 ["config", "canary", "prometheus", "enable"],
                 ["config", "canary", "prometheus", "account", "add", "prom", "--base-url",
                  "http://prometheus:9090"],
                 ["config", "canary", "google", "enable"],
                 ["config", "canary", "google", "account", "add", "gcp", "--project", "p",
                  "--bucket", "canary-bucket"],
                 ["config", "canary", "google", "edit", "--gcs-enabled", "true"],
                 ["config", "canary", "datadog", "account", "add", "dd", "--base-url",
                  "https://api.datadoghq.com", "--api-key", "dd-api", "--application-key",
                  "dd-app"]):
        result = hal(*args)
        assert result.code == 0, (args, result.err)
        assert "dd-api" not in result.out + result.err
    kayenta = hal.profile("kayenta", "kayenta.yml")["kayenta"]
    assert kayenta["prometheus"] == {"enabled": True, "accounts": [{
        "name": "prom", "supportedTypes": ["METRICS_STORE"],
        "endpoint": {"baseUrl": "http://prometheus:9090"}}]}
    google = kayenta["google"]["accounts"][0]
    assert google["supportedTypes"] == ["CONFIGURATION_STORE", "OBJECT_STORE"]
    assert google["rootFolder"] == "kayenta" and google["bucket"] == "canary-bucket"
    assert kayenta["gcs"] == {"enabled": True} and kayenta["stackdriver"] == {"enabled": False}
    assert kayenta["datadog"]["enabled"] is False
    assert kayenta["datadog"]["accounts"][0]["apiKey"] == "dd-api"
    canary = deck_settings_object(hal.profile("deck", "settings.js"))["canary"]
    assert canary["featureDisabled"] is False
    assert canary["defaultJudge"] == "NetflixACAJudge-v1.0"
    assert canary["metricsAccountName"] == "prom" and canary["metricStore"] == "prometheus"
    assert canary["stagesEnabled"] is True and canary["templatesEnabled"] is True
    assert canary["showAllConfigs"] is True
    shown = hal("config", "canary", "datadog", "account", "get", "dd", "-o", "json")
    assert json.loads(shown.out)["apiKey"] == "****"
