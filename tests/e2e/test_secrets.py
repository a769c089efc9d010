"""No secret of either fixture ever reaches stdout or stderr, in any output form, and
the files that do hold secrets are readable by their owner only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.support import assert_clean, assert_ok, hal, leaks, mode
from tests.helpers import Result

HTTP_SECRET = "regpass99"


def outputs(hal_dir: Path, tmp: Path) -> dict[str, Result]:
    """Every command that prints something about a deployment, each output form."""
    runs: dict[str, tuple[str, ...]] = {
        "config": ("config",),
        "deploy": ("config", "deploy"),
        "ha": ("config", "deploy", "ha"),
        "ha-cd": ("config", "deploy", "ha", "clouddriver"),
        "storage": ("config", "storage"),
        "storage-s3": ("config", "storage", "s3"),
        "accounts": ("config", "provider", "kubernetes", "account", "list"),
        "validate": ("config", "validate"),
        "generate": ("config", "generate"),
        "render": ("deploy", "render", "--output-dir", str(tmp / "out")),
        "diff": ("deploy", "diff"),
        "connect": ("deploy", "connect"),
        "topology-mermaid": ("deploy", "topology", "--format", "mermaid"),
        "topology-dot": ("deploy", "topology", "--format", "dot"),
    }
    results = {}
    for name, args in runs.items():
        for form in ((), ("-o", "json"), ("-o", "yaml")):
            results[f"{name} {' '.join(form)}"] = hal(hal_dir, *args, *form)
    return results


@pytest.mark.parametrize("fixture", ["example", "realworld_ns"])
def test_no_output_form_shows_a_secret(fixture: str, request: pytest.FixtureRequest,
                                       tmp_path: Path) -> None:
    hal_dir: Path = request.getfixturevalue(fixture)
    for name, result in outputs(hal_dir, tmp_path).items():
        assert result.code == 0, (name, result.err)
        assert_clean(result)
        if name.endswith("json"):
            json.loads(result.out)
    # the secrets really are in the rendered files (so the test above can fail)
    staged = "".join(p.read_text() for p in (hal_dir / "default" / "staging").rglob("*.yml"))
    if fixture == "example":
        assert "example-secret" in staged and "example-storage-key" in staged
    else:
        assert "redis://:password@oss-spin-redis-master:6379" in staged
        assert "secretAccessKey: spinnakeradmin" in staged


def test_errors_that_quote_input_mask_the_password(example: Path) -> None:
    uri = "redis://:example-secret@m.redis:notaport"
    result = hal(example, "config", "deploy", "ha", "clouddriver", "edit",
                 "--redis-master-endpoint", uri, "--redis-slave-endpoint", uri)
    assert result.code == 1 and "redis://:****@m.redis:notaport" in result.err
    assert_clean(result)
    # click echoes unexpected arguments and bad values verbatim
    stray = hal(example, "config", "deploy", "ha", "clouddriver", "edit",
                "redis://:example-secret@m.redis:6379")
    assert stray.code == 2 and "redis://:****@m.redis:6379" in stray.err
    assert_clean(stray)
    bad_bool = hal(example, "config", "deploy", "ha", "clouddriver", "edit", "--ro-deck",
                   "redis://:example-secret@h")
    assert bad_bool.code == 2
    assert_clean(bad_bool)
    raw_at = hal(example, "config", "deploy", "ha", "clouddriver", "edit",
                 "--redis-master-endpoint", "redis://:p@ss-example-secret@h")
    assert raw_at.code == 1 and "raw '@'" in raw_at.err
    assert_clean(raw_at)


def test_credentials_in_other_urls_are_masked(example: Path) -> None:
    """A registry or CI address with user:token@ in it is as secret as a Redis password."""
    config = example / "config"
    config.write_text(config.read_text().replace(
        "address: https://index.docker.io", f"address: https://bob:{HTTP_SECRET}@index.docker.io"))
    for args in (("config",), ("config", "-o", "json"), ("config", "-o", "yaml")):
        result = hal(example, *args)
        assert_ok(result)
        assert HTTP_SECRET not in result.out
        assert "https://bob:****@index.docker.io" in result.out


HALYARD_SECRET_FIELDS = {
    "managerPassword": "ldap-secret-1",
    "keyStorePassword": "saml-secret-2",
    "authToken": "twilio-secret-3",
    "appKey": "dd-secret-5",
    "trustStorePassword": "ts-secret-7",
}


def test_every_halyard_secret_field_is_masked(example: Path) -> None:
    config = example / "config"
    text = config.read_text()
    text = text.replace("    authn:\n      enabled: false\n",
                        "    authn:\n      enabled: false\n      ldap:\n        enabled: false\n"
                        "        managerPassword: ldap-secret-1\n      saml:\n"
                        "        enabled: false\n        keyStorePassword: saml-secret-2\n")
    text = text.replace("  timezone: Europe/Berlin\n",
                        "  timezone: Europe/Berlin\n  notifications:\n    twilio:\n"
                        "      enabled: false\n      authToken: twilio-secret-3\n"
                        "  metricStores:\n    datadog:\n      enabled: false\n"
                        "      appKey: dd-secret-5\n")
    text = text.replace("    apiSecurity:\n      ssl:\n        enabled: false\n",
                        "    apiSecurity:\n      ssl:\n        enabled: false\n"
                        "        trustStorePassword: ts-secret-7\n")
    config.write_text(text)
    shown = hal(example, "config", "-o", "json")
    assert shown.code == 0
    leaked = [key for key, value in HALYARD_SECRET_FIELDS.items() if value in shown.out]
    assert leaked == []


def test_leak_detector_detects(example: Path) -> None:
    """The checks above rely on ``leaks``: it must see each fixture secret."""
    assert leaks("pw: example-secret") and leaks("key: example-storage-key")
    assert leaks("secretAccessKey: spinnakeradmin")
    assert not leaks("accessKeyId: spinnakeradmin")
    assert leaks("overrideBaseUrl: redis://:password@oss-spin-redis-master:6379")


def test_files_holding_secrets_are_private(example: Path, tmp_path: Path) -> None:
    assert_ok(hal(example, "config", "deploy", "ha", "echo", "disable"))
    assert_ok(hal(example, "config", "deploy", "ha", "echo", "enable"))
    assert mode(example / "config") == 0o600
    assert mode(example / ".backup") == 0o700
    assert {mode(p) for p in (example / ".backup").iterdir()} == {0o600}
    assert_ok(hal(example, "config", "generate"))
    staging = example / "default" / "staging"
    assert {mode(p) for p in [staging, *staging.rglob("*")]
            if p.is_dir()} == {0o700}
    assert {mode(p) for p in staging.rglob("*") if p.is_file()} == {0o600}
    out = tmp_path / "rendered"
    assert_ok(hal(example, "deploy", "render", "--output-dir", str(out)))
    assert mode(out) == 0o700
    assert {mode(p) for p in out.iterdir()} == {0o600}
    # the picture holds no secret and is shared like any document
    picture = tmp_path / "topology.md"
    assert_ok(hal(example, "deploy", "topology", "--output-file", str(picture)))
    assert mode(picture) == 0o644
