"""Login, TLS and AWS credentials rendered the way Halyard's profile factories did.

Each test names the Halyard source it reproduces (halyard-deploy .../spinnaker/v1/).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from pyhalyard.render.bundle import Bundle, KubeObject
from pyhalyard.required_files import POD_HAL_DIR, pod_path
from tests.helpers import REALWORLD, deck_settings_object
from tests.render_manifests.configs import deployment, render, write_hal
from tests.render_manifests.files_config import AWS_KEYS
from tests.render_manifests.test_required_files import mounted_secret

DEPS = "/home/spinnaker/.hal/default/staging/dependencies"


def staged(rel: str) -> str:
    return pod_path(f"{POD_HAL_DIR}/{rel}", "default")


def profile(bundle: Bundle, service: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(bundle.services[service].profiles[name])
    return data


def container(bundle: Bundle, service: str) -> KubeObject:
    dep = next(o for o in bundle.services[service].objects if o["kind"] == "Deployment")
    main: KubeObject = dep["spec"]["template"]["spec"]["containers"][0]
    return main


def secret_by_mark(bundle: Bundle, service: str, mark: str) -> dict[str, bytes] | None:
    """The files of the Secret (``-required-files-`` / ``-aws-files-``) the service mounts."""
    volume = {"-required-files-": "spin-required-files", "-aws-files-": "spin-aws-credentials"}
    return mounted_secret(bundle, service, volume[mark])


def gate_with(tmp_path: Path, authn: dict[str, Any],
              settings: dict[str, Any] | None = None) -> dict[str, Any]:
    dep = deployment()
    dep["security"] = {"authn": authn}
    bundle = render(write_hal(tmp_path / "hal", dep,
                              settings={"gate": settings} if settings else None))
    return profile(bundle, "gate", "gate.yml")


# ------------------------------------------------------------------ SAML
def test_saml_is_halyards_saml_config(bundles: dict[str, Bundle]) -> None:
    """profile/SamlConfig.java: metadataUrl/keyStore get ``file:`` + the staged copy,
    redirect* are split from serviceAddress, the halconfig's own keys are not written."""
    gate = profile(bundles["files"], "gate", "gate.yml")
    assert gate["saml"] == {
        "enabled": True,
        "issuerId": "spinnaker",
        "metadataUrl": "file:" + staged("files/saml-metadata.xml"),
        "keyStore": "file:" + staged("files/saml.jks"),
        "keyStorePassword": "saml-pass",
        "keyStoreAliasName": "saml",
        "redirectProtocol": "https",
        "redirectHostname": "gate.example.com:8084",
        "redirectBasePath": "/api",
        "userAttributeMapping": {"roles": "memberOf", "rolesDelimiter": ","},
    }
    assert "ldap" not in gate and "oauth2" not in gate["security"]


def test_saml_remote_metadata_and_signature_digest(tmp_path: Path) -> None:
    """profile/SamlConfig.java: metadataRemote wins over metadataLocal; a URL gets no
    ``file:``; no port and no path leave redirectHostname bare and no redirectBasePath."""
    gate = gate_with(tmp_path, {"saml": {
        "enabled": True, "issuerId": "i", "metadataRemote": "https://idp.example/metadata",
        "serviceAddress": "https://spin.example.com", "signatureDigest": "SHA256"}})
    assert gate["saml"] == {"enabled": True, "issuerId": "i",
                            "metadataUrl": "https://idp.example/metadata",
                            "redirectProtocol": "https", "redirectHostname": "spin.example.com",
                            "signatureDigest": "SHA256", "userAttributeMapping": {}}


# ------------------------------------------------------------------ method order
def test_only_the_first_method_is_written(tmp_path: Path) -> None:
    """profile/GateBoot154ProfileFactory.java getGateConfig: oauth2 > saml > ldap > iap."""
    methods = {"oauth2": {"enabled": True, "client": {"clientId": "c"}},
               "saml": {"enabled": True, "serviceAddress": "https://g.example"},
               "ldap": {"enabled": True, "url": "ldap://l.example:389/dc=x"},
               "iap": {"enabled": True, "audience": "a"}}
    gate = gate_with(tmp_path / "all", methods)
    assert gate["security"]["oauth2"]["client"]["clientId"] == "c"
    assert "saml" not in gate and "ldap" not in gate and gate["google"] == {}
    del methods["oauth2"]
    gate = gate_with(tmp_path / "no-oauth2", methods)
    assert "saml" in gate and "ldap" not in gate and gate["google"] == {}
    gate = gate_with(tmp_path / "iap", {"iap": {"enabled": True, "audience": "a"}})
    assert gate["google"]["iap"] == {"enabled": True, "audience": "a"}


def test_ldap_with_x509(tmp_path: Path) -> None:
    """profile/LdapConfig.java and X509Config.java: Halyard's fields with the halconfig's
    values (x509 is written next to any method)."""
    ldap = {"enabled": True, "url": "ldaps://ldap.example.com:636/dc=example,dc=com",
            "userDnPattern": "uid={0},ou=users", "userSearchBase": "ou=users",
            "userSearchFilter": "(uid={0})", "managerDn": "cn=admin",
            "managerPassword": "ldap-pw", "groupSearchBase": "ou=groups"}
    x509 = {"enabled": True, "roleOid": "1.2.840.10070.8.1",
            "subjectPrincipalRegex": "EMAILADDRESS=(.*?)(?:,|$)"}
    gate = gate_with(tmp_path, {"ldap": ldap, "x509": x509})
    halyard_ldap = {k: ldap[k] for k in ("enabled", "url", "userDnPattern", "userSearchBase",
                                         "userSearchFilter", "managerDn", "managerPassword")}
    assert halyard_ldap.items() <= gate["ldap"].items()
    assert gate["ldap"]["groupSearchBase"] == "ou=groups"  # gate reads it; Halyard dropped it
    assert gate["x509"] == x509


def test_deck_auth_enabled_when_any_method_is_on(tmp_path: Path) -> None:
    """halyard-config node/Features.java isAuth -> security/Authn.java isEnabled: any method
    on, whatever the stored ``authn.enabled`` says."""
    dep = deployment()
    dep["security"] = {"authn": {"enabled": False, "ldap": {"enabled": True, "url": "ldap://x"}}}
    bundle = render(write_hal(tmp_path / "hal", dep))
    assert deck_settings_object(bundle.services["deck"].profiles["settings.js"])["authEnabled"]


# ------------------------------------------------------------------ OAuth2
def test_oauth2_provider_shorthand_fills_the_provider(tmp_path: Path) -> None:
    """halyard-config security/OAuth2.java setProvider(GOOGLE): client id/secret kept,
    URIs, scope and user-info mapping from the provider."""
    gate = gate_with(tmp_path, {"oauth2": {
        "enabled": True, "client": {"clientId": "id", "clientSecret": "secret"},
        "provider": "GOOGLE"}})
    assert gate["security"]["oauth2"] == {
        "enabled": True, "provider": "GOOGLE",
        "client": {"clientId": "id", "clientSecret": "secret",
                   "accessTokenUri": "https://www.googleapis.com/oauth2/v4/token",
                   "userAuthorizationUri": "https://accounts.google.com/o/oauth2/v2/auth",
                   "scope": "profile email"},
        "resource": {"userInfoUri": "https://www.googleapis.com/oauth2/v3/userinfo"},
        "userInfoMapping": {"email": "email", "firstName": "given_name",
                            "lastName": "family_name"}}


def test_oauth2_keys_written_after_the_provider_win(tmp_path: Path) -> None:
    """Jackson calls the setters in file order: a userInfoMapping after ``provider``
    replaces the provider's."""
    gate = gate_with(tmp_path, {"oauth2": {
        "enabled": True, "provider": "GITHUB", "client": {"clientId": "id"},
        "userInfoMapping": {"username": "login"}}})
    oauth2 = gate["security"]["oauth2"]
    assert oauth2["client"] == {"clientId": "id"}
    assert oauth2["userInfoMapping"] == {"username": "login"}
    assert oauth2["resource"] == {"userInfoUri": "https://api.github.com/user"}


# ------------------------------------------------------------------ basic auth
@pytest.mark.parametrize(("settings", "expected"), [
    ({"basicAuthEnabled": True, "username": "admin", "password": "pw"},
     {"basic": {"enabled": True}, "user": {"name": "admin", "password": "pw"}}),
    ({"basicAuthEnabled": False, "username": "admin", "password": "pw"},
     {"basic": {"enabled": False}, "user": {}}),
])
def test_basic_auth_from_gate_settings(tmp_path: Path, settings: dict[str, Any],
                                       expected: dict[str, Any]) -> None:
    """profile/SecurityConfig.java: service-settings basicAuthEnabled/username/password."""
    assert gate_with(tmp_path, {}, settings)["security"] == expected


# ------------------------------------------------------------------ gate TLS
def test_gate_tls(bundles: dict[str, Bundle]) -> None:
    """service/GateService.java Settings(ApiSecurity): scheme https; profile/
    GateProfileFactory.java: server.ssl = the SpringSsl node with staged stores."""
    bundle = bundles["files"]
    gate = profile(bundle, "gate", "gate.yml")
    assert gate["server"]["ssl"] == {
        "enabled": True, "keyAlias": "gate", "keyStore": staged("files/gate-keystore.jks"),
        "keyStoreType": "JKS", "keyStorePassword": "ks-pass",
        "trustStore": staged("files/gate-truststore.jks"), "trustStoreType": "JKS",
        "trustStorePassword": "ts-pass", "clientAuth": "WANT"}
    for service in ("orca", "gate", "clouddriver-ro"):
        services = profile(bundle, service, "spinnaker.yml")["services"]
        assert services["gate"]["baseUrl"] == "https://localhost:8084"
    settings_js = deck_settings_object(bundle.services["deck"].profiles["settings.js"])
    assert settings_js["gateUrl"] == "https://localhost:8084"
    assert container(bundle, "gate")["readinessProbe"]["httpGet"]["scheme"] == "HTTPS"


# ------------------------------------------------------------------ deck TLS
def test_deck_tls(bundles: dict[str, Bundle]) -> None:
    """profile/deck/DeckDockerProfileFactory.java: DECK_HOST, DECK_PORT, API_HOST,
    DECK_CERT, DECK_KEY, PASSPHRASE; service/DeckService.java Settings(UiSecurity): https."""
    bundle = bundles["files"]
    main = container(bundle, "deck")
    env = {e["name"]: e for e in main["env"]}
    assert {k: env[k]["value"] for k in ("DECK_HOST", "DECK_PORT", "API_HOST", "DECK_CERT",
                                         "DECK_KEY")} == {
        "DECK_HOST": "0.0.0.0", "DECK_PORT": "9000", "API_HOST": "https://localhost:8084",
        "DECK_CERT": staged("files/deck.crt"), "DECK_KEY": staged("files/deck.key")}
    assert "value" not in env["PASSPHRASE"]  # from the config Secret
    assert env["PASSPHRASE"]["valueFrom"]["secretKeyRef"]["key"] == "env.PASSPHRASE"
    files = secret_by_mark(bundle, "deck", "-required-files-")
    assert files is not None and set(files) == {staged("files/deck.crt").rsplit("/", 1)[1],
                                                staged("files/deck.key").rsplit("/", 1)[1]}
    assert {m["mountPath"] for m in main["volumeMounts"]} >= {DEPS}
    assert profile(bundle, "echo", "echo.yml")["spinnaker"]["baseUrl"] == \
        "https://localhost:9000"


# ------------------------------------------------------------------ mTLS between services
def test_mtls_overrides_and_https_scheme(tmp_path: Path) -> None:
    """service/ServiceSettings.java buildBaseUri: overrideBaseUrl wins; scheme https
    makes the URL and the readiness probe https."""
    settings = {"orca": {"scheme": "https", "overrideBaseUrl": "https://orca.internal:8083"},
                "clouddriver": {"scheme": "https"}}
    bundle = render(write_hal(tmp_path / "hal", deployment(), settings=settings))
    services = profile(bundle, "gate", "spinnaker.yml")["services"]
    assert services["orca"]["baseUrl"] == "https://orca.internal:8083"
    assert services["clouddriver"]["baseUrl"] == "https://spin-clouddriver.spinnaker:7002"
    for name in ("orca", "clouddriver"):
        assert container(bundle, name)["readinessProbe"]["httpGet"]["scheme"] == "HTTPS"
    assert "scheme" not in container(bundle, "front50")["readinessProbe"]["httpGet"]


# ------------------------------------------------------------------ AWS credentials
def _aws_file(pair: tuple[str, str]) -> bytes:
    """profile/AwsCredentialsProfileFactoryBuilder.java's template, exactly."""
    return f"[default]\naws_access_key_id = {pair[0]}\naws_secret_access_key = {pair[1]}".encode()


def test_aws_credentials_files(bundles: dict[str, Bundle]) -> None:
    """service/Front50Service.java (S3 store keys), ClouddriverService.java (aws provider
    keys), KayentaService.java (first canary aws account with keys) generateAwsProfile:
    ~/.aws/credentials for the spinnaker user and for root."""
    bundle = bundles["files"]
    expected = {"front50": AWS_KEYS["s3"], "clouddriver-caching": AWS_KEYS["provider"],
                "clouddriver-rw": AWS_KEYS["provider"], "clouddriver-ro": AWS_KEYS["provider"],
                "kayenta": AWS_KEYS["canary"]}
    for service in bundle.services:
        found = secret_by_mark(bundle, service, "-aws-files-")
        if service not in expected:
            assert found is None, service
            continue
        assert found == {"credentials": _aws_file(expected[service])}
        mounts = {m["mountPath"]: m for m in container(bundle, service)["volumeMounts"]}
        for folder in ("/home/spinnaker/.aws", "/root/.aws"):
            assert mounts[folder]["readOnly"] is True
            assert mounts[folder]["name"] == "spin-aws-credentials"


def test_no_keys_no_credentials_file(tmp_path: Path) -> None:
    dep = deployment()  # S3 storage without keys, no aws provider
    bundle = render(write_hal(tmp_path / "hal", dep))
    assert all(secret_by_mark(bundle, s, "-aws-files-") is None for s in bundle.services)


@pytest.mark.skipif(not REALWORLD.exists(), reason="needs ../shared/realworld")
def test_realworld_front50_gets_halyards_credentials_files(bundles: dict[str, Bundle]) -> None:
    """Halyard's own record (history/service-profiles.yml) puts front50's S3 keys in
    /home/spinnaker/.aws/credentials and /root/.aws/credentials: so do we."""
    record = yaml.safe_load((REALWORLD / "default" / "history" / "service-profiles.yml")
                            .read_text())
    config = yaml.safe_load((REALWORLD / "config").read_text())["deploymentConfigurations"][0]
    s3 = config["persistentStorage"]["s3"]
    bundle = bundles["realworld"]
    for service, files in record.items():
        outside = {f["outputFile"] for f in files.values()
                   if f["outputFile"].endswith("/.aws/credentials")}
        if not outside:
            continue
        assert outside == {"/home/spinnaker/.aws/credentials", "/root/.aws/credentials"}
        mounted = {m["mountPath"] for m in container(bundle, service)["volumeMounts"]}
        assert {path.rsplit("/", 1)[0] for path in outside} <= mounted
        assert secret_by_mark(bundle, service, "-aws-files-") == {
            "credentials": _aws_file((s3["accessKeyId"], s3["secretAccessKey"]))}


def test_gate_requiring_client_certificates_gets_a_tcp_probe(tmp_path: Path) -> None:
    """An HTTPS probe cannot present a client certificate: with clientAuth NEED gate's
    readiness is a TCP check (unless its settings choose a probe)."""
    dep = deployment()
    dep["security"] = {"apiSecurity": {"ssl": {"enabled": True, "clientAuth": "NEED"}}}
    bundle = render(write_hal(tmp_path / "hal", dep))
    assert container(bundle, "gate")["readinessProbe"] == {"tcpSocket": {"port": 8084}}
    assert profile(bundle, "orca", "spinnaker.yml")["services"]["gate"]["baseUrl"] \
        == "https://localhost:8084"
    settings = {"gate": {"kubernetes": {"useTcpProbe": False}}}
    bundle = render(write_hal(tmp_path / "own", dep, settings=settings))
    assert container(bundle, "gate")["readinessProbe"]["httpGet"]["scheme"] == "HTTPS"
