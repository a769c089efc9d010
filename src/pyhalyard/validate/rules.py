"""Validation rules (SPEC §5, §6, §8).  Each takes the loaded deployment, returns problems."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from pyhalyard.halconfig.model import DISTRIBUTED, PROVIDER_V2
from pyhalyard.pipeline import Loaded
from pyhalyard.validate.problem import Problem, Severity

HA = "deploymentEnvironment.haServices"


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


Rule = Callable[[Loaded], Iterator[Problem]]
RULES: tuple[Rule, ...] = (
    ha_needs_distributed_v2,
)
