"""Kubernetes objects of one deployment (SPEC §5): a pure function of the plan.

Per managed service: its config ``Secret`` (every profile file, named after a
hash of its contents so a changed file rolls the pods and an unchanged one
restarts nothing), a ``Service``, a ``Deployment`` and, above one replica, a
``PodDisruptionBudget``.  Selectors are Halyard's ``{app: spin, cluster:
spin-<name>}`` so Deployments Halyard created can be taken over in place.

Settings that users write by hand (service-settings ``kubernetes:``, the
``deploymentEnvironment`` maps, ``customSizing``) are type-checked here, where
they turn into objects, so a typo fails with its field path rather than as an
object the API server rejects halfway through an apply.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from typing import Any

from pyhalyard import catalog
from pyhalyard.errors import HalError
from pyhalyard.halconfig.custom import profile_bytes
from pyhalyard.kube_names import is_dns_label
from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render import pod_details
from pyhalyard.render.bundle import KubeObject
from pyhalyard.render.secret_size import check_secret_size
from pyhalyard.render.strategy import deployment_strategy
from pyhalyard.validate.quantity import quantity_problem

CONFIG_MOUNT = "/opt/spinnaker/config"
CONFIG_VOLUME = "spin-config"
HASH_LENGTH = 10
MANAGED_BY = "pyhalyard"
VERSION_LABEL = "app.kubernetes.io/version"
SPREAD_KEYS = ("kubernetes.io/hostname", "topology.kubernetes.io/zone")
SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer")
# Secret keys of environment variables held in the config Secret.
ENV_KEY_PREFIX = "env."

_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_LABEL_VALUE_BAD = re.compile(r"[^-_.a-zA-Z0-9]")
# Names and values that mark an environment variable as secret-bearing.
_SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|CREDENTIAL|PRIVATE_?KEY|API_?KEY|"
                          r"PASSPHRASE|ACCESS_?KEY|AUTH", re.IGNORECASE)
_SECRET_VALUE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]*:[^@\s/]+@|"
                           r"(password|passwd|secret|token)[^=\s]*=\S", re.IGNORECASE)

# service-settings ``kubernetes:`` keys: Halyard's KubernetesSettings, plus env,
# tolerations and affinity (per-service forms of the deploymentEnvironment maps).
K8S_SETTINGS: dict[str, tuple[type, ...]] = {
    "affinity": (dict,),
    "customHealthCheckExecCommands": (list,),
    "deploymentStrategy": (dict,),
    "env": (dict,),
    "imagePullSecrets": (list,),
    "nodePort": (int, str),
    "nodeSelector": (dict,),
    "podAnnotations": (dict,),
    "podLabels": (dict,),
    "securityContext": (dict,),
    "serviceAccountName": (str,),
    "serviceAnnotations": (dict,),
    "serviceLabels": (dict,),
    "serviceType": (str,),
    "tolerations": (list,),
    "useExecHealthCheck": (bool,),
    "useTcpProbe": (bool,),
    "volumes": (list,),
}
_TYPE_NAMES = {dict: "a mapping", list: "a list", str: "a string", int: "a whole number",
               bool: "true or false"}
# Halyard's ConfigSource types for service-settings ``kubernetes.volumes``.
VOLUME_TYPES = ("secret", "configMap", "persistentVolumeClaim", "emptyDir")
SIDECAR_KEYS = ("name", "dockerImage", "env", "args", "command", "port", "mountPath",
                "configMapVolumeMounts", "secretVolumeMounts", "securityContext")


# ------------------------------------------------------------------ helpers
def content_hash(data: dict[str, str]) -> str:
    """Short digest of a Secret's data: equal iff the data is equal (sorted, canonical)."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:HASH_LENGTH]


def label_value(value: str) -> str:
    """A string Kubernetes accepts as a label value (≤ 63 chars, alnum at both ends)."""
    return _LABEL_VALUE_BAD.sub("-", value)[:63].strip("-_.")


def selector(sp: ServicePlan) -> dict[str, str]:
    """Halyard's selector, so its Deployments can be adopted."""
    return {"app": "spin", "cluster": sp.k8s_name}


def labels(sp: ServicePlan, version: str) -> dict[str, str]:
    return {
        **selector(sp),
        "app.kubernetes.io/name": sp.name,
        "app.kubernetes.io/part-of": "spinnaker",
        "app.kubernetes.io/managed-by": MANAGED_BY,
        VERSION_LABEL: label_value(version),
    }


def is_secret_env(name: str, value: str) -> bool:
    """Whether an env var must not sit in the Deployment in clear text."""
    return bool(value) and bool(_SECRET_NAME.search(name) or _SECRET_VALUE.search(value))


def secret_key(path: str) -> str:
    """Secret keys may not contain '/': nested profile files get a derived key."""
    if _SECRET_KEY.match(path) and not path.startswith(ENV_KEY_PREFIX) and len(path) <= 253:
        return path
    digest = hashlib.sha256(path.encode()).hexdigest()[:8]
    base = re.sub(r"[^-._a-zA-Z0-9]", "_", path.rsplit("/", 1)[-1])[:200]
    return f"f-{digest}-{base}"


def check_namespace(namespace: str) -> None:
    if not is_dns_label(namespace):
        raise HalError(f"deploymentEnvironment.location: '{namespace}' is not a valid "
                       "Kubernetes namespace (lowercase letters, digits and '-', at most "
                       "63 characters); hal config deploy edit --location NAMESPACE")


class _Where:
    """Error messages that name the file or field a bad value came from."""

    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, field: str, expected: str, value: Any) -> HalError:
        shown = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        return HalError(f"{self.where}: {field}: expected {expected}, got {shown}")

    def typed(self, field: str, value: Any, types: tuple[type, ...]) -> Any:
        if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
            raise self.fail(field, _TYPE_NAMES[types[0]], value)
        return value

    def mapping(self, field: str, value: Any) -> dict[str, Any]:
        checked: dict[str, Any] = self.typed(field, value, (dict,))
        return checked

    def str_map(self, field: str, value: Any) -> dict[str, str]:
        self.mapping(field, value)
        out: dict[str, str] = {}
        for key, item in value.items():
            if isinstance(item, (dict, list)):
                raise self.fail(f"{field}.{key}", "a string", item)
            out[str(key)] = "" if item is None else _scalar(item)
        return out

    def mappings(self, field: str, value: Any) -> list[dict[str, Any]]:
        self.typed(field, value, (list,))
        for i, item in enumerate(value):
            self.mapping(f"{field}[{i}]", item)
        return list(value)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _deployment_where(plan: Plan) -> str:
    return f"deploymentConfigurations[{plan.deployment.index}].deploymentEnvironment"


def _settings_where(sp: ServicePlan) -> _Where:
    return _Where(f"service-settings/{sp.name}.yml")


def _for_service(mapping: dict[str, Any], sp: ServicePlan) -> tuple[str, Any] | None:
    """A deploymentEnvironment map's entry for this service: ``spin-<name>`` or ``<name>``
    (aliases too); an HA role without one of its own falls back to its base service's
    plain name (``clouddriver``), as Halyard's ``getBaseCanonicalName()`` lookups did."""
    for name in catalog.names_for(sp.name):
        for key in (catalog.NAME_PREFIX + name, name):
            if key in mapping and mapping[key] is not None:
                return key, mapping[key]
    base = sp.service.base
    if sp.service.is_role and mapping.get(base) is not None:
        return base, mapping[base]
    return None


# ------------------------------------------------------------------ sizing
def _quantities(where: _Where, field: str, value: Any) -> dict[str, Any]:
    where.mapping(field, value)
    out: dict[str, Any] = {}
    for resource, amount in value.items():
        if amount is None:
            continue
        problem = quantity_problem(amount)
        if problem is not None:
            raise HalError(f"{where.where}.{field}.{resource}: {problem}")
        out[str(resource)] = amount.strip() if isinstance(amount, str) else amount
    return out


def resources(plan: Plan, sp: ServicePlan) -> dict[str, Any]:
    """Main container resources: the container entry (``<name>``) wins over the pod entry
    (``spin-<name>``), field by field; nothing is inherited from a split base service."""
    where = _Where(f"{_deployment_where(plan)}.customSizing")
    out: dict[str, Any] = {}
    for kind in ("requests", "limits"):
        for entry, key in ((sp.container_sizing, sp.name), (sp.pod_sizing, sp.k8s_name)):
            value = entry.get(kind)
            if value is not None:
                quantities = _quantities(where, f"{key}.{kind}", value)
                if quantities:
                    out[kind] = quantities
                break
    return out


def replicas(sp: ServicePlan) -> int:
    """The plan already holds echo-scheduler to one pod unless its scheduler is clustered."""
    if sp.replicas < 0:
        raise HalError(f"customSizing.{sp.k8s_name}.replicas: expected 0 or more, "
                       f"got {sp.replicas}")
    return sp.replicas


# ------------------------------------------------------------------ settings
def k8s_settings(sp: ServicePlan) -> dict[str, Any]:
    """The service-settings ``kubernetes:`` block, type-checked."""
    where = _settings_where(sp)
    raw = sp.settings.get("kubernetes") or {}
    where.mapping("kubernetes", raw)
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in K8S_SETTINGS:
            known = ", ".join(sorted(K8S_SETTINGS))
            raise HalError(f"{where.where}: kubernetes.{key}: unknown setting "
                           f"(known: {known})")
        if value is None:
            continue
        out[key] = where.typed(f"kubernetes.{key}", value, K8S_SETTINGS[key])
    service_type = out.get("serviceType")
    if service_type is not None and service_type not in SERVICE_TYPES:
        raise where.fail("kubernetes.serviceType", " or ".join(SERVICE_TYPES), service_type)
    return out


def _env_map(sp: ServicePlan, k8s: dict[str, Any]) -> dict[str, str]:
    env = dict(sp.env)
    if "env" in k8s:
        env.update(_settings_where(sp).str_map("kubernetes.env", k8s["env"]))
    for name in env:
        if not _ENV_NAME.match(name):
            raise HalError(f"service-settings/{sp.name}.yml: env.{name}: not a valid "
                           "environment variable name")
    return env


def _image_pull_secrets(sp: ServicePlan, value: list[Any]) -> list[dict[str, str]]:
    where = _settings_where(sp)
    out = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            out.append({"name": item})
        elif isinstance(item, dict) and isinstance(item.get("name"), str):
            out.append({"name": item["name"]})
        else:
            raise where.fail(f"kubernetes.imagePullSecrets[{i}]", "a secret name", item)
    return out


def _volume_name(raw: str) -> str:
    name = re.sub(r"[^a-z0-9-]", "-", raw.lower()).strip("-")[:63].strip("-")
    return name or "volume"


def _settings_volumes(sp: ServicePlan, value: list[Any]) -> tuple[list[KubeObject],
                                                                  list[KubeObject]]:
    """Halyard's ``{id, type, mountPath}`` volumes -> pod volumes and main-container mounts."""
    where = _settings_where(sp)
    volumes: list[KubeObject] = []
    mounts: list[KubeObject] = []
    for i, item in enumerate(where.mappings("kubernetes.volumes", value)):
        field = f"kubernetes.volumes[{i}]"
        # Halyard's ConfigSource: a volume without ``type`` is a secret.
        ident, kind, path = item.get("id"), item.get("type") or "secret", item.get("mountPath")
        if not isinstance(ident, str) or not ident:
            raise where.fail(f"{field}.id", "the name of the secret, config map or claim", ident)
        if kind not in VOLUME_TYPES:
            raise where.fail(f"{field}.type", " or ".join(VOLUME_TYPES), kind)
        if not isinstance(path, str) or not path.startswith("/"):
            raise where.fail(f"{field}.mountPath", "an absolute path", path)
        name = _volume_name(f"{kind}-{ident}" if kind != "emptyDir" else ident)
        source: dict[str, Any] = {
            "secret": {"secretName": ident},
            "configMap": {"name": ident},
            "persistentVolumeClaim": {"claimName": ident},
            "emptyDir": {},
        }[kind]
        volumes.append({"name": name, kind: source})
        mounts.append({"name": name, "mountPath": path})
    return volumes, mounts


def _sidecar(where: _Where, field: str, item: dict[str, Any]
             ) -> tuple[KubeObject, list[KubeObject], list[KubeObject]]:
    """A sidecar: a plain Kubernetes container (has ``image``) is used as given; Halyard's
    SidecarConfig (``dockerImage``, ``configMapVolumeMounts``, …) is translated.

    Returns the container, its pod volumes and mounts for the main container: a
    ``mountPath`` is an emptyDir named after the sidecar that both containers mount
    there (KubernetesV2Service.getPodSpecYaml), e.g. a vault agent's token folder."""
    if "image" in item:
        return dict(item), [], []
    unknown = sorted(set(item) - set(SIDECAR_KEYS))
    if unknown:
        raise HalError(f"{where.where}.{field}: unknown sidecar field '{unknown[0]}' "
                       f"(Halyard's fields: {', '.join(SIDECAR_KEYS)}; or give a Kubernetes "
                       "container with 'image')")
    name, image = item.get("name", "custom-sidecar"), item.get("dockerImage")  # SidecarConfig
    if name is None:
        name = "custom-sidecar"
    if not is_dns_label(name):
        raise where.fail(f"{field}.name", "a container name (lowercase, digits, '-')", name)
    if not isinstance(image, str) or not image:
        raise where.fail(f"{field}.dockerImage", "an image reference", image)
    container: KubeObject = {"name": name, "image": image}
    for key in ("command", "args"):
        if item.get(key) is not None:
            value = where.typed(f"{field}.{key}", item[key], (list,))
            container[key] = [_scalar(v) for v in value]
    if item.get("env") is not None:
        env = where.str_map(f"{field}.env", item["env"])
        container["env"] = [{"name": k, "value": env[k]} for k in sorted(env)]
    if item.get("port") is not None:
        port = where.typed(f"{field}.port", item["port"], (int,))
        container["ports"] = [{"containerPort": port, "protocol": "TCP"}]
    if item.get("securityContext") is not None:
        container["securityContext"] = where.mapping(f"{field}.securityContext",
                                                     item["securityContext"])
    volumes: list[KubeObject] = []
    mounts: list[KubeObject] = []
    shared: list[KubeObject] = []
    if item.get("mountPath"):
        path = item["mountPath"]
        if not isinstance(path, str) or not path.startswith("/"):
            raise where.fail(f"{field}.mountPath", "an absolute path", path)
        volumes.append({"name": _volume_name(name), "emptyDir": {}})
        mounts.append({"name": _volume_name(name), "mountPath": path})
        shared.append({"name": _volume_name(name), "mountPath": path})
    for key, kind, ref_key, source_key in (
            ("configMapVolumeMounts", "configMap", "configMapName", "name"),
            ("secretVolumeMounts", "secret", "secretName", "secretName")):
        if item.get(key) is None:
            continue
        for j, mount in enumerate(where.mappings(f"{field}.{key}", item[key])):
            ref, path = mount.get(ref_key), mount.get("mountPath")
            if not isinstance(ref, str) or not ref:
                raise where.fail(f"{field}.{key}[{j}].{ref_key}", "a name", ref)
            if not isinstance(path, str) or not path.startswith("/"):
                raise where.fail(f"{field}.{key}[{j}].mountPath", "an absolute path", path)
            volume = _volume_name(f"{name}-{kind}-{ref}")
            volumes.append({"name": volume, kind: {source_key: ref}})
            mounts.append({"name": volume, "mountPath": path})
    if mounts:
        container["volumeMounts"] = mounts
    return container, volumes, shared


def _environment_extras(plan: Plan, sp: ServicePlan) -> dict[str, Any]:
    """deploymentEnvironment maps keyed by service: affinity, tolerations, nodeSelectors,
    sidecars, initContainers, hostAliases."""
    env = plan.deployment.environment
    where = _Where(_deployment_where(plan))
    out: dict[str, Any] = {}
    # Pod spec key <- (deploymentEnvironment map, its halconfig name, the check of its entry).
    maps: dict[str, tuple[dict[str, Any], str, Callable[[str, Any], Any]]] = {
        "affinity": (env.affinity, "affinity", where.mapping),
        "tolerations": (env.tolerations, "tolerations", where.mappings),
        "nodeSelector": (env.node_selectors, "nodeSelectors", where.str_map),
        "initContainers": (env.init_containers, "initContainers", where.mappings),
        "hostAliases": (env.host_aliases, "hostAliases", where.mappings),
    }
    for pod_key, (mapping, name, check) in maps.items():
        found = _for_service(mapping, sp)
        if found:
            out[pod_key] = check(f"{name}.{found[0]}", found[1])
    found = _for_service(env.sidecars, sp)
    if found:
        key, items = found
        containers, volumes, shared = [], [], []
        for i, item in enumerate(where.mappings(f"sidecars.{key}", items)):
            container, extra, main_mounts = _sidecar(where, f"sidecars.{key}[{i}]", item)
            containers.append(container)
            volumes.extend(extra)
            shared.extend(main_mounts)
        out["sidecars"] = containers
        out["sidecarVolumes"] = volumes
        out["sharedMounts"] = shared
    return out


# ------------------------------------------------------------------ probes
def _probe_handler(sp: ServicePlan, k8s: dict[str, Any]) -> dict[str, Any]:
    return pod_details.probe_handler(sp, k8s)


def _liveness(plan: Plan, handler: dict[str, Any]) -> dict[str, Any] | None:
    config = plan.deployment.environment.liveness_probe
    if config.get("enabled") is not True:
        return None
    where = _Where(f"{_deployment_where(plan)}.livenessProbeConfig")
    probe = dict(handler)
    for key in ("initialDelaySeconds", "periodSeconds", "timeoutSeconds", "failureThreshold"):
        if config.get(key) is not None:
            probe[key] = where.typed(key, config[key], (int,))
    return probe


# ------------------------------------------------------------------ objects
def namespace_object(plan: Plan) -> KubeObject:
    """The Namespace all objects live in (cluster-scoped, so it carries no selector labels)."""
    check_namespace(plan.namespace)
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": plan.namespace, "labels": {
            "app.kubernetes.io/managed-by": MANAGED_BY,
            "app.kubernetes.io/part-of": "spinnaker",
        }},
    }


def _meta(plan: Plan, name: str, object_labels: dict[str, str],
          annotations: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": plan.namespace,
                            "labels": dict(object_labels)}
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


def _secret_data(sp: ServicePlan, files: dict[str, str],
                 secret_env: dict[str, str]) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Base64 data of the config Secret and the volume items (key -> file path)."""
    data: dict[str, str] = {}
    items: list[dict[str, str]] = []
    for path in sorted(files):
        parts = path.split("/")
        if path.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise HalError(f"profile '{path}' of {sp.name}: file names must stay inside "
                           "the config folder (no '..', no leading '/')")
        key = secret_key(path)
        if key in data:
            raise HalError(f"profile '{path}' of {sp.name}: two files map to Secret key '{key}'")
        data[key] = base64.b64encode(profile_bytes(files[path])).decode("ascii")
        items.append({"key": key, "path": path})
    for name in sorted(secret_env):
        data[ENV_KEY_PREFIX + name] = base64.b64encode(
            secret_env[name].encode("utf-8")).decode("ascii")
    return data, items


def service_objects(plan: Plan, sp: ServicePlan, files: dict[str, str],
                    container: dict[str, Any]) -> list[KubeObject]:
    """Secret (when there is anything to hold), Service, Deployment and, above one
    replica, a PodDisruptionBudget for one managed service.

    ``container`` seeds the main container: ``{"image": ...}`` for Spinnaker services,
    the Redis helper's full container spec for ``redis``/``redis-replica``.
    """
    version = plan.deployment.version
    k8s = k8s_settings(sp)
    object_labels = labels(sp, version)
    match = selector(sp)
    count = replicas(sp)

    env = _env_map(sp, k8s)
    plain_env = {k: v for k, v in env.items() if not is_secret_env(k, v)}
    secret_env = {k: v for k, v in env.items() if k not in plain_env}
    seeded_env: list[dict[str, Any]] = []
    for entry in container.get("env") or []:
        name, value = entry.get("name"), entry.get("value")
        if isinstance(value, str) and "valueFrom" not in entry and is_secret_env(name, value):
            secret_env[str(name)] = value
        elif name not in env:
            seeded_env.append(dict(entry))

    data, items = _secret_data(sp, files, secret_env)
    check_secret_size(sp.k8s_name, data, {i["key"]: i["path"] for i in items})
    objects: list[KubeObject] = []
    secret_name: str | None = None
    if data:
        secret_name = f"{sp.k8s_name}-files-{content_hash(data)}"
        objects.append({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": _meta(plan, secret_name, object_labels),
            "type": "Opaque",
            "immutable": True,
            "data": data,
        })

    # ---- Service
    where = _settings_where(sp)
    port_name = "redis" if sp.service.scheme == "redis" else "http"
    service_spec: dict[str, Any] = {
        "type": k8s.get("serviceType", "ClusterIP"),
        "selector": dict(match),
        "ports": [{"name": port_name, "port": sp.port, "targetPort": sp.port,
                   "protocol": "TCP"}],
    }
    if "nodePort" in k8s and service_spec["type"] != "ClusterIP":
        node_port = k8s["nodePort"]
        try:
            service_spec["ports"][0]["nodePort"] = int(node_port)
        except ValueError:
            raise where.fail("kubernetes.nodePort", "a port number", node_port) from None
    service_labels = {**where.str_map("kubernetes.serviceLabels",
                                      k8s.get("serviceLabels", {})), **object_labels}
    objects.append({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(plan, sp.k8s_name, service_labels,
                          where.str_map("kubernetes.serviceAnnotations",
                                        k8s.get("serviceAnnotations", {}))),
        "spec": service_spec,
    })

    # ---- main container
    main: dict[str, Any] = dict(container)
    main["name"] = sp.name
    main.setdefault("ports", [{"name": port_name, "containerPort": sp.port,
                               "protocol": "TCP"}])
    def from_secret(name: str) -> dict[str, Any]:
        return {"name": name, "valueFrom": {"secretKeyRef": {
            "name": secret_name, "key": ENV_KEY_PREFIX + name}}}

    env_list: list[dict[str, Any]] = seeded_env
    for name in sorted(env):
        if name in secret_env:
            env_list.append(from_secret(name))
        else:
            env_list.append({"name": name, "value": plain_env[name]})
    # secret-bearing env of the seed
    env_list.extend(from_secret(name) for name in sorted(set(secret_env) - set(env)))
    if env_list:
        main["env"] = env_list
    else:
        main.pop("env", None)
    handler = _probe_handler(sp, k8s)
    main.setdefault("readinessProbe", dict(handler))
    liveness = _liveness(plan, handler)
    if liveness is not None:
        main.setdefault("livenessProbe", liveness)
    hook = pod_details.lifecycle(sp, files)
    if hook is not None:
        main.setdefault("lifecycle", hook)
    sized = resources(plan, sp)
    if sized:
        main["resources"] = sized
    mounts: list[KubeObject] = list(main.get("volumeMounts") or [])
    volumes: list[KubeObject] = []
    if secret_name and files:
        mounts.append({"name": CONFIG_VOLUME, "mountPath": CONFIG_MOUNT})
        secret_source: dict[str, Any] = {"secretName": secret_name}
        if secret_env or any(i["key"] != i["path"] for i in items):
            secret_source["items"] = items
        volumes.append({"name": CONFIG_VOLUME, "secret": secret_source})
        mounts.extend(pod_details.outside_config_mounts(sp, files, CONFIG_VOLUME))
    extra_volumes, extra_mounts = _settings_volumes(sp, k8s.get("volumes", []))
    volumes.extend(extra_volumes)
    mounts.extend(extra_mounts)
    if mounts:
        main["volumeMounts"] = mounts

    # ---- pod
    extras = _environment_extras(plan, sp)
    volumes.extend(extras.pop("sidecarVolumes", []))
    if extras.get("sharedMounts"):
        main["volumeMounts"] = [*main.get("volumeMounts", []), *extras["sharedMounts"]]
    extras.pop("sharedMounts", None)
    pod_labels = {**where.str_map("kubernetes.podLabels", k8s.get("podLabels", {})),
                  **object_labels}
    if sp.service.base == "redis":
        # A changed pod template restarts Redis, which keeps its data only in memory:
        # the template depends on Redis's own settings, never on the Spinnaker version.
        pod_labels.pop(VERSION_LABEL, None)
    pod_annotations = where.str_map("kubernetes.podAnnotations", k8s.get("podAnnotations", {}))
    pod_meta: dict[str, Any] = {"labels": pod_labels}
    if pod_annotations:
        pod_meta["annotations"] = pod_annotations
    pod: dict[str, Any] = {"containers": [main, *extras.pop("sidecars", [])]}
    if "initContainers" in extras:
        pod["initContainers"] = extras.pop("initContainers")
    if volumes:
        _unique(sp, (v["name"] for v in volumes), "volume")
        pod["volumes"] = volumes
    _unique(sp, (c["name"] for c in pod["containers"]), "container")
    pod["terminationGracePeriodSeconds"] = pod_details.termination_grace(sp)
    node_selector = {**extras.pop("nodeSelector", {}),
                     **where.str_map("kubernetes.nodeSelector", k8s.get("nodeSelector", {}))}
    if node_selector:
        pod["nodeSelector"] = node_selector
    tolerations = [*extras.pop("tolerations", []),
                   *where.mappings("kubernetes.tolerations", k8s.get("tolerations", []))]
    if tolerations:
        pod["tolerations"] = tolerations
    affinity = k8s.get("affinity") or extras.pop("affinity", None)
    if affinity:
        pod["affinity"] = affinity
    if "hostAliases" in extras:
        pod["hostAliases"] = extras.pop("hostAliases")
    if k8s.get("imagePullSecrets"):
        pod["imagePullSecrets"] = _image_pull_secrets(sp, k8s["imagePullSecrets"])
    if k8s.get("serviceAccountName"):
        pod["serviceAccountName"] = k8s["serviceAccountName"]
    if k8s.get("securityContext"):
        pod["securityContext"] = k8s["securityContext"]
    if count > 1:
        pod["topologySpreadConstraints"] = [
            {"maxSkew": 1, "topologyKey": key, "whenUnsatisfiable": "ScheduleAnyway",
             "labelSelector": {"matchLabels": dict(match)}}
            for key in SPREAD_KEYS
        ]

    spec: dict[str, Any] = {
        "replicas": count,
        "selector": {"matchLabels": dict(match)},
        "template": {"metadata": pod_meta, "spec": pod},
    }
    if sp.lone_scheduler:
        # Never two schedulers at once, not even during a rollout (a short gap instead).
        spec["strategy"] = {"type": "Recreate"}
    elif k8s.get("deploymentStrategy"):
        spec["strategy"] = deployment_strategy(f"{where.where}: kubernetes.deploymentStrategy",
                                               k8s["deploymentStrategy"])
    objects.append({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(plan, sp.k8s_name, object_labels),
        "spec": spec,
    })
    if count > 1:
        objects.append({
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": _meta(plan, sp.k8s_name, object_labels),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": dict(match)}},
        })
    pod_details.finish_objects(plan, sp, objects)
    return [plain(obj) for obj in objects]


def plain(value: Any) -> Any:
    """A tree copy without shared nodes (YAML output gets no anchors, and nobody mutating one
    object changes another); scalars YAML may load as dates become strings."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _unique(sp: ServicePlan, names: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise HalError(f"{sp.k8s_name}: two {what}s are named '{name}' (check sidecars "
                           "and kubernetes.volumes in its settings)")
        seen.add(name)
