"""Unknown commands name the closest one; Halyard commands pyhalyard lacks say what to do
instead; ``hal config list`` (halyard-cli ``config/ListCommand``: every deployment) and
``hal shutdown`` (``ShutdownCommand``: stops the daemon pyhalyard does not have).
"""

from __future__ import annotations

import json

import pytest
import yaml

from tests.cli.conftest import Hal
from tests.e2e.support import assert_usage


@pytest.mark.parametrize(("args", "says"), [
    (("confg",), "Did you mean 'hal config'?"),
    (("config", "storag"), "Did you mean 'hal config storage'?"),
    (("config", "deploy", "editt"), "Did you mean 'hal config deploy edit'?"),
    (("deploy", "aply"), "Did you mean 'hal deploy apply'?"),
    (("backup", "craete"), "Did you mean 'hal backup create'?"),
])
def test_a_typo_names_the_closest_command(hal: Hal, args: tuple[str, ...], says: str) -> None:
    before = hal.bytes()
    result = hal(*args)
    assert_usage(result, contains="No such command")
    assert says in result.err
    assert hal.bytes() == before


def test_nothing_close_lists_the_commands_there(hal: Hal) -> None:
    result = hal("config", "xyzzy")
    assert_usage(result)
    assert "Commands of 'hal config':" in result.err and "storage" in result.err


@pytest.mark.parametrize(("args", "says"), [
    (("task", "list"), "no daemon"),
    (("admin", "publish", "bom"), "release managers"),
    (("spin", "install"), "spin CLI"),
    (("tsk",), "The closest Halyard command, 'hal task', is not in pyhalyard"),
    (("--ready",), "always ready"),
    (("deploy", "apply", "--prep-only"), "hal deploy render --output-dir"),
    (("deploy", "apply", "--flush-infrastructure-caches"), "FLUSHDB"),
])
def test_halyard_commands_pyhalyard_lacks_say_what_to_do(hal: Hal, args: tuple[str, ...],
                                                         says: str) -> None:
    result = hal(*args)
    assert_usage(result)
    assert says in result.err, result.err


def test_config_list_shows_every_deployment_masked(hal: Hal) -> None:
    result = hal("config", "list", "-o", "json")
    assert result.code == 0, result.err
    listed = json.loads(result.out)
    assert [d["name"] for d in listed] == ["default", "prod", "sandbox"]
    on_disk = yaml.safe_load(hal.text())["deploymentConfigurations"]
    assert len(listed) == len(on_disk)
    human = hal("config", "list")
    assert human.code == 0
    assert human.out.startswith("+ Retrieved all deployments (current: default).")
    assert yaml.safe_load(human.out.split("\n", 1)[1]) == listed
    assert "hunter2" not in human.out and "redis://:****@" in human.out
    quiet = hal("-q", "config", "list")
    assert yaml.safe_load(quiet.out) == listed


def test_config_list_masks_secrets(hal_empty: Hal) -> None:
    assert hal_empty("config", "storage", "s3", "edit", "--secret-access-key",
                     "very-secret-key").code == 0
    result = hal_empty("config", "list", "-o", "yaml")
    assert result.code == 0
    assert "very-secret-key" not in result.out
    assert yaml.safe_load(result.out)[0]["persistentStorage"]["s3"]["secretAccessKey"] == "****"


def test_shutdown_says_there_is_nothing_to_shut_down(hal_empty: Hal) -> None:
    result = hal_empty("shutdown")
    assert result.code == 0 and result.err == ""
    assert "Nothing to shut down" in result.out
    assert list(hal_empty.root.iterdir()) == []  # touches nothing
    assert json.loads(hal_empty("shutdown", "-o", "json").out) == {"daemon": None,
                                                                   "shutdown": False}
