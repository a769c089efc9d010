"""Every row of the security, artifact, CI and provider tables, driven through its commands
on the commented Halyard-style fixture: enable/disable, edit, add/edit/delete.

Each step checks the data (exactly the row's keys changed, as the row says Halyard's
command class writes them) and the text (only lines of that node changed; every
comment and every other line kept).  test_table_roundtrip.py pins the exact lines for
a sample; this covers every group.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from pyhalyard.cli.table.build import table
from pyhalyard.cli.table.model import Flag, Group
from tests.cli.conftest import CLI_FIXTURES
from tests.cli.lines import changes
from tests.helpers import run_hal

HAL_CONFIG = CLI_FIXTURES / "halyard-table.yml"
MINE = [("config", "ci"), ("config", "security"), ("config", "artifact"), ("config", "provider")]
# Existing names a ``ref`` flag may point at in the fixture.
REFS: dict[tuple[str, ...], str] = {("providers", "aws", "accounts"): "aws-prod",
        ("providers", "dockerRegistry", "accounts"): "dockerhub"}


def groups() -> list[Group]:
    return [g for root in MINE for g in table(root).groups.values()]


def comments(text: str) -> list[str]:
    return [line.split("#", 1)[1] for line in text.splitlines() if "#" in line]


def value_for(flag: Flag, tmp: Path) -> tuple[str, Any]:
    """A command-line value for ``flag`` and what the halconfig should then hold."""
    if flag.ref:
        name = REFS[flag.ref]
        return name, [{flag.wrap: name}] if flag.wrap else ([name] if flag.kind == "list"
                                                            else name)
    if flag.file or flag.url_key:
        path = tmp / f"{flag.name}.txt"
        path.write_text("x")
        return str(path), [str(path)] if flag.kind == "list" else str(path)
    if flag.kind == "enum":
        return flag.choices[-1].lower(), flag.choices[-1]
    if flag.kind == "bool":
        return "true", True
    if flag.kind in ("int", "float"):
        return "7", 7 if flag.kind == "int" else 7.0
    if flag.kind == "list":
        return "a,b", [{flag.wrap: "a"}, {flag.wrap: "b"}] if flag.wrap else ["a", "b"]
    if flag.kind == "map":
        return "k=v", {"k": "v"}
    if "url" in flag.name:
        return f"https://{flag.name}.example.com", f"https://{flag.name}.example.com"
    return f"v-{flag.name}", f"v-{flag.name}"


def simple(flags: tuple[Flag, ...], verb: str) -> Flag | None:
    """A plain string flag of ``verb`` without side effects (for a one-key edit)."""
    return next((f for f in flags if f.kind == "str" and not (f.sets or f.url_key or f.ref
                                                              or f.file or f.secret)
                 and f.only in (None, verb)), None)


def put(data: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        data = data.setdefault(part, {})
    data[parts[-1]] = value


def node_of(dep: dict[str, Any], node: tuple[str, ...], create: bool) -> dict[str, Any]:
    cur = dep
    for key in node:
        cur = cur.setdefault(key, {}) if create else (cur.get(key) or {})
    return cur


class Run:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.text = (root / "config").read_text()

    def __call__(self, *args: str) -> tuple[str, str]:
        result = run_hal(*args, hal_dir=self.root)
        assert result.code == 0, (args, result.err)
        before, self.text = self.text, (self.root / "config").read_text()
        assert comments(self.text) == comments(before), args  # every comment kept
        return before, self.text

    @staticmethod
    def dep(text: str) -> dict[str, Any]:
        found: dict[str, Any] = yaml.safe_load(text)["deploymentConfigurations"][0]
        return found


def changed_lines(before: str, after: str) -> list[str]:
    return [line for _, removed, added in changes(before, after) for line in removed + added]


def removed_lines(before: str, after: str) -> list[str]:
    return [line for _, removed, _ in changes(before, after) for line in removed]


@pytest.fixture
def run(hal_dir: Path) -> Run:
    return Run(hal_dir)


@pytest.mark.parametrize("group", [g for g in groups() if g.enable], ids=lambda g: g.command)
def test_enable_disable(run: Run, group: Group) -> None:
    words = list(group.path)
    for state in (True, False):
        # an enabled login method must be complete (test_table_commands checks the refusal)
        before, after = run(*words, "enable" if state else "disable", "--no-validate")
        expected = copy.deepcopy(run.dep(before))
        node_of(expected, group.node, create=True)["enabled"] = state
        if group.parent_enabled:
            parent = node_of(expected, group.node[:-1], create=True)
            parent["enabled"] = any(isinstance(v, dict) and v.get("enabled") is True
                                    for v in parent.values())
        assert run.dep(after) == expected
        for line in changed_lines(before, after):
            assert "enabled:" in line or line.rstrip().endswith(":"), (group.command, line)


@pytest.mark.parametrize("group", [g for g in groups() if g.edit], ids=lambda g: g.command)
def test_node_edit_writes_the_flag_key(run: Run, group: Group, tmp_path: Path) -> None:
    flag = simple(group.edit, "edit") or group.edit[0]
    shown, stored = value_for(flag, tmp_path)
    before, after = run(*group.path, "edit", f"--{flag.name}", shown)
    expected = copy.deepcopy(run.dep(before))
    put(node_of(expected, group.node, create=True), flag.url_key if flag.url_key and
        shown.startswith("http") else flag.key, stored)
    assert run.dep(after) == expected
    leaf = flag.key.split(".")[-1]
    assert any(leaf in line for line in changed_lines(before, after))


@pytest.mark.parametrize("group", [g for g in groups() if g.items], ids=lambda g: g.command)
def test_items_add_edit_delete(run: Run, group: Group, tmp_path: Path) -> None:
    items = group.items
    assert items is not None
    base = [*group.path, *([items.noun] if items.noun else [])]
    args: list[str] = []
    written: dict[str, Any] = {}
    for flag in items.flags:
        if flag.required and flag.only in (None, "add"):
            shown, stored = value_for(flag, tmp_path)
            args += [f"--{flag.name}", shown]
            written[flag.key] = stored
    before, after = run(*base, "add", "it-new", *args)
    added = next(i for i in node_of(run.dep(after), group.node, create=False)[items.key]
                 if i.get("name") == "it-new")
    for key, value in written.items():
        cur: Any = added
        for part in key.split("."):
            cur = cur[part]
        assert cur == value, (group.command, key)
    for key, value in items.template:
        assert added[key] == value
    # pure insertion: at most an empty ``accounts: []`` opened up, no other line touched
    removed = removed_lines(before, after)
    assert all(line.rstrip().endswith(("[]", "{}")) for line in removed), removed
    assert len(after.splitlines()) > len(before.splitlines())

    one = simple(items.flags, "edit")
    if one is not None:
        before, after = run(*base, "edit", "it-new", f"--{one.name}", "changed")
        assert [ln.strip() for ln in changed_lines(before, after)
                if one.key.split(".")[-1] in ln][-1].endswith("changed")
        assert len(changed_lines(before, after)) <= 2 + one.key.count(".")

    listed = run_hal(*base, "list", hal_dir=run.root)
    assert "it-new" in listed.out
    before, after = run(*base, "delete", "it-new")
    remaining = node_of(run.dep(after), group.node, create=False).get(items.key) or []
    assert "it-new" not in [i.get("name") for i in remaining]
    assert "it-new" not in after
    assert len(after.splitlines()) < len(before.splitlines())
