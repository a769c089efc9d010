"""A golden copy of examples/hal's rendered objects, on top of the targeted assertions.

Profile contents belong to the profile renderers and have their own tests, so the golden
keeps each config Secret's keys but not its values, and writes content hashes as <hash>.
Regenerate after a deliberate change with ``PYHALYARD_UPDATE_GOLDEN=1 pytest <this file>``
and review the diff.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path

from pyhalyard.render.bundle import Bundle
from pyhalyard.render.output import dump_object

GOLDEN = Path(__file__).resolve().parent / "golden" / "examples-hal.yaml"
_HASH = re.compile(r"(-files-)[0-9a-f]{10}\b")


def normalized(bundle: Bundle) -> str:
    docs = []
    for obj in bundle.objects():
        obj = copy.deepcopy(obj)
        if obj["kind"] == "Secret":
            obj["data"] = {key: "<value>" for key in obj["data"]}
        docs.append(dump_object(obj))
    return _HASH.sub(r"\1<hash>", "---\n".join(docs))


def test_examples_match_the_golden_file(bundles: dict[str, Bundle]) -> None:
    text = normalized(bundles["examples"])
    if os.environ.get("PYHALYARD_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text)
    assert GOLDEN.read_text() == text


def test_golden_file_is_not_trivial() -> None:
    text = GOLDEN.read_text()
    assert text.count("kind: Deployment") == 14
    assert "spin-clouddriver-ro-files-<hash>" in text
    assert "example-secret" not in text
