"""``hal config provider kubernetes``: the provider switch and its accounts.

Only the Kubernetes provider is edited here (the one a distributed install deploys to);
other providers stay in the file untouched and pass through to clouddriver.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from pyhalyard.cli.config_common import (
    BOOL,
    delete_account,
    dep_path,
    edit_deployment,
    edit_value,
    mask_secrets,
    read_deployment,
    require_any,
    set_value,
    split_list,
)
from pyhalyard.cli.context import common_options, get_app
from pyhalyard.cli.table.build import TableGroup
from pyhalyard.errors import HalError
from pyhalyard.halconfig.model import PROVIDER_V2
from pyhalyard.halconfig.store import HalConfig

F = TypeVar("F", bound=Callable[..., Any])

PROVIDER = "kubernetes"
PROVIDER_VERSIONS = ("V1", "V2")


def _provider_path(index: int, *keys: str | int) -> list[str | int]:
    return dep_path(index, "providers", PROVIDER, *keys)


def _accounts(cfg: HalConfig, index: int) -> list[dict[str, Any]]:
    accounts = cfg.doc.get(_provider_path(index, "accounts")) or []
    if not isinstance(accounts, list):
        raise HalError(f"{cfg.doc.source}: providers.kubernetes.accounts: expected a list")
    return accounts


def _account_index(cfg: HalConfig, index: int, name: str) -> int | None:
    for i, account in enumerate(_accounts(cfg, index)):
        if isinstance(account, dict) and account.get("name") == name:
            return i
    return None


def _require_account(cfg: HalConfig, index: int, name: str) -> int:
    found = _account_index(cfg, index, name)
    if found is None:
        known = ", ".join(str(a.get("name")) for a in _accounts(cfg, index)
                          if isinstance(a, dict)) or "none"
        raise HalError(f"no Kubernetes account named '{name}' (accounts: {known})")
    return found


@click.group(cls=TableGroup, table_path=("config", "provider"), invoke_without_command=True)
@common_options
@click.pass_context
def provider(ctx: click.Context) -> None:
    """Show which providers are enabled, or configure one."""
    if ctx.invoked_subcommand is not None:
        return
    app = get_app(ctx)
    _, _, dep = read_deployment(app)
    providers = dep.get("providers") or {}
    data = {name: bool(isinstance(block, dict) and block.get("enabled") is True)
            for name, block in providers.items()}

    def human() -> None:
        for name, enabled in data.items():
            click.echo(f"{name}: {'enabled' if enabled else 'disabled'}")

    app.emit(data, human)


@provider.group(invoke_without_command=True)
@common_options
@click.pass_context
def kubernetes(ctx: click.Context) -> None:
    """Show the Kubernetes provider, or enable/disable it and manage its accounts."""
    if ctx.invoked_subcommand is not None:
        return
    app = get_app(ctx)
    _, _, dep = read_deployment(app)
    block = (dep.get("providers") or {}).get(PROVIDER) or {}
    app.emit(mask_secrets(block))


def _switch(enabled: bool) -> None:
    app = get_app()
    edit_value(app, ["providers", PROVIDER, "enabled"], enabled)
    app.info(f"+ Kubernetes provider {'enabled' if enabled else 'disabled'}")


@kubernetes.command()
@common_options
def enable() -> None:
    """Enable the Kubernetes provider."""
    _switch(True)


@kubernetes.command()
@common_options
def disable() -> None:
    """Disable the Kubernetes provider."""
    _switch(False)


# ------------------------------------------------------------------ accounts
@kubernetes.group()
@common_options
def account() -> None:
    """Add, edit, delete and show Kubernetes accounts."""


def _account_options(edit: bool) -> Callable[[F], F]:
    """The flags of ``account add`` and ``account edit`` (edit adds the list add/remove ones)."""
    version_default = None if edit else PROVIDER_V2
    options = [
        click.option("--context", help="kubeconfig context to use (default: current context)."),
        click.option("--kubeconfig-file", help="Path of the kubeconfig file."),
        click.option("--namespaces", metavar="NS[,NS...]",
                     help="Namespaces the account may manage (comma-separated; '' = all)."),
        click.option("--omit-namespaces", metavar="NS[,NS...]",
                     help="Namespaces the account must not manage (comma-separated)."),
        click.option("--provider-version", type=click.Choice(PROVIDER_VERSIONS,
                                                             case_sensitive=False),
                     default=version_default, show_default=not edit,
                     help="V2 is the manifest-based provider the HA split needs."),
        click.option("--service-account", type=BOOL, is_flag=False, flag_value="true",
                     help="Use the pod's service account instead of a kubeconfig."),
        click.option("--docker-registries", metavar="ACCOUNT[,ACCOUNT...]",
                     help="Docker registry accounts whose images this account may pull."),
        click.option("--only-spinnaker-managed", type=BOOL, is_flag=False, flag_value="true",
                     help="Only show resources Spinnaker deployed."),
    ]
    if edit:
        options += [
            click.option("--add-namespace", "add_namespace", multiple=True, metavar="NS"),
            click.option("--remove-namespace", "remove_namespace", multiple=True, metavar="NS"),
            click.option("--add-omit-namespace", "add_omit_namespace", multiple=True,
                         metavar="NS"),
            click.option("--remove-omit-namespace", "remove_omit_namespace", multiple=True,
                         metavar="NS"),
        ]

    def decorate(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def _registries(text: str) -> list[dict[str, Any]]:
    return [{"accountName": name, "namespaces": []} for name in split_list(text)]


def _fields(context: str | None, kubeconfig_file: str | None, namespaces: str | None,
            omit_namespaces: str | None, provider_version: str | None,
            service_account: bool | None, docker_registries: str | None,
            only_spinnaker_managed: bool | None) -> dict[str, Any]:
    """Halyard's key for each given flag (flags left out are not in the result)."""
    fields: dict[str, Any] = {
        "context": context,
        "kubeconfigFile": kubeconfig_file,
        "namespaces": None if namespaces is None else split_list(namespaces),
        "omitNamespaces": None if omit_namespaces is None else split_list(omit_namespaces),
        "providerVersion": provider_version.upper() if provider_version else None,
        "serviceAccount": service_account,
        "dockerRegistries": None if docker_registries is None else _registries(docker_registries),
        "onlySpinnakerManaged": only_spinnaker_managed,
    }
    return {k: v for k, v in fields.items() if v is not None}


def new_account(name: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The account as Halyard writes it: its defaults, in its key order, the given flags on top."""
    account: dict[str, Any] = {
        "name": name,
        "requiredGroupMembership": [],
        "permissions": {},
        "dockerRegistries": [],
        "providerVersion": PROVIDER_V2,
    }
    for key in ("context", "kubeconfigFile"):
        if key in fields:
            account[key] = fields[key]
    account.update({
        "configureImagePullSecrets": True,
        "serviceAccount": False,
        "cacheThreads": 1,
        "namespaces": [],
        "omitNamespaces": [],
        "kinds": [],
        "omitKinds": [],
        "customResources": [],
        "cachingPolicies": [],
        "oAuthScopes": [],
        "onlySpinnakerManaged": False,
    })
    account.update(fields)  # existing keys keep their place
    return account


@account.command()
@click.argument("name")
@_account_options(edit=False)
@common_options
def add(name: str, **flags: Any) -> None:
    """Add the Kubernetes account NAME."""
    app = get_app()
    fields = _fields(**flags)

    def change(cfg: HalConfig, index: int) -> None:
        if _account_index(cfg, index, name) is not None:
            raise HalError(f"a Kubernetes account named '{name}' already exists "
                           f"(use: hal config provider kubernetes account edit {name})")
        cfg.doc.append(_provider_path(index, "accounts"), new_account(name, fields))
        if not cfg.doc.get(_provider_path(index, "primaryAccount")):
            cfg.doc.set(_provider_path(index, "primaryAccount"), name)

    edit_deployment(app, change)
    app.info(f"+ Added Kubernetes account {name}")


def _edit_list(current: Any, extra: tuple[str, ...], drop: tuple[str, ...]) -> list[str]:
    items = [str(x) for x in current] if isinstance(current, list) else []
    items += [x for x in extra if x not in items]
    return [x for x in items if x not in drop]


@account.command()
@click.argument("name")
@_account_options(edit=True)
@common_options
def edit(name: str, add_namespace: tuple[str, ...], remove_namespace: tuple[str, ...],
         add_omit_namespace: tuple[str, ...], remove_omit_namespace: tuple[str, ...],
         **flags: Any) -> None:
    """Change settings of the Kubernetes account NAME (only the flags given)."""
    app = get_app()
    fields = _fields(**flags)
    if not fields and not (add_namespace or remove_namespace or add_omit_namespace
                           or remove_omit_namespace):
        require_any(**{k: None for k in flags})

    def change(cfg: HalConfig, index: int) -> None:
        i = _require_account(cfg, index, name)
        path = _provider_path(index, "accounts", i)
        updates = dict(fields)
        acct = cfg.doc.get(path)
        if add_namespace or remove_namespace:
            base = updates.get("namespaces", acct.get("namespaces"))
            updates["namespaces"] = _edit_list(base, add_namespace, remove_namespace)
        if add_omit_namespace or remove_omit_namespace:
            base = updates.get("omitNamespaces", acct.get("omitNamespaces"))
            updates["omitNamespaces"] = _edit_list(base, add_omit_namespace,
                                                   remove_omit_namespace)
        for key, value in updates.items():
            set_value(cfg.doc, [*path, key], value)

    edit_deployment(app, change)
    app.info(f"+ Edited Kubernetes account {name}")


@account.command()
@click.argument("name")
@common_options
def delete(name: str) -> None:
    """Delete the Kubernetes account NAME."""
    app = get_app()

    def change(cfg: HalConfig, index: int) -> None:
        i = _require_account(cfg, index, name)
        delete_account(cfg.doc, _provider_path(index, "accounts", i),
                       _provider_path(index, "primaryAccount"), name,
                       lambda: _accounts(cfg, index))

    edit_deployment(app, change)
    app.info(f"+ Deleted Kubernetes account {name}")


@account.command()
@click.argument("name")
@common_options
def get(name: str) -> None:
    """Show the Kubernetes account NAME."""
    app = get_app()
    cfg, index, _ = read_deployment(app)
    i = _require_account(cfg, index, name)
    app.emit(mask_secrets(_accounts(cfg, index)[i]))


@account.command("list")
@common_options
def list_accounts() -> None:
    """List the Kubernetes accounts (the primary one marked)."""
    app = get_app()
    cfg, index, _ = read_deployment(app)
    primary = cfg.doc.get(_provider_path(index, "primaryAccount"))
    rows = [{"name": a.get("name"), "providerVersion": a.get("providerVersion") or PROVIDER_V2,
             "context": a.get("context"), "primary": a.get("name") == primary}
            for a in _accounts(cfg, index) if isinstance(a, dict)]

    def human() -> None:
        if not rows:
            click.echo("No Kubernetes accounts.")
        for row in rows:
            mark = " (primary)" if row["primary"] else ""
            context = f", context {row['context']}" if row["context"] else ""
            click.echo(f"- {row['name']} [{row['providerVersion']}{context}]{mark}")

    app.emit(rows, human)

