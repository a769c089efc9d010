"""A typed, read-only view of one deployment of the halconfig.

Plain frozen dataclasses built by hand rather than pydantic models: importing
pydantic costs ~50 ms, more than a whole ``hal config`` edit may take, and the
few fields pyhalyard interprets are easy to check explicitly.  Type errors name
the field path; everything pyhalyard does not interpret stays in ``raw``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from pyhalyard.errors import ConfigError
from pyhalyard.halconfig.coerce import coerce_tree

T = TypeVar("T")

DISTRIBUTED = "Distributed"
PROVIDER_V2 = "V2"
DEFAULT_NAMESPACE = "spinnaker"


class _Reader:
    """Typed field access with errors that name the field path."""

    def __init__(self, source: str, raw: Any, path: str) -> None:
        self.source = source
        self.path = path
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            raise ConfigError(source, f"{path}: expected a mapping, got {_kind(raw)}")
        self.raw: dict[str, Any] = raw

    def _get(self, key: str, types: tuple[type, ...], default: T, expected: str) -> Any:
        value = self.raw.get(key)
        if value is None:
            return default
        if isinstance(value, bool) and bool not in types:
            raise ConfigError(self.source, f"{self.path}.{key}: expected {expected}, got {value!r}")
        if not isinstance(value, types):
            raise ConfigError(self.source, f"{self.path}.{key}: expected {expected}, "
                                           f"got {_kind(value)} {value!r}")
        return value

    def bool_(self, key: str, default: bool = False) -> bool:
        return bool(self._get(key, (bool,), default, "true or false"))

    def opt_bool_(self, key: str) -> bool | None:
        value: bool | None = self._get(key, (bool,), None, "true or false")
        return value

    def str_(self, key: str, default: str | None = None) -> str | None:
        value = self._get(key, (str, int, float), default, "a string")
        return None if value is None else str(value)

    def int_(self, key: str, default: int | None = None) -> int | None:
        value: int | None = self._get(key, (int,), default, "a whole number")
        return value

    def dict_(self, key: str) -> dict[str, Any]:
        value: dict[str, Any] = self._get(key, (dict,), {}, "a mapping")
        return value

    def list_(self, key: str) -> list[Any]:
        value: list[Any] = self._get(key, (list,), [], "a list")
        return value

    def child(self, key: str) -> _Reader:
        return _Reader(self.source, self.raw.get(key), f"{self.path}.{key}")


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


@dataclass(frozen=True)
class ClouddriverHa:
    enabled: bool = False
    redis_master_endpoint: str | None = None
    redis_slave_endpoint: str | None = None
    redis_slave_deck_endpoint: str | None = None
    # None = key absent (the seed's three roles); False = Halyard's explicit fourth role.
    disable_ro_deck: bool | None = None

    @property
    def ro_deck(self) -> bool:
        return self.enabled and self.disable_ro_deck is False

    @property
    def endpoints(self) -> dict[str, str | None]:
        return {"redisMasterEndpoint": self.redis_master_endpoint,
                "redisSlaveEndpoint": self.redis_slave_endpoint,
                "redisSlaveDeckEndpoint": self.redis_slave_deck_endpoint}


@dataclass(frozen=True)
class KubernetesAccount:
    name: str
    provider_version: str | None
    context: str | None
    kubeconfig_file: str | None
    service_account: bool
    namespaces: list[str]
    omit_namespaces: list[str]
    raw: dict[str, Any]


@dataclass(frozen=True)
class DeploymentEnvironment:
    type: str
    account_name: str | None
    location: str
    custom_sizing: dict[str, Any]
    image_variant: str | None
    liveness_probe: dict[str, Any]
    affinity: dict[str, Any]
    tolerations: dict[str, Any]
    node_selectors: dict[str, Any]
    sidecars: dict[str, Any]
    init_containers: dict[str, Any]
    host_aliases: dict[str, Any]
    clouddriver_ha: ClouddriverHa
    echo_ha: bool


@dataclass(frozen=True)
class Deployment:
    """What pyhalyard interprets of one ``deploymentConfigurations[i]`` entry."""

    name: str
    index: int
    version: str
    environment: DeploymentEnvironment
    kubernetes_enabled: bool
    kubernetes_accounts: tuple[KubernetesAccount, ...]
    timezone: str | None
    authz_enabled: bool
    canary_enabled: bool
    ci_enabled: bool
    docker_registry_enabled: bool
    metrics_enabled: bool
    raw: dict[str, Any] = field(repr=False)

    @property
    def namespace(self) -> str:
        return self.environment.location

    def account(self, name: str | None) -> KubernetesAccount | None:
        return next((a for a in self.kubernetes_accounts if a.name == name), None)

    @property
    def deploy_account(self) -> KubernetesAccount | None:
        return self.account(self.environment.account_name)


def read_deployment(source: str, raw: dict[str, Any], index: int, *,
                    coerce: bool = True) -> Deployment:
    """Build the typed view; a field of the wrong type is a ConfigError naming its path.

    Quoted flags and counts are typed first (Jackson's coercion, see halconfig/coerce.py),
    and ``raw`` keeps the typed values, so every later stage reads the same ones.
    """
    if coerce:  # False only when the caller checked the text has no quoted candidate
        raw = coerce_tree(raw)
    top = _Reader(source, raw, f"deploymentConfigurations[{index}]")
    env = top.child("deploymentEnvironment")
    ha = env.child("haServices")
    cd = ha.child("clouddriver")
    providers = top.child("providers")
    k8s = providers.child("kubernetes")
    accounts = []
    for i, account in enumerate(k8s.list_("accounts")):
        acc = _Reader(source, account, f"{k8s.path}.accounts[{i}]")
        name = acc.str_("name")
        if not name:
            raise ConfigError(source, f"{acc.path}.name: every account needs a name")
        accounts.append(KubernetesAccount(
            name=name,
            provider_version=acc.str_("providerVersion"),
            context=acc.str_("context"),
            kubeconfig_file=acc.str_("kubeconfigFile"),
            service_account=acc.bool_("serviceAccount"),
            namespaces=[str(n) for n in acc.list_("namespaces")],
            omit_namespaces=[str(n) for n in acc.list_("omitNamespaces")],
            raw=acc.raw,
        ))
    ci = top.child("ci")
    ci_enabled = any(isinstance(block, dict) and block.get("enabled") is True
                     for block in ci.raw.values())
    return Deployment(
        name=top.str_("name") or "default",
        index=index,
        version=top.str_("version") or "",
        environment=DeploymentEnvironment(
            type=env.str_("type") or "LocalDebian",
            account_name=env.str_("accountName"),
            location=env.str_("location") or DEFAULT_NAMESPACE,
            custom_sizing=env.dict_("customSizing"),
            image_variant=env.str_("imageVariant"),
            liveness_probe=env.dict_("livenessProbeConfig"),
            affinity=env.dict_("affinity"),
            tolerations=env.dict_("tolerations"),
            node_selectors=env.dict_("nodeSelectors"),
            sidecars=env.dict_("sidecars"),
            init_containers=env.dict_("initContainers"),
            host_aliases=env.dict_("hostAliases"),
            clouddriver_ha=ClouddriverHa(
                enabled=cd.bool_("enabled"),
                redis_master_endpoint=cd.str_("redisMasterEndpoint") or None,
                redis_slave_endpoint=cd.str_("redisSlaveEndpoint") or None,
                redis_slave_deck_endpoint=cd.str_("redisSlaveDeckEndpoint") or None,
                disable_ro_deck=cd.opt_bool_("disableClouddriverRoDeck"),
            ),
            echo_ha=ha.child("echo").bool_("enabled"),
        ),
        kubernetes_enabled=k8s.bool_("enabled"),
        kubernetes_accounts=tuple(accounts),
        timezone=top.str_("timezone"),
        authz_enabled=top.child("security").child("authz").bool_("enabled"),
        canary_enabled=top.child("canary").bool_("enabled"),
        ci_enabled=ci_enabled,
        docker_registry_enabled=providers.child("dockerRegistry").bool_("enabled"),
        metrics_enabled=top.child("metricStores").bool_("enabled"),
        raw=raw,
    )
