"""Redis endpoint URIs: strict parsing and password masking.

Endpoints end up in Spring profiles (and so in Kubernetes Secrets); everywhere
else -- tables, logs, ``-o json``, diffs -- they pass through :func:`mask` or
:func:`mask_text` first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

DEFAULT_PORT = 6379
SCHEMES = ("redis", "rediss")
MASK = "****"
EXAMPLE = "redis://[:password@]host[:port][/db], e.g. redis://:secret@redis-master:6379/0"

# user:password@ inside any redis URI found in free text
_USERINFO = re.compile(r"(?P<scheme>rediss?://)(?P<user>[^:@/\s]*):(?P<password>[^@\s]*)@")


class InvalidEndpoint(ValueError):
    """Not a usable redis:// or rediss:// URI; str() says what a valid one looks like."""


@dataclass(frozen=True)
class RedisEndpoint:
    scheme: str
    host: str
    port: int
    db: int
    username: str | None
    password: str | None

    @property
    def tls(self) -> bool:
        return self.scheme == "rediss"

    def url(self, masked: bool = True) -> str:
        auth = ""
        if self.password is not None:
            auth = f"{self.username or ''}:{MASK if masked else self.password}@"
        elif self.username:
            auth = f"{self.username}@"
        host = f"[{self.host}]" if ":" in self.host else self.host
        db = f"/{self.db}" if self.db else ""
        return f"{self.scheme}://{auth}{host}:{self.port}{db}"


def parse_endpoint(uri: str) -> RedisEndpoint:
    """Parse strictly; a bare host:port, http:// or a path that is not a db number fails."""
    shown = mask(uri)
    if not isinstance(uri, str) or not uri.strip():
        raise InvalidEndpoint(f"empty Redis endpoint; expected {EXAMPLE}")
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError as exc:
        raise InvalidEndpoint(f"'{shown}' is not a valid Redis URI ({exc}); "
                              f"expected {EXAMPLE}") from None
    if parts.scheme not in SCHEMES:
        raise InvalidEndpoint(f"'{shown}' must start with redis:// or rediss://; "
                              f"expected {EXAMPLE}")
    if not parts.hostname:
        raise InvalidEndpoint(f"'{shown}' has no host; expected {EXAMPLE}")
    if parts.query or parts.fragment:
        raise InvalidEndpoint(f"'{shown}' must not carry a query or fragment; "
                              f"expected {EXAMPLE}")
    path = parts.path.lstrip("/")
    if path and not path.isdigit():
        raise InvalidEndpoint(f"'{shown}': '/{path}' is not a database number; "
                              f"expected {EXAMPLE}")
    if port is not None and not 0 < port < 65536:
        raise InvalidEndpoint(f"'{shown}': port {port} is out of range 1-65535")
    if port == 0:
        raise InvalidEndpoint(f"'{shown}': port 0 is out of range 1-65535")
    return RedisEndpoint(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or DEFAULT_PORT,
        db=int(path) if path else 0,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def mask(uri: str) -> str:
    """The URI with its password replaced by ****; safe for any output."""
    if not isinstance(uri, str):
        return uri
    return mask_text(uri)


def mask_text(text: str) -> str:
    """Mask the password of every redis URI inside ``text``."""
    return _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
