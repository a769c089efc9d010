"""The authentication blocks of ``gate.yml``, shaped as Halyard renders them.

Halyard (halyard-deploy .../profile/GateBoot154ProfileFactory.java) renders ONE
login method, the first enabled of oauth2, saml, ldap, iap, plus x509 when it is
enabled; each non-OAuth2 method is translated into gate's own property names
(SamlConfig.java, LdapConfig.java, X509Config.java, IAPConfig.java), e.g. SAML's
``serviceAddress`` becomes ``redirectProtocol``/``redirectHostname``/
``redirectBasePath`` and its metadata one ``metadataUrl``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pyhalyard.render.profiles.base import Profile, copied, flag

_SAML_KEYS = ("issuerId", "keyStore", "keyStorePassword", "keyStoreAliasName",
              "signatureDigest")
_LDAP_KEYS = ("url", "userDnPattern", "userSearchBase", "userSearchFilter", "managerDn",
              "managerPassword")
_IAP_KEYS = ("jwtHeader", "issuerId", "audience", "iapVerifyKeyUrl")


def _pick(block: dict[str, Any], keys: tuple[str, ...], *, non_empty: bool = False) -> Profile:
    out: Profile = {"enabled": True}
    for key in keys:
        value = block.get(key)
        if value is not None and (value != "" or not non_empty):
            out[key] = value
    return out


def saml(block: dict[str, Any]) -> Profile:
    """SamlConfig: metadataUrl (remote wins over local), the redirect split of serviceAddress."""
    out = _pick(block, _SAML_KEYS)
    metadata = block.get("metadataRemote") or block.get("metadataLocal")
    if metadata:
        out["metadataUrl"] = metadata
    address = block.get("serviceAddress")
    if address:
        parts = urlsplit(str(address))
        out["redirectProtocol"] = parts.scheme
        out["redirectHostname"] = parts.hostname or ""
        if parts.port is not None:
            out["redirectHostname"] += f":{parts.port}"
        if parts.path:
            out["redirectBasePath"] = parts.path
    if isinstance(block.get("userAttributeMapping"), dict):
        out["userAttributeMapping"] = dict(block["userAttributeMapping"])
    return out


def authn_blocks(security: dict[str, Any]) -> tuple[Profile | None, Profile]:
    """(``security.oauth2`` or None, the other top-level blocks of gate.yml)."""
    authn = copied(security, "authn")
    blocks: Profile = {}
    oauth2: Profile | None = None
    if flag(authn, "oauth2", "enabled"):
        oauth2 = copied(authn, "oauth2")
    elif flag(authn, "saml", "enabled"):
        blocks["saml"] = saml(copied(authn, "saml"))
    elif flag(authn, "ldap", "enabled"):
        blocks["ldap"] = _pick(copied(authn, "ldap"), _LDAP_KEYS)
    elif flag(authn, "iap", "enabled"):
        blocks["google"] = {"iap": _pick(copied(authn, "iap"), _IAP_KEYS, non_empty=True)}
    if flag(authn, "x509", "enabled"):
        blocks["x509"] = _pick(copied(authn, "x509"), ("roleOid", "subjectPrincipalRegex"),
                               non_empty=True)
    return oauth2, blocks
