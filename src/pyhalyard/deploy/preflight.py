"""Before the first write: is the server new enough, and may this account do the deploy?

Both questions are cheap to ask and expensive to learn halfway through a deploy.
A server below 1.21 has no ``policy/v1`` (PodDisruptionBudgets) and answers an
opaque 404; the role spinnaker.io documented for Halyard has no ``policy`` group
at all, so the first PodDisruptionBudget fails with 403 after Secrets and
Services have been written.  The server is asked once for its version and, by
SelfSubjectAccessReview, about every verb on every resource this deploy will
use; everything missing comes back in one message with the rules to add.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from pyhalyard.errors import HalError

MIN_VERSION = (1, 21)
# kind -> (API group, resource): what the RBAC rules name.
RESOURCES = {
    "Namespace": ("", "namespaces"),
    "Secret": ("", "secrets"),
    "Service": ("", "services"),
    "Deployment": ("apps", "deployments"),
    "ReplicaSet": ("apps", "replicasets"),
    "PodDisruptionBudget": ("policy", "poddisruptionbudgets"),
}


class Server(Protocol):
    def server_version(self) -> dict[str, object]: ...

    def access_review(self, verb: str, group: str, resource: str, namespace: str | None,
                      name: str | None = None) -> tuple[bool, str]: ...


@dataclass(frozen=True, order=True)
class Access:
    group: str
    resource: str
    verb: str
    namespace: str | None
    name: str | None = None

    @property
    def qualified(self) -> str:
        return f"{self.resource}.{self.group}" if self.group else self.resource


def _number(value: object) -> int | None:
    match = re.match(r"\d+", str(value or ""))
    return int(match.group()) if match else None


def server_version(data: dict[str, object]) -> tuple[int, int, str]:
    """(major, minor, gitVersion); managed clusters report minor as e.g. ``"27+"``."""
    git = str(data.get("gitVersion") or "")
    major, minor = _number(data.get("major")), _number(data.get("minor"))
    if major is None or minor is None:
        found = re.match(r"v?(\d+)\.(\d+)", git)
        if found is None:
            raise HalError(f"the API server reported no usable version ({data!r})")
        major, minor = int(found.group(1)), int(found.group(2))
    return major, minor, git or f"v{major}.{minor}"


def check_version(server: Server) -> tuple[int, int]:
    """Refuse servers older than 1.21 (no policy/v1 PodDisruptionBudget, no immutable
    Secrets); every field pyhalyard renders is served from 1.21 on."""
    major, minor, git = server_version(server.server_version())
    if (major, minor) < MIN_VERSION:
        raise HalError(
            f"the cluster runs Kubernetes {git}; pyhalyard needs {MIN_VERSION[0]}."
            f"{MIN_VERSION[1]} or newer (PodDisruptionBudget policy/v1, immutable Secrets). "
            "Upgrade the cluster, or deploy this Spinnaker with Halyard")
    return major, minor


def needed(namespace: str, *, apply_kinds: Iterable[str], delete_kinds: Iterable[str],
           namespace_verbs: Iterable[str] = ()) -> list[Access]:
    """Every (resource, verb) the deploy will use, as RBAC names them.  Reading the
    Namespace is not required (an account that may not is left the namespace as it is);
    ``namespace_verbs`` are the writes the deploy makes to it (create, patch)."""
    wanted: set[Access] = set()

    def add(kind: str, *verbs: str) -> None:
        group, resource = RESOURCES[kind]
        wanted.update(Access(group, resource, verb, namespace) for verb in verbs)

    for kind in set(apply_kinds):
        add(kind, "get", "create", "patch")
    add("Deployment", "get", "list")  # rollout status, running services
    add("ReplicaSet", "list")  # config Secrets old revisions still mount
    add("Secret", "list", "delete")  # unused config Secrets
    for kind in set(delete_kinds):
        add(kind, "list", "delete")
    group, resource = RESOURCES["Namespace"]
    wanted.update(Access(group, resource, verb, None, namespace) for verb in namespace_verbs)
    return sorted(wanted, key=lambda a: (a.group, a.resource, a.verb, a.namespace or ""))


def missing_access(server: Server, wanted: Sequence[Access]) -> list[Access]:
    return [a for a in wanted
            if not server.access_review(a.verb, a.group, a.resource, a.namespace, a.name)[0]]


def access_message(account: str, missing: Sequence[Access]) -> str:
    """One message: what is missing, and the Role rules that grant it."""
    lines = [f"account '{account}' may not do everything this deploy needs "
             f"({len(missing)} permission{'s' if len(missing) != 1 else ''} missing):"]
    for a in missing:
        where = f"in namespace {a.namespace}" if a.namespace else "cluster-wide"
        lines.append(f"  {a.verb} {a.qualified} {where}")
    lines.append("Add these rules to the account's Role (or ClusterRole) and rerun:")
    rules: dict[tuple[str, str], list[str]] = {}
    for a in missing:
        rules.setdefault((a.group, a.resource), []).append(a.verb)
    for (group, resource), verbs in sorted(rules.items()):
        lines.append(f'  - apiGroups: ["{group}"]')
        lines.append(f'    resources: ["{resource}"]')
        quoted = ", ".join(f'"{verb}"' for verb in sorted(set(verbs)))
        lines.append(f"    verbs: [{quoted}]")
    return "\n".join(lines)
