"""Regenerate README.md's topology diagram from the bundled example.

    python -m tests.topology.update_readme [README.md]

The block between the markers is exactly what ``hal --hal-dir examples/hal deploy
topology --format mermaid`` prints, fenced as a mermaid code block; the test in
test_readme_diagram.py fails whenever README.md and the command disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.helpers import EXAMPLES, REPO, run_hal

BEGIN = "<!-- topology:begin -->"
END = "<!-- topology:end -->"


def example_mermaid() -> str:
    result = run_hal("deploy", "topology", "--format", "mermaid", hal_dir=EXAMPLES / "hal")
    if result.code != 0:
        raise RuntimeError(f"hal deploy topology failed ({result.code}): {result.err}")
    return result.out


def readme_block(mermaid: str) -> str:
    """The markers and the fenced diagram between them."""
    return f"{BEGIN}\n```mermaid\n{mermaid.rstrip(chr(10))}\n```\n{END}"


def current_block(readme: str) -> str | None:
    start = readme.find(BEGIN)
    end = readme.find(END, start + 1)
    if start < 0 or end < 0:
        return None
    return readme[start:end + len(END)]


def update(path: Path) -> bool:
    """Replace the block (or append it); True when the file changed."""
    text = path.read_text(encoding="utf-8")
    block = readme_block(example_mermaid())
    old = current_block(text)
    new = text.replace(old, block) if old is not None else text.rstrip("\n") + "\n\n" + block + "\n"
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else REPO / "README.md"
    changed = update(path)
    print(f"{path}: {'updated' if changed else 'already current'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
