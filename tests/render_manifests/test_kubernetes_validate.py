"""Every rendered object, read back from the written folder, passes kubernetes-validate in
strict mode (unknown fields rejected) for Kubernetes 1.29 and 1.33; a kind without a schema
is an error too."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from pyhalyard.render.output import KUSTOMIZATION
from tests.render_manifests.configs import ALL_CONFIGS

VERSIONS = ("1.29", "1.33")


def objects_in(folder: Path) -> list[dict[str, Any]]:
    return [yaml.safe_load(p.read_text()) for p in sorted(folder.glob("*.yaml"))
            if p.name != KUSTOMIZATION]


def problems(obj: dict[str, Any], version: str) -> list[str]:
    where = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
    try:
        kubernetes_validate.validate(obj, version, strict=True)
    except kubernetes_validate.ValidationError as exc:
        path = ".".join(str(p) for p in exc.path)
        return [f"{where}: {path}: {exc.message}"]
    except (kubernetes_validate.SchemaNotFoundError,
            kubernetes_validate.InvalidSchemaError) as exc:
        return [f"{where}: {exc.message}"]
    return []


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("config", ALL_CONFIGS)
def test_every_object_validates_strictly(folders: dict[str, Path], config: str,
                                         version: str) -> None:
    objects = objects_in(folders[config])
    kinds = {o["kind"] for o in objects}
    assert {"Namespace", "Secret", "Service", "Deployment"} <= kinds
    found = [msg for obj in objects for msg in problems(obj, version)]
    assert found == []


@pytest.mark.parametrize("version", VERSIONS)
def test_strict_mode_really_rejects_unknown_fields(folders: dict[str, Path],
                                                   version: str) -> None:
    deployment = next(o for o in objects_in(folders["examples"]) if o["kind"] == "Deployment")
    broken = copy.deepcopy(deployment)
    broken["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = "Always"
    assert problems(deployment, version) == []
    assert problems(broken, version) != []


def test_pdbs_and_spread_are_validated_too(folders: dict[str, Path]) -> None:
    kinds = {o["kind"] for o in objects_in(folders["examples"])}
    assert "PodDisruptionBudget" in kinds
