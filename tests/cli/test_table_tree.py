"""The generated command tree is the table: every row reachable, -h everywhere, no flag
without a key, every secret key masked by every show command.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import click
import pytest

from pyhalyard.cli.config_common import SECRET_KEYS
from pyhalyard.cli.main import cli
from pyhalyard.cli.table.areas import AREAS
from pyhalyard.cli.table.build import _ITEM_VERBS, Table, table
from pyhalyard.cli.table.model import Flag, Group
from tests.cli.conftest import CLI_FIXTURES, hal_dir_with
from tests.cli.imports_probe import heavy, imports_of
from tests.helpers import run_hal

ROOTS = [tuple(area.split()) for area in AREAS]


def rows() -> list[Group]:
    return [group for root in ROOTS for group in table(root).groups.values()]


def resolve(path: tuple[str, ...]) -> click.Command:
    """Walk ``hal <path>`` through click's own lookup, as typing it would."""
    ctx = click.Context(cli, info_name="hal")
    command: click.Command = cli
    for word in path:
        assert isinstance(command, click.Group), path
        found = command.get_command(ctx, word)
        assert found is not None, f"hal {' '.join(path)}: '{word}' does not resolve"
        ctx = click.Context(found, parent=ctx, info_name=word)
        command = found
    return command


def leaves(group: Group) -> dict[tuple[str, ...], list[Flag]]:
    """Each generated leaf command of ``group`` and the table flags it must offer."""
    out: dict[tuple[str, ...], list[Flag]] = {}
    if group.enable:
        out[(*group.path, "enable")] = []
        out[(*group.path, "disable")] = []
    if group.edit:
        out[(*group.path, "edit")] = [f for f in group.edit if f.only in (None, "edit")]
    if group.items is not None:
        base = (*group.path, group.items.noun) if group.items.noun else group.path
        for verb in _ITEM_VERBS:
            flags = [f for f in group.items.flags if f.only in (None, verb)] \
                if verb in ("add", "edit") else []
            out[(*base, verb)] = flags
    return out


def test_every_area_is_a_command_and_every_module_loads() -> None:
    for root in ROOTS:
        assert isinstance(resolve(root), click.Group), root
        for module in AREAS[" ".join(root)]:
            assert importlib.import_module(module).GROUPS


@pytest.mark.parametrize("group", rows(), ids=lambda g: g.command)
def test_every_row_is_reachable_with_its_flags(group: Group) -> None:
    assert group.source and "halyard" in group.source, "cite the Halyard class"
    assert isinstance(resolve(group.path), click.Group)
    assert leaves(group), f"{group.command} generates no command"
    for path, flags in leaves(group).items():
        command = resolve(path)
        options = {opt: p for p in command.params if isinstance(p, click.Option)
                   for opt in p.opts}
        for flag in flags:
            assert flag.key and flag.name, flag
            assert f"--{flag.name}" in options, (path, flag.name)
            if flag.add_remove and path[-1] == "edit":
                assert f"--add-{flag.add_remove}" in options, (path, flag.add_remove)
                assert f"--remove-{flag.add_remove}" in options, (path, flag.add_remove)
        own = {f"--{f.name}" for f in flags} | {
            f"--{w}-{f.add_remove}" for f in flags if f.add_remove for w in ("add", "remove")}
        common = {"--deployment", "--no-validate", "-q", "--quiet", "-o", "--output",
                  "--no-color", "--help", "-h"}
        stray = set(options) - own - common
        assert not stray, f"hal {' '.join(path)}: options without a table flag: {stray}"


def test_every_generated_command_answers_help() -> None:
    paths: set[tuple[str, ...]] = set()
    for group in rows():
        paths.add(group.path)
        paths.update(group.path[:n] for n in range(2, len(group.path)))
        paths.update(leaves(group))
    for path in sorted(paths):
        result = run_hal(*path, "-h")
        assert result.code == 0, (path, result.err)
        usage = result.out.splitlines()[0]
        assert usage.startswith("Usage: hal " + " ".join(path)), (path, usage)


def test_groups_between_rows_have_help() -> None:
    """A group made only because rows hang below it (``config security authn``) still
    says what it is: from the rows module's HELP, or its hand-written docstring."""
    for root in ROOTS:
        tbl = Table(root)
        for group in tbl.groups.values():
            for n in range(len(root), len(group.path)):
                prefix = group.path[:n]
                if prefix not in tbl.groups:
                    assert (resolve(prefix).help or "").strip(), \
                        f"no help for hal {' '.join(prefix)}"


def test_secret_flags_are_masked_by_every_show() -> None:
    """``mask_secrets`` (used by every show, -o json included) knows each secret key."""
    for group in rows():
        for flag in (*group.edit, *(group.items.flags if group.items else ())):
            if flag.secret:
                assert flag.key.split(".")[-1] in SECRET_KEYS, (group.command, flag.name)


def test_enum_flags_list_their_choices_and_lists_say_how_to_edit() -> None:
    for group in rows():
        for flag in (*group.edit, *(group.items.flags if group.items else ())):
            assert (flag.kind == "enum") == bool(flag.choices), (group.command, flag.name)
            if flag.default is not None and flag.kind == "list":
                assert isinstance(flag.default, list)


def test_a_generated_edit_imports_only_its_own_rows(tmp_path: Path) -> None:
    """Laziness: ``config artifact github enable`` loads the artifact rows and nothing
    heavy (no renderers, no Kubernetes client), and no other area's rows."""
    root = hal_dir_with(tmp_path, CLI_FIXTURES / "halyard-table.yml")
    code, modules, err = imports_of(root, "config", "artifact", "github", "enable")
    assert code == 0, err
    assert heavy(modules) == []
    rows_loaded = sorted(m for m in modules if m.startswith("pyhalyard.cli.table.rows_"))
    assert rows_loaded == ["pyhalyard.cli.table.rows_artifact"]
    assert "pyhalyard.validate.rules" in modules  # it did validate
