"""README.md shows the example's diagram exactly as the command draws it."""

from __future__ import annotations

from tests.helpers import REPO
from tests.topology.mermaid import parse
from tests.topology.update_readme import BEGIN, current_block, example_mermaid, readme_block


def test_readme_block_is_current() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    expected = readme_block(example_mermaid())
    found = current_block(readme)
    assert found is not None, (f"README.md has no {BEGIN} block; run "
                               "`python -m tests.topology.update_readme`")
    assert found == expected, "README.md's diagram is stale; run " \
                              "`python -m tests.topology.update_readme`"


def test_example_diagram_shows_both_splits() -> None:
    chart = parse(example_mermaid())
    assert chart.unparsed == []
    assert {("orca", "clouddriver-rw"), ("gate", "clouddriver-ro"), ("igor", "echo-worker"),
            ("deck", "gate")} <= chart.edges
    assert "example-secret" not in example_mermaid()
