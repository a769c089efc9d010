"""The API server DOUBLE's server-side-apply engine: a client for ``tests/deploy/smd/main.go``.

Field ownership, merging by list keys, pruning of fields an applier stopped sending, and
conflicts are computed by the real ``sigs.k8s.io/structured-merge-diff/v4`` library (the code
kube-apiserver runs), in a small Go helper built by ``.ci/build-smd-helper`` on first use and
kept running for the whole test process (one JSON request per line).  This module only starts
it, sends requests and turns its answers into Python values.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import threading
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
SMD_DIR = Path(__file__).resolve().parent / "smd"
SCHEMA = SMD_DIR / "schema.yaml"
BUILD_SCRIPT = REPO / ".ci" / "build-smd-helper"

# kind -> (schema type name, apiVersion)
TYPES: dict[str, tuple[str, str]] = {
    "Namespace": ("io.k8s.api.core.v1.Namespace", "v1"),
    "Secret": ("io.k8s.api.core.v1.Secret", "v1"),
    "Service": ("io.k8s.api.core.v1.Service", "v1"),
    "Deployment": ("io.k8s.api.apps.v1.Deployment", "apps/v1"),
    "ReplicaSet": ("io.k8s.api.apps.v1.ReplicaSet", "apps/v1"),
    "PodDisruptionBudget": ("io.k8s.api.policy.v1.PodDisruptionBudget", "policy/v1"),
}


def zero_object(kind: str) -> dict[str, Any]:
    """The empty object a create starts from.

    The API server compares a create against ``objectCreater.New(gvk)`` converted to
    unstructured (``skipnonapplied.go``, ``structuredmerge.go``): its non-pointer structs
    (``spec``, ``spec.strategy``, ``spec.template``) exist as empty maps, so they are not
    "added" and never become members of a create's field set (no ``.`` under ``f:spec``).
    """
    zero: dict[str, Any] = {"metadata": {}}
    if kind in ("Namespace", "Service", "PodDisruptionBudget"):
        zero["spec"] = {}
    if kind == "Deployment":
        zero["spec"] = {"strategy": {}, "template": {"metadata": {}, "spec": {}}}
    if kind == "ReplicaSet":
        zero["spec"] = {"template": {"metadata": {}, "spec": {}}}
    return zero


class SmdError(Exception):
    """An answer with ``error``; kind: conflict | typed | managedFields | internal."""

    def __init__(self, kind: str, message: str, causes: list[dict[str, str]]) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.causes = causes


class SmdUnavailable(RuntimeError):
    """The helper cannot be built here (no Go toolchain / SMD sources)."""


def helper_binary() -> Path:
    """Build (or find the cached) helper; the build script caches by source hash."""
    env_path = os.environ.get("PYHALYARD_SMD_HELPER")
    if env_path:
        return Path(env_path)
    try:
        done = subprocess.run([str(BUILD_SCRIPT)], capture_output=True, text=True, check=False,
                              timeout=600)
    except OSError as exc:
        raise SmdUnavailable(f"cannot run {BUILD_SCRIPT}: {exc}") from None
    if done.returncode != 0:
        raise SmdUnavailable(f"{BUILD_SCRIPT} failed: {done.stderr.strip()[-2000:]}")
    return Path(done.stdout.strip().splitlines()[-1])


class SmdEngine:
    """One running helper process; calls are serialised (the double holds its lock anyway)."""

    _shared: SmdEngine | None = None
    _shared_lock = threading.Lock()

    def __init__(self, binary: Path) -> None:
        self._proc = subprocess.Popen([str(binary), str(SCHEMA)], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE)
        self._lock = threading.Lock()
        atexit.register(self.close)

    @classmethod
    def shared(cls) -> SmdEngine:
        with cls._shared_lock:
            if cls._shared is None or cls._shared._proc.poll() is not None:
                cls._shared = cls(helper_binary())
            return cls._shared

    def close(self) -> None:
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            self._proc.wait(timeout=5)

    def call(self, request: dict[str, Any]) -> dict[str, Any]:
        line = json.dumps(request, separators=(",", ":")).encode() + b"\n"
        with self._lock:
            assert self._proc.stdin is not None and self._proc.stdout is not None
            self._proc.stdin.write(line)
            self._proc.stdin.flush()
            answer = self._proc.stdout.readline()
        if not answer:
            raise RuntimeError("smd-helper exited")
        result: dict[str, Any] = json.loads(answer)
        error = result.get("error")
        if error:
            raise SmdError(error["kind"], error["message"], error.get("causes") or [])
        return result

    # ------------------------------------------------------------ operations
    def apply(self, kind: str, live: dict[str, Any] | None, config: dict[str, Any],
              managed_fields: list[dict[str, Any]], manager: str, force: bool,
              time: str) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        """Server-side apply; (merged object or None when nothing changed, managedFields)."""
        type_name, version = TYPES[kind]
        result = self.call({"op": "apply", "type": type_name, "apiVersion": version,
                            "live": live if live is not None else zero_object(kind),
                            "object": config, "managedFields": managed_fields,
                            "manager": manager, "force": force, "time": time,
                            "create": live is None})
        return result.get("object"), list(result.get("managedFields") or [])

    def update(self, kind: str, live: dict[str, Any] | None, new: dict[str, Any],
               managed_fields: list[dict[str, Any]], manager: str,
               time: str) -> list[dict[str, Any]]:
        """A non-apply write (create, update, patch): the managedFields after it."""
        type_name, version = TYPES[kind]
        result = self.call({"op": "update", "type": type_name, "apiVersion": version,
                            "live": live if live is not None else zero_object(kind),
                            "object": new, "managedFields": managed_fields,
                            "manager": manager, "time": time, "create": live is None})
        return list(result.get("managedFields") or [])

    def check(self, kind: str, obj: dict[str, Any]) -> None:
        """Typed conversion only: raises SmdError('typed') for a field not in the schema."""
        type_name, version = TYPES[kind]
        self.call({"op": "check", "type": type_name, "apiVersion": version, "object": obj,
                   "managedFields": []})
