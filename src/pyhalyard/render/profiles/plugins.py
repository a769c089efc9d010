"""``spinnaker.extensibility`` as Halyard renders it into every Spring service's profile.

Halyard's Extensibility/Plugin/PluginRepository ``toMap()`` (halyard-config
model/v1/node/Extensibility.java, plugins/*.java): each plugin becomes
``{enabled, version, config, extensions: {<id>: {enabled, config}}}`` and each
repository ``{url}``; the ``id`` keys the halconfig repeats inside the entries are
dropped.  Keys pyhalyard does not know are kept, so hand-written settings still reach
the services.
"""

from __future__ import annotations

import copy
from typing import Any

from pyhalyard.render.profiles.base import block


def _extension(value: Any) -> dict[str, Any]:
    entry = copy.deepcopy(value) if isinstance(value, dict) else {}
    entry.pop("id", None)
    return {"enabled": entry.pop("enabled", True), "config": entry.pop("config", None) or {},
            **entry}


def _plugin(value: Any) -> dict[str, Any]:
    entry = copy.deepcopy(value) if isinstance(value, dict) else {}
    entry.pop("id", None)
    entry.pop("uiResourceLocation", None)  # deprecated in Halyard's model, never rendered
    extensions = entry.pop("extensions", None)
    out: dict[str, Any] = {"enabled": entry.pop("enabled", None),
                           "version": entry.pop("version", None),
                           "config": entry.pop("config", None) or {}}
    out["extensions"] = {name: _extension(ext) for name, ext in (
        extensions.items() if isinstance(extensions, dict) else ())}
    out.update(entry)
    return out


def extensibility(raw: Any) -> dict[str, Any]:
    section = block(raw, "spinnaker", "extensibility")
    plugins = section.pop("plugins", None)
    repositories = section.pop("repositories", None)
    out = copy.deepcopy(section)
    out["plugins"] = {name: _plugin(p) for name, p in (
        plugins.items() if isinstance(plugins, dict) else ())}
    out["repositories"] = {}
    for name, repo in (repositories.items() if isinstance(repositories, dict) else ()):
        entry = copy.deepcopy(repo) if isinstance(repo, dict) else {}
        entry.pop("id", None)
        out["repositories"][name] = entry
    return out
