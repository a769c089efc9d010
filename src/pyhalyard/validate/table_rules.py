"""Checks on the sections the command table edits (issue 13), for hand-edited files too.

The generated commands already refuse a duplicate ``add``, a dangling reference and
an unreadable file; these rules catch the same mistakes when the YAML was edited by
hand.  Halyard: AccountService.getAnyProviderAccount ("More than one account named
... was found": clouddriver keys credentials by account name alone, across
providers), ArtifactAccountService / ArtifactTemplateService / ClusterService
(duplicates within one list), EcsAccountValidator (the AWS account must exist),
DCOSAccountValidator (docker registries must exist), and the ``@LocalFile`` fields
Halyard reads while validating.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyhalyard.pipeline import Loaded
from pyhalyard.validate.problem import Problem, Severity


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _names(items: Any) -> list[tuple[int, str]]:
    return [(i, str(item.get("name"))) for i, item in enumerate(items)
            if isinstance(item, dict) and item.get("name") is not None] \
        if isinstance(items, list) else []


def _duplicates(entries: list[tuple[str, str]], what: str,
                fix: str = "rename or delete one of them") -> Iterator[Problem]:
    """``entries``: (location, name); every repeat of a name is one ERROR."""
    seen: dict[str, str] = {}
    for where, name in entries:
        if name in seen:
            yield Problem(Severity.ERROR, where,
                          f"more than one {what} is named '{name}' (also {seen[name]})", fix)
        else:
            seen[name] = where


def named_items_unique(loaded: Loaded) -> Iterator[Problem]:
    raw = loaded.deployment.raw
    providers = _mapping(raw.get("providers"))
    yield from _duplicates(
        [(f"providers.{p}.accounts[{i}]", name)
         for p, block in providers.items()
         for i, name in _names(_mapping(block).get("accounts"))],
        "provider account", "rename one: clouddriver needs account names unique across "
                            "all providers")
    yield from _duplicates([(f"providers.dcos.clusters[{i}]", name) for i, name in
                            _names(_mapping(providers.get("dcos")).get("clusters"))],
                           "DC/OS cluster")
    for section, key in (("artifacts", "accounts"), ("ci", "masters"), ("ci", "accounts")):
        for kind, block in _mapping(raw.get(section)).items():
            items = _mapping(block).get(key)
            yield from _duplicates([(f"{section}.{kind}.{key}[{i}]", name)
                                    for i, name in _names(items)], f"{kind} {key[:-1]}")
    templates = _mapping(raw.get("artifacts")).get("templates")
    yield from _duplicates([(f"artifacts.templates[{i}]", name)
                            for i, name in _names(templates)], "artifact template")


def table_references(loaded: Loaded) -> Iterator[Problem]:
    providers = _mapping(loaded.deployment.raw.get("providers"))

    def known(provider: str) -> set[str]:
        return {name for _, name in _names(_mapping(providers.get(provider)).get("accounts"))}

    aws = known("aws")
    for i, account in enumerate(_mapping(providers.get("ecs")).get("accounts") or []):
        ref = _mapping(account).get("awsAccount")
        if ref is not None and str(ref) not in aws:
            yield Problem(Severity.ERROR, f"providers.ecs.accounts[{i}].awsAccount",
                          f"ECS account '{_mapping(account).get('name')}' uses AWS account "
                          f"'{ref}', which is not an aws account of this deployment",
                          "hal config provider aws account add ... first")
    registries = known("dockerRegistry")
    for i, account in enumerate(_mapping(providers.get("dcos")).get("accounts") or []):
        refs = _mapping(account).get("dockerRegistries") or []
        for j, ref in enumerate(refs if isinstance(refs, list) else []):
            name = _mapping(ref).get("accountName")
            if name is not None and str(name) not in registries:
                yield Problem(Severity.ERROR,
                              f"providers.dcos.accounts[{i}].dockerRegistries[{j}]",
                              f"docker registry '{name}' is not a dockerRegistry account of "
                              "this deployment", "hal config provider docker-registry "
                                                 "account add ... first")


def _node(raw: dict[str, Any], node: tuple[str, ...]) -> Any:
    """The mapping at a row's node; ``key[field=value]`` picks a list item (canary)."""
    cur: Any = raw
    for part in node:
        key, _, pick = part.partition("[")
        cur = _mapping(cur).get(key)
        if pick:
            field, _, value = pick.rstrip("]").partition("=")
            cur = next((i for i in cur if _mapping(i).get(field) == value), None) \
                if isinstance(cur, list) else None
    return cur


# ---------------------------------------------------------------- security
# Halyard's validators (halyard-config .../validate/v1/security/*Validator.java): what an
# enabled login method, the selected role provider and an override URL must have.
_AUTHN_REQUIRED: dict[str, tuple[tuple[str, str, str], ...]] = {
    # method: (key path, what is missing, the flag that sets it)
    "oauth2": (("client.clientId", "client id", "--client-id"),
               ("client.clientSecret", "client secret", "--client-secret")),
    "saml": (("issuerId", "issuerId", "--issuer-id"),
             ("keyStore", "keystore", "--keystore"),
             ("keyStorePassword", "keystore password", "--keystore-password"),
             ("keyStoreAliasName", "keystore alias", "--keystore-alias"),
             ("serviceAddress", "service address", "--service-address-url")),
    "ldap": (("url", "url", "--url"),),
    "iap": (("audience", "audience", "--audience"),),
}
_ROLE_REQUIRED: dict[str, tuple[tuple[str, str, str], ...]] = {
    "GITHUB": (("organization", "organization", "--organization"),
               ("accessToken", "access token", "--accessToken")),
    "GOOGLE": (("adminUsername", "admin username", "--admin-username"),
               ("credentialPath", "credentials path", "--credential-path"),
               ("domain", "domain", "--domain")),
    "FILE": (("path", "permission file path", "--file-path"),),
    "LDAP": (("url", "url", "--url"),),
}


def _get(block: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        block = _mapping(block).get(part)
    return block


def _missing(block: Any, required: tuple[tuple[str, str, str], ...], where: str,
             command: str) -> Iterator[Problem]:
    for key, what, flag in required:
        if _get(block, key) in (None, ""):
            yield Problem(Severity.ERROR, f"{where}.{key}", f"no {what} is set",
                          f"{command} {flag} ...")


def security_required(loaded: Loaded) -> Iterator[Problem]:
    security = _mapping(loaded.deployment.raw.get("security"))
    authn = _mapping(security.get("authn"))
    for method, required in _AUTHN_REQUIRED.items():
        block = _mapping(authn.get(method))
        if block.get("enabled") is not True:
            continue
        where = f"security.authn.{method}"
        command = f"hal config security authn {method} edit"
        yield from _missing(block, required, where, command)
        if method == "saml" and not (block.get("metadataLocal") or block.get("metadataRemote")):
            yield Problem(Severity.ERROR, f"{where}.metadataLocal", "no metadata file is set",
                          f"{command} --metadata URL|FILE")
        if method == "ldap":
            url = str(block.get("url") or "")
            scheme, _, rest = url.partition("://")
            if url and (scheme.lower() not in ("ldap", "ldaps")
                        or ":" not in rest.split("/", 1)[0]):
                yield Problem(Severity.ERROR, f"{where}.url",
                              f"'{url}' is not an ldap:// or ldaps:// URL with a port",
                              f"{command} --url ldaps://ldap.example.com:636/dc=example,dc=com")
            if not (block.get("userDnPattern") or block.get("userSearchFilter")):
                yield Problem(Severity.ERROR, f"{where}.userDnPattern",
                              "no user search method is set",
                              f"{command} --user-dn-pattern 'uid={{0}},ou=users' (or "
                              "--user-search-filter with an optional --user-search-base)")
        if method == "oauth2" and block.get("provider") == "GOOGLE" \
                and "hd" not in _mapping(block.get("userInfoRequirements")):
            yield Problem(Severity.WARNING, f"{where}.userInfoRequirements",
                          "Google login without an 'hd' requirement admits anyone with a "
                          "Google account", f"{command} --user-info-requirements hd=example.com")
    authz = _mapping(security.get("authz"))
    service = str(_get(authz, "groupMembership.service") or "")
    if authz.get("enabled") is True and service in _ROLE_REQUIRED:
        name = service.lower()
        yield from _missing(_get(authz, f"groupMembership.{name}"), _ROLE_REQUIRED[service],
                            f"security.authz.groupMembership.{name}",
                            f"hal config security authz {name} edit")
    for node, word in (("uiSecurity", "ui"), ("apiSecurity", "api")):
        override = _get(security, f"{node}.overrideBaseUrl")
        # Halyard refuses a path without scheme and host too; the real team's config has
        # ``overrideBaseUrl: /gate`` (Deck calls Gate on its own host, the ingress routes
        # the path), which works, so an absolute path is accepted here.
        if override in (None, "") or str(override).startswith("/"):
            continue
        scheme, sep, rest = str(override).partition("://")
        if not (sep and scheme and rest.split("/", 1)[0]):
            yield Problem(Severity.ERROR, f"security.{node}.overrideBaseUrl",
                          f"'{override}' is not a URL with a scheme and a host",
                          f"hal config security {word} edit --override-base-url "
                          "https://host.example.com")
