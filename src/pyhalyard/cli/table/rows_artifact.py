"""``hal config artifact``: the accounts clouddriver (and echo, igor) fetch artifacts with.

Halyard: halyard-cli .../command/v1/config/artifacts/** (flags; each type's edit
command takes the same flags as its add command) and halyard-config
.../model/v1/artifacts/** (keys).  clouddriver.yml, echo.yml and igor.yml carry the
``artifacts`` block as the halconfig holds it (render/profiles/).
"""

from __future__ import annotations

from pyhalyard.cli.table.model import Flag, Group, Items

_A = "halyard-cli config/artifacts/"
_M = "halyard-config model/v1/artifacts/"

HELP = {
    "config artifact": "Configure the artifact sources Spinnaker may fetch from.",
}


def _user_password(what: str) -> tuple[Flag, ...]:
    return (
        Flag("username", "username", help=f"{what} username."),
        Flag("password", "password", help=f"{what} password.", secret=True),
        Flag("username-password-file", "usernamePasswordFile", help="File containing "
             f"\"username:password\" to use for {what} authentication.", file=True),
    )


def _token(what: str) -> tuple[Flag, ...]:
    return (
        Flag("token", "token", help=f"{what} token.", secret=True),
        Flag("token-file", "tokenFile", help=f"File containing a {what} authentication "
             "token.", file=True),
    )


def _artifact(name: str, cls: str, about: str, flags: tuple[Flag, ...],
              template: tuple[tuple[str, object], ...] = ()) -> Group:
    return Group(("config", "artifact", name), ("artifacts", name), about,
                 f"{_A}{name}/{cls}ArtifactProviderCommand.java, "
                 "ArtifactProviderEnableDisableCommandBuilder.java",
                 enable=True,
                 items=Items(template=template, flags=flags,
                             source=f"{_A}{name}/{cls}AddArtifactAccountCommand.java, "
                                    f"{cls}EditArtifactAccountCommand.java; "
                                    f"{_M}{name}/{cls}ArtifactAccount.java"))


GROUPS = (
    _artifact("bitbucket", "Bitbucket", "Bitbucket artifact accounts.",
              (*_user_password("Bitbucket"), *_token("Bitbucket Server"))),
    _artifact("gcs", "Gcs", "Google Cloud Storage artifact accounts.", (
        Flag("json-path", "jsonPath", help="The path to a JSON service account that "
             "Spinnaker will use as credentials. Only needed if Spinnaker is not deployed on "
             "GCE or the default compute service account lacks access.", file=True),
    )),
    _artifact("github", "GitHub", "GitHub artifact accounts.",
              (*_user_password("GitHub"), *_token("GitHub"))),
    _artifact("gitlab", "Gitlab", "GitLab artifact accounts.", _token("Gitlab")),
    _artifact("gitrepo", "GitRepo", "Git repository artifact accounts.", (
        *_user_password("Git"), *_token("Git"),
        Flag("ssh-private-key-file-path", "sshPrivateKeyFilePath", help="Path to the ssh "
             "private key in PEM format.", file=True),
        Flag("ssh-private-key-passphrase", "sshPrivateKeyPassphrase", help="Passphrase for "
             "encrypted private key.", secret=True),
        Flag("ssh-known-hosts-file-path", "sshKnownHostsFilePath", help="File containing "
             "known hosts that the ssh client can use.", file=True),
        Flag("ssh-trust-unknown-hosts", "sshTrustUnknownHosts", "bool", "Setting this "
             "parameter to true allows Spinnaker to authenticate with unknown hosts.",
             default=False),
    )),
    _artifact("helm", "Helm", "Helm chart repository artifact accounts.", (
        Flag("repository", "repository", help="Helm chart repository."),
        Flag("username", "username", help="Helm chart repository basic auth username."),
        Flag("password", "password", help="Helm chart repository basic auth password.",
             secret=True),
        Flag("username-password-file", "usernamePasswordFile", help="File containing "
             "\"username:password\" to use for helm chart repository basic auth.", file=True),
    )),
    _artifact("http", "Http", "HTTP artifact accounts.", _user_password("HTTP basic auth")),
    _artifact("maven", "Maven", "Maven repository artifact accounts.", (
        Flag("repository-url", "repositoryUrl", help="Full URI for the Maven repository "
             "(http://some.host.com/repository/path).", required=True),
    )),
    _artifact("oracle", "Oracle", "Oracle Object Storage artifact accounts.", (
        Flag("user-id", "userId", help="Provide the OCID of the Oracle User you're "
             "authenticating as."),
        Flag("fingerprint", "fingerprint", help="Fingerprint of the public key."),
        Flag("ssh-private-key-file-path", "sshPrivateKeyFilePath", help="Path to the private "
             "key in PEM format.", file=True),
        Flag("private-key-passphrase", "privateKeyPassphrase", help="Passphrase used for the "
             "private key, if it is encrypted.", secret=True),
        Flag("tenancy-id", "tenancyId", help="Provide the OCID of the Oracle Tenancy to use."),
        Flag("region", "region", help="An Oracle region (e.g., us-phoenix-1)."),
        Flag("namespace", "namespace", help="The namespace the bucket and objects should be "
             "created in."),
    )),
    _artifact("s3", "S3", "S3 artifact accounts.", (
        Flag("api-endpoint", "apiEndpoint", help="S3 api endpoint; only required when using "
             "an S3 clone such as Minio."),
        Flag("api-region", "apiRegion", help="S3 api region; only required when using an S3 "
             "clone such as Minio."),
        Flag("region", "region", help="S3 region."),
        Flag("aws-access-key-id", "awsAccessKeyId", help="Your AWS Access Key ID. If not "
             "provided, Spinnaker will try to find AWS credentials."),
        Flag("aws-secret-access-key", "awsSecretAccessKey", help="Your AWS Secret Key.",
             secret=True),
    )),
    Group(("config", "artifact", "templates"), ("artifacts",),
          "Artifact templates (Jinja templates that turn a payload into artifacts).",
          _A + "templates/ArtifactTemplateCommand.java",
          items=Items(noun="", key="templates", what="artifact template", flags=(
              Flag("template-path", "templatePath", help="The path to the Jinja template to "
                   "use for artifact extraction.", required=True, file=True),
          ), source=_A + "templates/AddArtifactTemplateCommand.java, "
                         "EditArtifactTemplateCommand.java, DeleteArtifactTemplateCommand.java, "
                         "ListArtifactTemplatesCommand.java; " + _M + "ArtifactTemplate.java")),
)
