"""Kubernetes naming rules pyhalyard checks before anything reaches a cluster."""

from __future__ import annotations

import re

# RFC 1123 label: namespaces, Service names, most object names.
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_LABEL_MAX = 63


def is_dns_label(name: object) -> bool:
    return isinstance(name, str) and len(name) <= DNS_LABEL_MAX and bool(_DNS_LABEL.match(name))


NAMESPACE_RULE = "lowercase letters, digits and '-', starting and ending alphanumeric, at most 63"
