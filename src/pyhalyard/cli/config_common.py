"""What every ``hal config ...`` edit command shares: which deployment, key paths, flag types.

Kept out of the individual command modules so that "the deployment a command acts on"
and "an unchanged value is not rewritten" are decided in exactly one place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pyhalyard.cli.context import AppContext
from pyhalyard.cli.edit import run_edit
from pyhalyard.errors import HalError, UsageError
from pyhalyard.halconfig.document import Document, PathKey, format_path
from pyhalyard.halconfig.store import DEPLOYMENTS_KEY, HalConfig

T = TypeVar("T")

ENV = "deploymentEnvironment"
MASK = "****"
# Keys whose values are credentials; show commands print MASK instead.
# Halyard's secret fields (its @Secret annotations) across providers, security,
# notifications, metric stores, CI and artifacts.
SECRET_KEYS = frozenset({
    "secretAccessKey", "storageAccountKey", "password", "privateKey", "passphrase", "token",
    "apiKey", "applicationKey", "appKey", "clientSecret", "managerPassword", "keyStorePassword",
    "trustStorePassword", "authToken", "accessToken", "secretKey", "apiToken", "oauthToken",
    "sshPrivateKeyPassphrase", "jsonKey", "credentials",
    # secret flags of the command table (cli/table/rows_*.py); a test keeps them in step
    "awsSecretAccessKey", "gitHttpsPassword", "githubOAuthAccessToken", "githubToken",
    "privateKeyPassphrase", "sslCertificatePassphrase", "awsSecretKey",
    # metric stores' snake_case secrets (model/v1/metricStores/**: @JsonProperty)
    "api_key", "app_key", "insert_key",
})


def target_index(cfg: HalConfig, app: AppContext) -> int:
    """Index of the deployment an edit acts on.

    On an empty hal dir the first edit creates it (Halyard creates ``default``);
    otherwise an unknown ``--deployment`` is an error naming the known ones.
    """
    name = cfg.resolve(app.deployment)
    if not cfg.deployment_names():
        return cfg.ensure_deployment(name)
    return cfg.index_of(name)


def dep_path(index: int, *keys: PathKey) -> list[PathKey]:
    return [DEPLOYMENTS_KEY, index, *keys]


_MISSING = object()


def set_value(doc: Document, path: Sequence[PathKey], value: Any) -> bool:
    """Set ``path`` unless it already holds ``value`` (so a no-op keeps the file's bytes)."""
    current = doc.get(path, _MISSING)
    if current is not _MISSING and type(current) is type(value) and current == value:
        return False
    doc.set(path, value)
    return True


def delete_account(doc: Document, item: Sequence[PathKey], primary: Sequence[PathKey] | None,
                   name: str, remaining: Callable[[], list[Any]]) -> None:
    """Delete the account at ``item``; a ``primary`` key naming it moves to the first
    account ``remaining()`` still lists, or goes, so it never names a deleted account."""
    doc.delete(item)
    if primary is None or doc.get(primary) != name:
        return
    rest = [a.get("name") for a in remaining() if isinstance(a, dict)]
    if rest:
        doc.set(primary, rest[0])
    else:
        doc.delete(primary)


def edit_deployment(app: AppContext, change: Callable[[HalConfig, int], T]) -> T:
    """Run ``change(cfg, index)`` on the target deployment as one validated, atomic edit."""
    result: list[T] = []

    def run(cfg: HalConfig) -> None:
        result.append(change(cfg, target_index(cfg, app)))

    run_edit(app, run)
    return result[0]


def edit_value(app: AppContext, keys: Sequence[PathKey], value: Any) -> bool:
    """Set one key of the target deployment (``keys`` below it); False when it already
    held ``value``, so the command can say so."""

    def change(cfg: HalConfig, index: int) -> bool:
        return set_value(cfg.doc, dep_path(index, *keys), value)

    return edit_deployment(app, change)


def read_deployment(app: AppContext) -> tuple[HalConfig, int, dict[str, Any]]:
    """Read-only: the config, the index and the raw mapping of the target deployment."""
    cfg = HalConfig.load(app.paths)
    name = cfg.resolve(app.deployment)
    index = cfg.index_of(name)
    return cfg, index, cfg.deployment(name)


def read_mapping(app: AppContext, path: Sequence[str]) -> dict[str, Any]:
    """Read-only: the mapping under ``path`` of the target deployment (see :func:`mapping_at`)."""
    cfg, index, dep = read_deployment(app)
    return mapping_at(dep, path, f"{cfg.doc.source}: deploymentConfigurations[{index}]")


def mapping_at(data: Any, path: Sequence[str], where: str) -> dict[str, Any]:
    """The mapping under ``path`` (empty when absent); a non-mapping is a clear error."""
    cur = data
    walked: list[PathKey] = []
    for key in path:
        walked.append(key)
        if cur is None:
            return {}
        if not isinstance(cur, dict):
            raise HalError(f"{where}.{format_path(walked[:-1])}: expected a mapping")
        cur = cur.get(key)
    if cur is None:
        return {}
    if not isinstance(cur, dict):
        raise HalError(f"{where}.{format_path(walked)}: expected a mapping")
    return cur


def mask_secrets(value: Any) -> Any:
    """A copy of ``value`` with every credential-like key's value replaced by ****."""
    if isinstance(value, dict):
        return {k: (MASK if k in SECRET_KEYS and v not in (None, "") else mask_secrets(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    return value


def split_list(text: str) -> list[str]:
    """Halyard's list flags: comma-separated, blanks dropped (``""`` is the empty list)."""
    return [part.strip() for part in text.split(",") if part.strip()]


def flag_name(param: str) -> str:
    """``redis_master_endpoint`` -> ``--redis-master-endpoint``: errors name the flag typed."""
    return "--" + param.replace("_", "-")


def require_any(**flags: Any) -> None:
    """An edit command given no flag at all is a usage error, not a silent no-op."""
    if all(value is None for value in flags.values()):
        names = ", ".join(flag_name(name) for name in flags)
        raise UsageError(f"nothing to change: give at least one of {names}")


if TYPE_CHECKING:  # click >= 8.2 makes ParamType generic; older releases cannot subscript it
    _BoolParam = click.ParamType[bool]
else:
    _BoolParam = click.ParamType


class BoolText(_BoolParam):
    """``true``/``false`` as Halyard's arity-1 boolean flags take them (also yes/no, 1/0)."""

    name = "true|false"
    _TRUE = ("true", "yes", "1", "on")
    _FALSE = ("false", "no", "0", "off")

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in self._TRUE:
            return True
        if text in self._FALSE:
            return False
        self.fail(f"'{value}' is not true or false", param, ctx)


BOOL = BoolText()


def yes_no(value: bool) -> str:
    return "yes" if value else "no"
