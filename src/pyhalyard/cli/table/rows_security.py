"""``hal config security``: authentication, authorization, and the UI/API servers' URLs and TLS.

Halyard: halyard-cli .../command/v1/config/security/** (flags) and halyard-config
.../model/v1/security/** (keys).  gate.yml carries authn and the API TLS, fiat.yml
``auth`` is ``security.authz``, Deck's gateUrl and Gate's redirects follow the
``overrideBaseUrl``s (render/profiles/gate.py, fiat.py, deck.py, plan.py).
"""

from __future__ import annotations

from typing import Any

from pyhalyard.cli.table.model import Flag, Group

_S = "halyard-cli config/security/"
_M = "; model config/model/v1/security/"

HELP = {
    "config security": "Configure Spinnaker's security: authentication, authorization, "
                       "the UI and API servers' addresses and TLS.",
    "config security authn": "Configure how users authenticate against Spinnaker "
                             "(AuthnCommand).",
}

# OAuth2.setProvider: choosing a provider replaces these settings with its presets
# (clientId, clientSecret and the redirect settings are kept); None removes a key.
_GOOGLE: tuple[tuple[str, Any], ...] = (
    ("client.accessTokenUri", "https://www.googleapis.com/oauth2/v4/token"),
    ("client.userAuthorizationUri", "https://accounts.google.com/o/oauth2/v2/auth"),
    ("client.scope", "profile email"),
    ("client.clientAuthenticationScheme", None),
    ("resource.userInfoUri", "https://www.googleapis.com/oauth2/v3/userinfo"),
    ("userInfoMapping.email", "email"),
    ("userInfoMapping.firstName", "given_name"),
    ("userInfoMapping.lastName", "family_name"),
    ("userInfoMapping.username", None),
)
_GITHUB: tuple[tuple[str, Any], ...] = (
    ("client.accessTokenUri", "https://github.com/login/oauth/access_token"),
    ("client.userAuthorizationUri", "https://github.com/login/oauth/authorize"),
    ("client.scope", "user:email"),
    ("client.clientAuthenticationScheme", None),
    ("resource.userInfoUri", "https://api.github.com/user"),
    ("userInfoMapping.email", "email"),
    ("userInfoMapping.firstName", ""),
    ("userInfoMapping.lastName", "name"),
    ("userInfoMapping.username", "login"),
)
_IDCS = "https://idcs-${idcsTenantId}.identity.oraclecloud.com"
_ORACLE: tuple[tuple[str, Any], ...] = (
    ("client.accessTokenUri", _IDCS + "/oauth2/v1/token"),
    ("client.userAuthorizationUri", _IDCS + "/oauth2/v1/authorize"),
    ("client.scope", "openid urn:opc:idm:__myscopes__"),
    ("client.clientAuthenticationScheme", None),
    ("resource.userInfoUri", _IDCS + "/oauth2/v1/userinfo"),
    ("userInfoMapping.email", ""),
    ("userInfoMapping.firstName", "given_name"),
    ("userInfoMapping.lastName", "family_name"),
    ("userInfoMapping.username", "preferred_username"),
)
_MS = "https://login.microsoftonline.com/${azureTenantId}/oauth2/"
_AZURE: tuple[tuple[str, Any], ...] = (
    ("client.accessTokenUri", _MS + "token"),
    ("client.userAuthorizationUri", _MS + "authorize?resource=https://graph.windows.net"),
    ("client.scope", "profile"),
    ("client.clientAuthenticationScheme", "query"),
    ("resource.userInfoUri", "https://graph.windows.net/me?api-version=1.6"),
    ("userInfoMapping.email", "userPrincipalName"),
    ("userInfoMapping.firstName", "givenName"),
    ("userInfoMapping.lastName", "surname"),
    ("userInfoMapping.username", None),
)

_OAUTH2 = (
    Flag("client-id", "client.clientId", help="The OAuth client ID you have configured with "
         "your OAuth provider."),
    Flag("client-secret", "client.clientSecret", help="The OAuth client secret you have "
         "configured with your OAuth provider.", secret=True),
    Flag("access-token-uri", "client.accessTokenUri", help="The access token uri for your "
         "OAuth provider."),
    Flag("user-authorization-uri", "client.userAuthorizationUri", help="The user "
         "authorization uri for your OAuth provider."),
    Flag("user-info-uri", "resource.userInfoUri", help="The user info uri for your OAuth "
         "provider."),
    Flag("client-authentication-scheme", "client.clientAuthenticationScheme",
         help="The client authentication scheme for your OAuth provider."),
    Flag("scope", "client.scope", help="The scope for your OAuth provider."),
    Flag("user-info-mapping-email", "userInfoMapping.email", help="The email field returned "
         "from your OAuth provider."),
    Flag("user-info-mapping-first-name", "userInfoMapping.firstName", help="The first name "
         "field returned from your OAuth provider."),
    Flag("user-info-mapping-last-name", "userInfoMapping.lastName", help="The last name field "
         "returned from your OAuth provider."),
    Flag("user-info-mapping-username", "userInfoMapping.username", help="The username field "
         "returned from your OAuth provider."),
    Flag("provider", "provider", "enum", "The OAuth provider handling authentication; "
         "GOOGLE, GITHUB, ORACLE and AZURE fill in their endpoints, scope and user info "
         "mapping (as Halyard does).", choices=("AZURE", "GITHUB", "ORACLE", "OTHER", "GOOGLE"),
         sets=(("GOOGLE", _GOOGLE), ("GITHUB", _GITHUB), ("ORACLE", _ORACLE),
               ("AZURE", _AZURE))),
    Flag("user-info-requirements", "userInfoRequirements", "map", "The map of "
         "requirements the userInfo request must have, e.g. hd=example.com to admit only "
         "one Google hosted domain (replaces the whole map)."),
    Flag("pre-established-redirect-uri", "client.preEstablishedRedirectUri",
         help="The externally accessible URL for Gate, e.g. "
              "https://gate.example.com/login (behind a load balancer or proxy).",
         sets=(("*", (("client.useCurrentUri", False),)),)),
)

_SAML = (
    Flag("metadata", "metadataLocal", help="The address of your identity provider's "
         "metadata XML file: a URL (stored as metadataRemote) or the path of a local file.",
         url_key="metadataRemote"),
    Flag("issuer-id", "issuerId", help="The identity of the Spinnaker application registered "
         "with the SAML provider."),
    Flag("keystore", "keyStore", help="Path to the keystore that contains this server's "
         "private key.", file=True),
    Flag("keystore-password", "keyStorePassword", help="The password used to access the file "
         "specified in --keystore.", secret=True),
    Flag("keystore-alias", "keyStoreAliasName", help="The name of the alias under which this "
         "server's private key is stored in the --keystore file."),
    Flag("service-address-url", "serviceAddress", help="The address of the Gate server the "
         "SAML identity provider can reach, e.g. https://gate.org.com:8084/."),
    Flag("signature-digest", "signatureDigest", help="Digest algorithm to sign SAML messages "
         "(optional): SHA1, SHA256, SHA384, SHA512, RIPEMD160, MD5."),
    Flag("user-attribute-mapping-first-name", "userAttributeMapping.firstName",
         help="The first name field returned from your SAML provider."),
    Flag("user-attribute-mapping-last-name", "userAttributeMapping.lastName",
         help="The last name field returned from your SAML provider."),
    Flag("user-attribute-mapping-username", "userAttributeMapping.username",
         help="The username field returned from your SAML provider."),
    Flag("user-attribute-mapping-roles", "userAttributeMapping.roles",
         help="The roles field returned from your SAML provider."),
    Flag("user-attribute-mapping-roles-delimiter", "userAttributeMapping.rolesDelimiter",
         help="The roles delimiter field returned from your SAML provider."),
    Flag("user-attribute-mapping-email", "userAttributeMapping.email",
         help="The email field returned from your SAML provider."),
)

_LDAP = (
    Flag("url", "url", help="ldap:// or ldaps:// url of the LDAP server."),
    Flag("user-dn-pattern", "userDnPattern", help="The pattern for finding a user's DN, "
         "e.g. 'uid={0},ou=members'."),
    Flag("user-search-base", "userSearchBase", help="The part of the directory tree under "
         "which user searches should be performed."),
    Flag("user-search-filter", "userSearchFilter", help="The filter to use when searching "
         "for a user's DN, e.g. 'uid={0}'."),
    Flag("manager-dn", "managerDn", help="The DN of the LDAP manager user that binds to the "
         "LDAP server for user authentication."),
    Flag("manager-password", "managerPassword", help="The password for the manager user.",
         secret=True),
    Flag("group-search-base", "groupSearchBase", help="The part of the directory tree under "
         "which group searches should be performed."),
)

_X509 = (
    Flag("role-oid", "roleOid", help="The OID that encodes roles that the user specified in "
         "the x509 certificate belongs to."),
    Flag("subject-principal-regex", "subjectPrincipalRegex", help="The regex used to parse "
         "the subject principal name embedded in the x509 certificate if necessary."),
)

_IAP = (
    Flag("audience", "audience", help="The Audience from the ID token payload (from the IAP "
         "console)."),
    Flag("jwt-header", "jwtHeader", help="The HTTP request header that contains the JWT "
         "token."),
    Flag("issuer-id", "issuerId", help="The Issuer from the ID token payload."),
    Flag("iap-verify-key-url", "iapVerifyKeyUrl", help="The URL containing the Cloud IAP "
         "public keys in JWK format."),
)


def _authn(name: str, node: str, cls: str, flags: tuple[Flag, ...], about: str) -> Group:
    model = {"oauth2": "OAuth2", "saml": "Saml", "ldap": "Ldap", "x509": "X509",
             "iap": "IAP"}[node]
    return Group(("config", "security", "authn", name), ("security", "authn", node), about,
                 f"{_S}authn/{node}/{cls}Command.java, Edit{cls}Command.java, "
                 f"authn/AuthnMethodEnableDisableCommandBuilder.java{_M}{model}.java, "
                 "Authn.java (authn.enabled = any method enabled)",
                 enable=True, edit=flags, parent_enabled=True)


_SSL_API = (
    Flag("key-alias", "keyAlias", help="Name of your keystore entry as generated with your "
         "keytool."),
    Flag("keystore", "keyStore", help="Path to the keystore holding your security "
         "certificates.", file=True),
    Flag("keystore-type", "keyStoreType", help="The type of your keystore, e.g. JKS or "
         "PKCS12."),
    Flag("keystore-password", "keyStorePassword", help="The password to unlock your keystore "
         "(must match your key's password).", secret=True),
    Flag("truststore", "trustStore", help="Path to the truststore holding your trusted "
         "certificates.", file=True),
    Flag("truststore-type", "trustStoreType", help="The type of your truststore, e.g. JKS or "
         "PKCS12."),
    Flag("truststore-password", "trustStorePassword", help="The password to unlock your "
         "truststore.", secret=True),
    Flag("client-auth", "clientAuth", "enum", "WANT when client auth is wanted but not "
         "mandatory, NEED when it is mandatory.", choices=("NONE", "WANT", "NEED")),
)

_SSL_UI = (
    Flag("ssl-certificate-file", "sslCertificateFile", help="Path to your .crt file.",
         file=True),
    Flag("ssl-certificate-key-file", "sslCertificateKeyFile", help="Path to your .key file.",
         file=True),
    Flag("ssl-certificate-passphrase", "sslCertificatePassphrase", help="The passphrase "
         "needed to unlock your SSL certificate.", secret=True),
    Flag("ssl-certificate-ca-file", "sslCACertificateFile", help="Path to the .crt file for "
         "the CA that issued your SSL certificate (for X.509 client auth).", file=True),
)


def _role_provider(name: str, cls: str, flags: tuple[Flag, ...], about: str) -> Group:
    return Group(("config", "security", "authz", name),
                 ("security", "authz", "groupMembership", name), about,
                 f"{_S}authz/{name}/{cls}RoleProviderCommand.java, "
                 f"Edit{cls}RoleProviderCommand.java{_M}{cls}RoleProvider.java",
                 edit=flags)


GROUPS = (
    _authn("oauth2", "oauth2", "OAuth2", _OAUTH2, "Configure the OAuth2 method for "
           "authenticating."),
    _authn("saml", "saml", "Saml", _SAML, "Configure the SAML method for authenticating."),
    _authn("ldap", "ldap", "Ldap", _LDAP, "Configure the LDAP method for authenticating."),
    _authn("x509", "x509", "X509", _X509, "Configure the x509 method for authenticating."),
    _authn("iap", "iap", "IAP", _IAP, "Configure the Google Cloud Identity-Aware Proxy "
           "method for authenticating."),
    Group(("config", "security", "authz"), ("security", "authz"),
          "Configure authorization (fiat): whether it is on and where roles come from.",
          _S + "authz/AuthzCommand.java, AuthzEditCommand.java, "
               "EnableDisableAuthzCommandBuilder.java" + _M + "Authz.java, "
               "GroupMembership.java",
          enable=True,
          edit=(Flag("type", "groupMembership.service", "enum", "The type of role provider "
                     "(where fiat reads users' roles).",
                     choices=("EXTERNAL", "FILE", "GOOGLE", "GITHUB", "LDAP")),)),
    _role_provider("google", "Google", (
        Flag("credential-path", "credentialPath", help="A path to a valid json service "
             "account that can authenticate against the Google role provider.", file=True),
        Flag("admin-username", "adminUsername", help="Your role provider's admin username "
             "e.g. admin@myorg.com"),
        Flag("domain", "domain", help="The domain your role provider is configured for "
             "e.g. myorg.com."),
    ), "Configure the Google role provider."),
    _role_provider("github", "Github", (
        Flag("baseUrl", "baseUrl", help="Used if using GitHub enterprise or another "
             "non-github.com GitHub installation."),
        Flag("accessToken", "accessToken", help="A personal access token of an account with "
             "access to your organization's GitHub Teams structure.", secret=True),
        Flag("organization", "organization", help="The GitHub organization under which to "
             "query for GitHub Teams."),
    ), "Configure the GitHub role provider."),
    _role_provider("file", "File", (
        Flag("file-path", "path", help="A path to a file describing the roles of each user.",
             file=True),
    ), "Configure the file role provider."),
    _role_provider("ldap", "Ldap", (
        Flag("url", "url", help="ldap:// or ldaps:// url of the LDAP server."),
        Flag("manager-dn", "managerDn", help="The manager user's distinguished name "
             "(principal) to use for querying ldap groups."),
        Flag("manager-password", "managerPassword", help="The manager user's password to use "
             "for querying ldap groups.", secret=True),
        Flag("group-search-base", "groupSearchBase", help="The part of the directory tree "
             "under which group searches should be performed."),
        Flag("group-search-filter", "groupSearchFilter", help="The filter which is used to "
             "search for group membership."),
        Flag("group-role-attributes", "groupRoleAttributes", help="The attribute which "
             "contains the name of the authority defined by the group entry."),
        Flag("user-dn-pattern", "userDnPattern", help="The pattern for finding a user's DN, "
             "e.g. 'uid={0},ou=members'."),
        Flag("user-search-base", "userSearchBase", help="The part of the directory tree under "
             "which user searches should be performed."),
        Flag("user-search-filter", "userSearchFilter", help="The filter to use when searching "
             "for a user's DN."),
    ), "Configure the LDAP role provider."),
    Group(("config", "security", "ui"), ("security", "uiSecurity"),
          "Configure and view the UI server's addressable URL.",
          _S + "ui/UiSecurityCommand.java, UiSecurityEditCommand.java" + _M
          + "UiSecurity.java, PublicService.java",
          edit=(Flag("override-base-url", "overrideBaseUrl", help="If you are accessing the "
                     "UI server remotely, provide the full base URL of whatever proxy or "
                     "load balancer is fronting the UI requests."),)),
    Group(("config", "security", "ui", "ssl"), ("security", "uiSecurity", "ssl"),
          "Configure and view SSL settings for Spinnaker's UI gateway.",
          _S + "ui/ApacheSslCommand.java, ApacheSslEditCommand.java, "
               "EnableDisableSslCommandBuilder.java" + _M + "ApacheSsl.java",
          enable=True, edit=_SSL_UI),
    Group(("config", "security", "api"), ("security", "apiSecurity"),
          "Configure and view the API server's addressable URL and CORS policies.",
          _S + "api/ApiSecurityCommand.java, ApiSecurityEditCommand.java" + _M
          + "ApiSecurity.java, PublicService.java",
          edit=(Flag("override-base-url", "overrideBaseUrl", help="If you are accessing the "
                     "API server remotely, provide the full base URL of whatever proxy or "
                     "load balancer is fronting the API requests."),
                Flag("cors-access-pattern", "corsAccessPattern", help="A regex matching all "
                     "URLs authentication redirects may come from (logins from sources "
                     "other than the UI)."))),
    Group(("config", "security", "api", "ssl"), ("security", "apiSecurity", "ssl"),
          "Configure and view SSL settings for Spinnaker's API gateway.",
          _S + "api/SpringSslCommand.java, SpringSslEditCommand.java, "
               "EnableDisableSslCommandBuilder.java" + _M + "SpringSsl.java",
          enable=True, edit=_SSL_API),
)
