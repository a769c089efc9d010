"""Gate's login blocks as Halyard computed them, not as the halconfig spells them.

- One login method: the first enabled of oauth2 > saml > ldap > iap, plus x509 next
  to any of them (GateBoot154ProfileFactory ``getGateConfig``).
- ``security.oauth2`` is the OAuth2 node after Halyard's ``provider:`` shorthand filled
  in the provider's URIs, scope and user-info mapping (halyard-config OAuth2.setProvider,
  applied when Jackson reads the ``provider`` key, so keys written after it win).
- ``saml`` is Halyard's SamlConfig: ``metadataUrl`` (remote URL, else ``file:`` + the
  shipped metadata), ``keyStore`` with ``file:``, and ``redirectProtocol`` /
  ``redirectHostname`` / ``redirectBasePath`` split from ``serviceAddress``.
- ``security.basic`` / ``security.user`` from gate's service settings (SecurityConfig).

File paths are already the in-pod ones here (render_profiles renders from
``plan.in_pod_view``).
"""

from __future__ import annotations

import copy
import re
from typing import Any

from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render.profiles.base import Profile, block, copied, flag

# Order GateBoot154ProfileFactory tries the methods in; only the first enabled one is written.
EXCLUSIVE_METHODS = ("oauth2", "saml", "ldap", "iap")
ALL_METHODS = ("oauth2", "saml", "ldap", "x509", "iap")
# Halyard's DecryptingObjectMapper leaves values java.net.URL accepts (and secrets) alone.
_JAVA_URL = re.compile(r"^(https?|ftp|file|jar|mailto|netdoc):", re.IGNORECASE)
_SECRET = ("encrypted:", "encryptedFile:")

# OAuth2.setProvider: (client fields, resource.userInfoUri, userInfoMapping).
_IDCS = "https://idcs-${idcsTenantId}.identity.oraclecloud.com"
_AZURE = "https://login.microsoftonline.com/${azureTenantId}/oauth2"
OAUTH2_PROVIDERS: dict[str, tuple[dict[str, str], str, dict[str, str]]] = {
    "GOOGLE": ({"accessTokenUri": "https://www.googleapis.com/oauth2/v4/token",
                "userAuthorizationUri": "https://accounts.google.com/o/oauth2/v2/auth",
                "scope": "profile email"},
               "https://www.googleapis.com/oauth2/v3/userinfo",
               {"email": "email", "firstName": "given_name", "lastName": "family_name"}),
    "GITHUB": ({"accessTokenUri": "https://github.com/login/oauth/access_token",
                "userAuthorizationUri": "https://github.com/login/oauth/authorize",
                "scope": "user:email"},
               "https://api.github.com/user",
               {"email": "email", "firstName": "", "lastName": "name", "username": "login"}),
    "ORACLE": ({"accessTokenUri": f"{_IDCS}/oauth2/v1/token",
                "userAuthorizationUri": f"{_IDCS}/oauth2/v1/authorize",
                "scope": "openid urn:opc:idm:__myscopes__"},
               f"{_IDCS}/oauth2/v1/userinfo",
               {"email": "", "firstName": "given_name", "lastName": "family_name",
                "username": "preferred_username"}),
    "AZURE": ({"accessTokenUri": f"{_AZURE}/token",
               "userAuthorizationUri": f"{_AZURE}/authorize?resource=https://graph.windows.net",
               "scope": "profile", "clientAuthenticationScheme": "query"},
              "https://graph.windows.net/me?api-version=1.6",
              {"email": "userPrincipalName", "firstName": "givenName", "lastName": "surname"}),
}
_KEPT_CLIENT = ("clientId", "clientSecret", "preEstablishedRedirectUri", "useCurrentUri")
_OTHER_CLIENT = ("accessTokenUri", "userAuthorizationUri", "scope", "clientAuthenticationScheme")
_MAPPING = ("email", "firstName", "lastName", "username")


def authn_enabled(raw: dict[str, Any]) -> bool:
    """Authn.isEnabled(): any method on (the stored ``authn.enabled`` is ignored)."""
    return any(flag(raw, "security", "authn", method, "enabled") for method in ALL_METHODS)


def _present(node: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    node = node if isinstance(node, dict) else {}
    return {k: node[k] for k in keys if node.get(k) is not None}


def _with_provider(current: dict[str, Any], provider: Any) -> None:
    name = str(provider).upper()
    client = current.get("client")
    new_client = _present(client, _KEPT_CLIENT)
    if name == "OTHER":
        new_client.update(_present(client, _OTHER_CLIENT))
        resource = _present(current.get("resource"), ("userInfoUri",))
        mapping = _present(current.get("userInfoMapping"), _MAPPING)
    elif name in OAUTH2_PROVIDERS:
        fields, user_info, mapping = OAUTH2_PROVIDERS[name]
        new_client.update(fields)
        resource, mapping = {"userInfoUri": user_info}, dict(mapping)
    else:
        return  # validation reports unknown providers; keep the user's blocks
    current.update(client=new_client, resource=resource, userInfoMapping=mapping)


def oauth2(node: dict[str, Any]) -> Profile:
    """The OAuth2 node as Jackson built it: keys applied in the order they are written."""
    out: Profile = {}
    for key, value in node.items():
        if key == "provider" and value is not None:
            _with_provider(out, value)
        out[key] = copy.deepcopy(value)
    return out


def _file_url(value: Any) -> Any:
    """SamlConfig's ``@SecretFile(prefix = "file:")``: a path becomes ``file:<path>``."""
    if not isinstance(value, str) or not value or value.startswith(_SECRET) \
            or _JAVA_URL.match(value):
        return value
    return "file:" + value


def saml(node: dict[str, Any]) -> Profile:
    out: Profile = {"enabled": True}
    remote = node.get("metadataRemote")
    for key, value in (("issuerId", node.get("issuerId")),
                       ("metadataUrl", remote if remote else _file_url(node.get("metadataLocal"))),
                       ("keyStore", _file_url(node.get("keyStore"))),
                       ("keyStorePassword", node.get("keyStorePassword")),
                       ("keyStoreAliasName", node.get("keyStoreAliasName")),
                       ("signatureDigest", node.get("signatureDigest"))):
        if value is not None:
            out[key] = value
    address = node.get("serviceAddress")
    if isinstance(address, str) and address:
        from urllib.parse import urlsplit  # only with SAML: costs an import otherwise

        url = urlsplit(address)
        out["redirectProtocol"] = url.scheme
        host = url.hostname or ""
        try:
            port = url.port
        except ValueError:
            port = None
        out["redirectHostname"] = f"{host}:{port}" if port is not None else host
        if url.path:
            out["redirectBasePath"] = url.path
    mapping = node.get("userAttributeMapping")
    out["userAttributeMapping"] = {k: v for k, v in (mapping or {}).items() if v is not None} \
        if isinstance(mapping, dict) else {}
    return out


def basic_auth(sp: ServicePlan) -> Profile:
    """SecurityConfig: basic auth unless ``basicAuthEnabled: false``, with the settings'
    username and password."""
    enabled = sp.settings.get("basicAuthEnabled")
    user: Profile = {}
    if enabled is None or enabled is True:
        for key, prop in (("username", "name"), ("password", "password")):
            if sp.settings.get(key) is not None:
                user[prop] = sp.settings[key]
    return {"basic": {"enabled": enabled is None or enabled is True}, "user": user}


def blocks(plan: Plan, sp: ServicePlan) -> Profile:
    """``security``, ``google`` and the one login method's block of gate.yml."""
    authn = block(plan.deployment.raw, "security", "authn")
    spring_security = basic_auth(sp)
    out: Profile = {"security": spring_security, "google": {}}
    method = next((m for m in EXCLUSIVE_METHODS if flag(authn, m, "enabled")), None)
    if method == "oauth2":
        spring_security["oauth2"] = oauth2(block(authn, "oauth2"))
    elif method == "saml":
        out["saml"] = saml(block(authn, "saml"))
    elif method == "ldap":
        out["ldap"] = copied(authn, "ldap")
    elif method == "iap":
        out["google"]["iap"] = copied(authn, "iap")
    if flag(authn, "x509", "enabled"):
        out["x509"] = copied(authn, "x509")
    return out
