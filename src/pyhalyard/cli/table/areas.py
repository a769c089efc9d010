"""Which rows modules describe which command area.

An area is the command path a rows module hangs below (``config ci``); its key
with spaces and dashes turned into ``_`` is the attribute of ``build`` that the
lazy command maps name (``pyhalyard.cli.table.build:config_ci``).  One line per
area; several modules may share an area.
"""

from __future__ import annotations

AREAS: dict[str, tuple[str, ...]] = {
    "config ci": ("pyhalyard.cli.table.rows_ci",),
    "config security": ("pyhalyard.cli.table.rows_security",),
    "config artifact": ("pyhalyard.cli.table.rows_artifact",),
    "config provider": ("pyhalyard.cli.table.rows_provider",),
    "config notification": ("pyhalyard.cli.table.rows_notification",),
    "config pubsub": ("pyhalyard.cli.table.rows_pubsub",),
    "config features": ("pyhalyard.cli.table.rows_features",),
    "config webhook": ("pyhalyard.cli.table.rows_features",),
    "config stats": ("pyhalyard.cli.table.rows_features",),
    "config metric-stores": ("pyhalyard.cli.table.rows_metric_stores",),
    "config repository": ("pyhalyard.cli.table.rows_repository",),
    "config storage": ("pyhalyard.cli.table.rows_storage",),
    "config canary": ("pyhalyard.cli.table.rows_canary",),
}
