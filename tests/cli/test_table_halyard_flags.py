"""Every flag of Halyard's command classes for security, artifacts, CI and providers is
offered by the generated command of the same path, and every model field those classes
set is a key the row writes, except the gaps listed here.

fixtures/halyard-flags.json is the inventory, per class, of its ``@Parameter(names =
...)`` (plus the flags its abstract base class adds: permissions, environment, ...) and
of the model fields its code sets (``.setX(`` -> ``x``, Daemon plumbing left out),
taken from spinnaker/halyard at the commit it records.
"""

from __future__ import annotations

import json

import click
import pytest

from pyhalyard.cli.main import cli
from pyhalyard.cli.table.build import area_of, table
from pyhalyard.cli.table.model import Flag
from tests.cli.conftest import CLI_FIXTURES

INVENTORY = json.loads((CLI_FIXTURES / "halyard-flags.json").read_text())
COMMON = {"--deployment", "--no-validate", "-q", "--quiet", "-o", "--output", "--no-color",
          "--help", "-h"}
_HOOKS = {f"--{phase}-lifecycle-hook-{what}" for phase in ("launching", "terminating")
          for what in ("default-result", "heartbeat-timeout-seconds",
                       "notification-target-arn", "role-arn")}
# Deliberately not generated (README says so): nested structures a flat row cannot write.
GAPS = {
    "providers/aws/AwsAddAccountCommand.java": _HOOKS,
    "providers/aws/AwsEditAccountCommand.java": _HOOKS,
    "providers/cloudfoundry/CloudFoundryAddAccountCommand.java": {"--space-filter"},
    "providers/cloudfoundry/CloudFoundryEditAccountCommand.java": {"--space-filter"},
    "providers/dcos/DCOSAddAccountCommand.java": {"--cluster", "--uid", "--password",
                                                  "--service-key-file"},
    "providers/dcos/DCOSEditAccountCommand.java": {"--remove-credential",
                                                   "--update-service-credential",
                                                   "--update-user-credential"},
    "providers/dcos/cluster/DCOSEditClusterCommand.java": {"--remove-ca-cert-file",
                                                           "--remove-lb"},
}


def options(words: list[str]) -> set[str]:
    ctx = click.Context(cli, info_name="hal")
    command: click.Command = cli
    for word in words:
        assert isinstance(command, click.Group)
        found = command.get_command(ctx, word)
        assert found is not None, f"hal {' '.join(words)}: no command '{word}'"
        ctx, command = click.Context(found, parent=ctx, info_name=word), found
    return {opt for p in command.params if isinstance(p, click.Option) for opt in p.opts}


@pytest.mark.parametrize("cls", sorted(INVENTORY["classes"]))
def test_halyard_flags_are_offered(cls: str) -> None:
    entry = INVENTORY["classes"][cls]
    have = options(entry["command"])
    want = set(entry["flags"]) - GAPS.get(cls, set())
    assert want - have == set(), f"{cls}: missing flags"
    assert have - want - COMMON == set(), f"{cls}: flags Halyard does not have"


# Fields Halyard's command code sets that are not halconfig keys of the row: the Daemon
# call's whole node (``setApiSecurity(...)``) and the gaps above.
FIELD_GAPS = {
    "artifacts/templates/EditArtifactTemplateCommand.java": {"artifactTemplate"},
    "providers/appengine/AppengineEditCommand.java": {"provider"},
    "providers/aws/AwsAddAccountCommand.java": {"lifecycleHooks"},
    "providers/aws/AwsEditAccountCommand.java": {"lifecycleHooks"},
    "providers/cloudfoundry/CloudFoundryAddAccountCommand.java": {"spaceFilter"},
    "providers/cloudfoundry/CloudFoundryEditAccountCommand.java": {"spaceFilter"},
    "providers/dcos/DCOSAddAccountCommand.java": {"clusters"},
    "providers/dcos/cluster/DCOSEditClusterCommand.java": {"cluster"},
    "security/api/ApiSecurityEditCommand.java": {"apiSecurity"},
    "security/api/SpringSslEditCommand.java": {"springSsl"},
    "security/ui/ApacheSslEditCommand.java": {"apacheSsl"},
    "security/ui/UiSecurityEditCommand.java": {"uiSecurity"},
}


def row_flags(words: tuple[str, ...]) -> list[Flag]:
    """The table flags behind ``hal <words>`` (an ``edit`` or an item ``add``/``edit``)."""
    root = area_of(words)
    assert root is not None
    verb, parent = words[-1], words[:-1]
    for group in table(root).groups.values():
        if verb == "edit" and group.path == parent and group.edit:
            flags = list(group.edit)
            break
        items = group.items
        if items is not None and (group.path + ((items.noun,) if items.noun else ())) == parent:
            flags = list(items.flags)
            break
    else:
        raise AssertionError(f"no row for hal {' '.join(words)}")
    return [f for f in flags if f.only in (None, verb)]


@pytest.mark.parametrize("cls", sorted(INVENTORY["classes"]))
def test_fields_halyard_sets_are_keys_the_row_writes(cls: str) -> None:
    entry = INVENTORY["classes"][cls]
    written: set[str] = set()
    for flag in row_flags(tuple(entry["command"])):
        written.update(flag.key.split("."))
        written.update(k for k in (flag.url_key, flag.wrap) if k)
        for _, pairs in flag.sets:
            written.update(part for key, _ in pairs for part in key.split("."))
    missing = set(entry["fields_set"]) - FIELD_GAPS.get(cls, set()) - written
    assert missing == set(), f"{cls}: Halyard sets {sorted(missing)}, the row writes no such key"
