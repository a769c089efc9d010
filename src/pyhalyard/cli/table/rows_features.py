"""``hal config features``, ``hal config webhook trust`` and ``hal config stats``.

Halyard: halyard-cli .../command/v1/config/EditFeaturesCommand.java, config/webhook/**,
config/stats/** (flags); halyard-config model/v1/node/Features.java, Webhook.java,
webook/WebhookTrust.java, Stats.java (keys).  Features reach deck's settings-local.js
and orca/gate (render/profiles/deck.py, orca.py, base.gremlin); the webhook trust store
reaches orca's ``webhook`` block; stats reach echo's ``stats`` block.
"""

from __future__ import annotations

from pyhalyard.cli.table.model import Flag, Group

_C = "halyard-cli config/"

HELP = {
    "config webhook": "Configure how orca's webhook stages call out.",
}

_FEATURES = (
    ("chaos", "chaos", "Chaos Monkey in the UI (needs a Chaos Monkey service)."),
    ("pipeline-templates", "pipelineTemplates", "Declarative pipeline templates."),
    ("artifacts", "artifacts", "Artifact support (on by default from 1.20)."),
    ("artifacts-rewrite", "artifactsRewrite", "The rewritten artifacts UI (on by default "
                                             "from 1.20)."),
    ("mine-canary", "mineCanary", "Legacy canary stages."),
    ("managed-pipeline-templates-v2-ui", "managedPipelineTemplatesV2UI",
     "The managed pipeline templates v2 UI (Halyard declares this flag but its edit "
     "command never saves it; pyhalyard does)."),
    ("gremlin", "gremlin", "Gremlin fault-injection stage."),
)

GROUPS = (
    Group(("config", "features"), ("features",), "Spinnaker's optional features.",
          _C + "FeaturesCommand.java, EditFeaturesCommand.java; model node/Features.java",
          edit=tuple(Flag(name, key, "bool", text) for name, key, text in _FEATURES)),
    Group(("config", "webhook", "trust"), ("webhook", "trust"),
          "A custom trust store for webhook stages (self-signed endpoints).",
          _C + "webhook/WebhookTrustCommand.java, WebhookTrustEditCommand.java; model "
               "webook/WebhookTrust.java",
          enable=True,
          edit=(
              Flag("trustStore", "trustStore", help="Java trust store (JKS) with the "
                   "certificates webhook stages trust.", file=True),
              Flag("trustStorePassword", "trustStorePassword", help="Password of the trust "
                   "store.", secret=True),
          )),
    Group(("config", "stats"), ("stats",), "Anonymous usage statistics sent by echo.",
          _C + "stats/StatsCommand.java, StatsEditCommand.java; model node/Stats.java",
          enable=True,
          edit=(Flag("endpoint", "endpoint", help="Where the statistics are sent "
                     "(Halyard's default https://stats.spinnaker.io)."),)),
)
