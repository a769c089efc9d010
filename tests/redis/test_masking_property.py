"""Property: for any password, no command's output shows it (issue 3, "Tests and figures").

Each password is wrapped in two markers so it cannot occur in an output by
coincidence (a password "e" is in every word); everything between the markers is
arbitrary Unicode, including the characters a URI must percent-encode.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyhalyard.redis.endpoint import mask, mask_text, parse_endpoint
from tests.helpers import EXAMPLES, Result, run_hal

HA_CD = ("config", "deploy", "ha", "clouddriver")
MASTER_HOST = "redis-master.redis:6379/0"
SLAVE_HOST = "redis-replica.redis:6379/0"
# RFC 3986 sub-delims and ':' may stay raw in a password; everything else is encoded.
MINIMAL_SAFE = "!$&'()*+,;=:"

passwords = st.builds(lambda core: f"Qz{core}Jx",
                      st.text(st.characters(exclude_categories=["Cs"]), max_size=24))
encodings = st.sampled_from(["full", "minimal"])
users = st.sampled_from(["", "spinnaker", "u-1.x_y~"])


def encode(password: str, how: str) -> str:
    return quote(password, safe="" if how == "full" else MINIMAL_SAFE)


def forms(password: str) -> set[str]:
    """Every spelling of the password that would be a leak."""
    return {password, quote(password, safe=""), encode(password, "minimal"),
            json.dumps(password)[1:-1]}


def assert_hidden(password: str, results: dict[str, Result]) -> None:
    for name, result in results.items():
        for text in (result.out, result.err):
            for form in forms(password):
                assert form not in text, f"{name} shows the password"


def fresh_hal(root: Path) -> Path:
    hal = root / "hal"
    shutil.copytree(EXAMPLES / "hal", hal)
    return hal


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(password=passwords, how=encodings, user=users)
def test_no_command_shows_the_password(password: str, how: str, user: str) -> None:
    encoded = encode(password, how)
    master = f"redis://{user}:{encoded}@{MASTER_HOST}"
    slave = f"redis://{user}:{encoded}@{SLAVE_HOST}"
    assert parse_endpoint(master).password == password  # a valid URI carrying it
    shown_master = f"redis://{user}:****@{MASTER_HOST}"

    with tempfile.TemporaryDirectory() as tmp:
        hal = fresh_hal(Path(tmp))

        def hal_cmd(*args: str) -> Result:
            return run_hal(*args, hal_dir=hal)

        results: dict[str, Result] = {}
        results["edit"] = hal_cmd(*HA_CD, "edit", "--redis-master-endpoint", master,
                                  "--redis-slave-endpoint", slave)
        assert results["edit"].code == 0, results["edit"].err
        assert encoded in (hal / "config").read_text()  # the real value is stored

        results["ha"] = hal_cmd("config", "deploy", "ha", "--no-color")
        results["ha json"] = hal_cmd("config", "deploy", "ha", "-o", "json")
        results["ha yaml"] = hal_cmd("config", "deploy", "ha", "-o", "yaml")
        results["clouddriver"] = hal_cmd(*HA_CD)
        results["clouddriver json"] = hal_cmd(*HA_CD, "-o", "json")
        results["config yaml"] = hal_cmd("config", "-o", "yaml")
        results["validate"] = hal_cmd("config", "validate")
        results["check"] = hal_cmd(*HA_CD, "check", "--timeout", "0.2", "-o", "json")
        for name in ("ha", "ha json", "ha yaml", "clouddriver", "clouddriver json",
                     "config yaml"):
            assert results[name].code == 0, (name, results[name].err)
            assert shown_master in results[name].out, name  # masked whole, not partly
        rows = json.loads(results["ha json"].out)["services"]
        assert {r["redis"] for r in rows if r["service"] == "spin-clouddriver-caching"} == {
            shown_master}
        assert yaml.safe_load(results["clouddriver json"].out)["redisMasterEndpoint"] == (
            shown_master)

        # Refused edits: a malformed URI around the password, the raw (unencoded)
        # password, and an all-or-none violation.
        before = (hal / "config").read_bytes()
        results["bad path"] = hal_cmd(*HA_CD, "edit", "--redis-master-endpoint",
                                      f"redis://{user}:{encoded}@{MASTER_HOST}x")
        results["bad scheme"] = hal_cmd(*HA_CD, "edit", "--redis-slave-endpoint",
                                        f"http://{user}:{encoded}@{SLAVE_HOST}")
        results["raw password"] = hal_cmd(*HA_CD, "edit", "--redis-master-endpoint",
                                          f"redis://:{password}@{MASTER_HOST}x")
        results["all or none"] = hal_cmd(*HA_CD, "edit", "--redis-slave-endpoint", "")
        # Usage errors echo the offending value: a forgotten flag, a URI given to a bool.
        results["extra argument"] = hal_cmd(*HA_CD, "edit", master)
        results["not a bool"] = hal_cmd(*HA_CD, "edit", "--ro-deck", slave)
        for name in ("bad path", "bad scheme", "raw password", "all or none",
                     "extra argument", "not a bool"):
            assert results[name].code != 0, name
            assert results[name].err, name
        assert (hal / "config").read_bytes() == before
    assert_hidden(password, results)


@settings(max_examples=300, deadline=None)
@given(password=passwords, how=encodings, user=users)
def test_masking_functions_hide_every_valid_password(password: str, how: str,
                                                     user: str) -> None:
    uri = f"redis://{user}:{encode(password, how)}@h.example:6379/1"
    endpoint = parse_endpoint(uri)
    assert endpoint.password == password
    assert parse_endpoint(endpoint.url(masked=False)) == endpoint
    expected = f"redis://{user}:****@h.example:6379/1"
    data = {"endpoint": uri, "list": [uri, uri], "nested": {"k": uri}}
    texts = [mask(uri), mask_text(uri), mask_text(json.dumps(data)),
             mask_text(json.dumps(data, indent=2)), mask_text(yaml.safe_dump(data)),
             mask_text(yaml.safe_dump(data, default_flow_style=True)), mask_text(repr(data)),
             endpoint.url(), repr(endpoint), str(endpoint)]
    for text in texts:
        for form in forms(password):
            assert form not in text
    assert mask(uri) == mask_text(uri) == expected
