"""The rendered bundle: what ``hal deploy render`` writes and ``hal deploy apply`` applies.

Plain data, so the deploy stage can work from a freshly rendered bundle or from
one recorded in history without knowing how it was made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KubeObject = dict[str, Any]


@dataclass(frozen=True)
class ServiceBundle:
    """One service: its profiles (file name -> text) and its Kubernetes objects."""

    name: str
    profiles: dict[str, str]
    objects: tuple[KubeObject, ...]


@dataclass(frozen=True)
class Bundle:
    namespace: str
    version: str
    # Objects that belong to no single service: the Namespace, and the Secrets of
    # required files and AWS credentials (shared by the roles of a split).
    shared: tuple[KubeObject, ...]
    services: dict[str, ServiceBundle] = field(default_factory=dict)

    def objects(self) -> list[KubeObject]:
        out = list(self.shared)
        for name in sorted(self.services):
            out.extend(self.services[name].objects)
        return out
