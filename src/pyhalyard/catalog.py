"""The service catalogue: every Spinnaker service and HA role pyhalyard knows.

This module is the single source of truth for names, aliases, ports, images and
who-calls-whom. Everything else (validation, planning, rendering, topology,
deploy ordering) asks it instead of repeating a name or a port.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

NAME_PREFIX = "spin-"


@dataclass(frozen=True)
class Service:
    """One deployable (or Halyard-known) service.

    ``base`` is the Spinnaker application the service runs (its image and its
    ``spring.application.name``); for a role it differs from ``name``.
    ``calls`` lists the *base* services this one talks to in Spinnaker's code;
    which concrete service answers is decided by the rendered profiles.
    """

    name: str
    port: int
    base: str
    role: str | None = None
    aliases: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    uses_redis: bool = False
    scheme: str = "http"
    health_endpoint: str | None = "/health"
    # Halyard lists the service in spinnaker.yml but pyhalyard never deploys it.
    deployable: bool = True
    # Only pyhalyard knows it: never written into Halyard's spinnaker.yml services map.
    pyhalyard_only: bool = False
    # Deck and gate are reached from outside the cluster (Halyard's "public" services).
    public: bool = False
    # A Spring Boot (JVM) service: gets JAVA_OPTS and SPRING_PROFILES_ACTIVE.
    java: bool = True

    @property
    def k8s_name(self) -> str:
        return NAME_PREFIX + self.name

    @property
    def camel(self) -> str:
        """Key of the service in ``spinnaker.yml``'s ``services:`` map."""
        head, *rest = self.name.split("-")
        return head + "".join(part.capitalize() for part in rest)

    @property
    def spring_profile(self) -> str | None:
        """Spring profile that selects the role inside the shared image."""
        return self.role

    @property
    def is_role(self) -> bool:
        return self.role is not None

    @property
    def artifact(self) -> str:
        """Image name (without registry and tag)."""
        return self.base


_CLOUDDRIVER_CALLS = ("fiat", "front50")
_ECHO_CALLS = ("orca", "front50")

SERVICES: tuple[Service, ...] = (
    Service("clouddriver", 7002, "clouddriver", calls=_CLOUDDRIVER_CALLS, uses_redis=True),
    # The seed: the caching role talks to no other Spinnaker service, only to Redis.
    Service("clouddriver-caching", 7002, "clouddriver", role="caching", uses_redis=True),
    Service("clouddriver-rw", 7002, "clouddriver", role="rw", calls=_CLOUDDRIVER_CALLS,
            uses_redis=True),
    Service("clouddriver-ro", 7002, "clouddriver", role="ro", calls=_CLOUDDRIVER_CALLS,
            uses_redis=True),
    Service("clouddriver-ro-deck", 7002, "clouddriver", role="ro-deck",
            calls=_CLOUDDRIVER_CALLS, uses_redis=True),
    Service("deck", 9000, "deck", calls=("gate",), health_endpoint=None, public=True,
            java=False),
    Service("echo", 8089, "echo", calls=_ECHO_CALLS),
    # Cron triggers start pipelines through orca and read them from front50.
    Service("echo-scheduler", 8089, "echo", role="scheduler", calls=_ECHO_CALLS),
    Service("echo-worker", 8089, "echo", role="worker", aliases=("echo-slave", "echo-replica"),
            calls=_ECHO_CALLS),
    Service("fiat", 7003, "fiat", calls=("front50", "clouddriver", "igor"), uses_redis=True),
    Service("front50", 8080, "front50", calls=("fiat",)),
    Service("gate", 8084, "gate",
            calls=("orca", "clouddriver", "front50", "fiat", "rosco", "kayenta", "echo", "igor"),
            uses_redis=True, public=True),
    Service("igor", 8088, "igor", calls=("echo", "clouddriver"), uses_redis=True),
    Service("kayenta", 8090, "kayenta", uses_redis=True),
    Service("orca", 8083, "orca",
            calls=("clouddriver", "front50", "rosco", "fiat", "kayenta", "echo", "igor"),
            uses_redis=True),
    Service("redis", 6379, "redis", scheme="redis", health_endpoint=None, java=False),
    # A read replica of spin-redis inside the cluster (pyhalyard only).
    Service("redis-replica", 6379, "redis", scheme="redis", health_endpoint=None,
            pyhalyard_only=True, java=False),
    Service("rosco", 8087, "rosco", calls=("clouddriver",), uses_redis=True),
    # Halyard lists it in spinnaker.yml; pyhalyard does not deploy the metrics sidecar.
    Service("monitoring-daemon", 8008, "monitoring-daemon", health_endpoint=None,
            deployable=False, java=False),
)

BY_NAME: dict[str, Service] = {s.name: s for s in SERVICES}

# The HA splits: base service -> its roles, in the order Halyard lists them.
SPLITS: dict[str, tuple[str, ...]] = {
    "clouddriver": ("clouddriver-caching", "clouddriver-rw", "clouddriver-ro",
                    "clouddriver-ro-deck"),
    "echo": ("echo-scheduler", "echo-worker"),
}

# Which role answers a caller's calls to a split base service (SPEC §4 wiring).
DEFAULT_ROUTE: dict[str, str] = {"clouddriver": "clouddriver-ro", "echo": "echo-worker"}
CALLER_ROUTES: dict[tuple[str, str], str] = {("orca", "clouddriver"): "clouddriver-rw"}
# Orca's read-only clouddriver endpoint (``clouddriver.readonly.baseUrl``).
ORCA_READONLY_ROUTE = "clouddriver-ro"
# Gate's ``services.clouddriver.config.dynamicEndpoints.deck`` target.
DECK_ROUTE = "clouddriver-ro-deck"

# Roles that must read from a Redis replica when one is configured.
READ_ONLY_ROLES: frozenset[str] = frozenset({"clouddriver-ro", "clouddriver-ro-deck"})

# Roles that must never run more than one pod at once.
SINGLETON_ROLES: frozenset[str] = frozenset({"echo-scheduler"})

# Services whose pods run echo's cron scheduler (the unsplit echo does; echo-worker does not).
# Unless the scheduler is clustered, two of their pods alive at once fire every trigger twice,
# so they are replaced with Recreate: the old pod is gone before the new one starts.
SCHEDULERS: frozenset[str] = frozenset({"echo", "echo-scheduler"})

# Seconds a clouddriver pod gets to finish its in-flight operations when stopped.
CLOUDDRIVER_TERMINATION_GRACE = 720

_ALIASES: dict[str, str] = {
    alias: s.name for s in SERVICES for alias in (s.name, *s.aliases)
}


class UnknownServiceError(KeyError):
    """A name that is neither a service, a role, nor one of their aliases."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        known = ", ".join(sorted(s.name for s in SERVICES if not s.pyhalyard_only))
        return f"unknown service '{self.name}' (expected one of: {known})"


def canonical_name(name: str) -> str:
    """Resolve a user-supplied name (``spin-`` prefix and aliases allowed)."""
    bare = name[len(NAME_PREFIX):] if name.startswith(NAME_PREFIX) else name
    try:
        return _ALIASES[bare]
    except KeyError:
        raise UnknownServiceError(name) from None


def get(name: str) -> Service:
    """The service for a name, alias or ``spin-`` name."""
    return BY_NAME[canonical_name(name)]


def names_for(name: str) -> tuple[str, ...]:
    """Every spelling of a service: canonical first, then its aliases."""
    service = get(name)
    return (service.name, *service.aliases)


def roles_of(base: str) -> tuple[Service, ...]:
    return tuple(BY_NAME[r] for r in SPLITS.get(base, ()))


def split_base(name: str) -> str | None:
    """The base service a role was split from, or None for a non-role."""
    service = BY_NAME[name]
    return service.base if service.is_role else None


def route(caller: str, base: str) -> str:
    """The role that answers ``caller``'s calls to split ``base``."""
    return CALLER_ROUTES.get((caller, base), DEFAULT_ROUTE[base])


def callers_of(base: str, among: Iterable[Service] = SERVICES) -> tuple[Service, ...]:
    return tuple(s for s in among if base in s.calls)


LEGACY_REGISTRY = "us-docker.pkg.dev/spinnaker-community/docker"
GHCR_REGISTRY = "ghcr.io/spinnaker"
# Redis is not a Spinnaker release artifact: an upstream image that runs a stock redis-server.
REDIS_IMAGE = "docker.io/library/redis:7.2-alpine"

# Halyard's deploymentEnvironment.imageVariant -> image tag suffix.
IMAGE_VARIANTS: dict[str, str] = {
    "SLIM": "",
    "UBUNTU": "-ubuntu",
    "JAVA8": "-java8",
    "UBUNTU_JAVA8": "-ubuntu-java8",
    "JAVA11": "-java11",
    "UBUNTU_JAVA11": "-ubuntu-java11",
}
