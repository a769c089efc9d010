"""Rules that gate rendering but not editing, and the Redis-replica / storage-type rules."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.helpers import EXAMPLES, run_hal


def copy_example(tmp_path: Path) -> Path:
    root = tmp_path / "hal"
    shutil.copytree(EXAMPLES / "hal", root)
    return root


def test_a_fresh_deployment_can_be_edited_but_not_rendered(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    assert run_hal("config", "--set-current-deployment", "staging", hal_dir=root).code == 0
    edited = run_hal("config", "deploy", "edit", "--location", "staging", hal_dir=root)
    assert edited.code == 0, edited.err
    checked = run_hal("config", "validate", hal_dir=root)
    assert checked.code == 1 and "ERROR: version: no Spinnaker version is set" in checked.out
    rendered = run_hal("deploy", "render", "--output-dir", str(tmp_path / "out"), hal_dir=root)
    assert rendered.code == 1 and not (tmp_path / "out").exists()


def test_in_cluster_replicas_need_a_redis_pyhalyard_runs(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    config = root / "config"
    text = config.read_text()
    for key in ("redisMasterEndpoint", "redisSlaveEndpoint"):
        text = "\n".join(line for line in text.splitlines() if key not in line) + "\n"
    config.write_text(text)
    settings = root / "default" / "service-settings"
    settings.mkdir(parents=True)
    (settings / "redis.yml").write_text("skipLifeCycleManagement: true\n"
                                        "overrideBaseUrl: redis://redis.example:6379\n")
    before = config.read_bytes()
    refused = run_hal("config", "deploy", "ha", "clouddriver", "edit",
                      "--in-cluster-redis-replicas", "2", hal_dir=root)
    assert refused.code == 1
    assert "in-cluster Redis replicas follow spin-redis" in refused.err
    assert config.read_bytes() == before
    assert not (settings / "redis-replica.yml").exists()


def test_unknown_storage_type_is_an_error_even_while_editing(tmp_path: Path) -> None:
    root = copy_example(tmp_path)
    config = root / "config"
    config.write_text(config.read_text().replace("persistentStoreType: s3",
                                                 "persistentStoreType: ftp"))
    before = config.read_bytes()
    refused = run_hal("config", "deploy", "ha", "echo", "disable", hal_dir=root)
    assert refused.code == 1 and "unknown storage type 'ftp'" in refused.err
    assert config.read_bytes() == before
