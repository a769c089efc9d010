"""Validation the API server DOUBLE runs on every write, transcribed from kube-apiserver.

Only rules that matter to what pyhalyard and Halyard write are modelled; each names its source
(kubernetes/kubernetes ``pkg/apis/core/validation/validation.go`` = core,
``pkg/apis/apps/validation/validation.go`` = apps).  A failure is a 422 ``Invalid`` whose
message and ``details.causes`` are built like ``errors.NewInvalid``.
"""

from __future__ import annotations

import base64
import json
from typing import Any

MAX_SECRET_SIZE = 1024 * 1024  # core.MaxSecretSize


class Invalid(Exception):
    """A list of field errors: ``(type, field, detail, value)``."""

    def __init__(self, errors: list[tuple[str, str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


_REASONS = {"Forbidden": "FieldValueForbidden", "Invalid value": "FieldValueInvalid",
            "Required value": "FieldValueRequired", "Not found": "FieldValueNotFound",
            "Duplicate value": "FieldValueDuplicate", "Unsupported value":
            "FieldValueNotSupported", "Too long": "FieldValueTooLong"}


def go_value(value: Any) -> str:
    """How ``field.Error`` prints a value (``%#v``-like for maps/strings)."""
    if isinstance(value, dict):
        inner = ", ".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in sorted(value.items()))
        return "map[string]string{" + inner + "}"
    if isinstance(value, str):
        return json.dumps(value)
    return str(value)


def message(kind: str, group: str, name: str,
            errors: list[tuple[str, str, str]]) -> tuple[str, list[dict[str, str]]]:
    """``errors.NewInvalid``: '<Kind>.<group> "<name>" is invalid: <err>' (several as [a, b])."""
    texts = [f"{fld}: {detail}" for _, fld, detail in errors]
    joined = texts[0] if len(texts) == 1 else "[" + ", ".join(texts) + "]"
    qualified = f"{kind}.{group}" if group else kind
    causes = [{"reason": _REASONS.get(kind_, "FieldValueInvalid"), "message": detail,
               "field": fld} for kind_, fld, detail in errors]
    return f'{qualified} "{name}" is invalid: {joined}', causes


def _err(kind: str, fld: str, text: str, value: Any = None) -> tuple[str, str, str]:
    if kind == "Invalid value":
        return kind, fld, f"Invalid value: {go_value(value)}: {text}"
    if kind in ("Not found", "Duplicate value"):
        return kind, fld, f"{kind}: {go_value(value)}"
    if kind == "Required value":
        return kind, fld, "Required value" + (f": {text}" if text else "")
    if kind == "Unsupported value":
        return kind, fld, f"Unsupported value: {go_value(value)}: supported values: {text}"
    return kind, fld, f"{kind}: {text}"


# ---------------------------------------------------------------- pod template
def _handler(handler: dict[str, Any], path: str, errors: list[tuple[str, str, str]],
             names: tuple[str, ...] = ("exec", "httpGet", "tcpSocket", "grpc"),
             *, required: bool = True) -> None:
    """core ``validateHandler``: exactly one of exec/httpGet/tcpSocket/grpc; every handler after
    the first is "Forbidden: may not specify more than 1 handler type"."""
    seen = 0
    for name in names:
        if handler.get(name) is not None:
            if seen:
                errors.append(_err("Forbidden", f"{path}.{name}",
                                   "may not specify more than 1 handler type"))
            seen += 1
    if not seen and required:
        errors.append(_err("Required value", path, "must specify a handler type"))


def _container(container: dict[str, Any], path: str, volumes: set[str],
               errors: list[tuple[str, str, str]]) -> None:
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        if isinstance(container.get(probe), dict):
            _handler(container[probe], f"{path}.{probe}", errors)  # validateProbe
    lifecycle = container.get("lifecycle") or {}
    for hook in ("postStart", "preStop"):
        if isinstance(lifecycle.get(hook), dict):  # validateLifecycleHandler
            _handler(lifecycle[hook], f"{path}.lifecycle.{hook}", errors,
                     ("exec", "httpGet", "tcpSocket", "sleep"))
    for i, env in enumerate(container.get("env") or ()):
        # core validateEnvVarValueFrom
        if env.get("value") and env.get("valueFrom") is not None:
            errors.append(_err("Invalid value", f"{path}.env[{i}].valueFrom",
                               "may not be specified when `value` is not empty", ""))
    for i, mount in enumerate(container.get("volumeMounts") or ()):
        # core ValidateVolumeMounts
        if mount.get("name") not in volumes:
            errors.append(_err("Not found", f"{path}.volumeMounts[{i}].name", "",
                               mount.get("name")))


def pod_template(template: dict[str, Any], path: str,
                 errors: list[tuple[str, str, str]]) -> None:
    spec = template.get("spec") or {}
    volumes: set[str] = set()
    for i, volume in enumerate(spec.get("volumes") or ()):
        name = volume.get("name")
        if name in volumes:  # core ValidateVolumes
            errors.append(_err("Duplicate value", f"{path}.spec.volumes[{i}].name", "", name))
        volumes.add(name)
    containers = spec.get("containers") or []
    if not containers:
        errors.append(_err("Required value", f"{path}.spec.containers", ""))
    for field in ("initContainers", "containers"):
        for i, container in enumerate(spec.get(field) or ()):
            _container(container, f"{path}.spec.{field}[{i}]", volumes, errors)


# ---------------------------------------------------------------- kinds
def deployment(obj: dict[str, Any], old: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    """apps ``ValidateDeploymentSpec`` / ``ValidateDeploymentStrategy`` /
    ``ValidateDeploymentUpdate``."""
    errors: list[tuple[str, str, str]] = []
    spec = obj.get("spec") or {}
    selector = spec.get("selector") or {}
    match = selector.get("matchLabels") or {}
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    if not match and not selector.get("matchExpressions"):
        errors.append(_err("Invalid value", "spec.selector",
                           "empty selector is invalid for deployment", selector))
    elif any(labels.get(k) != v for k, v in match.items()):
        errors.append(_err("Invalid value", "spec.template.metadata.labels",
                           "`selector` does not match template `labels`", labels))
    strategy = spec.get("strategy") or {}
    kind = strategy.get("type")
    if kind not in ("Recreate", "RollingUpdate"):
        errors.append(_err("Unsupported value", "spec.strategy.type",
                           '"Recreate", "RollingUpdate"', kind))
    elif kind == "Recreate" and strategy.get("rollingUpdate") is not None:
        errors.append(_err("Forbidden", "spec.strategy.rollingUpdate",
                           "may not be specified when strategy `type` is 'Recreate'"))
    elif kind == "RollingUpdate" and strategy.get("rollingUpdate") is None:
        errors.append(_err("Required value", "spec.strategy.rollingUpdate",
                           "this should be defaulted and never be nil"))
    pod_template(spec.get("template") or {}, "spec.template", errors)
    if old is not None and (old.get("spec") or {}).get("selector") != spec.get("selector"):
        errors.append(_err("Invalid value", "spec.selector", "field is immutable",
                           spec.get("selector")))
    return errors


def secret(obj: dict[str, Any], old: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    """core ``ValidateSecret`` (1 MiB total) and ``ValidateSecretUpdate`` (immutable)."""
    errors: list[tuple[str, str, str]] = []
    total = 0
    for key, value in (obj.get("data") or {}).items():
        try:
            total += len(base64.b64decode(str(value), validate=True))
        except ValueError:
            errors.append(("Invalid value", f"data[{key}]", "Invalid value: not base64"))
    if total > MAX_SECRET_SIZE:
        errors.append(("Too long", "data", f"Too long: must have at most {MAX_SECRET_SIZE} bytes"))
    if old is not None and old.get("immutable"):
        if (old.get("data") or {}) != (obj.get("data") or {}):
            errors.append(_err("Forbidden", "data",
                               "field is immutable when `immutable` is set"))
        if not obj.get("immutable"):
            errors.append(_err("Forbidden", "immutable",
                               "field is immutable when `immutable` is set"))
    return errors


def service(obj: dict[str, Any], old: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    """core ``ValidateService``: ports required; with more than one port every port needs a
    name; names unique; (port, protocol) unique; nodePort only for NodePort/LoadBalancer."""
    errors: list[tuple[str, str, str]] = []
    spec = obj.get("spec") or {}
    ports = spec.get("ports") or []
    kind = spec.get("type")
    if not ports and kind != "ExternalName":
        errors.append(_err("Required value", "spec.ports", ""))
    names: set[str] = set()
    keys: set[tuple[Any, Any]] = set()
    for i, port in enumerate(ports):
        name = port.get("name") or ""
        if len(ports) > 1 and not name:
            errors.append(_err("Required value", f"spec.ports[{i}].name", ""))
        elif name:
            if name in names:
                errors.append(_err("Duplicate value", f"spec.ports[{i}].name", "", name))
            names.add(name)
        key = (port.get("port"), port.get("protocol"))
        if key in keys:
            errors.append(("Duplicate value", f"spec.ports[{i}]",
                           f'Duplicate value: core.ServicePort{{Port:{key[0]}, '
                           f'Protocol:"{key[1]}"}}'))
        keys.add(key)
        if port.get("nodePort") and kind == "ClusterIP":
            errors.append(_err("Forbidden", f"spec.ports[{i}].nodePort",
                               "may not be used when `type` is 'ClusterIP'"))
    if kind not in ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"):
        errors.append(_err("Unsupported value", "spec.type",
                           '"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"', kind))
    return errors


def pod_disruption_budget(obj: dict[str, Any],
                          old: dict[str, Any] | None) -> list[tuple[str, str, str]]:
    """policy ``ValidatePodDisruptionBudgetSpec``: minAvailable and maxUnavailable exclusive."""
    spec = obj.get("spec") or {}
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        return [_err("Invalid value", "spec", "minAvailable and maxUnavailable cannot be both "
                                              "set", spec)]
    return []


VALIDATORS = {"Deployment": deployment, "Secret": secret, "Service": service,
              "PodDisruptionBudget": pod_disruption_budget}
GROUPS = {"Deployment": "apps", "ReplicaSet": "apps", "PodDisruptionBudget": "policy"}


def check(kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
    validator = VALIDATORS.get(kind)
    errors = validator(obj, old) if validator else []
    if errors:
        raise Invalid(errors)


def validate(kind: str, obj: dict[str, Any], old: dict[str, Any] | None) -> None:
    """Raise the double's ``ApiFailure`` (422 Invalid, real message and causes)."""
    from tests.deploy.apiserver_double import ApiFailure

    try:
        check(kind, obj, old)
    except Invalid as invalid:
        name = (obj.get("metadata") or {}).get("name", "")
        group = GROUPS.get(kind, "")
        text, causes = message(kind, group, name, invalid.errors)
        failure = ApiFailure(422, "Invalid", text)
        failure.details = {"name": name, "group": group, "kind": kind, "causes": causes}
        raise failure from None
