"""Bad input of every kind: one clear line naming file:line:col or the field path, the
right exit code (1 error, 2 usage), no traceback, and nothing on disk changed."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.support import (
    assert_error,
    assert_ok,
    assert_usage,
    hal,
    snapshot,
)

# Commands that read the whole configuration (config, profiles, service settings).
READERS: list[tuple[str, ...]] = [
    ("config", "deploy", "ha"),
    ("config", "validate"),
    ("config", "generate"),
    ("deploy", "topology"),
    ("deploy", "diff"),
    ("deploy", "connect"),
    ("deploy", "apply"),
]
EDIT = ("config", "deploy", "edit", "--location", "elsewhere")


def render_args(tmp: Path) -> tuple[str, ...]:
    return ("deploy", "render", "--output-dir", str(tmp / "out"))


# ---------------------------------------------------------------- malformed YAML
@pytest.mark.parametrize(("where", "text", "line_col"), [
    ("config", "currentDeployment: default\ndeploymentConfigurations:\n- name: default\n"
               "  version: [1.2\n", "config:5:1"),
    ("default/profiles/clouddriver-local.yml", "kubernetes:\n  cache: [\n",
     "clouddriver-local.yml:3:1"),
    ("default/service-settings/gate.yml", "enabled: [\n", "gate.yml:2:1"),
    ("config", "\tfoo: 1\n", "config:1:1"),
])
def test_malformed_yaml_is_one_located_line(example: Path, tmp_path: Path, where: str,
                                            text: str, line_col: str) -> None:
    path = example / where
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    before = snapshot(example)
    for args in [*READERS, EDIT, render_args(tmp_path)]:
        result = hal(example, *args)
        line = assert_error(result, contains=line_col)
        assert "invalid YAML" in line, args
    assert snapshot(example) == before
    assert not (tmp_path / "out").exists()


def test_malformed_line_holding_a_secret_is_not_quoted(example: Path) -> None:
    config = example / "config"
    config.write_text(config.read_text().replace(
        "redisMasterEndpoint: redis://:example-secret@redis-master.redis:6379",
        "redisMasterEndpoint: redis://:example-secret@redis-master.redis:6379: x"))
    assert_error(hal(example, "config"), contains="config:55:77: invalid YAML")


# ---------------------------------------------------------------- wrong types
def _patch(hal_dir: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = hal_dir / "config"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _env(data: dict[str, Any]) -> dict[str, Any]:
    env: dict[str, Any] = data["deploymentConfigurations"][0]["deploymentEnvironment"]
    return env


WRONG_TYPES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("deployments-not-a-list",
     lambda d: d.update(deploymentConfigurations={}), "deploymentConfigurations: expected a list"),
    ("environment-a-list",
     lambda d: d["deploymentConfigurations"][0].update(deploymentEnvironment=[]),
     "deploymentConfigurations[0].deploymentEnvironment: "),
    ("ha-enabled-a-string",
     lambda d: _env(d)["haServices"]["clouddriver"].update(enabled="yes-please"),
     "haServices.clouddriver.enabled: expected true or false"),
    ("haServices-a-number", lambda d: _env(d).update(haServices=5),
     "deploymentEnvironment.haServices: expected a mapping"),
    ("endpoint-a-list",
     lambda d: _env(d)["haServices"]["clouddriver"].update(
         redisMasterEndpoint=["redis://:example-secret@m:6379"]),
     "haServices.clouddriver.redisMasterEndpoint: expected a string"),
    ("account-without-name",
     lambda d: d["deploymentConfigurations"][0]["providers"]["kubernetes"].update(
         accounts=[{"name": None}]),
     "providers.kubernetes.accounts[0].name"),
    ("unknown-current-deployment", lambda d: d.update(currentDeployment="missing"),
     "no deployment named 'missing' (deployments: default)"),
]


@pytest.mark.parametrize(("change", "message"), [(c, m) for _, c, m in WRONG_TYPES],
                         ids=[i for i, _, _ in WRONG_TYPES])
def test_wrong_types_name_the_field(example: Path, tmp_path: Path,
                                    change: Callable[[dict[str, Any]], None],
                                    message: str) -> None:
    _patch(example, change)
    before = snapshot(example)
    for args in [*READERS, EDIT, render_args(tmp_path)]:
        assert_error(hal(example, *args), contains=message)
    assert snapshot(example) == before


@pytest.mark.parametrize(("settings", "message"), [
    ("enabled: notabool\n", "gate.yml: enabled: expected true or false, got 'notabool'"),
    ("port: abc\n", "gate.yml: port: expected a whole number, got 'abc'"),
])
def test_wrong_types_in_service_settings(example: Path, settings: str, message: str) -> None:
    path = example / "default" / "service-settings" / "gate.yml"
    path.parent.mkdir(parents=True)
    path.write_text(settings)
    before = snapshot(example)
    for args in READERS:
        assert_error(hal(example, *args), contains=message)
    assert snapshot(example) == before


def test_sizing_type_errors_are_validation_errors(example: Path, tmp_path: Path) -> None:
    _patch(example, lambda d: _env(d)["customSizing"]["spin-clouddriver-ro"].update(
        replicas="three"))
    result = hal(example, "config", "validate")
    assert result.code == 1
    assert ("ERROR: deploymentEnvironment.customSizing.spin-clouddriver-ro.replicas: expected a "
            "whole number, got 'three'") in result.out
    render = hal(example, *render_args(tmp_path))
    assert_error(render, contains="customSizing.spin-clouddriver-ro.replicas")
    assert "refusing to render" in render.err


@pytest.mark.parametrize("bad", ["timezone: 2024-13-45", "timezone: !!int Berlin"])
def test_values_yaml_cannot_construct_are_located(example: Path, bad: str) -> None:
    config = example / "config"
    config.write_text(config.read_text().replace("timezone: Europe/Berlin", bad))
    assert_error(hal(example, "config", "validate"), contains="config:")


# ---------------------------------------------------------------- unknown names
@pytest.mark.parametrize("args", [
    ("config",), ("config", "deploy", "ha"), ("config", "storage"),
    ("config", "deploy", "ha", "clouddriver", "enable"),
    ("config", "deploy", "ha", "clouddriver", "edit", "--in-cluster-redis-replicas", "1"),
    ("config", "deploy", "component-sizing", "spin-gate", "edit", "--replicas", "2"),
    ("config", "provider", "kubernetes", "account", "list"),
    ("deploy", "topology"), ("deploy", "diff"), ("deploy", "connect"), ("deploy", "apply"),
])
def test_unknown_deployment(example: Path, args: tuple[str, ...]) -> None:
    before = snapshot(example)
    assert_error(hal(example, *args, "--deployment", "nope"),
                 contains="no deployment named 'nope' (deployments: default)")
    assert snapshot(example) == before


def test_unknown_service_and_account_names(example: Path) -> None:
    before = snapshot(example)
    for args in (("config", "deploy", "component-sizing", "spin-nope", "edit", "--replicas", "1"),
                 ("config", "deploy", "component-sizing", "nope", "delete"),
                 ("config", "deploy", "component-sizing", "spin-nope")):
        result = hal(example, *args)
        assert result.code in (1, 2)
        assert_error(result, contains="unknown service 'spin-nope'"
                     if "spin-nope" in args else "unknown service 'nope'", code=result.code)
    connect = hal(example, "deploy", "connect", "--service-names", "nope")
    assert_usage(connect, contains="--service-names")
    for verb in ("get", "edit", "delete"):
        extra = ("--context", "x") if verb == "edit" else ()
        assert_error(hal(example, "config", "provider", "kubernetes", "account", verb, "nope",
                         *extra), contains="no Kubernetes account named 'nope'")
    refused = hal(example, "config", "deploy", "edit", "--account-name", "nope")
    assert_error(refused, contains="accountName 'nope' is not a Kubernetes account")
    assert snapshot(example) == before


# ---------------------------------------------------------------- flags
@pytest.mark.parametrize(("args", "contains"), [
    (("deploy", "render"), "Missing option '--output-dir'"),
    (("config", "version", "edit"), "Missing option '--version'"),
    (("config", "storage", "edit"), "Missing option '--type'"),
    (("config", "provider", "kubernetes", "account", "add"), "Missing argument 'NAME'"),
    (("config", "deploy", "edit"), "nothing to change"),
    (("config", "deploy", "ha", "clouddriver", "edit"), "nothing to change"),
    (("config", "deploy", "component-sizing", "spin-gate", "edit"), "nothing to change"),
    (("config", "deploy", "ha", "clouddriver", "edit", "--ro-deck", "maybe"),
     "'maybe' is not true or false"),
    (("config", "deploy", "edit", "--image-variant", "FOO"), "'FOO' is not one of"),
    (("config", "deploy", "component-sizing", "spin-gate", "edit", "--replicas", "-1"),
     "-1 is not in the range x>=0"),
    (("config", "storage", "edit", "--type", "ftp"), "'ftp' is not one of"),
    (("deploy", "topology", "--format", "png"), "'png' is not one of"),
    (("config", "deploy", "ha", "--bogus"), "No such option '--bogus'"),
    (("config", "frobnicate"), "No such command 'frobnicate'"),
    (("deploy", "apply", "--wait-for-completion-timeout-minutes", "0"), "0"),
])
def test_usage_errors_exit_2_and_change_nothing(example: Path, args: tuple[str, ...],
                                                contains: str) -> None:
    before = snapshot(example)
    assert_usage(hal(example, *args), contains=contains)
    assert snapshot(example) == before


@pytest.mark.parametrize(("args", "contains"), [
    (("config", "deploy", "edit", "--location", "Bad_NS"), "--location: 'Bad_NS'"),
    (("config", "deploy", "ha", "clouddriver", "edit", "--redis-master-endpoint", "http://x"),
     "--redis-master-endpoint: 'http://x' must start with redis://"),
    (("config", "deploy", "component-sizing", "spin-gate", "edit", "--pod-requests-cpu",
      "lots"), "--pod-requests-cpu: 'lots' is not a Kubernetes quantity"),
])
def test_bad_flag_values_are_refused_before_any_write(example: Path, args: tuple[str, ...],
                                                      contains: str) -> None:
    before = snapshot(example)
    assert_error(hal(example, *args), contains=contains)
    assert snapshot(example) == before


@pytest.mark.parametrize(("args", "contains"), [
    (("config", "deploy", "component-sizing", "spin-echo-scheduler", "edit", "--replicas", "2"),
     "echo-scheduler must run exactly one pod"),
    (("config", "deploy", "ha", "clouddriver", "edit", "--redis-slave-endpoint", ""),
     "Redis endpoints are all-or-none"),
    (("config", "deploy", "edit", "--type", "LocalGit"), "HA clouddriver needs a Distributed"),
    (("config", "provider", "kubernetes", "account", "delete", "prod-cluster"),
     "accountName 'prod-cluster' is not a Kubernetes account"),
    (("config", "provider", "kubernetes", "account", "add", "bad", "--docker-registries",
      "nosuchreg"), "docker registry 'nosuchreg'"),
])
def test_refused_edits_leave_every_byte(example: Path, args: tuple[str, ...],
                                        contains: str) -> None:
    before = snapshot(example)
    result = hal(example, *args)
    assert_error(result, contains=contains)
    assert "refusing to save" in result.err
    assert snapshot(example) == before  # not even a backup
    # --no-validate saves anyway (Halyard's escape hatch)
    assert_ok(hal(example, *args, "--no-validate"))
    assert snapshot(example) != before


# ---------------------------------------------------------------- missing / unwritable hal dir
@pytest.mark.parametrize("args", [
    ("config", "deploy", "ha"), ("config", "validate"), ("config", "generate"),
    ("config", "storage"), ("config", "deploy"), ("config", "version"),
    ("config", "provider", "kubernetes", "account", "list"),
    ("config", "deploy", "component-sizing"),
    ("deploy", "topology"), ("deploy", "diff"), ("deploy", "apply"), ("deploy", "connect"),
])
def test_empty_hal_dir_is_one_clear_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_error(hal(empty, *args), contains=str(empty / "config"))
    assert list(empty.iterdir()) == []


def test_bare_hal_config_on_an_empty_hal_dir(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_error(hal(empty, "config"), contains=str(empty / "config"))


@pytest.mark.parametrize("args", [("config", "deploy", "ha"), ("deploy", "topology")])
def test_missing_config_file_says_so(tmp_path: Path, args: tuple[str, ...]) -> None:
    assert_error(hal(tmp_path / "typo", *args), contains="no halconfig")


@pytest.fixture
def read_only(example: Path) -> Iterator[Path]:
    """The example hal dir made unwritable -- for root too (chattr +i), since tests may run
    as root, for whom permission bits mean nothing."""
    paths = [example, example / "config", example / "default"]
    if os.geteuid() != 0:
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        yield example
        for path in paths:
            path.chmod(0o755 if path.is_dir() else 0o644)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", *map(str, paths)],
                                        capture_output=True).returncode != 0:
        pytest.skip("running as root without chattr +i support: cannot make a folder read-only")
    try:
        yield example
    finally:
        subprocess.run([chattr, "-i", *map(str, paths)], check=True)


@pytest.mark.parametrize("args", [
    EDIT,
    ("config", "--set-current-deployment", "other"),
    ("config", "deploy", "component-sizing", "spin-gate", "edit", "--replicas", "2"),
    ("config", "deploy", "ha", "clouddriver", "edit", "--in-cluster-redis-replicas", "2"),
    ("config", "generate"),
])
def test_read_only_hal_dir(read_only: Path, args: tuple[str, ...]) -> None:
    before = snapshot(read_only)
    line = assert_error(hal(read_only, *args))
    assert str(read_only) in line or "read_only" in line or "example-hal" in line
    assert snapshot(read_only) == before
    # reading still works
    assert_ok(hal(read_only, "config", "deploy", "ha"))


def test_render_and_topology_into_read_only_folder(read_only: Path) -> None:
    assert_error(hal(read_only, "deploy", "render", "--output-dir", str(read_only / "out")),
                 contains=str(read_only / "out"))
    assert_error(hal(read_only, "deploy", "topology", "--output-file",
                     str(read_only / "t.md")), contains=str(read_only))
    assert not (read_only / "out").exists() and not (read_only / "t.md").exists()
