"""Shared test helpers: run ``hal`` in-process exactly as the console script does."""

from __future__ import annotations

import contextlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pyhalyard.cli.main import main

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
REALWORLD = SHARED / "realworld" / "opsmx-standard-gitops-halyard"
EXAMPLES = REPO / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def shared(relative: str) -> Path:
    """A file or folder of ``../shared``, or a skip of the calling test where it is absent.

    ``../shared`` (the real team's ``~/.hal``, the seed document) lies beside this project's
    own checkouts only; a user's clone has none, and its test run must still pass.
    """
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} is absent: ../shared lies beside this project's own checkouts, "
                    "not beside a clone", allow_module_level=True)
    return path


def realworld() -> Path:
    """The real team's ``~/.hal`` (Halyard wrote it), or a skip where ``../shared`` is absent."""
    return shared(str(REALWORLD.relative_to(SHARED)))


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_hal(*args: str, hal_dir: Path | None = None) -> Result:
    argv = (["--hal-dir", str(hal_dir)] if hal_dir is not None else []) + list(args)
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return Result(code, out.getvalue(), err.getvalue())


def deck_settings_object(js: str) -> dict[str, Any]:
    """The object literal a generated ``settings.js`` assigns to ``window.spinnakerSettings``
    (written in JSON syntax), parsed: tests assert values, not substrings."""
    from pyhalyard.render.profiles.deck import SETTINGS_OBJECT

    start = js.index(SETTINGS_OBJECT) + len(SETTINGS_OBJECT)
    value, end = json.JSONDecoder().raw_decode(js, start)
    assert js[end:].strip() == ";"
    assert isinstance(value, dict)
    return value


# Where Halyard staged the files the config names, inside every pod (issue 10).
STAGED = "/home/spinnaker/.hal/default/staging/dependencies/"


def is_staged(path: object, name: str) -> bool:
    """``path`` is Halyard's in-pod name of a shipped file called ``name``:
    ``<STAGED><abs(Java hash of the host path)>-<name>``."""
    return (isinstance(path, str) and path.startswith(STAGED)
            and re.fullmatch(r"\d+-" + re.escape(name), path[len(STAGED):]) is not None)


def home_with_kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                         kubeconfig: bytes) -> Path:
    """A fresh $HOME whose ``~/.kube/config`` holds ``kubeconfig``: what an account with
    neither ``kubeconfigFile`` nor ``serviceAccount`` ships (Halyard's default)."""
    home = tmp_path / "home"
    (home / ".kube").mkdir(parents=True)
    (home / ".kube" / "config").write_bytes(kubeconfig)
    monkeypatch.setenv("HOME", str(home))
    return home
