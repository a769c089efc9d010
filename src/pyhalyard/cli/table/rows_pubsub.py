"""``hal config pubsub google``: Pub/Sub subscriptions echo listens to (triggers from GCS/GCR/GCB).

Halyard: halyard-cli .../command/v1/config/pubsubs/** (flags); halyard-config
model/v1/node/Pubsubs.java, model/v1/pubsub/google/GoogleSubscription.java (keys under
``pubsub.google.subscriptions``).  echo reads the ``pubsub`` block as is
(render/profiles/echo.py).
"""

from __future__ import annotations

from pyhalyard.cli.table.model import Flag, Group, Items

_P = "halyard-cli config/pubsubs/"

HELP = {
    "config pubsub": "Configure the pub/sub systems echo subscribes to.",
}

GROUPS = (
    Group(("config", "pubsub", "google"), ("pubsub", "google"),
          "Google Cloud Pub/Sub.",
          _P + "google/GooglePubsubCommand.java, AbstractNamedPubsubCommand.java",
          enable=True,
          items=Items(noun="subscription", key="subscriptions",
                      source=_P + "google/GoogleAddSubscriptionCommand.java, "
                                  "GoogleEditSubscriptionCommand.java; model pubsub/google/"
                                  "GoogleSubscription.java",
                      flags=(
                          Flag("project", "project", help="GCP project of the "
                               "subscription."),
                          Flag("subscription-name", "subscriptionName", help="Name of the "
                               "Pub/Sub subscription to read."),
                          Flag("json-path", "jsonPath", help="Service-account JSON key "
                               "allowed to read the subscription.", file=True),
                          Flag("template-path", "templatePath", help="Jinja template that "
                               "turns a CUSTOM message into an artifact.", file=True),
                          Flag("ack-deadline-seconds", "ackDeadlineSeconds", "int",
                               "Seconds echo has to acknowledge a message."),
                          Flag("message-format", "messageFormat", "enum",
                               "What publishes to the subscription.",
                               choices=("GCB", "GCS", "GCR", "CUSTOM")),
                      ))),
)
