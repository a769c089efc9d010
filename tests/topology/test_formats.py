"""The command: formats, files, secrets, errors."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from pyhalyard.render.topology import to_dot, topology_for
from tests.helpers import run_hal
from tests.topology.conftest import SECRET, MakeHal, plan_of
from tests.topology.mermaid import parse


@pytest.fixture
def ha_dir(make_hal: MakeHal) -> Path:
    return make_hal(clouddriver_ha=True, echo_ha=True, ro_deck=True, endpoints=True)


def test_mermaid_is_well_formed(ha_dir: Path) -> None:
    result = run_hal("deploy", "topology", hal_dir=ha_dir)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "graph TB"
    chart = parse(result.out)
    assert chart.unparsed == []
    declared = {ln.strip().split("(")[0].split("[")[0] for ln in lines
                if ln.startswith("  ") and "--" not in ln and not ln.strip().startswith(
                    ("class", "linkStyle"))} - {""}
    assert {n for edge in chart.edges for n in edge} <= declared
    assert "clouddriver-ro-deck" in chart.classes["split"]
    assert chart.classes["external"] == {"api", "deck"}


def test_dot_renders_with_graphviz(ha_dir: Path) -> None:
    result = run_hal("deploy", "topology", "--format", "dot", hal_dir=ha_dir)
    assert result.code == 0, result.err
    assert result.out.startswith("digraph spinnaker {")
    assert '"gate" -> "clouddriver-ro-deck" [label="deck"];' in result.out
    dot = shutil.which("dot")
    assert dot is not None, "graphviz must be installed (.ci/run installs it)"
    svg = subprocess.run([dot, "-Tsvg"], input=result.out, capture_output=True, text=True,
                         check=False)
    assert svg.returncode == 0, svg.stderr
    assert "<svg" in svg.stdout
    assert "Clouddriver-Read-Only-Deck" in html.unescape(svg.stdout)


def test_svg_format_and_output_file(ha_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "topology.svg"
    result = run_hal("deploy", "topology", "--format", "svg", "--output-file", str(target),
                     hal_dir=ha_dir)
    assert result.code == 0, result.err
    assert result.out.strip() == f"wrote svg topology to {target}"
    svg = target.read_text()
    assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
    assert "Echo-Scheduler" in html.unescape(svg)
    assert target.stat().st_mode & 0o777 == 0o644
    again = run_hal("deploy", "topology", "--format", "svg", hal_dir=ha_dir)
    assert again.out == svg


def test_missing_dot_is_a_clear_error(ha_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                      tmp_path: Path) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    target = tmp_path / "t.svg"
    result = run_hal("deploy", "topology", "--format", "svg", "--output-file", str(target),
                     hal_dir=ha_dir)
    assert result.code == 1
    assert result.err.startswith("error: --format svg needs Graphviz's 'dot'")
    assert "Traceback" not in result.err
    assert not target.exists()


def test_deterministic(ha_dir: Path) -> None:
    for fmt in ("mermaid", "dot", "svg"):
        first = run_hal("deploy", "topology", "--format", fmt, hal_dir=ha_dir)
        second = run_hal("deploy", "topology", "--format", fmt, hal_dir=ha_dir)
        assert first.code == 0 and first.out == second.out, fmt


def test_json_output_is_the_graph(ha_dir: Path) -> None:
    result = run_hal("deploy", "topology", "-o", "json", hal_dir=ha_dir)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert {"from": "orca", "to": "clouddriver-ro", "label": "readonly"} in data["edges"]
    assert {"id": "clouddriver-rw", "label": "Clouddriver-Read-Write", "kind": "split"} in \
        data["nodes"]


def test_passwords_never_in_any_output(ha_dir: Path, tmp_path: Path) -> None:
    runs = [run_hal("deploy", "topology", "--format", fmt, hal_dir=ha_dir)
            for fmt in ("mermaid", "dot", "svg")]
    runs += [run_hal("deploy", "topology", "-o", out, hal_dir=ha_dir) for out in ("json", "yaml")]
    for result in runs:
        assert result.code == 0, result.err
        assert SECRET not in result.out and SECRET not in result.err
        assert "redis://" not in result.out
    # the password is really in what the roles get, so the check above means something
    from pyhalyard.render.profiles import render_profiles

    rendered = render_profiles(plan_of(ha_dir))
    assert any(SECRET in text for text in rendered["clouddriver-rw"].values())
    assert SECRET not in to_dot(topology_for(plan_of(ha_dir)))


def test_unknown_format_is_a_usage_error(ha_dir: Path) -> None:
    result = run_hal("deploy", "topology", "--format", "png", hal_dir=ha_dir)
    assert result.code == 2
    assert "png" in result.err
