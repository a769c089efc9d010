"""The stages wired together: load -> validate -> plan (render and deploy build on these).

Commands call these functions instead of re-assembling the stages themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyhalyard.errors import HalError
from pyhalyard.halconfig.coerce import may_need_coercion
from pyhalyard.halconfig.custom import CustomFiles, load_custom
from pyhalyard.halconfig.model import Deployment, read_deployment
from pyhalyard.halconfig.paths import HalPaths
from pyhalyard.halconfig.store import HalConfig

if TYPE_CHECKING:  # a config edit validates without a plan: plan.py is imported on use
    from pyhalyard.plan import Plan


@dataclass(frozen=True)
class Loaded:
    paths: HalPaths
    config: HalConfig
    deployment: Deployment
    custom: CustomFiles


def load(paths: HalPaths, deployment: str | None = None) -> Loaded:
    """Read the config and one deployment's custom files (no lock: read-only)."""
    config = HalConfig.load(paths)
    return loaded_from(config, deployment)


def loaded_from(config: HalConfig, deployment: str | None = None) -> Loaded:
    if config.doc.data is None and not config.paths.config.exists():
        raise HalError(f"no halconfig found at {config.paths.config} "
                       "(use --hal-dir DIR or $HAL_DIR, or create one with a hal config edit)")
    name = config.resolve(deployment)
    index = config.index_of(name)
    dep = read_deployment(config.doc.source, config.deployment(name), index,
                          coerce=may_need_coercion(config.doc.text))
    custom = load_custom(config.paths.deployment(name))
    return Loaded(config.paths, config, dep, custom)


_LAST_PLAN: list[tuple[Loaded, Plan]] = []


def plan(loaded: Loaded) -> Plan:
    """The plan of ``loaded``; validation (its file rules) and rendering ask for the same
    one, so it is built once per loaded configuration."""
    if _LAST_PLAN and _LAST_PLAN[0][0] is loaded:
        return _LAST_PLAN[0][1]
    from pyhalyard.plan import make_plan

    made = make_plan(loaded.deployment, loaded.custom, str(loaded.paths.root))
    _LAST_PLAN[:] = [(loaded, made)]
    return made
