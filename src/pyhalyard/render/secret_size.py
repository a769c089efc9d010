"""The 1 MiB limit on a Secret's data, checked where the config Secret is rendered.

The API server refuses a Secret whose data adds up to more than 1 MiB
(``ValidateSecret``).  Clouddriver's profiles grow with the number of accounts
(about 2,600 Kubernetes accounts cross the limit), and learning it as a 422 in
the middle of a deploy leaves the operator guessing; here the error names the
service and the files that take the room.
"""

from __future__ import annotations

import base64
import re

from pyhalyard.errors import HalError

MAX_SECRET_BYTES = 1024 * 1024  # core.MaxSecretSize
SHOWN = 3
_CANONICAL = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def _kib(size: int) -> str:
    return f"{size / 1024:.0f} KiB"


def _decoded_size(value: str) -> int:
    """Bytes behind a base64 value; counted from its length when it is canonical
    (b64encode's output), as decoding megabytes just to count them is not free."""
    if len(value) % 4 == 0 and _CANONICAL.fullmatch(value) is not None:
        return len(value) // 4 * 3 - value.count("=", len(value) - 2)
    return len(base64.b64decode(value))


def check_secret_size(owner: str, data: dict[str, str], names: dict[str, str]) -> None:
    """``data``: Secret key -> base64 value; ``names``: Secret key -> file name shown."""
    sizes = {key: _decoded_size(value) for key, value in data.items()}
    total = sum(sizes.values())
    if total <= MAX_SECRET_BYTES:
        return
    largest = sorted(sizes, key=lambda k: (-sizes[k], k))[:SHOWN]
    files = ", ".join(f"{names.get(k, k)} ({_kib(sizes[k])})" for k in largest)
    raise HalError(f"{owner}: its config Secret would hold {_kib(total)}, over the 1 MiB "
                   f"Kubernetes allows for a Secret; largest files: {files}. Shrink those "
                   "profiles, e.g. by loading clouddriver's accounts from an external "
                   "source instead of the halconfig")
