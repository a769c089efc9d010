"""``hal config deploy``: where Spinnaker runs, the HA split and component sizing.

Every edit goes through :func:`edit_deployment` (locked, validated, atomic) and sets
only the leaf keys its flags name, so the rest of the file keeps its bytes.
``hal config deploy ha clouddriver enable`` is the hot path: nothing here imports
rich, the renderers or a Kubernetes/Redis client at module level.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from pyhalyard import catalog
from pyhalyard.cli.config_common import (
    BOOL,
    ENV,
    dep_path,
    edit_deployment,
    edit_value,
    flag_name,
    read_mapping,
    require_any,
    set_value,
    yes_no,
)
from pyhalyard.cli.context import AppContext, common_options, get_app, is_tty
from pyhalyard.cli.lazy import LazyGroup
from pyhalyard.errors import HalError, ValidationFailed
from pyhalyard.halconfig import store
from pyhalyard.halconfig.document import Document, PathKey
from pyhalyard.halconfig.store import HalConfig
from pyhalyard.kube_names import is_dns_label
from pyhalyard.redis.endpoint import InvalidEndpoint, mask, parse_endpoint
from pyhalyard.validate.quantity import quantity_problem

DEPLOY_TYPES = ("Distributed", "LocalDebian", "LocalGit")
# A Kubernetes namespace name (RFC 1123 label).

# haServices.clouddriver keys in Halyard's spelling, by flag.
ENDPOINT_KEYS = {
    "redis_master_endpoint": "redisMasterEndpoint",
    "redis_slave_endpoint": "redisSlaveEndpoint",
    "redis_slave_deck_endpoint": "redisSlaveDeckEndpoint",
}
RO_DECK_KEY = "disableClouddriverRoDeck"
# pyhalyard-only setting (Halyard rejects unknown config keys): an in-cluster Redis replica.
REDIS_REPLICA_SETTINGS = "redis-replica.yml"


def _env_path(index: int, *keys: PathKey) -> list[PathKey]:
    return dep_path(index, ENV, *keys)


def _ha_path(index: int, service: str, *keys: PathKey) -> list[PathKey]:
    return _env_path(index, "haServices", service, *keys)


# --------------------------------------------------------------------- deploy
@click.group(invoke_without_command=True)
@common_options
@click.pass_context
def deploy(ctx: click.Context) -> None:
    """Show the deployment environment, or change it (edit, ha, component-sizing)."""
    if ctx.invoked_subcommand is None:
        app = get_app(ctx)
        app.emit(read_mapping(app, [ENV]))


@deploy.command("edit")
@click.option("--type", "type_", type=click.Choice(DEPLOY_TYPES, case_sensitive=False),
              help="Distributed deploys to Kubernetes (the only type the HA split supports).")
@click.option("--account-name", metavar="ACCOUNT",
              help="Kubernetes account Spinnaker is deployed to.")
@click.option("--location", metavar="NAMESPACE", help="Namespace (default: spinnaker).")
@click.option("--image-variant",
              type=click.Choice(list(catalog.IMAGE_VARIANTS), case_sensitive=False))
@click.option("--liveness-probe-enabled", type=BOOL, metavar="true|false")
@click.option("--liveness-probe-initial-delay-seconds", type=click.IntRange(min=0),
              metavar="SECONDS")
@common_options
def deploy_edit(type_: str | None, account_name: str | None, location: str | None,
                image_variant: str | None, liveness_probe_enabled: bool | None,
                liveness_probe_initial_delay_seconds: int | None) -> None:
    """Change where and how Spinnaker is deployed."""
    require_any(type=type_, account_name=account_name, location=location,
                image_variant=image_variant, liveness_probe_enabled=liveness_probe_enabled,
                liveness_probe_initial_delay_seconds=liveness_probe_initial_delay_seconds)
    if location is not None and not is_dns_label(location):
        raise HalError(f"--location: '{location}' is not a Kubernetes namespace name "
                       "(lowercase letters, digits and '-', at most 63 characters)")
    if account_name is not None and not account_name.strip():
        raise HalError("--account-name: must not be empty")
    updates: dict[tuple[str, ...], Any] = {
        ("type",): type_,
        ("accountName",): account_name,
        ("location",): location,
        ("imageVariant",): image_variant.upper() if image_variant else None,
        ("livenessProbeConfig", "enabled"): liveness_probe_enabled,
        ("livenessProbeConfig", "initialDelaySeconds"): liveness_probe_initial_delay_seconds,
    }
    app = get_app()

    def change(cfg: HalConfig, index: int) -> None:
        for keys, value in updates.items():
            if value is not None:
                set_value(cfg.doc, _env_path(index, *keys), value)

    edit_deployment(app, change)
    app.info("+ Edited the deployment environment")


# ------------------------------------------------------------------------- ha
@deploy.group(invoke_without_command=True)
@common_options
@click.pass_context
def ha(ctx: click.Context) -> None:
    """Show the HA split (services, replicas, Redis), or switch it per service."""
    if ctx.invoked_subcommand is not None:
        return
    show_ha(get_app(ctx))


def ha_rows(app: AppContext) -> dict[str, Any]:
    """The HA view as data: which of clouddriver/echo and their roles run, how many, which Redis."""
    from pyhalyard.pipeline import load, plan

    the_plan = plan(load(app.paths, app.deployment))
    redis_url = the_plan.services["redis"].base_url
    rows = []
    for base, roles in catalog.SPLITS.items():
        for name in (base, *roles):
            sp = the_plan.services[name]
            redis = None
            if sp.service.uses_redis:
                overridden = (sp.overrides.get("services") or {}).get("redis") or {}
                redis = mask(str(overridden.get("baseUrl") or redis_url))
            rows.append({"service": sp.k8s_name, "enabled": sp.enabled,
                         "replicas": sp.replicas, "redis": redis})
    return {
        "clouddriver": {"enabled": the_plan.clouddriver_ha, "roDeck": the_plan.ro_deck,
                        "redis": the_plan.redis_source},
        "echo": {"enabled": the_plan.echo_ha},
        "services": rows,
    }


def show_ha(app: AppContext) -> None:
    data = ha_rows(app)

    def human() -> None:
        cd, echo = data["clouddriver"], data["echo"]
        click.echo(f"clouddriver HA: {'on' if cd['enabled'] else 'off'} "
                   f"(ro-deck: {'on' if cd['roDeck'] else 'off'}, Redis: {cd['redis']}); "
                   f"echo HA: {'on' if echo['enabled'] else 'off'}")
        rows = [[r["service"], yes_no(r["enabled"]), str(r["replicas"]), r["redis"] or "-"]
                for r in data["services"]]
        print_table(app, ["SERVICE", "ENABLED", "REPLICAS", "REDIS"], rows)

    app.emit(data, human)


def print_table(app: AppContext, headers: list[str], rows: list[list[str]]) -> None:
    """A rich table on a colour terminal, aligned plain text otherwise (pipes, NO_COLOR)."""
    if app.color and is_tty():
        from rich.console import Console
        from rich.table import Table

        table = Table(*headers, header_style="bold")
        for row in rows:
            table.add_row(*row)
        Console().print(table)
        return
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    for row in [headers, *rows]:
        cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo("  ".join(cells).rstrip())


def _ha_switch(service: str, enabled: bool) -> None:
    app = get_app()
    changed = edit_value(app, [ENV, "haServices", service, "enabled"], enabled)
    state = "enabled" if enabled else "disabled"
    app.info(f"+ HA {service} {state}" if changed else f"+ HA {service} was already {state}")


def _ha_group(service: str, *, about: str, enable_help: str, disable_help: str,
              lazy: dict[str, str] | None = None) -> LazyGroup:
    """``hal config deploy ha <service>``: shows its haServices entry; ``enable`` and
    ``disable`` switch the split.  The same for clouddriver and echo, so made once here."""

    @click.group(service, cls=LazyGroup, lazy=lazy, invoke_without_command=True, help=about)
    @common_options
    @click.pass_context
    def group(ctx: click.Context) -> None:
        if ctx.invoked_subcommand is None:
            app = get_app(ctx)
            app.emit(read_mapping(app, [ENV, "haServices", service]))

    @group.command("enable", help=enable_help)
    @common_options
    def enable() -> None:
        _ha_switch(service, True)

    @group.command("disable", help=disable_help)
    @common_options
    def disable() -> None:
        _ha_switch(service, False)

    return group


clouddriver = _ha_group(
    "clouddriver",
    about="Clouddriver HA: caching, rw, ro (and ro-deck) roles with their own Redis endpoints.",
    enable_help="Split clouddriver into its HA roles.",
    disable_help="Run a single clouddriver again.",
    lazy={"check": "pyhalyard.cli.redis_check:check"})
echo = _ha_group(
    "echo",
    about="Echo HA: a single echo-scheduler for cron triggers and echo-worker for the rest.",
    enable_help="Split echo into echo-scheduler and echo-worker.",
    disable_help="Run a single echo again.")


@clouddriver.command("edit")
@click.option("--redis-master-endpoint", metavar="URI",
              help="Redis for clouddriver-caching and -rw (redis[s]://[:password@]host[:port]); "
                   "'' removes it.")
@click.option("--redis-slave-endpoint", "--redis-replica-endpoint", "redis_slave_endpoint",
              metavar="URI", help="Redis read replica for clouddriver-ro; '' removes it.")
@click.option("--redis-slave-deck-endpoint", "--redis-replica-deck-endpoint",
              "redis_slave_deck_endpoint", metavar="URI",
              help="Redis read replica for clouddriver-ro-deck; '' removes it.")
@click.option("--ro-deck", type=BOOL, metavar="true|false",
              help="Deploy clouddriver-ro-deck for Deck's reads "
                   "(writes disableClouddriverRoDeck).")
@click.option("--in-cluster-redis-replicas", type=click.IntRange(min=0), metavar="N",
              help="pyhalyard only: run N in-cluster Redis read replicas for the ro roles "
                   "(0 turns them off).")
@common_options
def clouddriver_edit(redis_master_endpoint: str | None, redis_slave_endpoint: str | None,
                     redis_slave_deck_endpoint: str | None, ro_deck: bool | None,
                     in_cluster_redis_replicas: int | None) -> None:
    """Set clouddriver's Redis endpoints and roles (endpoints: all together, or none)."""
    endpoints = {"redis_master_endpoint": redis_master_endpoint,
                 "redis_slave_endpoint": redis_slave_endpoint,
                 "redis_slave_deck_endpoint": redis_slave_deck_endpoint}
    require_any(**endpoints, ro_deck=ro_deck, in_cluster_redis_replicas=in_cluster_redis_replicas)
    for flag, value in endpoints.items():
        if value:
            try:
                parse_endpoint(value)
            except InvalidEndpoint as exc:
                raise HalError(f"{flag_name(flag)}: {exc}") from None
    app = get_app()

    def change(cfg: HalConfig, index: int) -> str:
        for flag, value in endpoints.items():
            path = _ha_path(index, "clouddriver", ENDPOINT_KEYS[flag])
            if value == "":
                cfg.doc.delete(path)
            elif value is not None:
                set_value(cfg.doc, path, value)
        if ro_deck is not None:
            set_value(cfg.doc, _ha_path(index, "clouddriver", RO_DECK_KEY), not ro_deck)
        return str(cfg.deployment_names()[index])

    if in_cluster_redis_replicas is None:
        edit_deployment(app, change)
    else:
        _edit_with_replica_settings(app, change, in_cluster_redis_replicas)
    app.info("+ Edited clouddriver HA")


def _edit_with_replica_settings(app: AppContext, change: Callable[[HalConfig, int], str],
                                replicas: int) -> None:
    """Write ``service-settings/redis-replica.yml`` and the config edit as one unit.

    The settings file is written first so the config edit's validation sees it; if that
    edit is refused, the file is put back as it was.  (Two locked steps, not one: the
    store's lock is not re-entrant, and only this command writes that file.)
    """
    cfg = HalConfig.load(app.paths)
    name = cfg.resolve(app.deployment)
    if cfg.deployment_names():
        cfg.index_of(name)  # unknown --deployment: fail before touching anything
    path = app.paths.deployment(name).service_settings / REDIS_REPLICA_SETTINGS
    config_before = store.read_text(app.paths.config)
    before = write_replica_settings(app, path, replicas)
    try:
        edit_deployment(app, change)
        if store.read_text(app.paths.config) == config_before:
            check_problems(app)  # the config edit was a no-op, so it did not validate
    except BaseException:
        with store.locked(app.paths):
            if before is None:
                path.unlink(missing_ok=True)
            else:
                store.atomic_write(path, before)
        raise


def write_replica_settings(app: AppContext, path: Path, replicas: int) -> str | None:
    """Set ``enabled``/``targetSize`` in the settings file, keeping its other lines."""
    with store.locked(app.paths):
        before = store.read_text(path) if path.exists() else None
        doc = Document(before or "", str(path))
        if doc.data is not None and not isinstance(doc.data, dict):
            raise HalError(f"{path}: expected a mapping of service settings")
        set_value(doc, ["enabled"], replicas > 0)
        set_value(doc, ["targetSize"], replicas)
        if doc.text != before:
            store.atomic_write(path, doc.text)
    return before


def check_problems(app: AppContext) -> None:
    """Validate after a change outside ``config``: ERRORs refuse it (unless --no-validate),
    WARNINGs are printed."""
    from pyhalyard.pipeline import load
    from pyhalyard.validate import Severity, validate

    problems = validate(load(app.paths, app.deployment), rendering=False)
    failing = [p for p in problems if p.severity is Severity.ERROR]
    if failing and not app.no_validate:
        raise ValidationFailed(list(failing))
    for problem in problems:
        if problem.severity is not Severity.INFO:
            app.warn(str(problem))


@ha.group(invoke_without_command=True)
@common_options
@click.pass_context
def services(ctx: click.Context) -> None:
    """The seed's spelling: ``hal config deploy ha services clouddriver edit ...``."""
    if ctx.invoked_subcommand is None:
        show_ha(get_app(ctx))


for _group in (ha, services):
    _group.add_command(clouddriver)
    _group.add_command(echo)


# ---------------------------------------------------------- component sizing
SIZING_FLAGS = {
    "pod_requests_cpu": ("pod", "requests", "cpu"),
    "pod_requests_memory": ("pod", "requests", "memory"),
    "pod_limits_cpu": ("pod", "limits", "cpu"),
    "pod_limits_memory": ("pod", "limits", "memory"),
    "container_requests_cpu": ("container", "requests", "cpu"),
    "container_requests_memory": ("container", "requests", "memory"),
    "container_limits_cpu": ("container", "limits", "cpu"),
    "container_limits_memory": ("container", "limits", "memory"),
}


def sizing_keys(name: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """``pod``/``container`` -> (canonical customSizing key, the alias keys it replaces)."""
    try:
        service = catalog.get(name)
    except catalog.UnknownServiceError as exc:
        raise HalError(str(exc)) from None
    prefix = catalog.NAME_PREFIX
    return {"pod": (service.k8s_name, tuple(prefix + a for a in service.aliases)),
            "container": (service.name, service.aliases)}


def _spellings(keys: dict[str, tuple[str, tuple[str, ...]]]) -> list[str]:
    """Every customSizing key of the service: pod then container, canonical before aliases."""
    return [key for canonical, aliases in keys.values() for key in (canonical, *aliases)]


def _sizing_name(ctx: click.Context) -> str:
    parent = ctx.parent
    name = parent.params.get("name") if parent is not None else None
    if not name:
        raise click.UsageError("give the service: hal config deploy component-sizing NAME edit")
    return str(name)


class _NameGroup(click.Group):
    """A group whose NAME argument may be followed by options when no subcommand follows.

    Click stops parsing a group's options at its first positional argument, so
    ``component-sizing echo-worker -o json`` would read ``-o`` as a subcommand; when no
    subcommand is given the options are moved in front of NAME.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not any(arg in self.commands for arg in args):
            takes_value = {opt for p in self.params if isinstance(p, click.Option)
                           and not p.is_flag for opt in (*p.opts, *p.secondary_opts)}
            options: list[str] = []
            names: list[str] = []
            i = 0
            while i < len(args):
                arg = args[i]
                if arg.startswith("-") and arg != "-":
                    options.append(arg)
                    if arg in takes_value and i + 1 < len(args):
                        options.append(args[i + 1])
                        i += 1
                else:
                    names.append(arg)
                i += 1
            args = options + names
        return super().parse_args(ctx, args)


@deploy.group("component-sizing", cls=_NameGroup, invoke_without_command=True)
@click.argument("name", required=False)
@common_options
@click.pass_context
def component_sizing(ctx: click.Context, name: str | None) -> None:
    """Show or change replicas and resources of service NAME (spin- prefix and aliases ok)."""
    if ctx.invoked_subcommand is not None:
        return
    app = get_app(ctx)
    sizing = read_mapping(app, [ENV, "customSizing"])
    if name is None:
        app.emit(sizing)
        return
    app.emit({key: sizing[key] for key in _spellings(sizing_keys(name)) if key in sizing})


def _adopt_alias(cfg: HalConfig, index: int, canonical: str, aliases: tuple[str, ...]) -> None:
    """Move an entry written under an alias (``spin-echo-slave``) to the canonical key."""
    sizing = cfg.doc.get(_env_path(index, "customSizing"))
    if not isinstance(sizing, dict) or canonical in sizing:
        return
    for alias in aliases:
        if alias in sizing:
            value = sizing[alias]
            cfg.doc.delete(_env_path(index, "customSizing", alias))
            cfg.doc.set(_env_path(index, "customSizing", canonical),
                        value if isinstance(value, dict) else {})
            return


@component_sizing.command("edit")
@click.option("--replicas", type=click.IntRange(min=0), help="Pod count (kept when omitted).")
@click.option("--pod-requests-cpu", metavar="QUANTITY")
@click.option("--pod-requests-memory", metavar="QUANTITY")
@click.option("--pod-limits-cpu", metavar="QUANTITY")
@click.option("--pod-limits-memory", metavar="QUANTITY")
@click.option("--container-requests-cpu", metavar="QUANTITY")
@click.option("--container-requests-memory", metavar="QUANTITY")
@click.option("--container-limits-cpu", metavar="QUANTITY")
@click.option("--container-limits-memory", metavar="QUANTITY")
@common_options
@click.pass_context
def sizing_edit(ctx: click.Context, /, replicas: int | None, **resources: str | None) -> None:
    """Set replicas and resources; keys not given keep their values."""
    name = _sizing_name(ctx)
    keys = sizing_keys(name)
    require_any(replicas=replicas, **resources)
    given = {flag: value for flag, value in resources.items() if value is not None}
    for flag, value in given.items():
        if why := quantity_problem(value):
            raise HalError(f"{flag_name(flag)}: {why}")
    # "pod"/"container": the entries some flag writes into.
    touched = {SIZING_FLAGS[flag][0] for flag in given}
    if replicas is not None:
        touched.add("pod")
    app = get_app(ctx)

    def change(cfg: HalConfig, index: int) -> None:
        for which, (canonical, aliases) in keys.items():
            if which in touched:
                _adopt_alias(cfg, index, canonical, aliases)
        if replicas is not None:
            set_value(cfg.doc, _env_path(index, "customSizing", keys["pod"][0], "replicas"),
                      replicas)
        for flag, value in given.items():
            which, kind, resource = SIZING_FLAGS[flag]
            set_value(cfg.doc, _env_path(index, "customSizing", keys[which][0], kind, resource),
                      value.strip())

    edit_deployment(app, change)
    app.info(f"+ Edited the sizing of {keys['pod'][0]}")


@component_sizing.command("delete")
@common_options
@click.pass_context
def sizing_delete(ctx: click.Context) -> None:
    """Remove the pod and container sizing of the service (and any alias entries)."""
    name = _sizing_name(ctx)
    keys = sizing_keys(name)
    app = get_app(ctx)

    def change(cfg: HalConfig, index: int) -> list[str]:
        removed = []
        for key in _spellings(keys):
            if cfg.doc.delete(_env_path(index, "customSizing", key)):
                removed.append(key)
        return removed

    removed = edit_deployment(app, change)
    if removed:
        app.info(f"+ Removed the sizing entries {', '.join(removed)}")
    else:
        app.info(f"+ {keys['pod'][0]} has no sizing entries; nothing to remove")
