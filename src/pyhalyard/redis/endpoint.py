"""Redis endpoint URIs: strict parsing and password masking.

Endpoints end up in Spring profiles (and so in Kubernetes Secrets); everywhere
else -- tables, logs, ``-o json``, diffs -- they pass through :func:`mask` or
:func:`mask_text` first.

The parser is deliberately narrower than ``urllib.parse``: it accepts only what
RFC 3986 allows in a URI (printable ASCII, reserved characters of a password
percent-encoded), because every character it lets through must also be one the
masking regex can see.  ``urlsplit`` alone would accept ``redis://:p@ss@host``
(raw ``@`` in the password), which clients split differently and which a naive
masker only half hides.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote_to_bytes

from pyhalyard.errors import HalError

DEFAULT_PORT = 6379
SCHEMES = ("redis", "rediss")
MASK = "****"
# "redis[s]://" so mask_text leaves the pattern alone; the example itself shows up
# masked (redis://:****@...) in CLI output, which still reads as intended.
EXAMPLE = ("redis[s]://[[user]:password@]host[:port][/db], "
           "e.g. redis://:PASSWORD@redis-master:6379/0")
# Redis' own limit is an int; a larger number is always a typo.
MAX_DB = 2**31 - 1

# RFC 3986 userinfo: unreserved / pct-encoded / sub-delims / ":".
_USERINFO_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|%[0-9A-Fa-f]{2})*")
_USER_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
# A DNS name (underscores tolerated: Docker and some service meshes use them).
_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
# An IPv6 address, bracketed or not (with an optional port): nothing to hide in it.
_LOOKS_IPV6 = re.compile(r"\[[^\]]*\]?(?::\d*)?|[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*")

# A redis URI's userinfo inside free text.  The userinfo runs to the LAST "@" before
# whitespace or the start of another redis URI -- not to the first "@", nor to the
# first "/", quote or colon -- so no password a URI can carry (and few it cannot)
# is ever partly shown.
_IN_TEXT = re.compile(r"(?P<scheme>rediss?://)(?P<userinfo>(?:(?!rediss?://)\S)*)@",
                      re.IGNORECASE)


# Credentials in any other URL (``https://user:token@registry``, ``https://ghp_x@github.com``):
# userinfo runs to the last "@" before whitespace or the path, so a raw "@" in a
# password is hidden whole.  Redis URIs are left to _IN_TEXT above.
_OTHER_URL = re.compile(r"(?P<scheme>\b(?!rediss?://)[A-Za-z][A-Za-z0-9+.-]*://)"
                        r"(?P<userinfo>[^\s/?#]*)@", re.IGNORECASE)


class InvalidEndpoint(HalError, ValueError):
    """Not a usable redis:// or rediss:// URI; str() says what a valid one looks like
    and never contains the password."""


@dataclass(frozen=True)
class RedisEndpoint:
    scheme: str
    host: str
    port: int
    db: int
    username: str | None
    # Kept out of repr() so a logged or printed endpoint never shows it.
    password: str | None = field(repr=False)

    @property
    def tls(self) -> bool:
        return self.scheme == "rediss"

    @property
    def address(self) -> str:
        """``host:port`` as a client dials it (IPv6 in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def url(self, masked: bool = True) -> str:
        """The normalised URI; ``masked=False`` is for Secrets only."""
        user = quote(self.username, safe="") if self.username else ""
        auth = ""
        if self.password is not None:
            auth = f"{user}:{MASK if masked else quote(self.password, safe='')}@"
        elif user:
            auth = f"{user}@"
        db = f"/{self.db}" if self.db else ""
        host = self.host.replace("%", "%25")  # an IPv6 zone id, e.g. fe80::1%eth0
        return f"{self.scheme}://{auth}{_bracket(host)}:{self.port}{db}"

    def __str__(self) -> str:
        return self.url(masked=True)


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _fail(shown: str, why: str) -> InvalidEndpoint:
    return InvalidEndpoint(f"'{shown}' {why}; expected {EXAMPLE}")


def _decode(part: str, shown: str, what: str) -> str:
    try:
        return unquote_to_bytes(part).decode("utf-8")
    except UnicodeDecodeError:
        raise _fail(shown, f"has a {what} whose percent-encoding is not UTF-8") from None


def _check_host(host: str, shown: str) -> str:
    if host.startswith("["):
        if not host.endswith("]"):
            raise _fail(shown, "has an unclosed '[' around its IPv6 address")
        inner = host[1:-1]
        address, pct, zone = inner.partition("%25")
        if "%" in address or (pct and not re.fullmatch(r"[A-Za-z0-9._~-]+", zone)):
            raise _fail(shown, "has an invalid IPv6 zone (write it as %25zone)")
        try:
            ipaddress.IPv6Address(address)
        except ValueError:
            raise _fail(shown, f"has '{inner}' in brackets, which is not an IPv6 "
                               "address") from None
        return f"{address}%{zone}" if pct else address
    if not host:
        raise _fail(shown, "has no host")
    if "]" in host:
        raise _fail(shown, "has a ']' without '['")
    if ":" in host:
        raise _fail(shown, "looks like an IPv6 address without brackets "
                           "(write redis://[::1]:6379)")
    if "%" in host:
        raise _fail(shown, "has a percent-encoded host name")
    name = host[:-1] if host.endswith(".") else host
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise _fail(shown, f"has '{host}' as host, which is not a host name or IP address")
    if all(label.isdigit() for label in labels):
        try:
            ipaddress.IPv4Address(name)
        except ValueError:
            raise _fail(shown, f"has '{host}' as host, which is not a valid IPv4 "
                               "address") from None
    return host


def parse_endpoint(uri: str) -> RedisEndpoint:
    """Parse strictly; a bare host:port, http://, a raw '@' in the password or a path
    that is not a database number fails with a message that shows no password."""
    if not isinstance(uri, str) or not uri.strip():
        raise InvalidEndpoint(f"empty Redis endpoint; expected {EXAMPLE}")
    shown = mask(uri)
    if not uri.isascii() or not uri.isprintable() or any(c.isspace() for c in uri):
        raise _fail(shown, "contains spaces, control or non-ASCII characters "
                           "(percent-encode them in the password, e.g. ' ' as %20)")
    scheme_match = _SCHEME.match(uri)
    if scheme_match is None:
        raise _fail(shown, "is not a URI (a bare host:port is not accepted)")
    scheme = scheme_match.group(1).lower()
    if scheme not in SCHEMES:
        raise _fail(shown, "must start with redis:// or rediss://")
    rest = uri[scheme_match.end():]
    cut = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:cut], rest[cut:]

    username: str | None = None
    password: str | None = None
    hostport = authority
    if "@" in authority:
        userinfo, _, hostport = authority.rpartition("@")
        if "@" in userinfo:
            raise _fail(shown, "has a raw '@' in its user or password "
                               "(percent-encode it as %40)")
        if not _USERINFO_CHARS.fullmatch(userinfo):
            raise _fail(shown, "has characters in its user or password that must be "
                               "percent-encoded (e.g. '%' as %25, '/' as %2F, '#' as %23)")
        if ":" not in userinfo:
            raise _fail(shown, "has a user name but no ':' before a password; clients "
                               "disagree whether that is a user or a password, so write "
                               "redis://:PASSWORD@host or redis://USER:PASSWORD@host")
        user_part, _, password_part = userinfo.partition(":")
        if not password_part:
            raise _fail(shown, "has an empty password (drop the ':@' or give one)")
        username = _decode(user_part, shown, "user name") or None
        password = _decode(password_part, shown, "password")
    elif "@" in tail:
        raise _fail(shown, "has a '/', '?' or '#' in its password "
                           "(percent-encode them as %2F, %3F, %23)")

    host_part, port_text = hostport, None
    if hostport.startswith("["):
        close = hostport.find("]")
        if close >= 0:
            host_part, after = hostport[:close + 1], hostport[close + 1:]
            if after:
                if not after.startswith(":"):
                    raise _fail(shown, "has text after the IPv6 address that is not ':port'")
                port_text = after[1:]
    elif hostport.count(":") == 1:
        host_part, _, port_text = hostport.partition(":")
    host = _check_host(host_part, shown)

    port = DEFAULT_PORT
    if port_text is not None:
        if not port_text:
            raise _fail(shown, "has an empty port after ':'")
        if not port_text.isdigit() or len(port_text) > 5:
            raise _fail(shown, "has a port that is not a number")
        port = int(port_text)
        if not 0 < port < 65536:
            raise _fail(shown, f"has port {port}, out of range 1-65535")

    if "?" in tail or "#" in tail:
        raise _fail(shown, "must not carry a query or fragment")
    path = tail[1:] if tail.startswith("/") else tail
    db = 0
    if path:
        if not path.isdigit() or len(path) > 10 or int(path) > MAX_DB:
            raise _fail(shown, f"has '/{path}' as path, which is not a database number")
        db = int(path)
    return RedisEndpoint(scheme=scheme, host=host, port=port, db=db,
                         username=username, password=password)


def _masked_userinfo(userinfo: str) -> str:
    """Keep a plain user name (never secret, useful to see); hide everything else."""
    user, colon, password = userinfo.partition(":")
    if colon and password and _USER_CHARS.fullmatch(user):
        return f"{user}:{MASK}"
    return MASK


def mask(uri: str) -> str:
    """One endpoint value with its password replaced by ****; safe for any output.

    Stricter than :func:`mask_text` because it knows the whole string is one value:
    everything between ``://`` and the last ``@`` is userinfo, even with spaces or
    slashes a valid URI could not hold; without an ``@`` a non-numeric "port" (as in
    ``redis://:secret``, a forgotten host) is hidden too.
    """
    if not isinstance(uri, str):
        return uri
    scheme_end = uri.find("://")
    start = scheme_end + 3 if scheme_end >= 0 else 0
    at = uri.rfind("@")
    if at >= start:
        return uri[:start] + _masked_userinfo(uri[start:at]) + uri[at:]
    authority = re.split(r"[/?#]", uri[start:], maxsplit=1)[0]
    if ":" in authority and not _LOOKS_IPV6.fullmatch(authority):
        host, _, port = authority.partition(":")
        if not port.isdigit():
            return uri[:start] + f"{host}:{MASK}" + uri[start + len(authority):]
    return uri


def mask_text(text: str) -> str:
    """Mask the password of every redis URI inside ``text`` -- and the credentials of
    any other URL that carries some (a registry or CI address with user:token@)."""
    if not isinstance(text, str):
        return text
    def hide(match: re.Match[str]) -> str:
        return f"{match['scheme']}{_masked_userinfo(match['userinfo'])}@"

    return _OTHER_URL.sub(hide, _IN_TEXT.sub(hide, text))
