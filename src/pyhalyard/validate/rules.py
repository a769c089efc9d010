"""Validation rules (SPEC §5, §6, §8).  Each takes the loaded deployment, returns problems.

Every rule is a small generator listed explicitly in RULES (no registration by
reflection); each problem names the field path, says what is wrong and how to fix it.
ERRORs refuse an edit; WARNINGs are printed and the edit proceeds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeGuard

from pyhalyard import catalog
from pyhalyard.echo_scheduler import sql_clustered
from pyhalyard.halconfig.model import DISTRIBUTED, PROVIDER_V2
from pyhalyard.kube_names import NAMESPACE_RULE, is_dns_label
from pyhalyard.pipeline import Loaded
from pyhalyard.validate import ops_rules, table_rules
from pyhalyard.validate.files import kubeconfig_defaults, required_files_readable
from pyhalyard.validate.problem import Problem, Severity
from pyhalyard.validate.quantity import quantity_problem, to_decimal
from pyhalyard.validate.reading import (
    custom_overrides,
    distributed_kubernetes_only,
    duplicate_keys,
    monitoring_daemon_release,
    service_location,
)

ENV = "deploymentEnvironment"
HA = f"{ENV}.haServices"
SIZING = f"{ENV}.customSizing"
K8S = "providers.kubernetes"
PREFIX = catalog.NAME_PREFIX
SEED_ONE_POD = ("the HA reference says of echo-slave (echo-worker): \"To avoid duplicate "
                "triggering, this service must be deployed with exactly one pod.\"")
_FLAGS = {"redisMasterEndpoint": "--redis-master-endpoint",
          "redisSlaveEndpoint": "--redis-slave-endpoint",
          "redisSlaveDeckEndpoint": "--redis-slave-deck-endpoint"}


# ------------------------------------------------------------------ helpers
def _whole(value: object) -> TypeGuard[int]:
    """An int that is not a bool (YAML's ``true`` is an int to Python)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _ha_on(loaded: Loaded, base: str) -> bool:
    env = loaded.deployment.environment
    return env.clouddriver_ha.enabled if base == "clouddriver" else env.echo_ha


def _resolve(key: str) -> catalog.Service | None:
    try:
        return catalog.get(key)
    except catalog.UnknownServiceError:
        return None


def _roles(loaded: Loaded, base: str) -> list[str]:
    """The roles that run when ``base``'s HA is on (ro-deck only when it is deployed)."""
    ro_deck = loaded.deployment.environment.clouddriver_ha.disable_ro_deck is False
    return [r for r in catalog.SPLITS[base] if r != "clouddriver-ro-deck" or ro_deck]


def _replicas(loaded: Loaded, name: str) -> tuple[int, str] | None:
    """The replica count asked for ``name`` and where, with plan.py's precedence:
    the first pod sizing entry (canonical name, then aliases), else ``targetSize``."""
    sizing = loaded.deployment.environment.custom_sizing
    for spelling in catalog.names_for(name):
        entry = sizing.get(PREFIX + spelling)
        if isinstance(entry, dict):
            count = entry.get("replicas")
            if _whole(count):
                return count, f"{SIZING}.{PREFIX}{spelling}.replicas"
            break
    target = loaded.custom.settings.get(name, {}).get("targetSize")
    if _whole(target):
        return target, f"service-settings/{name}.yml: targetSize"
    return None


def sql_clustered_scheduler(loaded: Loaded) -> bool:
    """See :func:`pyhalyard.echo_scheduler.sql_clustered`."""
    return sql_clustered(loaded.custom)


# -------------------------------------------------------------------- rules
def ha_needs_distributed_v2(loaded: Loaded) -> Iterator[Problem]:
    """The seed: HA only for a Distributed install on a manifest-based (V2) Kubernetes account."""
    dep = loaded.deployment
    env = dep.environment
    for name, on in (("clouddriver", env.clouddriver_ha.enabled), ("echo", env.echo_ha)):
        if not on:
            continue
        if env.type != DISTRIBUTED:
            yield Problem(Severity.ERROR, f"{HA}.{name}.enabled",
                          f"HA {name} needs a Distributed deployment, not '{env.type}'",
                          "hal config deploy edit --type Distributed --account-name ACCOUNT")
            continue
        account = dep.deploy_account
        if account is not None and (account.provider_version or PROVIDER_V2) != PROVIDER_V2:
            yield Problem(Severity.ERROR, f"{HA}.{name}.enabled",
                          f"HA {name} needs a manifest-based Kubernetes (V2) account; "
                          f"'{account.name}' is {account.provider_version}",
                          f"hal config provider kubernetes account edit {account.name} "
                          "--provider-version V2")


def distributed_needs_account(loaded: Loaded) -> Iterator[Problem]:
    """A Distributed install is deployed through one of the deployment's Kubernetes accounts."""
    dep = loaded.deployment
    env = dep.environment
    if env.type != DISTRIBUTED:
        return
    known = ", ".join(a.name for a in dep.kubernetes_accounts) or "none"
    if not env.account_name:
        yield Problem(Severity.ERROR, f"{ENV}.accountName",
                      "a Distributed deployment needs accountName, the Kubernetes account "
                      f"Spinnaker is deployed to (Kubernetes accounts: {known})",
                      "hal config deploy edit --account-name ACCOUNT")
    elif dep.deploy_account is None:
        yield Problem(Severity.ERROR, f"{ENV}.accountName",
                      f"accountName '{env.account_name}' is not a Kubernetes account of this "
                      f"deployment (Kubernetes accounts: {known})",
                      f"hal config provider kubernetes account add {env.account_name} "
                      "--context CONTEXT, or hal config deploy edit --account-name ACCOUNT")


def redis_endpoints_all_or_none(loaded: Loaded) -> Iterator[Problem]:
    """Master and replica (and the ro-deck replica when ro-deck runs) come together, or not at
    all: with only some of them a read role would silently use the shared spin-redis."""
    cd = loaded.deployment.environment.clouddriver_ha
    ro_deck = cd.disable_ro_deck is False
    needed = ["redisMasterEndpoint", "redisSlaveEndpoint"]
    if ro_deck:
        needed.append("redisSlaveDeckEndpoint")
    given = [k for k, v in cd.endpoints.items() if v]
    missing = [k for k in needed if k not in given]
    if missing and any(k in given for k in needed):
        flags = " ".join(f"{_FLAGS[k]} URI" for k in needed)
        what = ("master, replica and ro-deck replica (ro-deck is on)" if ro_deck
                else "master and replica")
        yield Problem(Severity.ERROR, f"{HA}.clouddriver.{missing[0]}",
                      f"Redis endpoints are all-or-none: give the {what} together; "
                      f"set: {', '.join(given)}; missing: {', '.join(missing)}",
                      f"hal config deploy ha clouddriver edit {flags} (in one command), "
                      "or remove them with ''")
    if "redisSlaveDeckEndpoint" in given and not ro_deck:
        yield Problem(Severity.WARNING, f"{HA}.clouddriver.redisSlaveDeckEndpoint",
                      "redisSlaveDeckEndpoint is unused: clouddriver-ro-deck is only deployed "
                      "when disableClouddriverRoDeck is false",
                      "hal config deploy ha clouddriver edit --ro-deck true, or "
                      "--redis-slave-deck-endpoint ''")


def redis_endpoint_uris(loaded: Loaded) -> Iterator[Problem]:
    """SPEC §8: endpoints are redis:// or rediss:// URIs with a host (messages masked)."""
    cd = loaded.deployment.environment.clouddriver_ha
    for key, value in cd.endpoints.items():
        if not value:
            continue
        from pyhalyard.redis.endpoint import InvalidEndpoint, parse_endpoint

        try:
            parse_endpoint(value)
        except InvalidEndpoint as exc:
            yield Problem(Severity.ERROR, f"{HA}.clouddriver.{key}", str(exc),
                          f"hal config deploy ha clouddriver edit {_FLAGS[key]} "
                          "redis[s]://[:password@]host[:port]")


def sizing_matches_ha(loaded: Loaded) -> Iterator[Problem]:
    """Sizing a service that does not run in this topology has no effect: say which keys do."""
    for key in loaded.deployment.environment.custom_sizing:
        service = _resolve(key)
        if service is None:
            continue
        pod = key.startswith(PREFIX)
        prefix = PREFIX if pod else ""
        where = f"{SIZING}.{key}"
        if service.name in catalog.SPLITS and _ha_on(loaded, service.name):
            roles = _roles(loaded, service.name)
            right = ", ".join(prefix + r for r in roles)
            yield Problem(Severity.WARNING, where,
                          f"'{key}' is ignored while {service.name} HA is on: "
                          f"{service.name} runs as {', '.join(roles)}",
                          f"size {right} instead "
                          "(hal config deploy component-sizing ROLE edit ...)")
        elif service.is_role and service.base in catalog.SPLITS:
            base = service.base
            if not _ha_on(loaded, base):
                yield Problem(Severity.WARNING, where,
                              f"'{key}' is ignored while {base} HA is off",
                              f"size {prefix}{base} instead, or turn the split on: "
                              f"hal config deploy ha {base} enable")
            elif service.name not in _roles(loaded, base):
                yield Problem(Severity.WARNING, where,
                              f"'{key}' is ignored: clouddriver-ro-deck is not deployed",
                              "hal config deploy ha clouddriver edit --ro-deck true")


def echo_scheduler_singleton(loaded: Loaded) -> Iterator[Problem]:
    """Two schedulers fire every cron trigger twice; none fires none (SPEC §5 Singletons)."""
    found = _replicas(loaded, "echo-scheduler")
    if found is None or found[0] == 1:
        return
    count, where = found
    fix = "hal config deploy component-sizing echo-scheduler edit --replicas 1"
    if count == 0:
        yield Problem(Severity.ERROR, where,
                      "echo-scheduler must run exactly one pod; with 0 no cron trigger fires", fix)
    elif not sql_clustered_scheduler(loaded):
        yield Problem(Severity.ERROR, where,
                      f"echo-scheduler must run exactly one pod (asked for {count}): every "
                      "scheduler pod fires every cron trigger",
                      f"{fix}, or give echo a SQL-backed clustered scheduler "
                      "(sql.enabled: true in profiles/echo-local.yml)")


def echo_worker_single(loaded: Loaded) -> Iterator[Problem]:
    """The seed asks for one echo-worker pod; more is allowed but may duplicate triggers."""
    found = _replicas(loaded, "echo-worker")
    if found is not None and found[0] > 1:
        count, where = found
        yield Problem(Severity.WARNING, where,
                      f"echo-worker asks for {count} pods; {SEED_ONE_POD}",
                      "hal config deploy component-sizing echo-worker edit --replicas 1")


def echo_replicas_without_ha(loaded: Loaded) -> Iterator[Problem]:
    """Without the split every echo pod also schedules, so crons fire once per pod."""
    if loaded.deployment.environment.echo_ha:
        return
    found = _replicas(loaded, "echo")
    if found is not None and found[0] > 1 and not sql_clustered_scheduler(loaded):
        count, where = found
        yield Problem(Severity.WARNING, where,
                      f"echo runs {count} pods and each runs the cron scheduler, so every cron "
                      "trigger fires once per pod",
                      "hal config deploy ha echo enable (a single echo-scheduler), or "
                      "hal config deploy component-sizing echo edit --replicas 1")


def sizing_values(loaded: Loaded) -> Iterator[Problem]:
    """Replica counts and CPU/memory quantities that Kubernetes would reject."""
    for key, entry in loaded.deployment.environment.custom_sizing.items():
        where = f"{SIZING}.{key}"
        if entry is None:
            continue
        if not isinstance(entry, dict):
            yield Problem(Severity.ERROR, where,
                          f"expected a mapping of replicas/requests/limits, got {entry!r}")
            continue
        replicas = entry.get("replicas")
        if replicas is not None:
            if not _whole(replicas):
                yield Problem(Severity.ERROR, f"{where}.replicas",
                              f"expected a whole number, got {replicas!r}")
            elif replicas < 0:
                yield Problem(Severity.ERROR, f"{where}.replicas",
                              f"replicas must not be negative (got {replicas})",
                              f"hal config deploy component-sizing {key} edit --replicas N")
            elif not key.startswith(PREFIX):
                yield Problem(Severity.WARNING, f"{where}.replicas",
                              f"'{key}' sizes the container only; replicas there are ignored",
                              f"put replicas under {PREFIX}{key}")
        amounts: dict[str, dict[str, Any]] = {}
        for kind in ("requests", "limits"):
            block = entry.get(kind)
            if block is None:
                continue
            if not isinstance(block, dict):
                yield Problem(Severity.ERROR, f"{where}.{kind}",
                              f"expected a mapping of cpu/memory, got {block!r}")
                continue
            for resource, value in block.items():
                if value is None:
                    continue
                why = quantity_problem(value)
                if why:
                    yield Problem(Severity.ERROR, f"{where}.{kind}.{resource}", why,
                                  "use a Kubernetes quantity such as 500m, 2, 512Mi or 4Gi")
                else:
                    amounts.setdefault(resource, {})[kind] = value
        for resource, pair in amounts.items():
            if len(pair) == 2:
                request, limit = to_decimal(pair["requests"]), to_decimal(pair["limits"])
                if request is not None and limit is not None and request > limit:
                    yield Problem(Severity.ERROR, f"{where}.requests.{resource}",
                                  f"request {pair['requests']} is above the limit "
                                  f"{pair['limits']}; Kubernetes rejects the pod",
                                  "lower the request or raise the limit")


def settings_values(loaded: Loaded) -> Iterator[Problem]:
    """A negative targetSize in service-settings would be rejected by the API server."""
    for name, settings in loaded.custom.settings.items():
        size = settings.get("targetSize")
        if _whole(size) and size < 0:
            yield Problem(Severity.ERROR, f"service-settings/{name}.yml: targetSize",
                          f"targetSize must not be negative (got {size})")


def unknown_sizing_names(loaded: Loaded) -> Iterator[Problem]:
    """A typo in a sizing key silently sizes nothing."""
    sizing = loaded.deployment.environment.custom_sizing
    for key in sizing:
        service = _resolve(key)
        where = f"{SIZING}.{key}"
        if service is None:
            known = ", ".join(sorted(s.name for s in catalog.SERVICES if s.deployable))
            yield Problem(Severity.WARNING, where,
                          f"'{key}' is not a known service, so it sizes nothing",
                          f"use spin-NAME (pod) or NAME (container), NAME one of: {known}")
            continue
        bare = key.removeprefix(PREFIX)
        canonical = (PREFIX if key.startswith(PREFIX) else "") + service.name
        if bare != service.name and canonical in sizing:
            yield Problem(Severity.WARNING, where,
                          f"'{key}' is ignored because '{canonical}' is also set",
                          f"merge it into '{canonical}' and delete '{key}'")


def unknown_settings_files(loaded: Loaded) -> Iterator[Problem]:
    known = ", ".join(sorted(s.name for s in catalog.SERVICES))
    for filename in loaded.custom.unknown_settings:
        yield Problem(Severity.WARNING, f"service-settings/{filename}",
                      "not named after a known service, so no service reads it",
                      f"rename it to NAME.yml, NAME one of: {known}")


def metric_stores(loaded: Loaded) -> Iterator[Problem]:
    yield from monitoring_daemon_release(loaded)


def redis_replica_unused(loaded: Loaded) -> Iterator[Problem]:
    """In-cluster Redis replicas (pyhalyard only) serve the clouddriver read roles, nothing else."""
    settings = loaded.custom.settings.get("redis-replica", {})
    size = settings.get("targetSize")
    if settings.get("enabled") is not True or not isinstance(size, int) or size <= 0:
        return
    env = loaded.deployment.environment
    cd = env.clouddriver_ha
    where = "service-settings/redis-replica.yml"
    if not cd.enabled:
        yield Problem(Severity.WARNING, where,
                      "in-cluster Redis replicas only serve clouddriver-ro (and -ro-deck), "
                      "and clouddriver HA is off",
                      "hal config deploy ha clouddriver enable, or "
                      "hal config deploy ha clouddriver edit --in-cluster-redis-replicas 0")
    elif cd.redis_master_endpoint and cd.redis_slave_endpoint:
        yield Problem(Severity.WARNING, where,
                      "in-cluster Redis replicas are unused: external Redis endpoints are set",
                      "hal config deploy ha clouddriver edit --in-cluster-redis-replicas 0")


def kubernetes_accounts(loaded: Loaded) -> Iterator[Problem]:
    """Halyard's account checks: namespaces xor omitNamespaces; registries that exist."""
    dep = loaded.deployment
    docker = (dep.raw.get("providers") or {}).get("dockerRegistry") or {}
    registry_names = {r.get("name") for r in docker.get("accounts") or [] if isinstance(r, dict)}
    for i, account in enumerate(dep.kubernetes_accounts):
        where = f"{K8S}.accounts[{i}]"
        if account.namespaces and account.omit_namespaces:
            yield Problem(Severity.ERROR, f"{where}.omitNamespaces",
                          f"account '{account.name}' sets both namespaces and omitNamespaces; "
                          "at most one of them may be given",
                          f"hal config provider kubernetes account edit {account.name} "
                          "--omit-namespaces ''")
        refs = account.raw.get("dockerRegistries") or []
        for j, ref in enumerate(refs if isinstance(refs, list) else []):
            name = ref.get("accountName") if isinstance(ref, dict) else ref
            if name not in registry_names:
                yield Problem(Severity.ERROR, f"{where}.dockerRegistries[{j}]",
                              f"account '{account.name}' uses docker registry '{name}', which "
                              "is not a dockerRegistry account of this deployment",
                              "add that docker registry account, or drop it with "
                              f"hal config provider kubernetes account edit {account.name} "
                              "--docker-registries ...")


STORE_TYPES = ("s3", "gcs", "azs", "redis", "oracle")
STORAGE = "persistentStorage.persistentStoreType"


def storage_type(loaded: Loaded) -> Iterator[Problem]:
    """Halyard's enum: front50 would get ``spinnaker.<anything>.enabled: true`` otherwise."""
    storage = loaded.deployment.raw.get("persistentStorage") or {}
    kind = storage.get("persistentStoreType") if isinstance(storage, dict) else None
    if kind is not None and kind not in STORE_TYPES:
        yield Problem(Severity.ERROR, STORAGE,
                      f"unknown storage type {kind!r} (expected one of {', '.join(STORE_TYPES)})",
                      "hal config storage edit --type s3")


def redis_replica_needs_managed_master(loaded: Loaded) -> Iterator[Problem]:
    """In-cluster replicas follow spin-redis; they cannot follow a Redis pyhalyard does not run."""
    replica = loaded.custom.settings.get("redis-replica", {})
    if replica.get("enabled") is not True or not _whole(replica.get("targetSize")) \
            or replica["targetSize"] <= 0:
        return
    redis = loaded.custom.settings.get("redis", {})
    if redis.get("skipLifeCycleManagement") is True or redis.get("overrideBaseUrl"):
        yield Problem(Severity.ERROR, "service-settings/redis-replica.yml",
                      "in-cluster Redis replicas follow spin-redis, which pyhalyard does not "
                      "deploy here (service-settings/redis.yml manages it elsewhere)",
                      "give the external endpoints instead: hal config deploy ha clouddriver "
                      "edit --redis-master-endpoint URI --redis-slave-endpoint URI "
                      "--in-cluster-redis-replicas 0")


# ------------------------------------------------------------- before rendering
# Facts a config may lack while it is being edited (a fresh deployment has no version),
# but that rendering and deploying need: checked by `hal config validate`, generate,
# render and apply, not by each edit.

def version_set(loaded: Loaded) -> Iterator[Problem]:
    if not loaded.deployment.version:
        yield Problem(Severity.ERROR, "version", "no Spinnaker version is set",
                      "hal config version edit --version 2025.2.1")


def namespace_name(loaded: Loaded) -> Iterator[Problem]:
    namespace = loaded.deployment.namespace
    if not is_dns_label(namespace):
        yield Problem(Severity.ERROR, f"{ENV}.location",
                      f"'{namespace}' is not a Kubernetes namespace name ({NAMESPACE_RULE})",
                      "hal config deploy edit --location spinnaker")


def storage_chosen(loaded: Loaded) -> Iterator[Problem]:
    if loaded.deployment.environment.type != DISTRIBUTED:
        return
    storage = loaded.deployment.raw.get("persistentStorage") or {}
    if not isinstance(storage, dict) or not storage.get("persistentStoreType"):
        yield Problem(Severity.ERROR, STORAGE, "front50 has no storage type",
                      "hal config storage edit --type s3 (then hal config storage s3 edit ...)")



Rule = Callable[[Loaded], Iterator[Problem]]
RULES: tuple[Rule, ...] = (
    ha_needs_distributed_v2,
    distributed_needs_account,
    redis_endpoints_all_or_none,
    redis_endpoint_uris,
    sizing_matches_ha,
    echo_scheduler_singleton,
    echo_worker_single,
    echo_replicas_without_ha,
    sizing_values,
    settings_values,
    unknown_sizing_names,
    unknown_settings_files,
    metric_stores,
    redis_replica_unused,
    kubernetes_accounts,
    storage_type,
    redis_replica_needs_managed_master,
    table_rules.named_items_unique,
    table_rules.table_references,
    table_rules.security_required,
    ops_rules.canary,
    ops_rules.pubsub_publishers,
)
# Checked before generate, render and apply (and by `hal config validate`), not on each edit.
RENDER_RULES: tuple[Rule, ...] = (
    version_set,
    namespace_name,
    storage_chosen,
    distributed_kubernetes_only,
    duplicate_keys,
    custom_overrides,
    service_location,
    required_files_readable,
    kubeconfig_defaults,
)
