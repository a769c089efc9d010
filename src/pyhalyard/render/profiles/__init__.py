"""Spring profiles of every enabled service: ``render_profiles(plan)``.

One module per service turns the plan into that service's ``<base>.yml`` (the
kleat layout: to see how gate is configured, open ``gate.py``).  This module
assembles each service's folder:

- ``spinnaker.yml`` (where every service lives) for every Spring service;
- ``<base>.yml`` from the service's module;
- the role file ``<base>-<role>.yml`` for an HA role;
- ``<name>-overrides.yml`` with the plan's overrides (Redis per role, caller
  wiring) when there are any -- the container activates that profile only then;
- the custom profiles that reach the service (SPEC §5), last, so a custom
  ``<name>.yml`` replaces the generated file.

Each service gets its own mapping, so a custom file for one service can never
overwrite another's (Halyard's shared staging folder could).
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from pyhalyard import catalog
from pyhalyard.errors import ConfigError
from pyhalyard.halconfig.custom import profile_target
from pyhalyard.halconfig.document import parse
from pyhalyard.merge import deep_merge
from pyhalyard.plan import Plan, ServicePlan, in_pod_view
from pyhalyard.render import pod_details
from pyhalyard.render.profiles import (
    clouddriver,
    deck,
    echo,
    fiat,
    front50,
    gate,
    igor,
    kayenta,
    orca,
    rosco,
    spinnaker,
)
from pyhalyard.render.profiles.base import Profile, dump, server, spring_profile

__all__ = ["overrides_file", "render_profiles", "render_service", "rendered_services",
           "role_file"]

ProfileFn = Callable[[Plan, ServicePlan], Profile]

# Base service -> the function that renders its ``<base>.yml``.  Called for a role,
# it must not depend on which role (every role of a split shares the one text);
# what differs per role goes into the role file.
BASE_PROFILES: dict[str, ProfileFn] = {
    "clouddriver": clouddriver.profile,
    "echo": echo.profile,
    "fiat": fiat.profile,
    "front50": front50.profile,
    "gate": gate.profile,
    "igor": igor.profile,
    "kayenta": kayenta.profile,
    "orca": orca.profile,
    "rosco": rosco.profile,
}
# Base service -> the function that renders a role's ``<base>-<role>.yml``.
ROLE_PROFILES: dict[str, ProfileFn] = {
    "clouddriver": clouddriver.role_profile,
    "echo": echo.role_profile,
}

Files = dict[str, str]


def _default_profile(plan: Plan, sp: ServicePlan) -> Profile:
    """A Spring service without a module of its own still gets a working header."""
    return spring_profile(plan, sp, server(sp))


def role_file(service: catalog.Service) -> str:
    """``clouddriver-ro.yml``: Spring loads ``<app>-<profile>.yml`` for profile ``ro``."""
    return f"{service.base}-{service.role}.yml"


def overrides_file(service: catalog.Service) -> str:
    """``gate-overrides.yml`` (profile ``overrides``) or ``clouddriver-ro-overrides.yml``
    (profile ``ro-overrides``): the file Spring reads for the plan's overrides profile."""
    profile = f"{service.role}-overrides" if service.is_role else "overrides"
    return f"{service.base}-{profile}.yml"


def custom_files(plan: Plan, service: catalog.Service) -> Files:
    """The custom profiles that reach ``service``, under the name the service reads.

    When an alias-named file (``echo-slave-local.yml``) and the canonical one
    (``echo-worker-local.yml``) land on the same name, the canonical one wins.
    """
    found: dict[str, tuple[bool, str]] = {}
    for rel in sorted(plan.custom.profiles):
        target = profile_target(rel, service)
        if target is None:
            continue
        exact = rel == target
        if target in found and found[target][0] and not exact:
            continue
        found[target] = (exact, plan.custom.profiles[rel])
    return {name: text for name, (_, text) in found.items()}


def render_service(plan: Plan, sp: ServicePlan, cache: dict[str, str] | None = None) -> Files:
    """One service's files: file name (relative to its config folder) -> text.

    ``cache`` holds texts that are the same for several services: ``spinnaker.yml``
    and a split's ``<base>.yml``, which every role shares (with thousands of
    Kubernetes accounts, dumping clouddriver.yml once instead of four times matters).
    """
    cache = {} if cache is None else cache
    service = sp.service
    files: Files = {}
    if service.base == "deck":
        files.update(deck.files(plan))
    elif service.java:
        if "spinnaker.yml" not in cache:
            cache["spinnaker.yml"] = dump(spinnaker.profile(plan))
        files["spinnaker.yml"] = cache["spinnaker.yml"]
        render = BASE_PROFILES.get(service.base, _default_profile)
        base_file = f"{service.base}.yml"
        if service.is_role:
            if base_file not in cache:
                cache[base_file] = dump(render(plan, sp))
            files[base_file] = cache[base_file]
            if service.base in ROLE_PROFILES:
                files[role_file(service)] = dump(ROLE_PROFILES[service.base](plan, sp))
        else:
            files[base_file] = dump(render(plan, sp))
        if sp.overrides:
            files[overrides_file(service)] = dump(sp.overrides)
        files.update(pod_details.generated_files(plan, sp))
    if service.java:  # deck's custom files are settings.js and settings-local.js only
        custom = custom_files(plan, service)
        own = overrides_file(service)
        if sp.overrides and own in custom:
            # A user's overrides file adds to the generated wiring and Redis endpoints
            # instead of silently replacing them (the user's keys win).
            user = parse(custom.pop(own), f"profiles/{own}")[1] or {}
            if not isinstance(user, dict):
                raise ConfigError(f"profiles/{own}", "expected a mapping of Spring properties")
            files[own] = dump(deep_merge(copy.deepcopy(sp.overrides), user))
        files.update(custom)
    return dict(sorted(files.items()))


def rendered_services(plan: Plan) -> list[ServicePlan]:
    """Every enabled, deployable service: the managed ones plus those with
    ``skipLifeCycleManagement`` (run elsewhere, but still configured by the
    halconfig -- Halyard stages their profiles too, and the topology reads them)."""
    return sorted((sp for sp in plan.enabled() if sp.service.deployable),
                  key=lambda sp: sp.name)


def render_profiles(plan: Plan) -> dict[str, Files]:
    """Profiles of every enabled, deployable service: name -> {file name -> text}.

    The keys are a superset of ``plan.managed()``.  Services that need no files
    (Redis) map to an empty dict.
    """
    cache: dict[str, str] = {}
    plan = in_pod_view(plan)  # file paths as the pods see them (required_files.py)
    return {sp.name: render_service(plan, sp, cache) for sp in rendered_services(plan)}
