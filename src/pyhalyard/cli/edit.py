"""Run one config edit as a validated, locked, atomic transaction and report problems."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyhalyard.cli.context import AppContext
from pyhalyard.errors import ValidationFailed
from pyhalyard.halconfig import store
from pyhalyard.halconfig.store import HalConfig


def run_edit(app: AppContext, change: Callable[[HalConfig], Any], *,
             deployment: str | None = None) -> Any:
    """Apply ``change`` and save; refuse (file untouched) when the result has an ERROR.

    ``deployment`` is the deployment whose problems decide; default: the one the
    command acts on.  WARNINGs are printed and the edit proceeds.
    """
    warnings: list[str] = []

    def check(config: HalConfig) -> None:
        from pyhalyard.pipeline import loaded_from
        from pyhalyard.validate import Severity, validate

        name = config.resolve(deployment or app.deployment)
        problems = validate(loaded_from(config, name), rendering=False)
        failing = [p for p in problems if p.severity is Severity.ERROR]
        if failing and not app.no_validate:
            raise ValidationFailed(list(failing))
        warnings.extend(str(p) for p in problems if p.severity is not Severity.INFO)

    result = store.edit(app.paths, change, check)
    for line in warnings:
        app.warn(line)
    return result
