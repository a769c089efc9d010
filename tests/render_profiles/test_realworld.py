"""Compatibility with real Halyard output (../shared/realworld/opsmx-standard-gitops-halyard).

``hal config generate`` runs on a copy of the team's ``~/.hal`` (with ``location``
set to ``oss-spinnaker``, the namespace Halyard generated for).  For every service
Halyard staged, its Spring-resolved properties -- ``spinnaker.yml``, ``<svc>.yml``,
``<svc>-local.yml`` layered in Spring's order, placeholders resolved -- must all be
present in ours with the same value, except the deliberate differences below.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from pyhalyard.halconfig.paths import HalPaths
from pyhalyard.pipeline import load, plan
from tests.helpers import realworld, run_hal

from . import spring

realworld()  # its tests are parametrized from the tree: without it the module is skipped

NAMESPACE = "oss-spinnaker"

# (service, property) -> why our value differs from the one in Halyard's staging files.
# "*" applies to every service.  Keep this short: each entry is listed in README.md.
HALYARD_DIFFERENCES: dict[tuple[str, str], str] = {
    ("front50", "spinnaker.s3.endpoint"):
        "the staging files were generated from a config whose RELEASE_NAME placeholder had "
        "already been replaced (http://oss-spin-minio:9000); the committed config still says "
        "http://RELEASE_NAME-minio:9000 and we render the config as it is",
    ("echo", "stats.spinnakerVersion"):
        "Halyard's staging says 1.29.3 while the committed config says version 1.30.1 (the "
        "files were generated from an earlier state of the config); we report the configured "
        "version",
    ("echo", "stats.deploymentMethod.type"):
        "telemetry names the tool that deployed Spinnaker: 'other' (pyhalyard), not 'halyard'",
    ("echo", "stats.deploymentMethod.version"):
        "the deploying tool's version: pyhalyard's, not Halyard 1.45.0's",
}


def halyard_files() -> dict[str, dict[str, str]]:
    """Which staged file Halyard gave to which service (its own record in history/)."""
    record = yaml.safe_load((realworld() / "default" / "history" / "service-profiles.yml")
                            .read_text())
    staging = realworld() / "default" / "staging"
    out: dict[str, dict[str, str]] = {}
    for service, files in record.items():
        yml = {name: (staging / name).read_text() for name in files
               if name.endswith(".yml") and (staging / name).is_file()}
        if yml:
            out[service] = yml
    return out


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[str, ...]]]:
    hal_dir = tmp_path_factory.mktemp("realworld") / "hal"
    shutil.copytree(realworld(), hal_dir, copy_function=shutil.copyfile)
    for root, dirs, _ in os.walk(hal_dir):
        for name in (".", *dirs):
            os.chmod(os.path.join(root, name), 0o755)
    config = hal_dir / "config"
    text = config.read_text()
    assert "location: SPINNAKER_NAMESPACE" in text
    config.write_text(text.replace("location: SPINNAKER_NAMESPACE", f"location: {NAMESPACE}"))
    result = run_hal("config", "generate", hal_dir=hal_dir)
    assert result.code == 0, result.err
    assert "password" not in result.out + result.err
    the_plan = plan(load(HalPaths(hal_dir)))
    active = {name: sp.spring_profiles for name, sp in the_plan.services.items() if sp.managed}
    return hal_dir / "default" / "staging", active


def halyard_properties(service: str, files: dict[str, str]) -> dict[str, str]:
    # Halyard runs every service with SPRING_PROFILES_ACTIVE=local.
    return spring.effective(files, service, ("local",))


def ours(staging: Path, active: dict[str, tuple[str, ...]], service: str) -> dict[str, str]:
    folder = staging / service
    files = {p.name: p.read_text() for p in folder.iterdir() if p.is_file()}
    return spring.effective(files, service, active[service])


@pytest.mark.parametrize("service", sorted(halyard_files()))
def test_every_halyard_property_is_ours_too(generated, service: str) -> None:  # type: ignore[no-untyped-def]
    staging, active = generated
    theirs = halyard_properties(service, halyard_files()[service])
    mine = ours(staging, active, service)
    assert len(theirs) > 5
    missing = sorted(k for k in theirs if k not in mine)
    assert missing == [], f"{service}: properties Halyard sets that we do not: {missing}"
    differing = {k: (theirs[k], mine[k]) for k in theirs
                 if theirs[k] != mine[k] and (service, k) not in HALYARD_DIFFERENCES
                 and ("*", k) not in HALYARD_DIFFERENCES}
    assert differing == {}, f"{service}: values differ (Halyard, ours): {differing}"


def test_listed_differences_are_real(generated) -> None:  # type: ignore[no-untyped-def]
    """A difference that no longer exists must leave the list (and README.md)."""
    staging, active = generated
    halyard = halyard_files()
    for (service, key), reason in HALYARD_DIFFERENCES.items():
        assert reason
        theirs = halyard_properties(service, halyard[service])
        mine = ours(staging, active, service)
        assert key in theirs and key in mine
        assert theirs[key] != mine[key], f"{service}:{key} no longer differs"


def test_halyard_staged_services_are_all_rendered(generated) -> None:  # type: ignore[no-untyped-def]
    staging, _ = generated
    ours_services = {p.name for p in staging.iterdir()}
    assert set(halyard_files()) <= ours_services
    # deck gets settings.js; the externally managed Redis gets nothing.
    assert "deck" in ours_services and "redis" not in ours_services


def test_deck_settings_are_what_halyard_set_for_this_tree(generated) -> None:  # type: ignore[no-untyped-def]
    """DeckProfileFactory's bindings for this config (deck's halconfig/settings.js keys):
    gateUrl from apiSecurity.overrideBaseUrl (/gate), the configured version, and every
    feature, notification and canary switch of the tree off."""
    from tests.helpers import deck_settings_object

    staging, _ = generated
    folder = staging / "deck"
    assert sorted(p.name for p in folder.iterdir()) == ["settings.js"]
    s = deck_settings_object((folder / "settings.js").read_text())
    assert s["gateUrl"] == "/gate"
    assert s["authEndpoint"] == "/gate/auth/user"
    assert s["bakeryDetailUrl"].startswith("/gate/bakery/logs/")
    assert s["version"] == "1.30.1"
    assert s["defaultTimeZone"] == "America/Los_Angeles"
    assert s["authEnabled"] is False
    assert s["feature"] == {"canary": False, "chaosMonkey": False,
                            "dynamicRollbackTimeout": False, "fiatEnabled": False,
                            "pipelineTemplates": False, "roscoMode": True}
    assert s["canary"]["featureDisabled"] is True
    assert s["notifications"]["slack"] == {"botName": "", "enabled": False}
    assert s["notifications"]["sms"] == {"enabled": False}
    assert s["notifications"]["githubStatus"] == {"enabled": False}
    assert s["providers"]["aws"]["defaults"] == {"account": "", "region": ""}
