"""Custom profiles that meet generated ones: overrides merge, longest name owns a file,
a clustered echo scheduler keeps the replicas asked for."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from pyhalyard import catalog, pipeline
from pyhalyard.halconfig.custom import profile_target
from pyhalyard.halconfig.paths import HalPaths
from pyhalyard.plan import Plan
from pyhalyard.render.build import build_bundle
from pyhalyard.render.profiles import render_profiles
from tests.helpers import EXAMPLES


def hal_with(tmp_path: Path, profiles: dict[str, str], ro_deck: bool = False) -> Path:
    root = tmp_path / "hal"
    shutil.copytree(EXAMPLES / "hal", root)
    for name, text in profiles.items():
        (root / "default" / "profiles" / name).write_text(text)
    if ro_deck:
        config = root / "config"
        config.write_text(config.read_text().replace(
            "        redisMasterEndpoint:",
            "        disableClouddriverRoDeck: false\n"
            "        redisSlaveDeckEndpoint: redis://:example-secret@redis-deck.redis:6379\n"
            "        redisMasterEndpoint:"))
    return root


def plan_of(root: Path) -> Plan:
    return pipeline.plan(pipeline.load(HalPaths(root)))


def test_user_overrides_add_to_the_generated_wiring(tmp_path: Path) -> None:
    plan = plan_of(hal_with(tmp_path, {"orca-overrides.yml": "tasks:\n  threads: 7\n",
                                       "clouddriver-ro-overrides.yml":
                                       "services:\n  redis:\n    baseUrl: redis://mine:6379\n"}))
    files = render_profiles(plan)
    orca = yaml.safe_load(files["orca"]["orca-overrides.yml"])
    assert orca["tasks"] == {"threads": 7}
    assert orca["services"]["clouddriver"]["baseUrl"] == \
        "http://spin-clouddriver-rw.spinnaker:7002"
    assert orca["clouddriver"]["readonly"]["baseUrl"] == \
        "http://spin-clouddriver-ro.spinnaker:7002"
    ro = yaml.safe_load(files["clouddriver-ro"]["clouddriver-ro-overrides.yml"])
    assert ro["services"]["redis"]["baseUrl"] == "redis://mine:6379"  # the user's key wins
    assert "redis-replica.redis" in ro["services"]["redisRo"]["baseUrl"]  # the rest stays


def test_a_user_overrides_file_switches_its_profile_on(tmp_path: Path) -> None:
    plan = plan_of(hal_with(tmp_path, {"front50-overrides.yml": "x: 1\n"}))
    assert plan["front50"].spring_profiles == ("overrides", "local")
    assert plan["front50"].env["SPRING_PROFILES_ACTIVE"] == "overrides,local"
    assert render_profiles(plan)["front50"]["front50-overrides.yml"] == "x: 1\n"
    assert plan["deck"].spring_profiles == ()  # not a Spring service


def test_a_file_belongs_to_the_longest_service_name() -> None:
    ro, ro_deck = catalog.BY_NAME["clouddriver-ro"], catalog.BY_NAME["clouddriver-ro-deck"]
    assert profile_target("clouddriver-ro-deck-local.yml", ro) is None
    assert profile_target("clouddriver-ro-deck-local.yml", ro_deck) == \
        "clouddriver-ro-deck-local.yml"
    assert profile_target("clouddriver-ro-local.yml", ro) == "clouddriver-ro-local.yml"
    assert profile_target("clouddriver-local.yml", ro_deck) == "clouddriver-local.yml"
    worker = catalog.BY_NAME["echo-worker"]
    assert profile_target("echo-slave-local.yml", worker) == "echo-worker-local.yml"
    assert profile_target("echo-slave-local.yml", catalog.BY_NAME["echo"]) is None


def test_editing_ro_deck_profile_leaves_ro_secret_alone(tmp_path: Path) -> None:
    def secret_names(root: Path) -> dict[str, str]:
        bundle = build_bundle(plan_of(root), HalPaths(root))
        return {o["metadata"]["labels"]["app.kubernetes.io/name"]: o["metadata"]["name"]
                for sb in bundle.services.values() for o in sb.objects
                if o["kind"] == "Secret"}

    before = secret_names(hal_with(tmp_path / "a", {}, ro_deck=True))
    after = secret_names(hal_with(tmp_path / "b", {"clouddriver-ro-deck-local.yml": "a: 1\n"},
                                  ro_deck=True))
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"clouddriver-ro-deck"}


def test_clustered_scheduler_keeps_its_replicas(tmp_path: Path) -> None:
    sql = "sql:\n  enabled: true\n"
    root = hal_with(tmp_path, {"echo-scheduler-local.yml": sql})
    config = root / "config"
    config.write_text(config.read_text().replace(
        "      spin-echo-scheduler:\n        replicas: 1", "      spin-echo-scheduler:\n"
        "        replicas: 2"))
    assert plan_of(root)["echo-scheduler"].replicas == 2
    (root / "default" / "profiles" / "echo-scheduler-local.yml").unlink()
    assert plan_of(root)["echo-scheduler"].replicas == 1
