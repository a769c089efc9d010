"""URI rules and masking, as tables (SPEC §8, issue 3 item 1)."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
import yaml

from pyhalyard.errors import HalError
from pyhalyard.redis.endpoint import (
    EXAMPLE,
    InvalidEndpoint,
    RedisEndpoint,
    mask,
    mask_text,
    parse_endpoint,
)

# uri -> (scheme, host, port, db, username, password)
VALID: dict[str, tuple[str, str, int, int, str | None, str | None]] = {
    "redis://redis-master": ("redis", "redis-master", 6379, 0, None, None),
    "redis://redis-master:6380": ("redis", "redis-master", 6380, 0, None, None),
    "redis://redis-master.redis.svc.cluster.local.:6379/3":
        ("redis", "redis-master.redis.svc.cluster.local.", 6379, 3, None, None),
    "rediss://cache.example.com:6380": ("rediss", "cache.example.com", 6380, 0, None, None),
    "REDIS://Upper:1": ("redis", "Upper", 1, 0, None, None),
    "redis://10.0.0.7:65535/15": ("redis", "10.0.0.7", 65535, 15, None, None),
    "redis://[::1]": ("redis", "::1", 6379, 0, None, None),
    "redis://[2001:db8::7]:7000/2": ("redis", "2001:db8::7", 7000, 2, None, None),
    "redis://[fe80::1%25eth0]:6379": ("redis", "fe80::1%eth0", 6379, 0, None, None),
    "redis://:secret@redis-master:6379": ("redis", "redis-master", 6379, 0, None, "secret"),
    "redis://spin:secret@redis-master:6379/1":
        ("redis", "redis-master", 6379, 1, "spin", "secret"),
    "redis://:p%40ss%3Aw%2Fo%25rd@h": ("redis", "h", 6379, 0, None, "p@ss:w/o%rd"),
    "redis://:pa:ss:word@h": ("redis", "h", 6379, 0, None, "pa:ss:word"),
    "redis://:!$&'()*+,;=@h": ("redis", "h", 6379, 0, None, "!$&'()*+,;="),
    "redis://:%C3%A9t%C3%A9%20x@h": ("redis", "h", 6379, 0, None, "été x"),
    "redis://u%40corp:pw@[::1]:1/0": ("redis", "::1", 1, 0, "u@corp", "pw"),
    "redis://redis_master:6379/": ("redis", "redis_master", 6379, 0, None, None),
    "redis://h:06379/007": ("redis", "h", 6379, 7, None, None),
}

# uri -> a phrase the error must contain
INVALID: dict[str, str] = {
    "": "empty Redis endpoint",
    "   ": "empty Redis endpoint",
    "redis-master:6379": "a bare host:port is not accepted",
    "http://redis-master:6379": "must start with redis:// or rediss://",
    "redis+sentinel://h:26379": "must start with redis:// or rediss://",
    "redis:/h": "is not a URI",
    "redis://": "has no host",
    "redis://:6379": "has no host",
    "redis://:secret@": "has no host",
    "redis://:secret@:6379": "has no host",
    "redis://h:0": "out of range 1-65535",
    "redis://h:65536": "out of range 1-65535",
    "redis://h:99999": "out of range 1-65535",
    "redis://h:": "empty port",
    "redis://h:port": "port that is not a number",
    "redis://h:+1": "port that is not a number",
    "redis://h:123456": "port that is not a number",
    "redis://h/abc": "'/abc' as path, which is not a database number",
    "redis://h/0/": "not a database number",
    "redis://h/0/extra": "not a database number",
    "redis://h/-1": "not a database number",
    "redis://h/99999999999": "not a database number",
    "redis://h?db=1": "must not carry a query or fragment",
    "redis://h#x": "must not carry a query or fragment",
    "redis://::1": "IPv6 address without brackets",
    "redis://[::1": "unclosed '['",
    "redis://[::1]x": "not ':port'",
    "redis://[1.2.3.4]": "not an IPv6 address",
    "redis://[::g]:1": "not an IPv6 address",
    "redis://999.0.0.1": "not a valid IPv4 address",
    "redis://-lead": "not a host name or IP address",
    "redis://a..b": "not a host name or IP address",
    "redis://h%41st": "percent-encoded host name",
    "redis://:p@ss@h": "raw '@'",
    "redis://:p/ss@h": "percent-encode them as %2F",
    "redis://:p#ss@h": "percent-encode them as %2F",
    "redis://:p ss@h": "contains spaces",
    "redis://:pässword@h": "non-ASCII",
    "redis://:pa\tss@h": "control",
    "redis://:p%zzss@h": "must be percent-encoded",
    "redis://:p\"ss@h": "must be percent-encoded",
    "redis://:%FF%FE@h": "not UTF-8",
    "redis://onlyuser@h": "no ':' before a password",
    "redis://user:@h": "empty password",
    "redis://:@h": "empty password",
}

# Secrets the INVALID table carries, which no error message may show.
INVALID_SECRETS = ("secret", "p@ss", "ss@h", "p/ss", "p#ss", "p ss", "pässword", "pa\tss",
                   "p%zzss", 'p"ss', "%FF%FE", "onlyuser")


@pytest.mark.parametrize("uri", sorted(VALID))
def test_valid_uris(uri: str) -> None:
    ep = parse_endpoint(uri)
    assert (ep.scheme, ep.host, ep.port, ep.db, ep.username, ep.password) == VALID[uri]
    again = parse_endpoint(ep.url(masked=False))
    assert again == ep
    assert ep.tls is (ep.scheme == "rediss")


@pytest.mark.parametrize("uri", sorted(INVALID))
def test_invalid_uris(uri: str) -> None:
    with pytest.raises(InvalidEndpoint) as info:
        parse_endpoint(uri)
    message = str(info.value)
    assert INVALID[uri] in message
    assert EXAMPLE in message  # says what a valid value looks like
    for secret in INVALID_SECRETS:
        assert secret not in message, message
    assert isinstance(info.value, HalError)  # the CLI prints it as one line, no traceback


def test_non_string_is_invalid() -> None:
    with pytest.raises(InvalidEndpoint):
        parse_endpoint(None)  # type: ignore[arg-type]


MASKED: dict[str, str] = {
    "redis://h:6379": "redis://h:6379",
    "redis://:secret@h:6379": "redis://:****@h:6379",
    "redis://spin:secret@h:6379/2": "redis://spin:****@h:6379/2",
    "rediss://:secret@[::1]:6380": "rediss://:****@[::1]:6380",
    "REDIS://:secret@h": "REDIS://:****@h",
    "redis://:p%40ss%3Aword@h": "redis://:****@h",
    "redis://:pa:ss@h": "redis://:****@h",
    # Invalid, yet still masked: the value may end up in an error message.
    "redis://:p@ss@h": "redis://:****@h",
    "redis://:p/ss@h": "redis://:****@h",
    "redis://:p ss@h": "redis://:****@h",
    "redis://passwordonly@h": "redis://****@h",
    "redis://user:@h": "redis://****@h",
    "redis://us@er:pw@h": "redis://****@h",
    "redis://:secret": "redis://:****",
    "redis://h:secret/0": "redis://h:****/0",
    "redis://[::1]:6379": "redis://[::1]:6379",
    "redis://::1": "redis://::1",
    ":secret@h:6379": ":****@h:6379",
    "http://u:secret@h": "http://u:****@h",
}


@pytest.mark.parametrize("uri", sorted(MASKED))
def test_mask(uri: str) -> None:
    assert mask(uri) == MASKED[uri]


TEXTS: dict[str, str] = {
    "endpoint redis://:secret@h:6379 is down":
        "endpoint redis://:****@h:6379 is down",
    "a redis://:x1@h1,redis://u:x2@h2 b": "a redis://:****@h1,redis://u:****@h2 b",
    "'redis://:x@h' and 'rediss://:y@k'": "'redis://:****@h' and 'rediss://:****@k'",
    '{"m": "redis://:a@b@c:1", "n": "redis://h"}': '{"m": "redis://:****@c:1", "n": "redis://h"}',
    "redisMasterEndpoint: redis://:p%40ss@h:6379\nnext: 1":
        "redisMasterEndpoint: redis://:****@h:6379\nnext: 1",
    "REDISS://:Secret@H": "REDISS://:****@H",
    "no uri here: user@example.com": "no uri here: user@example.com",
    "redis://h:6379/0 then mail@example.com": "redis://h:6379/0 then mail@example.com",
}


@pytest.mark.parametrize("text", sorted(TEXTS))
def test_mask_text(text: str) -> None:
    assert mask_text(text) == TEXTS[text]


def test_masked_in_serialised_forms() -> None:
    """The forms -o json and -o yaml produce are masked after serialisation."""
    uri = "redis://:it's%20a%40secret:ok@redis-master:6379/0"
    password = parse_endpoint(uri).password
    assert password == "it's a@secret:ok"
    data = {"a": [uri, {"b": uri}], "c": uri}
    for text in (json.dumps(data), json.dumps(data, indent=2), yaml.safe_dump(data),
                 yaml.safe_dump(data, default_flow_style=True), repr(data), str([uri, uri])):
        masked = mask_text(text)
        assert "secret" not in masked
        assert "redis://:****@redis-master:6379/0" in masked


def test_endpoint_never_shows_password() -> None:
    ep = parse_endpoint("redis://spin:s3cr3t-value@h:1/2")
    for shown in (repr(ep), str(ep), ep.url(), f"{ep}", ep.address):
        assert "s3cr3t-value" not in shown
    assert ep.url(masked=False) == "redis://spin:s3cr3t-value@h:1/2"
    assert str(ep) == "redis://spin:****@h:1/2"


def test_url_reencodes_reserved_characters() -> None:
    ep = RedisEndpoint("redis", "h", 6379, 0, None, "a@b:c/d%e")
    assert ep.url(masked=False) == f"redis://:{quote('a@b:c/d%e', safe='')}@h:6379"
    assert parse_endpoint(ep.url(masked=False)).password == "a@b:c/d%e"
