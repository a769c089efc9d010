"""History of applied bundles: numbering, file modes, merge of partial applies, bad files."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from pyhalyard.deploy import history
from pyhalyard.errors import ConfigError, HalError
from pyhalyard.halconfig.paths import DeploymentPaths
from pyhalyard.render.bundle import Bundle, ServiceBundle


def bundle(version: str, *names: str) -> Bundle:
    services = {n: ServiceBundle(n, {f"{n}.yml": f"v: {version}\n"}, (
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": f"spin-{n}-files-{version}"},
         "data": {f"{n}.yml": "eA=="}},)) for n in names}
    return Bundle("spinnaker", version, ({"kind": "Namespace"},), services)


def test_record_numbers_and_round_trips(tmp_path: Path) -> None:
    paths = DeploymentPaths(tmp_path / "default")
    assert history.latest(paths) is None
    first = bundle("1", "gate", "orca")
    assert history.record(paths, first) == 1
    assert history.record(paths, bundle("2", "gate")) == 2
    assert history.numbers(paths) == [1, 2]
    assert history.load(paths, 1) == first
    number, latest = history.latest(paths)  # type: ignore[misc]
    assert number == 2 and latest.version == "2"
    entry = paths.history / "1"
    assert stat.S_IMODE(entry.stat().st_mode) == 0o700
    assert stat.S_IMODE((entry / "bundle.json").stat().st_mode) == 0o600
    assert stat.S_IMODE(paths.history.stat().st_mode) == 0o700


def test_only_the_newest_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history, "KEEP", 3)
    paths = DeploymentPaths(tmp_path / "default")
    for i in range(5):
        history.record(paths, bundle(str(i), "gate"))
    assert history.numbers(paths) == [3, 4, 5]
    assert not any(p.name.startswith(".new") for p in paths.history.iterdir())


def test_bad_entries_are_reported_with_the_file(tmp_path: Path) -> None:
    paths = DeploymentPaths(tmp_path / "default")
    history.record(paths, bundle("1", "gate"))
    (paths.history / "1" / "bundle.json").write_text("{not json")
    with pytest.raises(ConfigError, match=r"history/1/bundle.json:1:2"):
        history.load(paths, 1)
    (paths.history / "1" / "bundle.json").write_text('{"format": 1}')
    with pytest.raises(ConfigError, match="not a recorded bundle"):
        history.load(paths, 1)
    with pytest.raises(HalError, match=r"no applied bundle number 7 .*recorded: 1"):
        history.load(paths, 7)


def test_partial_apply_keeps_the_rest_of_the_previous_bundle() -> None:
    old = bundle("1", "gate", "orca", "kayenta")
    new = bundle("2", "gate", "orca")
    merged = history.merged(old, new, {"gate"})
    assert merged.services["gate"] == new.services["gate"]
    assert merged.services["orca"] == old.services["orca"]
    assert "kayenta" in merged.services
    pruned = history.merged(old, new, None, removed={"kayenta"})
    assert set(pruned.services) == {"gate", "orca"}
