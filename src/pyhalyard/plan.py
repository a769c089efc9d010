"""halconfig -> plan: which services run, at which address, with which Redis and callers.

The plan is a pure function of the typed deployment and its custom files.  It
decides every fact the renderers share (enabled services, base URLs, replica
counts, Spring profiles, the HA wiring), so profiles, manifests and the
topology can never disagree about them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from pyhalyard import catalog
from pyhalyard.echo_scheduler import sql_clustered
from pyhalyard.halconfig.custom import CustomFiles, profile_target
from pyhalyard.halconfig.model import Deployment
from pyhalyard.halconfig.paths import default_hal_dir
from pyhalyard.merge import deep_merge

if TYPE_CHECKING:  # imported by make_plan: `hal config` edits never build a plan
    from pyhalyard.required_files import Reference

DEFAULT_JAVA_OPTS = "-XX:MaxRAMPercentage=50.0"
LISTEN_HOST = "0.0.0.0"


@dataclass(frozen=True)
class ServicePlan:
    service: catalog.Service
    # Listed as enabled in spinnaker.yml (the service exists in this topology).
    enabled: bool
    # pyhalyard creates and updates its Kubernetes objects.
    managed: bool
    settings: dict[str, Any]
    address: str
    port: int
    base_url: str
    replicas: int
    pod_sizing: dict[str, Any]
    container_sizing: dict[str, Any]
    # Its pods run echo's cron scheduler and it is not clustered: never two pods at once,
    # not even during a rollout (rendered with ``strategy: Recreate``).
    lone_scheduler: bool
    spring_profiles: tuple[str, ...]
    env: dict[str, str]
    # Properties of ``<name>-overrides.yml`` (Redis of a role, re-pointed callees).
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.service.name

    @property
    def k8s_name(self) -> str:
        return self.service.k8s_name


@dataclass(frozen=True)
class Plan:
    deployment: Deployment
    custom: CustomFiles
    namespace: str
    services: dict[str, ServicePlan]
    clouddriver_ha: bool
    echo_ha: bool
    ro_deck: bool
    # Where the clouddriver roles' Redis comes from: "external", "in-cluster" or "shared".
    redis_source: str
    # Local files the halconfig names (required_files.py) and the halconfig as the pods
    # see it: those paths rewritten to the in-pod copies (None: nothing to rewrite).
    required: tuple[Reference, ...] = ()
    pod_raw: dict[str, Any] | None = None

    def enabled(self) -> list[ServicePlan]:
        return [s for s in self.services.values() if s.enabled]

    def managed(self) -> list[ServicePlan]:
        return [s for s in self.services.values() if s.managed]

    def __getitem__(self, name: str) -> ServicePlan:
        return self.services[catalog.canonical_name(name)]


def _sizing(custom_sizing: dict[str, Any], key: str) -> dict[str, Any]:
    for name in catalog.names_for(key.removeprefix(catalog.NAME_PREFIX)):
        full = catalog.NAME_PREFIX + name if key.startswith(catalog.NAME_PREFIX) else name
        value = custom_sizing.get(full)
        if isinstance(value, dict):
            return value
    return {}


def _is_enabled(service: catalog.Service, dep: Deployment, settings: dict[str, Any],
                cd_ha: bool, echo_ha: bool, ro_deck: bool) -> bool:
    if settings.get("enabled") is False:
        return False
    name = service.name
    if name == "clouddriver":
        return not cd_ha
    if name == "clouddriver-ro-deck":
        return ro_deck
    if service.base == "clouddriver" and service.is_role:
        return cd_ha
    if name == "echo":
        return not echo_ha
    if service.base == "echo" and service.is_role:
        return echo_ha
    if name == "fiat":
        return dep.authz_enabled
    if name == "kayenta":
        return dep.canary_enabled
    if name == "igor":
        return dep.ci_enabled or dep.docker_registry_enabled
    if name == "monitoring-daemon":
        return dep.metrics_enabled
    if name == "redis-replica":
        return settings.get("enabled") is True and int(settings.get("targetSize") or 0) > 0
    return True


def _base_url(service: catalog.Service, dep: Deployment, settings: dict[str, Any],
              address: str, port: int) -> str:
    if settings.get("overrideBaseUrl"):
        return str(settings["overrideBaseUrl"])
    security = dep.raw.get("security") or {}
    public_override = {"gate": ("apiSecurity",), "deck": ("uiSecurity",)}.get(service.name)
    if public_override:
        block = security.get(public_override[0]) or {}
        if isinstance(block, dict) and block.get("overrideBaseUrl"):
            return str(block["overrideBaseUrl"])
    if settings.get("baseUrl"):  # Halyard's ServiceSettings.buildBaseUri: after the overrides
        return str(settings["baseUrl"])
    scheme = settings.get("scheme") or service.scheme
    return f"{scheme}://{address}:{port}"


def _nested(dotted: str, value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    cur = out
    parts = dotted.split(".")
    for part in parts[:-1]:
        cur = cur.setdefault(part, {})
    cur[parts[-1]] = value
    return out


def in_pod_view(plan: Plan) -> Plan:
    """The plan whose halconfig names files where the pods find them (for rendering)."""
    if plan.pod_raw is None or plan.pod_raw is plan.deployment.raw:
        return plan
    return replace(plan, deployment=replace(plan.deployment, raw=plan.pod_raw))


def make_plan(dep: Deployment, custom: CustomFiles, hal_dir: str | None = None) -> Plan:
    """``hal_dir`` resolves relative file paths, as Halyard did (default: ``~/.hal``)."""
    from pyhalyard import required_files, tls

    env = dep.environment
    cd = env.clouddriver_ha
    cd_ha, echo_ha, ro_deck = cd.enabled, env.echo_ha, cd.ro_deck
    namespace = env.location
    services: dict[str, ServicePlan] = {}
    first_pass: dict[str, dict[str, Any]] = {}

    for service in catalog.SERVICES:
        settings = deep_merge(tls.derived_settings(dep.raw, service.name),
                              dict(custom.settings.get(service.name, {})))
        enabled = _is_enabled(service, dep, settings, cd_ha, echo_ha, ro_deck)
        port = int(settings.get("port") or service.port)
        if settings.get("address"):
            address = str(settings["address"])
        elif service.public:
            address = "localhost"
        else:
            # service-settings ``location``: Halyard deployed the service into that namespace
            address = f"{service.k8s_name}.{settings.get('location') or namespace}"
        pod = _sizing(env.custom_sizing, service.k8s_name)
        container = _sizing(env.custom_sizing, service.name)
        replicas = next((n for n in (pod.get("replicas"), settings.get("targetSize"))
                         if isinstance(n, int) and not isinstance(n, bool)), 1)
        lone_scheduler = (service.name in catalog.SCHEDULERS
                          and not sql_clustered(custom, service.name))
        if service.name in catalog.SINGLETON_ROLES and lone_scheduler:
            replicas = 1  # never two schedulers (validation reports asking for more)
        first_pass[service.name] = dict(
            service=service, enabled=enabled, settings=settings, address=address, port=port,
            base_url=_base_url(service, dep, settings, address, port), replicas=replicas,
            pod_sizing=pod, container_sizing=container, lone_scheduler=lone_scheduler,
            managed=enabled and service.deployable
            and settings.get("skipLifeCycleManagement") is not True,
        )

    def url(name: str) -> str:
        return str(first_pass[name]["base_url"])

    overrides: dict[str, dict[str, Any]] = {name: {} for name in first_pass}

    # Redis of the clouddriver roles (SPEC §4, issue "Redis for the HA split").
    redis_source = "shared"
    if cd_ha:
        external = [cd.redis_master_endpoint, cd.redis_slave_endpoint]
        if ro_deck:
            external.append(cd.redis_slave_deck_endpoint)
        if all(external):
            redis_source = "external"
            reads = {"clouddriver-ro": cd.redis_slave_endpoint,
                     "clouddriver-ro-deck": cd.redis_slave_deck_endpoint}
            for role in catalog.SPLITS["clouddriver"]:
                if not first_pass[role]["enabled"]:
                    continue
                target = reads.get(role) or cd.redis_master_endpoint
                deep_merge(overrides[role], _nested("services.redis.baseUrl", target))
                if role in catalog.READ_ONLY_ROLES:
                    deep_merge(overrides[role], _nested("services.redisRo.baseUrl", target))
        elif first_pass["redis-replica"]["enabled"]:
            redis_source = "in-cluster"
            for role in catalog.READ_ONLY_ROLES:
                if first_pass[role]["enabled"]:
                    replica = url("redis-replica")
                    deep_merge(overrides[role], _nested("services.redis.baseUrl", replica))
                    deep_merge(overrides[role], _nested("services.redisRo.baseUrl", replica))

    # Callers of a split service are re-pointed at the role that answers them.
    split_on = {"clouddriver": cd_ha, "echo": echo_ha}
    for name, fp in first_pass.items():
        caller: catalog.Service = fp["service"]
        if not fp["enabled"]:
            continue
        for base in caller.calls:
            if split_on.get(base):
                target = catalog.route(caller.name, base)
                # Gate and orca build no client for a service whose ``enabled`` is false,
                # and spinnaker.yml marks the replaced base service disabled: re-enable it
                # for the caller together with the new address.
                deep_merge(overrides[name], {"services": {base: {"baseUrl": url(target),
                                                                 "enabled": True}}})
        if cd_ha and name == "orca":
            deep_merge(overrides[name], _nested("clouddriver.readonly.baseUrl",
                                                url(catalog.ORCA_READONLY_ROUTE)))
        if ro_deck and name == "gate":
            deep_merge(overrides[name], {"services": {"clouddriver": {"config": {
                "dynamicEndpoints": {"deck": url(catalog.DECK_ROUTE)}}}}})

    root = hal_dir if hal_dir is not None else str(default_hal_dir())
    refs = required_files.references(dep.raw, root, dep.name)
    # A file is needed when a service that reads it runs (or is configured elsewhere).
    running = {fp["service"].base for fp in first_pass.values() if fp["enabled"]}
    needed = tuple(ref for ref in refs if running.intersection(ref.readers))
    derived_env = {"deck": tls.deck_env(dep.raw, first_pass["deck"]["settings"],
                                        first_pass["deck"]["port"], url("gate"), needed)}

    for name, fp in first_pass.items():
        svc: catalog.Service = fp["service"]
        ov = overrides[name]
        # A user's ``<name>-overrides.yml`` is only read when its profile is active.
        has_overrides = bool(ov) or any(
            profile_target(rel, svc) == f"{svc.name}-overrides.yml" for rel in custom.profiles)
        if svc.is_role:
            role = str(svc.role)
            profiles: tuple[str, ...] = (role, *((f"{role}-overrides",) if has_overrides else ()),
                                         "local", f"{role}-local")
        else:
            profiles = (*(("overrides",) if has_overrides else ()), "local")
        env_vars: dict[str, str] = {}
        if svc.java:
            env_vars["JAVA_OPTS"] = DEFAULT_JAVA_OPTS
            env_vars["SPRING_PROFILES_ACTIVE"] = ",".join(profiles)
        env_vars.update(derived_env.get(name, {}))
        for key, value in (fp["settings"].get("env") or {}).items():
            env_vars[str(key)] = "" if value is None else str(value)
        services[name] = ServicePlan(spring_profiles=profiles if svc.java else (),
                                     env=env_vars, overrides=ov, **fp)

    return Plan(deployment=dep, custom=custom, namespace=namespace, services=services,
                clouddriver_ha=cd_ha, echo_ha=echo_ha, ro_deck=ro_deck,
                redis_source=redis_source, required=needed,
                pod_raw=required_files.rewritten(dep.raw, refs))
