"""``hal config canary``: Kayenta's settings and its metric/storage service integrations.

Halyard: halyard-cli .../command/v1/config/canary/** (flags); halyard-config
model/v1/canary/Canary.java, AbstractCanaryServiceIntegration.java and
model/v1/canary/<type>/*CanaryAccount.java, *CanaryServiceIntegration.java (keys).
The integrations are a list, ``canary.serviceIntegrations[]``, picked by ``name``; a
missing one is written with its model defaults on first use.  kayenta gets each
integration as ``kayenta.<name>`` (plus gcs/stackdriver/s3 switches) and deck the
``canary`` settings (render/profiles/kayenta.py, deck_settings.py).
"""

from __future__ import annotations

from typing import Any

from pyhalyard.cli.table.model import Flag, Group, Items

_C = "halyard-cli config/canary/"
_MODEL = "model canary/"
METRICS = ["METRICS_STORE"]  # *CanaryAccount.supportedTypes of the metric-only sources

HELP: dict[str, str] = {}


def _caching() -> Flag:
    return Flag("metadata-caching-interval-ms", "metadataCachingIntervalMS", "int",
                "Milliseconds between two refreshes of the metric descriptors cache.")


def _endpoint(required: bool) -> Flag:
    return Flag("base-url", "endpoint.baseUrl", help="Base URL of the metrics API.",
                required=required)


def _integration(name: str, title: str, cls: str, *, edit: tuple[Flag, ...] = (),
                 defaults: tuple[tuple[str, Any], ...] = (),
                 flags: tuple[Flag, ...], template: tuple[tuple[str, Any], ...] = ()
                 ) -> Group:
    return Group(
        ("config", "canary", name), ("canary", f"serviceIntegrations[name={name}]"),
        f"{title} for canary analysis.",
        f"{_C}{name}/Canary{cls}Command.java"
        + (f", Edit{'Canary' + cls}Command.java" if edit else "")
        + f"; {_MODEL}{name}/{cls}CanaryServiceIntegration.java",
        enable=True, edit=edit,
        node_template=(("enabled", False), ("accounts", []), *defaults),
        items=Items(template=template,
                    source=f"{_C}{name}/account/{cls}AddCanaryAccountCommand.java, "
                           f"{cls}EditCanaryAccountCommand.java; {_MODEL}{name}/"
                           f"{cls}CanaryAccount.java",
                    flags=flags))


GROUPS = (
    Group(("config", "canary"), ("canary",), "Canary analysis (Kayenta).",
          _C + "CanaryCommand.java, EditCanaryCommand.java; " + _MODEL + "Canary.java",
          enable=True,
          edit=(
              Flag("redux-logger-enabled", "reduxLoggerEnabled", "bool",
                   "Log the canary UI's Redux actions in the browser console."),
              Flag("default-metrics-account", "defaultMetricsAccount",
                   help="Metrics account a new canary config uses."),
              Flag("default-storage-account", "defaultStorageAccount",
                   help="Storage account a new canary config uses."),
              Flag("default-judge", "defaultJudge", help="Judge a new canary config uses "
                   "(Halyard's default NetflixACAJudge-v1.0)."),
              Flag("default-metrics-store", "defaultMetricsStore",
                   help="Metric store type a new canary config uses (e.g. prometheus)."),
              Flag("stages-enabled", "stagesEnabled", "bool", "Offer canary stages in "
                   "pipelines."),
              Flag("atlasWebComponentsUrl", "atlasWebComponentsUrl", help="Where deck "
                   "loads Atlas web components from."),
              Flag("templates-enabled", "templatesEnabled", "bool", "Allow templates in "
                   "canary configs."),
              Flag("show-all-configs-enabled", "showAllConfigsEnabled", "bool",
                   "List the canary configs of every application."),
          )),
    _integration(
        "google", "Google Cloud (Stackdriver metrics, GCS storage)", "Google",
        edit=(Flag("gcs-enabled", "gcsEnabled", "bool", "Keep canary configs and results "
                   "in GCS."),
              Flag("stackdriver-enabled", "stackdriverEnabled", "bool", "Read metrics "
                   "from Stackdriver."),
              _caching()),
        defaults=(("gcsEnabled", False), ("stackdriverEnabled", False)),
        flags=(
            Flag("project", "project", help="GCP project of the metrics and bucket.",
                 required=True),
            Flag("json-path", "jsonPath", help="Service-account JSON key.", file=True),
            Flag("bucket", "bucket", help="GCS bucket for canary configs and results."),
            Flag("root-folder", "rootFolder", help="Folder in the bucket.",
                 default="kayenta"),
            Flag("bucket-location", "bucketLocation", help="Location of a bucket Kayenta "
                 "creates.", default=""),
        )),
    _integration(
        "prometheus", "Prometheus", "Prometheus", edit=(_caching(),),
        template=(("supportedTypes", METRICS),),
        flags=(
            _endpoint(True),
            Flag("username", "username", help="Basic-auth user."),
            Flag("password", "password", help="Basic-auth password.", secret=True),
            Flag("username-password-file", "usernamePasswordFile", help="File holding "
                 "username:password.", file=True),
        )),
    _integration(
        "datadog", "Datadog", "Datadog", edit=(_caching(),),
        template=(("supportedTypes", METRICS),),
        flags=(
            _endpoint(True),
            Flag("api-key", "apiKey", help="Datadog API key.", required=True, secret=True),
            Flag("application-key", "applicationKey", help="Datadog application key.",
                 required=True, secret=True),
        )),
    _integration(
        "signalfx", "SignalFx", "Signalfx",
        template=(("supportedTypes", METRICS),),
        flags=(
            Flag("access-token", "accessToken", help="SignalFx API token.", required=True,
                 secret=True),
            _endpoint(False),
            Flag("default-scope-key", "defaultScopeKey", help="Scope key used when a "
                 "metric names none."),
            Flag("default-location-key", "defaultLocationKey", help="Location key used "
                 "when a metric names none."),
        )),
    _integration(
        "aws", "AWS (S3 storage)", "Aws",
        edit=(Flag("s3-enabled", "s3Enabled", "bool", "Keep canary configs and results "
                   "in S3."),),
        defaults=(("s3Enabled", False),),
        flags=(
            Flag("bucket", "bucket", help="S3 bucket for canary configs and results."),
            Flag("region", "region", help="Region of the bucket."),
            Flag("root-folder", "rootFolder", help="Folder in the bucket.",
                 default="kayenta"),
            Flag("profile-name", "profileName", help="AWS credentials profile."),
            Flag("endpoint", "endpoint", help="S3-compatible endpoint (e.g. MinIO)."),
            Flag("access-key-id", "accessKeyId", help="AWS access key id."),
            Flag("secret-access-key", "secretAccessKey", help="AWS secret key.",
                 secret=True),
        )),
    _integration(
        "newrelic", "New Relic", "NewRelic",
        template=(("supportedTypes", METRICS),),
        flags=(
            _endpoint(True),
            Flag("api-key", "apiKey", help="New Relic API key.", required=True,
                 secret=True),
            Flag("application-key", "applicationKey", help="New Relic application key.",
                 required=True, secret=True),
        )),
)
