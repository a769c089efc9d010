"""SPEC §4 row by row, under every combination of clouddriver HA, echo HA, ro-deck
(``disableClouddriverRoDeck`` absent vs ``false``) and Redis endpoints (on/off).

Values are checked in the rendered files *and* as the container's Spring Boot
would resolve them (``spring.effective``), so a file the container never loads
cannot make a test pass.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest
import yaml

from pyhalyard import catalog

from .build import MASTER, NS, SLAVE, SLAVE_DECK, props, raw_config, render, url


@dataclass(frozen=True)
class Combo:
    cd: bool
    echo: bool
    ro_deck: bool | None  # None: key absent; False in the config means the 4th role is on
    redis: bool

    @property
    def deck_role(self) -> bool:
        return self.cd and self.ro_deck is True

    @property
    def external_redis(self) -> bool:
        return self.cd and self.redis

    def __str__(self) -> str:
        ha = {(False, False): "no-ha", (True, False): "cd-only", (False, True): "echo-only",
              (True, True): "both"}[(self.cd, self.echo)]
        deck = {None: "rodeck-absent", True: "rodeck-on"}[self.ro_deck]
        return f"{ha}-{deck}-{'redis' if self.redis else 'noredis'}"


COMBOS = [Combo(cd, echo, ro_deck, redis) for cd, echo, ro_deck, redis
          in itertools.product((False, True), (False, True), (None, True), (False, True))]


@pytest.fixture(params=COMBOS, ids=str, scope="module")
def case(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    combo: Combo = request.param
    plan, profiles = render(raw_config(combo.cd, combo.echo, combo.ro_deck, combo.redis))
    return combo, plan, profiles


def load(text: str):  # type: ignore[no-untyped-def]
    return yaml.load(text, Loader=yaml.CSafeLoader)


def expected_services(c: Combo) -> set[str]:
    names = {"deck", "gate", "orca", "front50", "fiat", "igor", "rosco", "kayenta", "redis"}
    if c.cd:
        names |= {"clouddriver-caching", "clouddriver-rw", "clouddriver-ro"}
        if c.deck_role:
            names.add("clouddriver-ro-deck")
    else:
        names.add("clouddriver")
    names |= {"echo-scheduler", "echo-worker"} if c.echo else {"echo"}
    return names


def test_services_and_roles(case) -> None:  # type: ignore[no-untyped-def]
    c, plan, profiles = case
    assert set(profiles) == expected_services(c)
    assert set(profiles) == {sp.name for sp in plan.managed()}
    assert set(profiles) == {sp.name for sp in plan.enabled() if sp.service.deployable}
    assert profiles["redis"] == {}
    assert "monitoring-daemon" not in profiles


def test_spinnaker_yml_lists_every_service(case) -> None:  # type: ignore[no-untyped-def]
    c, _, profiles = case
    texts = {files["spinnaker.yml"] for files in profiles.values() if "spinnaker.yml" in files}
    assert len(texts) == 1, "every service must get the same spinnaker.yml"
    data = load(texts.pop())
    services = data["services"]
    expected_keys = {s.camel for s in catalog.SERVICES if not s.pyhalyard_only}
    assert set(services) == expected_keys
    for key in ("clouddriverCaching", "clouddriverRw", "clouddriverRo", "clouddriverRoDeck",
                "echoScheduler", "echoWorker"):
        assert key in services
    assert services["clouddriverRo"] == {"host": "0.0.0.0", "port": 7002,
                                         "baseUrl": url("clouddriver-ro", 7002),
                                         "enabled": c.cd}
    assert services["clouddriverRoDeck"]["enabled"] is c.deck_role
    assert services["clouddriver"]["enabled"] is (not c.cd)
    assert services["echoWorker"] == {"host": "0.0.0.0", "port": 8089,
                                      "baseUrl": url("echo-worker", 8089), "enabled": c.echo}
    assert services["echoScheduler"]["enabled"] is c.echo
    assert services["echo"]["enabled"] is (not c.echo)
    assert services["redis"]["baseUrl"] == f"redis://spin-redis.{NS}:6379"
    assert services["deck"]["baseUrl"] == "http://localhost:9000"
    assert data["global"]["spinnaker"]["timezone"] == "Europe/Berlin"


def test_spring_profiles_active(case) -> None:  # type: ignore[no-untyped-def]
    c, plan, _ = case
    env = {name: sp.env.get("SPRING_PROFILES_ACTIVE") for name, sp in plan.services.items()
           if sp.managed}
    if c.cd:
        # Redis endpoints give every role overrides; without them only ro/ro-deck do not.
        ov = ",caching-overrides" if c.redis else ""
        assert env["clouddriver-caching"] == f"caching{ov},local,caching-local"
        ov = ",rw-overrides" if c.redis else ""
        assert env["clouddriver-rw"] == f"rw{ov},local,rw-local"
        ov = ",ro-overrides" if c.redis else ""
        assert env["clouddriver-ro"] == f"ro{ov},local,ro-local"
        if c.deck_role:
            ov = ",ro-deck-overrides" if c.redis else ""
            assert env["clouddriver-ro-deck"] == f"ro-deck{ov},local,ro-deck-local"
    else:
        assert env["clouddriver"] == "local"
    if c.echo:
        assert env["echo-scheduler"] == "scheduler,local,scheduler-local"
        assert env["echo-worker"] == "worker,local,worker-local"
    else:
        assert env["echo"] == "local"
    wired = c.cd or c.echo
    for caller in ("gate", "orca", "igor"):
        assert env[caller] == ("overrides,local" if wired else "local")
    for caller in ("fiat", "rosco"):
        assert env[caller] == ("overrides,local" if c.cd else "local")
    for plain in ("front50", "kayenta"):
        assert env[plain] == "local"
    assert "deck" not in env or env["deck"] is None
    assert env["redis"] is None


def test_clouddriver_role_files(case) -> None:  # type: ignore[no-untyped-def]
    c, plan, profiles = case
    if not c.cd:
        assert "clouddriver-caching.yml" not in profiles["clouddriver"]
        assert load(profiles["clouddriver"]["clouddriver.yml"])["server"]["port"] \
            == "${services.clouddriver.port:7002}"
        assert props(plan, profiles, "clouddriver")["server.port"] == "7002"
        return
    roles = {"clouddriver-caching": ("caching", True), "clouddriver-rw": ("rw", False),
             "clouddriver-ro": ("ro", False)}
    if c.deck_role:
        roles["clouddriver-ro-deck"] = ("ro-deck", False)
    for name, (role, write) in roles.items():
        files = profiles[name]
        assert {"spinnaker.yml", "clouddriver.yml", f"clouddriver-{role}.yml"} <= set(files)
        role_yml = load(files[f"clouddriver-{role}.yml"])
        camel = catalog.BY_NAME[name].camel
        assert role_yml["caching"]["writeEnabled"] is write
        assert role_yml["server"]["port"] == f"${{services.{camel}.port:7002}}"
        effective = props(plan, profiles, name)
        assert effective["caching.writeEnabled"] == str(write).lower()
        assert effective["server.port"] == "7002"
        # The role's clouddriver.yml carries the Kubernetes accounts too.
        assert effective["kubernetes.accounts[0].name"] == "prod"


def test_echo_role_files(case) -> None:  # type: ignore[no-untyped-def]
    c, plan, profiles = case
    if not c.echo:
        assert set(profiles["echo"]) == {"spinnaker.yml", "echo.yml"}
        assert "scheduler.enabled" not in props(plan, profiles, "echo")
        return
    for name, role, on in (("echo-scheduler", "scheduler", True),
                           ("echo-worker", "worker", False)):
        files = profiles[name]
        role_yml = load(files[f"echo-{role}.yml"])
        camel = catalog.BY_NAME[name].camel
        assert role_yml["scheduler"]["enabled"] is on
        assert role_yml["server"]["port"] == f"${{services.{camel}.port:8089}}"
        effective = props(plan, profiles, name)
        assert effective["scheduler.enabled"] == str(on).lower()
        assert effective["server.port"] == "8089"
        assert effective["global.spinnaker.timezone"] == "Europe/Berlin"


def test_redis_per_role(case) -> None:  # type: ignore[no-untyped-def]
    c, plan, profiles = case
    if not c.cd:
        assert all("redis" not in load(f).get("services", {})
                   for files in profiles.values()
                   for name, f in files.items() if name.endswith("-overrides.yml"))
        return
    expect = {"clouddriver-caching": MASTER, "clouddriver-rw": MASTER, "clouddriver-ro": SLAVE}
    if c.deck_role:
        expect["clouddriver-ro-deck"] = SLAVE_DECK
    for name, endpoint in expect.items():
        role = catalog.BY_NAME[name].role
        overrides = profiles[name].get(f"clouddriver-{role}-overrides.yml")
        effective = props(plan, profiles, name)
        if c.redis:
            assert overrides is not None
            data = load(overrides)["services"]
            assert data["redis"]["baseUrl"] == endpoint
            assert effective["services.redis.baseUrl"] == endpoint
            assert effective["redis.connection"] == endpoint
            if name in catalog.READ_ONLY_ROLES:
                assert data["redisRo"]["baseUrl"] == endpoint
            else:
                assert "redisRo" not in data
        else:
            assert overrides is None
            assert effective["redis.connection"] == f"redis://spin-redis.{NS}:6379"


def _effective_url(plan, profiles, caller: str, key: str) -> str | None:  # type: ignore[no-untyped-def]
    return props(plan, profiles, caller).get(key)


def test_caller_wiring(case) -> None:  # type: ignore[no-untyped-def]
    c, plan, profiles = case
    cd_default = url("clouddriver", 7002)
    ro, rw, deck_ro = (url("clouddriver-ro", 7002), url("clouddriver-rw", 7002),
                       url("clouddriver-ro-deck", 7002))
    echo_default, worker = url("echo", 8089), url("echo-worker", 8089)

    def get(caller: str, key: str) -> str | None:
        return _effective_url(plan, profiles, caller, key)

    def overrides(caller: str) -> dict:  # type: ignore[type-arg]
        text = profiles[caller].get(f"{caller}-overrides.yml")
        return load(text) if text else {}

    assert get("gate", "services.clouddriver.baseUrl") == (ro if c.cd else cd_default)
    assert get("gate", "services.echo.baseUrl") == (worker if c.echo else echo_default)
    deck_key = "services.clouddriver.config.dynamicEndpoints.deck"
    assert get("gate", deck_key) == (deck_ro if c.deck_role else None)
    assert get("orca", "services.clouddriver.baseUrl") == (rw if c.cd else cd_default)
    assert get("orca", "clouddriver.readonly.baseUrl") == (ro if c.cd else None)
    assert get("orca", "services.echo.baseUrl") == (worker if c.echo else echo_default)
    assert get("igor", "services.clouddriver.baseUrl") == (ro if c.cd else cd_default)
    assert get("igor", "services.echo.baseUrl") == (worker if c.echo else echo_default)
    for caller in ("fiat", "rosco"):
        assert get(caller, "services.clouddriver.baseUrl") == (ro if c.cd else cd_default)
        assert "echo" not in overrides(caller).get("services", {})
    # Only the HA that is on adds entries.
    for caller in ("gate", "orca", "igor", "fiat", "rosco"):
        ov = overrides(caller)
        if not c.cd:
            assert "clouddriver" not in ov.get("services", {})
            assert "clouddriver" not in ov
        if not c.echo:
            assert "echo" not in ov.get("services", {})
    if not (c.cd or c.echo):
        assert not [f for files in profiles.values() for f in files if "overrides" in f]
    # Callee-side services never get re-pointed callers they do not call.
    for plain in ("front50", "kayenta", "deck"):
        assert not [f for f in profiles[plain] if "overrides" in f]


def test_gate_overrides_text(case) -> None:  # type: ignore[no-untyped-def]
    """The literal example of the brief: gate-overrides.yml only with clouddriver HA."""
    c, _, profiles = case
    text = profiles["gate"].get("gate-overrides.yml")
    if not (c.cd or c.echo):
        assert text is None
        return
    data = load(text)["services"]
    if c.cd:
        assert data["clouddriver"]["baseUrl"] == f"http://spin-clouddriver-ro.{NS}:7002"
    else:
        assert "clouddriver" not in data
