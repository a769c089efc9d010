"""``hal version list|latest|bom`` and the release check of ``hal config version edit``.

Halyard's commands followed: halyard-cli ...command/v1/versions/{List,Latest,Bom}
VersionCommand.java (bom: main parameter VERSION, default the configured version,
``--artifact-name``, YAML unless -o says otherwise) and config/EditVersionCommand.java.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from pyhalyard.releases import table
from tests.cli.conftest import Hal, deployment

LEGACY = "us-docker.pkg.dev/spinnaker-community/docker"


def test_latest_quiet_is_one_line_usable_in_command_substitution(tmp_path: Path) -> None:
    """The documented idiom `hal config version edit --version $(hal version latest -q)`."""
    hal = [sys.executable, "-m", "pyhalyard"]
    env = {**os.environ, "HAL_DIR": str(tmp_path / "hal")}
    latest = subprocess.run([*hal, "version", "latest", "-q"], capture_output=True, text=True,
                            env=env, check=False)
    assert latest.returncode == 0 and latest.stderr == ""
    assert latest.stdout == table().latest().version + "\n"
    script = f'{" ".join(hal)} config version edit --version "$({" ".join(hal)} version latest -q)"'
    done = subprocess.run(["sh", "-c", script], capture_output=True, text=True, env=env,
                          check=False)
    assert done.returncode == 0, done.stderr
    config = yaml.safe_load((tmp_path / "hal" / "config").read_text())
    assert config["deploymentConfigurations"][0]["version"] == table().latest().version


def test_latest_human_and_json(hal: Hal) -> None:
    newest = table().latest()
    assert hal("version", "latest").out == (
        f"Latest Spinnaker release: {newest.version} ({newest.date})\n")
    assert json.loads(hal("version", "latest", "-o", "json").out)["version"] == newest.version


def test_list_is_newest_first_and_marks_the_configured_release(hal: Hal) -> None:
    result = hal("version", "list")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "You are on version 1.30.1; the releases are:"
    versions = [line[2:].split()[0] for line in lines[1:]]
    assert versions[0] == table().latest().version
    assert versions.index("1.30.1") < versions.index("1.30.0") < versions.index("1.29.7")
    assert versions.index("2025.0.0") < versions.index("1.38.0")
    marked = [line for line in lines[1:] if line.startswith("*")]
    assert len(marked) == 1 and marked[0].split()[1] == "1.30.1"
    rows = json.loads(hal("version", "list", "-o", "json").out)
    assert [r["version"] for r in rows] == versions
    assert [r["version"] for r in rows if r["configured"]] == ["1.30.1"]
    assert {r["images"] for r in rows} == {"table", "release", "needs a BOM"}


def test_list_without_a_config_marks_nothing(hal_empty: Hal) -> None:
    result = hal_empty("version", "list")
    assert result.code == 0 and "*" not in result.out
    assert not (hal_empty.root / "config").exists()


def test_bom_of_a_release_in_halyards_layout(hal_empty: Hal) -> None:
    result = hal_empty("version", "bom", "1.30.1")
    assert result.code == 0, result.err
    bom = yaml.safe_load(result.out)
    assert bom["version"] == "1.30.1"
    assert bom["services"]["clouddriver"] == {"version": "5.80.1"}
    assert bom["services"]["deck"] == {"version": "3.13.0"}
    assert bom["dependencies"]["redis"] == {"version": "2:2.8.4-2"}
    assert bom["artifactSources"] == {"dockerRegistry": LEGACY}
    as_json = json.loads(hal_empty("version", "bom", "1.30.1", "-o", "json").out)
    assert as_json == bom
    assert hal_empty("version", "bom", "1.30.1", "--artifact-name", "orca").out == "8.31.1\n"


def test_bom_defaults_to_the_configured_version_and_reads_the_hal_dir(hal: Hal) -> None:
    assert yaml.safe_load(hal("version", "bom").out)["version"] == "1.30.1"
    cached = hal.root / ".boms" / "bom" / "1.30.1.yml"
    cached.parent.mkdir(parents=True)
    cached.write_text(yaml.safe_dump({"version": "1.30.1", "services": {
        "clouddriver": {"version": "5.80.1-patched"}},
        "artifactSources": {"dockerRegistry": "mirror.example.com/x"}}))
    bom = yaml.safe_load(hal("version", "bom").out)
    assert bom["services"] == {"clouddriver": {"version": "5.80.1-patched"}}
    assert bom["artifactSources"]["dockerRegistry"] == "mirror.example.com/x"
    assert hal("version", "bom", "local:1.30.1", "--artifact-name", "clouddriver").out == (
        "5.80.1-patched\n")


def test_bom_of_a_2025_release_tags_every_service_with_it(hal_empty: Hal) -> None:
    bom = yaml.safe_load(hal_empty("version", "bom", "2025.3.2").out)
    assert bom["services"] == {name: {"version": "2025.3.2"} for name in (
        "clouddriver", "deck", "echo", "fiat", "front50", "gate", "igor", "kayenta", "orca",
        "rosco")}
    ghcr = yaml.safe_load(hal_empty("version", "bom", "2026.1.0").out)
    assert ghcr["artifactSources"]["dockerRegistry"] == "ghcr.io/spinnaker"


def test_bom_errors_are_one_line(hal_empty: Hal) -> None:
    unknown = hal_empty("version", "bom", "1.18.2")
    assert unknown.code == 1 and unknown.out == ""
    assert unknown.err.startswith("error: no image tags known for Spinnaker version '1.18.2'")
    nothing = hal_empty("version", "bom")
    assert nothing.code == 1 and "no VERSION given and no version configured" in nothing.err
    missing = hal_empty("version", "bom", "1.30.1", "--artifact-name", "keel")
    assert missing.code == 1 and "has no version for 'keel'" in missing.err
    assert "Traceback" not in unknown.err + nothing.err + missing.err


# ------------------------------------------------------------------ config version edit
def test_edit_refuses_an_unknown_release_and_leaves_the_file(hal: Hal) -> None:
    before = hal.bytes()
    result = hal("config", "version", "edit", "--version", "1.30.99")
    assert result.code == 1
    assert "'1.30.99' is not a Spinnaker release pyhalyard knows" in result.err
    assert "--no-validate" in result.err and "Traceback" not in result.err
    assert hal.bytes() == before
    forced = hal("config", "version", "edit", "--version", "1.30.99", "--no-validate")
    assert forced.code == 0 and deployment(hal)["version"] == "1.30.99"


def test_edit_accepts_releases_local_and_cached_boms(hal: Hal) -> None:
    for version in ("1.26.7", "2025.0.0", "local:1.28.1", table().latest().version):
        result = hal("config", "version", "edit", "--version", version)
        assert result.code == 0, (version, result.err)
        assert deployment(hal)["version"] == version
    own = hal.root / ".boms" / "bom" / "1.99.0-custom.yml"
    own.parent.mkdir(parents=True)
    own.write_text("version: 1.99.0-custom\nservices: {}\n")
    assert hal("config", "version", "edit", "--version", "local:1.99.0-custom").code == 0


def test_edit_accepts_a_calver_release_newer_than_the_table(hal: Hal) -> None:
    result = hal("config", "version", "edit", "--version", "2099.1.0")
    assert result.code == 0 and deployment(hal)["version"] == "2099.1.0"
    assert "newer than every release pyhalyard's table knows" in result.err
    before = hal.bytes()
    older = hal("config", "version", "edit", "--version", "2025.0.99")  # inside the table
    assert older.code == 1 and hal.bytes() == before


def test_edit_warns_when_a_release_needs_a_bom(hal: Hal) -> None:
    result = hal("config", "version", "edit", "--version", "1.20.5")
    assert result.code == 0 and deployment(hal)["version"] == "1.20.5"
    assert "1.20.5's image tags are not bundled" in result.err
    assert str(hal.root / ".boms" / "bom" / "1.20.5.yml") in result.err
