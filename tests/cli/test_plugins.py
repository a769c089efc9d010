"""``hal plugins`` and ``hal plugins repository`` (halyard-cli .../command/v1/plugins/
AddPluginCommand, DeletePluginCommand, ListPluginsCommand; repositories/*PluginRepository
Command): mappings keyed by id under ``spinnaker.extensibility``, rendered into every Spring
service as Halyard's Extensibility.toMap() does.
"""

from __future__ import annotations

import json

from tests.cli.conftest import CLI_FIXTURES, Hal
from tests.cli.lines import Lines, changes

HAL_CONFIG = CLI_FIXTURES / "halyard-ops.yml"
BEFORE = HAL_CONFIG.read_text(encoding="utf-8")
at = Lines(BEFORE).at


def test_add_writes_halyards_plugin_and_only_those_lines(hal: Hal) -> None:
    result = hal("plugins", "add", "Armory.Fancy", "--version", "1.2.0", "--enabled", "true",
                 "--extensions", "armory.fancyStage,armory.other")
    assert result.code == 0, result.err
    assert changes(BEFORE, hal.text()) == [
        (at("      plugins: {}"), ["      plugins: {}"],
         ["      plugins:", "        Armory.Fancy:", "          id: Armory.Fancy",
          "          enabled: true", "          version: 1.2.0", "          extensions:",
          "            armory.fancyStage:", "              id: armory.fancyStage",
          "              enabled: true", "            armory.other:",
          "              id: armory.other", "              enabled: true"])]
    again = hal("plugins", "add", "Armory.Fancy")
    assert again.code == 1 and "already exists" in again.err
    listed = hal("plugins", "list", "-o", "json")
    assert list(json.loads(listed.out)) == ["Armory.Fancy"]
    assert hal("plugins", "delete", "Armory.Fancy").code == 0
    assert hal.text() == BEFORE
    missing = hal("plugins", "delete", "Armory.Fancy")
    assert missing.code == 1 and "no plugin named" in missing.err


def test_repositories_round_trip(hal: Hal) -> None:
    assert hal("plugins", "repository", "add", "armory", "--url",
               "https://example.com/plugins.json").code == 0
    assert changes(BEFORE, hal.text()) == [
        (at("      repositories: {}"), ["      repositories: {}"],
         ["      repositories:", "        armory:", "          id: armory",
          "          url: https://example.com/plugins.json"])]
    assert hal("plugins", "repository", "edit", "armory", "--url", "https://b/p.json").code == 0
    assert "url: https://b/p.json" in hal.text()
    assert hal("plugins", "repository", "edit", "nope", "--url", "x").code == 1
    assert hal("plugins", "repository", "edit", "armory").code == 2
    assert hal("plugins", "repository", "delete", "armory").code == 0
    assert hal.text() == BEFORE


def test_plugins_reach_every_spring_service_as_halyard_renders_them(hal: Hal) -> None:
    assert hal("plugins", "add", "Armory.Fancy", "--version", "1.2.0", "--enabled", "true",
               "--extensions", "armory.fancyStage").code == 0
    assert hal("plugins", "repository", "add", "armory", "--url", "https://e/p.json").code == 0
    for service, name in (("orca", "orca.yml"), ("gate", "gate.yml")):
        ext = hal.profile(service, name)["spinnaker"]["extensibility"]
        assert ext["plugins"] == {"Armory.Fancy": {
            "enabled": True, "version": "1.2.0", "config": {},
            "extensions": {"armory.fancyStage": {"enabled": True, "config": {}}}}}
        assert ext["repositories"] == {"armory": {"url": "https://e/p.json"}}


def test_plugin_switches_halyard_dropped_say_what_to_do(hal: Hal) -> None:
    result = hal("plugins", "enable")
    assert result.code == 2 and "hal plugins add NAME --enabled true" in result.err
