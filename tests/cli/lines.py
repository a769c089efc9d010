"""The "only intended lines" toolkit: edit tests state the exact lines an edit changes in
a fixture config, by content rather than by line number, so a fixture can grow without
rewriting every expectation.  One instance of :class:`Lines` per fixture text."""

from __future__ import annotations

import difflib

# (first line index in the text before, removed lines, added lines) of one changed block.
Change = tuple[int, list[str], list[str]]


def changes(before: str, after: str) -> list[Change]:
    """Every changed block between two texts, line-wise, as :data:`Change` tuples."""
    a, b = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    return [(i1, a[i1:i2], b[j1:j2])
            for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


class Lines:
    """Finds lines of one fixture text and spells the :data:`Change` an edit should make."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines()

    def at(self, target: str, after: str = "", start: int = 0) -> int:
        """Index of the first line equal to ``target`` at or below ``start``, and below the
        first line there containing ``after`` when given (to tell repeated lines apart)."""
        lines = self.lines
        if after:
            start = next(i for i in range(start, len(lines)) if after in lines[i])
        return next(i for i in range(start, len(lines)) if lines[i] == target)

    def swap(self, old: str, new: str, after: str = "", start: int = 0) -> Change:
        """The one line ``old`` replaced by ``new``."""
        return self.at(old, after, start), [old], [new]

    def insert_before(self, anchor: str, new: list[str], after: str = "",
                      start: int = 0) -> Change:
        """``new`` lines inserted just above the line ``anchor``."""
        return self.at(anchor, after, start), [], new
