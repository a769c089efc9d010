"""Kubernetes resource quantities (``500m``, ``2Gi``, ``1.5``, ``1e3``).

Checked here, before anything is rendered, because the API server rejects a whole
Deployment for one malformed quantity and only after the rollout has begun.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

# The grammar of k8s.io/apimachinery resource.Quantity: a signed decimal number followed by a
# binary-SI suffix, a decimal-SI suffix (n, u, m, "", k, M, G, T, P, E) or a decimal exponent.
_QUANTITY = re.compile(
    r"^(?P<sign>[+-]?)(?:\d+(?:\.\d*)?|\.\d+)"
    r"(?:Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$"
)


def quantity_problem(value: Any) -> str | None:
    """Why ``value`` is not a usable resource quantity, or None when it is."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return f"expected a quantity such as 500m or 2Gi, got {value!r}"
    text = str(value).strip()
    match = _QUANTITY.match(text)
    if match is None:
        return (f"'{text}' is not a Kubernetes quantity "
                "(a number with an optional suffix: m, k, M, G, Ki, Mi, Gi, ...)")
    if match["sign"] == "-":
        return f"'{text}' is negative; resources must not be negative"
    return None


_SUFFIX: dict[str, Decimal] = {
    "": Decimal(1), "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"),
    "k": Decimal(10) ** 3, "M": Decimal(10) ** 6, "G": Decimal(10) ** 9, "T": Decimal(10) ** 12,
    "P": Decimal(10) ** 15, "E": Decimal(10) ** 18,
    "Ki": Decimal(2) ** 10, "Mi": Decimal(2) ** 20, "Gi": Decimal(2) ** 30,
    "Ti": Decimal(2) ** 40, "Pi": Decimal(2) ** 50, "Ei": Decimal(2) ** 60,
}
_SPLIT = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(.*)$")


def to_decimal(value: Any) -> Decimal | None:
    """The quantity's value (``500m`` -> 0.5, ``1Gi`` -> 1073741824), None if malformed."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    text = str(value).strip()
    if _QUANTITY.match(text) is None:
        return None
    match = _SPLIT.match(text)
    if match is None:
        return None
    number, suffix = Decimal(match[1]), match[2]
    if suffix in _SUFFIX:
        return number * _SUFFIX[suffix]
    if suffix[:1] in ("e", "E") and len(suffix) > 1:
        return number * Decimal(10) ** int(suffix[1:])
    return None
