"""``hal config metric-stores``: where Spinnaker's own metrics go (Datadog, New Relic,
Prometheus, Stackdriver).

Halyard: halyard-cli .../command/v1/config/MetricStoresCommand.java and
config/metricStores/** (flags); halyard-config model/v1/node/MetricStores.java and
model/v1/metricStores/**/*Store.java (keys -- several are snake_case through
@JsonProperty: ``api_key``, ``app_key``, ``insert_key``, ``push_gateway``,
``credentials_path``).  Halyard fed these to its monitoring-daemon sidecar, which
pyhalyard does not deploy; what reaches the services is ``spectator.webEndpoint.enabled``
(any store enabled), so the metrics can be scraped (render/profiles/base.py).  Halyard
serialises ``metricStores.enabled`` as "any store enabled" (MetricStores.isEnabled), so
enable/disable keep that key in step.
"""

from __future__ import annotations

from pyhalyard.cli.table.model import Flag, Group

_M = "halyard-cli config/metricStores/"


def _tags() -> Flag:
    return Flag("tags", "tags", "list", "Tags added to every metric (comma-separated).",
                add_remove="tag")


GROUPS = (
    Group(("config", "metric-stores"), ("metricStores",), "Spinnaker's metric stores.",
          "halyard-cli config/MetricStoresCommand.java, " + _M + "EditMetricStoresCommand.java;"
          " model node/MetricStores.java",
          edit=(Flag("period", "period", "int", "Seconds between two polls of the services' "
                     "metrics (Halyard's default 30)."),)),
    Group(("config", "metric-stores", "datadog"), ("metricStores", "datadog"), "Datadog.",
          _M + "datadog/DatadogCommand.java, EditDatadogCommand.java; model metricStores/"
               "datadog/DatadogStore.java",
          enable=True, parent_enabled=True,
          edit=(
              Flag("api-key", "api_key", help="Datadog API key.", secret=True),
              Flag("app-key", "app_key", help="Datadog application key (only needed to "
                   "create dashboards).", secret=True),
              _tags(),
          )),
    Group(("config", "metric-stores", "newrelic"), ("metricStores", "newrelic"), "New Relic.",
          _M + "newrelic/NewrelicCommand.java, EditNewrelicCommand.java; model metricStores/"
               "newrelic/NewrelicStore.java",
          enable=True, parent_enabled=True,
          edit=(
              Flag("insert-key", "insert_key", help="New Relic Insights insert key.",
                   secret=True),
              Flag("host", "host", help="New Relic Insights host (a non-default region)."),
              _tags(),
          )),
    Group(("config", "metric-stores", "prometheus"), ("metricStores", "prometheus"),
          "Prometheus.",
          _M + "prometheus/PrometheusCommand.java, EditPrometheusCommand.java; model "
               "metricStores/prometheus/PrometheusStore.java",
          enable=True, parent_enabled=True,
          edit=(Flag("push-gateway", "push_gateway", help="Prometheus push gateway URL "
                     "(default: Prometheus scrapes the services)."),)),
    Group(("config", "metric-stores", "stackdriver"), ("metricStores", "stackdriver"),
          "Stackdriver (Google Cloud Monitoring).",
          _M + "stackdriver/StackdriverCommand.java, EditStackdriverCommand.java; model "
               "metricStores/stackdriver/StackdriverStore.java",
          enable=True, parent_enabled=True,
          edit=(
              Flag("credentials-path", "credentials_path", help="Service-account JSON key "
                   "allowed to write metrics.", file=True),
              Flag("project", "project", help="GCP project the metrics go to."),
              Flag("zone", "zone", help="Zone the metrics are associated with."),
          )),
)

HELP: dict[str, str] = {}
