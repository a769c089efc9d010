"""Rules about the local files the halconfig names (required_files.py).

Run before generate, render and apply (and by ``hal config validate``), never on
an edit: they read files.  The render modules are imported inside the rules so a
``hal config`` edit never loads them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from pyhalyard.pipeline import Loaded, plan
from pyhalyard.validate.problem import Problem, Severity

if TYPE_CHECKING:
    from pyhalyard.required_files import Reference

def _required(loaded: Loaded) -> tuple[Reference, ...]:
    """The files the plan needs (pipeline.plan builds it once for validate and render)."""
    return plan(loaded).required


def required_files_readable(loaded: Loaded) -> Iterator[Problem]:
    """Every named file exists, is a readable regular file that fits in a Secret, and is
    valid for its field (a kubeconfig is a kubeconfig); one ERROR per field."""
    from pyhalyard.render.dependencies import load

    required = _required(loaded)
    if not required:
        return
    for problem in load(loaded.deployment.raw, required, loaded.deployment.name).problems:
        yield Problem(Severity.ERROR, problem.field, f"{problem.path}: {problem.message}",
                      "fix the path (relative paths are under the hal folder) or the file")


def kubeconfig_defaults(loaded: Loaded) -> Iterator[Problem]:
    """KubernetesAccount.getKubeconfigFile(): no file and no service account means the
    Halyard host's ``~/.kube/config`` -- say so, it is rarely what the user meant."""
    for ref in _required(loaded):
        if ref.defaulted:
            account = ref.field.rsplit(".", 1)[0]
            yield Problem(Severity.WARNING, account,
                          f"sets neither kubeconfigFile nor serviceAccount: true, so (as with "
                          f"Halyard) clouddriver gets this machine's {ref.host_path}",
                          "hal config provider kubernetes account edit NAME "
                          "--kubeconfig-file FILE (or --service-account true)")
