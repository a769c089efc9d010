"""What users rely on in the generated commands: validation, secrets, files, presets,
and that every area's settings reach the rendered profiles where Halyard put them.

Halyard followed: halyard-cli .../command/v1/config/{ci,security,artifacts,providers}/**
(flags and the keys their setters write), LocalFileConverter.java (file flags stored
as absolute paths; ``encrypted:`` values kept), OAuth2.java ``setProvider`` (presets),
EditSamlCommand.java (``--metadata`` URL vs file), EcsAccountValidator.java (the AWS
account must exist); halyard-deploy .../profile/{Igor,Clouddriver,Fiat,GateBoot154}
ProfileFactory.java and SamlConfig.java (rendering).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.cli.conftest import CLI_FIXTURES, Hal
from tests.helpers import Result, deck_settings_object, is_staged

HAL_CONFIG = CLI_FIXTURES / "halyard-table.yml"


def ok(result: Result) -> Result:
    assert result.code == 0, result.err
    return result


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize("args, says", [
    (["config", "ci", "jenkins", "master", "add", "j9"], "Missing option '--address'"),
    (["config", "ci", "jenkins", "master", "add", "jenkins-main", "--address", "http://x"],
     "already exists"),
    (["config", "ci", "jenkins", "master", "edit", "nope", "--address", "http://x"],
     "jenkins-main"),
    (["config", "ci", "jenkins", "master", "edit", "jenkins-main"], "nothing to change"),
    (["config", "provider", "ecs", "account", "add", "e1", "--aws-account", "missing"],
     "aws-prod"),
    (["config", "ci", "gcb", "account", "add", "g1", "--project", "p", "--json-key",
      "/no/such/key.json"], "--json-key: cannot read the file /no/such/key.json"),
    (["config", "security", "authz", "edit", "--type", "okta"], "'okta' is not one of"),
    (["config", "ci", "travis", "master", "add", "t", "--address", "a", "--base-url", "b",
      "--number-of-jobs", "many"], "'many' is not a valid integer"),
    (["config", "provider", "docker-registry", "account", "delete", "dockerhub"],
     "uses docker registry 'dockerhub'"),
])
def test_bad_input_is_refused_and_the_file_untouched(hal: Hal, args: list[str],
                                                     says: str) -> None:
    before = hal.bytes()
    result = hal(*args)
    assert result.code != 0
    assert says in result.err and "Traceback" not in result.err
    assert hal.bytes() == before


def test_file_flags_are_stored_absolute_and_encrypted_values_kept(
        hal: Hal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = tmp_path / "key.json"
    key.write_text("{}")
    monkeypatch.chdir(tmp_path)
    ok(hal("config", "ci", "gcb", "account", "add", "g1", "--project", "p", "--json-key",
           "key.json"))
    ok(hal("config", "artifact", "gcs", "account", "add", "a1", "--json-path",
           "encrypted:gcs!f:key"))
    dep = hal.dep()
    assert dep["ci"]["gcb"]["accounts"][0]["jsonKey"] == str(key)
    assert dep["artifacts"]["gcs"]["accounts"][0]["jsonPath"] == "encrypted:gcs!f:key"


# --------------------------------------------------------------------- secrets
def test_secret_flag_without_value_reads_stdin_and_is_never_shown(
        hal: Hal, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("typed-client-secret\nnot read\n"))
    result = ok(hal("config", "security", "authn", "oauth2", "edit", "--client-secret"))
    assert "typed-client-secret" not in result.out + result.err
    assert hal.dep()["security"]["authn"]["oauth2"]["client"]["clientSecret"] \
        == "typed-client-secret"
    for show in (["config", "security", "authn", "oauth2"],
                 ["-o", "json", "config", "security", "authn", "oauth2"],
                 ["-o", "json", "config", "ci", "jenkins"],
                 ["config", "ci", "jenkins", "master", "get", "jenkins-main"],
                 ["-o", "json", "config", "artifact", "github", "account", "get", "gh-bot"],
                 ["-o", "json", "config"]):
        out = ok(hal(*show)).out
        for secret in ("typed-client-secret", "jenkins-pass-do-not-print",
                       "ghp-not-a-real-token"):
            assert secret not in out, show
    shown = json.loads(ok(hal("-o", "json", "config", "ci", "jenkins")).out)
    assert shown["masters"][0]["password"] == "****"


def test_secret_value_on_the_command_line_is_not_echoed(hal: Hal) -> None:
    result = ok(hal("config", "ci", "codebuild", "edit", "--secret-access-key", "AWS-S3CRET"))
    assert "AWS-S3CRET" not in result.out + result.err
    assert "secretAccessKey=****" in result.out


# ------------------------------------------------------------ Halyard behaviour
def test_oauth2_provider_fills_halyard_presets_and_keeps_the_client_id(hal: Hal) -> None:
    ok(hal("config", "security", "authn", "oauth2", "edit", "--provider", "google",
           "--client-id", "cid", "--scope", "ignored"))
    oauth2 = hal.dep()["security"]["authn"]["oauth2"]
    assert oauth2["provider"] == "GOOGLE"
    assert oauth2["client"] == {
        "clientId": "cid", "scope": "profile email",
        "accessTokenUri": "https://www.googleapis.com/oauth2/v4/token",
        "userAuthorizationUri": "https://accounts.google.com/o/oauth2/v2/auth"}
    assert oauth2["resource"] == {"userInfoUri": "https://www.googleapis.com/oauth2/v3/userinfo"}
    assert oauth2["userInfoMapping"] == {"email": "email", "firstName": "given_name",
                                         "lastName": "family_name"}


def test_pre_established_redirect_uri_turns_off_use_current_uri(hal: Hal) -> None:
    ok(hal("config", "security", "authn", "oauth2", "edit", "--pre-established-redirect-uri",
           "https://gate.example.com/login"))
    client = hal.dep()["security"]["authn"]["oauth2"]["client"]
    assert client["preEstablishedRedirectUri"] == "https://gate.example.com/login"
    assert client["useCurrentUri"] is False


def test_saml_metadata_url_or_local_file(hal: Hal, tmp_path: Path) -> None:
    ok(hal("config", "security", "authn", "saml", "edit", "--metadata",
           "https://idp.example.com/metadata.xml"))
    assert hal.dep()["security"]["authn"]["saml"]["metadataRemote"] \
        == "https://idp.example.com/metadata.xml"
    local = tmp_path / "metadata.xml"
    local.write_text("<xml/>")
    ok(hal("config", "security", "authn", "saml", "edit", "--metadata", str(local)))
    saml = hal.dep()["security"]["authn"]["saml"]
    assert saml["metadataLocal"] == str(local) and "metadataRemote" not in saml


def test_authn_enabled_follows_its_methods(hal: Hal) -> None:
    ok(hal("config", "security", "authn", "ldap", "edit", "--url",
           "ldaps://ldap.example.com:636/dc=example,dc=com", "--user-dn-pattern",
           "uid={0},ou=users"))
    ok(hal("config", "security", "authn", "ldap", "enable"))
    assert hal.dep()["security"]["authn"]["enabled"] is True
    ok(hal("config", "security", "authn", "ldap", "disable"))
    assert hal.dep()["security"]["authn"]["enabled"] is False


def test_primary_account_follows_adds_and_deletes(hal: Hal) -> None:
    ok(hal("config", "provider", "google", "account", "add", "g1", "--project", "p1"))
    ok(hal("config", "provider", "google", "account", "add", "g2", "--project", "p2"))
    assert hal.dep()["providers"]["google"]["primaryAccount"] == "g1"
    ok(hal("config", "provider", "google", "account", "delete", "g1"))
    assert hal.dep()["providers"]["google"]["primaryAccount"] == "g2"
    listed = ok(hal("config", "provider", "google", "account", "list")).out
    assert listed.strip() == "- g2 (primary)"


def test_docker_registry_account_as_halyard_writes_it(hal: Hal) -> None:
    """DockerRegistryAddAccountCommand defaults (email) and model defaults."""
    ok(hal("config", "provider", "docker-registry", "account", "add", "quay", "--address",
           "https://quay.io", "--repositories", "org/app,org/lib"))
    quay = hal.dep()["providers"]["dockerRegistry"]["accounts"][1]
    assert quay == {"name": "quay", "requiredGroupMembership": [], "permissions": {},
                    "address": "https://quay.io", "email": "fake.email@spinnaker.io",
                    "cacheIntervalSeconds": 30, "clientTimeoutMillis": 60000,
                    "cacheThreads": 1, "paginateSize": 100, "sortTagsByDate": False,
                    "trackDigests": False, "insecureRegistry": False,
                    "repositories": ["org/app", "org/lib"]}
    # the kubernetes account can now reference it
    ok(hal("config", "provider", "kubernetes", "account", "edit", "spin-cluster",
           "--docker-registries", "dockerhub,quay"))


def test_first_edit_on_an_empty_hal_dir_creates_the_deployment(tmp_path: Path) -> None:
    empty = Hal(tmp_path / "new")
    ok(empty("config", "ci", "jenkins", "enable"))
    assert empty.dep()["name"] == "default" and empty.dep()["ci"]["jenkins"]["enabled"] is True


# ------------------------------------------------------------------- rendering
def test_ci_reaches_igor(hal: Hal) -> None:
    ok(hal("config", "ci", "jenkins", "enable"))
    ok(hal("config", "ci", "jenkins", "master", "add", "j2", "--address", "http://j2:8080",
           "--csrf", "true"))
    igor = hal.profile("igor", "igor.yml")
    masters = {m["name"]: m for m in igor["jenkins"]["masters"]}
    assert igor["jenkins"]["enabled"] is True
    assert masters["j2"]["address"] == "http://j2:8080" and masters["j2"]["csrf"] is True
    assert hal.profile("igor", "spinnaker.yml")["services"]["igor"]["enabled"] is True


def test_artifacts_reach_clouddriver_echo_and_igor(hal: Hal) -> None:
    ok(hal("config", "artifact", "github", "enable"))
    ok(hal("config", "artifact", "github", "account", "add", "gh2", "--username", "bot"))
    for service, name in (("clouddriver", "clouddriver.yml"), ("echo", "echo.yml")):
        github = hal.profile(service, name)["artifacts"]["github"]
        assert github["enabled"] is True
        assert [a["name"] for a in github["accounts"]] == ["gh-bot", "gh2"]


def test_providers_reach_clouddriver(hal: Hal) -> None:
    ok(hal("config", "provider", "aws", "enable"))
    ok(hal("config", "provider", "aws", "account", "edit", "aws-prod", "--add-region",
           "eu-west-1"))
    ok(hal("config", "provider", "ecs", "enable"))
    ok(hal("config", "provider", "ecs", "account", "add", "ecs1", "--aws-account", "aws-prod"))
    cd = hal.profile("clouddriver", "clouddriver.yml")
    assert cd["aws"]["enabled"] is True
    assert cd["aws"]["accounts"][0]["regions"] == [{"name": "us-west-2"},
                                                   {"name": "eu-west-1"}]
    assert cd["ecs"]["accounts"][0]["awsAccount"] == "aws-prod"
    assert cd["dockerRegistry"]["accounts"][0]["address"] == "https://index.docker.io"


def test_security_reaches_gate_fiat_deck_and_spinnaker_yml(hal: Hal, tmp_path: Path) -> None:
    ok(hal("config", "security", "authn", "oauth2", "edit", "--provider", "github",
           "--client-id", "cid", "--client-secret", "csecret"))
    ok(hal("config", "security", "authn", "oauth2", "enable"))
    ok(hal("config", "security", "authz", "edit", "--type", "github"))
    ok(hal("config", "security", "authz", "github", "edit", "--organization", "acme",
           "--accessToken", "gh-token"))
    ok(hal("config", "security", "authz", "enable"))
    ok(hal("config", "security", "ui", "edit", "--override-base-url",
           "https://spinnaker.acme.io"))
    ok(hal("config", "security", "api", "edit", "--override-base-url",
           "https://api.acme.io", "--cors-access-pattern", "https://.*\\.acme\\.io"))
    keystore = tmp_path / "gate.jks"
    keystore.write_text("not really a keystore")
    ok(hal("config", "security", "api", "ssl", "edit", "--keystore", str(keystore),
           "--keystore-type", "JKS", "--client-auth", "want"))
    ok(hal("config", "security", "api", "ssl", "enable"))
    gate = hal.profile("gate", "gate.yml")
    assert gate["security"]["oauth2"]["client"]["clientId"] == "cid"
    assert gate["security"]["oauth2"]["resource"]["userInfoUri"] == "https://api.github.com/user"
    assert gate["security"]["oauth2"]["provider"] == "GITHUB"
    ssl = gate["server"]["ssl"]
    assert is_staged(ssl.pop("keyStore"), "gate.jks")  # shipped into gate's pod (issue 10)
    assert ssl == {"enabled": True, "keyStoreType": "JKS", "clientAuth": "WANT"}
    assert gate["cors"] == {"allowedOriginsPattern": "https://.*\\.acme\\.io"}
    fiat = hal.profile("fiat", "fiat.yml")
    assert fiat["auth"]["enabled"] is True
    assert fiat["auth"]["groupMembership"]["service"] == "GITHUB"
    assert fiat["auth"]["groupMembership"]["github"]["organization"] == "acme"
    services = hal.profile("gate", "spinnaker.yml")["services"]
    assert services["deck"]["baseUrl"] == "https://spinnaker.acme.io"
    assert services["gate"]["baseUrl"] == "https://api.acme.io"
    assert services["fiat"]["enabled"] is True
    deck = deck_settings_object(hal.profiles()["deck"]["settings.js"])
    assert deck["gateUrl"] == "https://api.acme.io" and deck["authEnabled"] is True


def test_saml_renders_as_gate_expects_it(hal: Hal, tmp_path: Path) -> None:
    """SamlConfig: metadataUrl, redirect* from serviceAddress; one login method only."""
    keystore = tmp_path / "saml.jks"
    keystore.write_text("x")
    ok(hal("config", "security", "authn", "saml", "edit", "--metadata",
           "https://idp.acme.io/md.xml", "--issuer-id", "spinnaker", "--keystore",
           str(keystore), "--keystore-alias", "saml", "--keystore-password", "kspw",
           "--service-address-url", "https://gate.acme.io:8084/api",
           "--user-attribute-mapping-roles", "memberOf"))
    ok(hal("config", "security", "authn", "saml", "enable"))
    ok(hal("config", "security", "authn", "x509", "enable"))
    gate = hal.profile("gate", "gate.yml")
    key_store = gate["saml"].pop("keyStore")
    assert key_store.startswith("file:") and is_staged(key_store[len("file:"):], "saml.jks")
    assert gate["saml"] == {
        "enabled": True, "issuerId": "spinnaker", "metadataUrl": "https://idp.acme.io/md.xml",
        "keyStorePassword": "kspw", "keyStoreAliasName": "saml",
        "redirectProtocol": "https", "redirectHostname": "gate.acme.io:8084",
        "redirectBasePath": "/api", "userAttributeMapping": {"roles": "memberOf"}}
    assert gate["x509"] == {"enabled": True}
    assert "oauth2" not in gate["security"] and "ldap" not in gate


def test_bakery_defaults_reach_rosco(hal: Hal) -> None:
    """AwsEditBakeryDefaultsCommand -> providers.aws.bakeryDefaults; RoscoProfileFactory
    renders the bakery defaults of enabled image providers."""
    ok(hal("config", "provider", "aws", "bakery", "edit", "--aws-subnet-id", "subnet-1",
           "--default-virtualization-type", "HVM", "--aws-secret-key", "bake-secret"))
    ok(hal("config", "provider", "aws", "enable"))
    rosco = hal.profile("rosco", "rosco.yml")
    assert rosco["aws"]["bakeryDefaults"]["awsSubnetId"] == "subnet-1"
    assert rosco["aws"]["bakeryDefaults"]["defaultVirtualizationType"] == "hvm"
    assert "bake-secret" not in ok(hal("-o", "json", "config", "provider", "aws", "bakery")).out


# ---------------------------------------------------- rules for hand-edited files
def _edit_file(hal: Hal, old: str, new: str) -> None:
    path = hal.root / "config"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_account_names_must_be_unique_across_providers(hal: Hal) -> None:
    """AccountService.getAnyProviderAccount: clouddriver keys accounts by name alone."""
    result = hal("config", "provider", "google", "account", "add", "aws-prod", "--project",
                 "p")
    assert result.code != 0 and "more than one provider account is named 'aws-prod'" \
        in result.err


def test_hand_edited_duplicates_and_dangling_references_are_errors(hal: Hal) -> None:
    _edit_file(hal, "      - name: gh-bot\n", "      - name: gh-bot\n      - name: gh-bot\n")
    _edit_file(hal, "    kubernetes:\n", "    ecs:\n      accounts:\n      - name: e\n"
                                         "        awsAccount: gone\n    kubernetes:\n")
    out = hal("config", "validate").out + hal("config", "validate").err
    assert "artifacts.github.accounts[1]: more than one github account is named 'gh-bot'" \
        in out
    assert "providers.ecs.accounts[0].awsAccount" in out and "'gone'" in out


def test_missing_local_file_is_reported_before_rendering(hal: Hal, tmp_path: Path) -> None:
    key = tmp_path / "gcb.json"
    key.write_text("{}")
    ok(hal("config", "ci", "gcb", "account", "add", "g1", "--project", "p", "--json-key",
           str(key)))
    assert "jsonKey" not in hal("config", "validate").out
    key.unlink()
    result = hal("config", "validate")
    assert result.code == 1
    assert f"ERROR: ci.gcb.accounts[0].jsonKey: {key}: file not found" in result.out


@pytest.mark.parametrize("setup, enable, says", [
    ([], ["authn", "oauth2", "enable"], "security.authn.oauth2.client.clientSecret: no client "
                                        "secret is set"),
    ([], ["authn", "saml", "enable"], "security.authn.saml.metadataLocal: no metadata file"),
    ([["authn", "ldap", "edit", "--url", "ldap://ldap.example.com/dc=x"]],
     ["authn", "ldap", "enable"], "is not an ldap:// or ldaps:// URL with a port"),
    ([], ["authn", "iap", "enable"], "security.authn.iap.audience: no audience is set"),
    ([["authz", "edit", "--type", "google"]], ["authz", "enable"],
     "security.authz.groupMembership.google.domain: no domain is set"),
    ([], ["ui", "edit", "--override-base-url", "spinnaker.example.com"],
     "'spinnaker.example.com' is not a URL with a scheme and a host"),
])
def test_enabling_an_incomplete_security_method_is_refused(
        hal: Hal, setup: list[list[str]], enable: list[str], says: str) -> None:
    """OAuth2Validator, SamlValidator, LdapValidator, IAPValidator, AuthzValidator +
    GoogleRoleProviderValidator: ERRORs, so the edit is refused and the file untouched."""
    for step in setup:
        ok(hal("config", "security", *step))
    before = hal.bytes()
    result = hal("config", "security", *enable)
    assert result.code != 0 and says in result.err, result.err
    assert hal.bytes() == before


def test_google_login_without_hosted_domain_warns(hal: Hal) -> None:
    result = ok(hal("config", "security", "authn", "oauth2", "edit", "--provider", "google",
                    "--client-secret", "s"))
    ok(hal("config", "security", "authn", "oauth2", "enable"))
    warned = hal("config", "security", "authn", "oauth2", "edit", "--client-id", "other")
    assert "admits anyone with a Google account" in warned.err + result.err
