"""Quoted scalars read as Halyard's Jackson binding read them.

Halyard never looked at the YAML type of a scalar: Jackson bound the text to the
Java field, so ``enabled: "true"`` was a true ``boolean`` and ``replicas: "2"`` an
``int``.  Hand-edited configs (and GitOps templating that quotes everything) rely
on that.  pyhalyard reads YAML types, so without this step ``authz.enabled: "true"``
was an error and ``saml.enabled: "true"`` silently turned SAML off.

Coercion is by field name: the names below are ``boolean``/``Boolean`` and
``int``/``Integer`` fields of Halyard's model (halyard-config ``model/v1``,
``ServiceSettings``, ``KubernetesSettings``, ``CustomSizing``).  A quoted value is
converted only when Jackson would have accepted it (``"true"``/``"false"`` in the
spellings Jackson knows, a plain decimal for an integer); anything else is left for
the type checks to report.  The deployment is coerced once, when it is read, so
validation, the plan and every renderer see the same typed value.
"""

from __future__ import annotations

import re
from typing import Any

# boolean / Boolean fields of Halyard's halconfig model that users write by hand.
BOOL_FIELDS: frozenset[str] = frozenset({
    "enabled", "serviceAccount", "skipLifeCycleManagement", "useExecHealthCheck",
    "useTcpProbe", "disableClouddriverRoDeck", "monitored", "sidecar", "safeToUpdate",
    "basicAuthEnabled", "pathStyleAccess", "chaos", "pipelineTemplates", "gremlin",
    "artifacts", "artifactsRewrite", "mineCanary", "managedPipelineTemplatesV2UI",
    "infrastructureStages", "travis", "wercker", "stagesEnabled", "templatesEnabled",
    "showAllConfigsEnabled", "reduxLoggerEnabled", "gcsEnabled", "s3Enabled",
    "stackdriverEnabled", "configureImagePullSecrets", "onlySpinnakerManaged",
    "liveManifestCalls", "checkPermissionsOnStartup", "cacheAllApplicationRelationships",
    "insecureRegistry", "sortTagsByDate", "trackDigests", "useInternalIp",
    "add_source_metalabels", "privileged", "updateVersions", "csrf",
    "strict-plugin-loading", "legacyServerPort", "useSsl", "trustAllCerts",
})
# int / Integer fields.
INT_FIELDS: frozenset[str] = frozenset({
    "replicas", "targetSize", "port", "internalPort", "cacheThreads",
    "cacheIntervalSeconds", "clientTimeoutMillis", "paginateSize", "period",
    "initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold",
    "successThreshold", "metadataCachingIntervalMS", "maxRetries",
})

_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_INT = re.compile(r"[-+]?[0-9]+")
# A quoted scalar that coercion could change; configs without one skip the walk.
_CANDIDATE = re.compile(r"""(["'])\s*(?:true|false|True|False|TRUE|FALSE|[-+]?[0-9]+)\s*\1""")


def coerce_scalar(key: str, value: Any) -> Any:
    """``value`` as Jackson bound it to field ``key`` (unchanged when not coercible)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if key in BOOL_FIELDS:
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    elif key in INT_FIELDS and _INT.fullmatch(text):
        return int(text)
    return value


def coerce_tree(value: Any) -> Any:
    """A copy of ``value`` with coercible fields typed; unchanged subtrees are shared
    (and ``value`` itself is returned when nothing changes), so reading a large config
    without quoted flags costs one walk and no copies."""
    if isinstance(value, dict):
        out: dict[Any, Any] | None = None
        for key, item in value.items():
            new = coerce_scalar(key, item) if isinstance(item, str) and isinstance(key, str) \
                else coerce_tree(item)
            if new is not item:
                if out is None:
                    out = dict(value)
                out[key] = new
        return value if out is None else out
    if isinstance(value, list):
        items: list[Any] | None = None
        for i, item in enumerate(value):
            new = coerce_tree(item)
            if new is not item:
                if items is None:
                    items = list(value)
                items[i] = new
        return value if items is None else items
    return value


def may_need_coercion(text: str) -> bool:
    """Cheap test on the file's text: False means :func:`coerce_tree` would change nothing.
    (A candidate is quoted: a text without quotes is answered without the regex scan.)"""
    if '"' not in text and "'" not in text:
        return False
    return _CANDIDATE.search(text) is not None
