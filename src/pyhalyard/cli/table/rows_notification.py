"""``hal config notification``: Slack, Twilio, GitHub status, and echo's Google Pub/Sub publishers.

Halyard: halyard-cli .../command/v1/config/NotificationCommand.java and
config/notifications/** (flags); halyard-config model/v1/node/Notifications.java and
model/v1/notifications/*.java (keys: ``notifications.slack``, ``.twilio``,
``.github-status``).  Halyard has no email, Google Chat or Microsoft Teams commands
(no command class, no model field): those stay custom ``echo-local.yml`` settings.
echo reads the ``notifications`` block as its own top level (render/profiles/echo.py),
deck's settings-local.js gets the enabled flags and the Slack bot name.
"""

from __future__ import annotations

from pyhalyard.cli.table.model import Flag, Group, Items

_N = "halyard-cli config/notifications/"

HELP = {
    "config notification": "Configure the notification channels echo sends to.",
    "config notification pubsub": "Publish Spinnaker events to a pub/sub system.",
}

GROUPS = (
    Group(("config", "notification", "slack"), ("notifications", "slack"),
          "Slack notifications.",
          _N + "slack/SlackCommand.java, EditSlackCommand.java; model notifications/"
               "SlackNotification.java",
          enable=True,
          edit=(
              Flag("bot-name", "botName", help="Name of the Slack bot that posts."),
              Flag("token", "token", help="The Slack bot's token.", secret=True),
              Flag("base-url", "baseUrl", help="Slack API endpoint, only for a compatible "
                   "API."),
              Flag("force-use-incoming-webhook", "forceUseIncomingWebhook", "bool",
                   "Post through incoming webhooks (compatible APIs only)."),
          )),
    Group(("config", "notification", "twilio"), ("notifications", "twilio"),
          "Twilio SMS notifications.",
          _N + "twilio/TwilioCommand.java, EditTwilioCommand.java; model notifications/"
               "TwilioNotification.java",
          enable=True,
          edit=(
              Flag("account", "account", help="Twilio account SID."),
              Flag("base-url", "baseUrl", help="Twilio API endpoint (Halyard's default "
                   "https://api.twilio.com/)."),
              Flag("from", "from", help="Phone number the SMS are sent from."),
              Flag("token", "token", help="Twilio auth token.", secret=True),
          )),
    Group(("config", "notification", "github-status"), ("notifications", "github-status"),
          "GitHub commit status notifications.",
          _N + "github/GithubStatusCommand.java, EditGithubStatusCommand.java; model "
               "notifications/GithubStatusNotification.java (@JsonProperty github-status)",
          enable=True,
          edit=(Flag("token", "token", help="GitHub token allowed to set commit statuses.",
                     secret=True),)),
    Group(("config", "notification", "pubsub", "google"), ("pubsub", "google"),
          "Google Pub/Sub topics echo publishes events to.",
          _N + "pubsub/google/GooglePubsubCommand.java",
          items=Items(noun="", key="publishers", what="publisher",
                      template=(("content", "NOTIFICATIONS"),),
                      source=_N + "pubsub/google/GoogleAddPublisherCommand.java, "
                                  "GoogleEditPublisherCommand.java; model pubsub/google/"
                                  "GooglePublisher.java",
                      flags=(
                          Flag("project", "project", help="GCP project of the topic."),
                          Flag("json-path", "jsonPath", help="Service-account JSON key "
                               "with publish rights (default: the pod's identity).",
                               file=True),
                          Flag("topic-name", "topicName", help="Pub/Sub topic to publish "
                               "to."),
                      ))),
)
