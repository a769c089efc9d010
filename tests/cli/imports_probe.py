"""Which modules one ``hal`` command imports, run in a fresh interpreter: ``hal config``
edits must stay fast, so heavy libraries load only in the commands that use them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

# Packages an edit command must never import.
FORBIDDEN = ("rich", "redis", "lightkube", "pydantic", "kubernetes_validate", "pyhalyard.render",
             "pyhalyard.deploy")

_CHILD = """
import json, sys
from pyhalyard.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def imports_of(hal_dir: Path, *args: str) -> tuple[int, list[str], str]:
    """Run ``hal --hal-dir HAL_DIR -q ARGS``: its exit code, every module loaded, stderr."""
    proc = subprocess.run([sys.executable, "-c", _CHILD, "--hal-dir", str(hal_dir), "-q", *args],
                          capture_output=True, text=True, check=True)
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    return report["code"], report["modules"], proc.stderr


def heavy(modules: Iterable[str]) -> list[str]:
    """The modules of ``modules`` that belong to a :data:`FORBIDDEN` package."""
    return [m for m in modules if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)]
