"""Generated commands change exactly the lines they own in a commented, Halyard-style config.

For every table area (ci, security, artifact, provider): enable, disable, add, edit
(incl. --add-x/--remove-x) and delete on tests/cli/fixtures/halyard-table.yml, with
the difflib "only intended lines" check.  The keys in the expected lines are the
ones Halyard's command classes set (cited per case; halyard-cli
.../command/v1/config/<area>/...).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.cli.conftest import CLI_FIXTURES
from tests.cli.lines import Change, Lines, changes
from tests.helpers import run_hal

HAL_CONFIG = CLI_FIXTURES / "halyard-table.yml"
FIXTURE = Lines(HAL_CONFIG.read_text(encoding="utf-8"))
BEFORE, LINES = FIXTURE.text, FIXTURE.lines
at, swap, insert_before = FIXTURE.at, FIXTURE.swap, FIXTURE.insert_before


CASES: list[tuple[str, list[str], list[Change]]] = [
    # ------------------------------------------------------------------ ci
    ("CiEnableDisableCommandBuilder: ci.jenkins.enabled",
     ["config", "ci", "jenkins", "enable"],
     [swap("      enabled: false", "      enabled: true", after="    jenkins:")]),
    ("JenkinsEditMasterCommand: setAddress, setCsrf",
     ["config", "ci", "jenkins", "master", "edit", "jenkins-main", "--address", "http://j2",
      "--csrf", "true"],
     [swap("        address: http://jenkins.example.com", "        address: http://j2"),
      insert_before("    gcb:", ["        csrf: true"])]),
    ("AbstractEditMasterCommand: --add-read-permission -> permissions.READ",
     ["config", "ci", "jenkins", "master", "edit", "jenkins-main", "--add-read-permission",
      "dev"],
     [(at("        permissions: {}", after="jenkins-main"), ["        permissions: {}"],
       ["        permissions:", "          READ:", "          - dev"])]),
    ("AbstractDeleteMasterCommand",
     ["config", "ci", "jenkins", "master", "delete", "jenkins-main"],
     [(at("      masters:"), LINES[at("      masters:"):at("    gcb:")],
       ["      masters: []"])]),
    ("JenkinsAddMasterCommand: name, permissions, address, username",
     ["config", "ci", "jenkins", "master", "add", "j2", "--address", "http://j2",
      "--username", "u"],
     [insert_before("    gcb:", ["      - name: j2", "        permissions: {}",
                                 "        address: http://j2", "        username: u"])]),
    ("GoogleCloudBuildAddAccountCommand: setProject",
     ["config", "ci", "gcb", "account", "add", "gcb1", "--project", "p1"],
     [(at("      accounts: []", after="    gcb:"), ["      accounts: []"],
       ["      accounts:", "      - name: gcb1", "        permissions: {}",
        "        project: p1"])]),
    ("AwsCodeBuildEditCiCommand: setAccessKeyId",
     ["config", "ci", "codebuild", "edit", "--access-key-id", "AK"],
     [insert_before("  timezone: Europe/Berlin", ["      accessKeyId: AK"])]),
    # ------------------------------------------------------------ security
    ("AuthnMethodEnableDisableCommandBuilder + Authn.isEnabled (any method); the fixture's "
     "oauth2 has no client secret, which OAuth2Validator refuses: --no-validate",
     ["config", "security", "authn", "oauth2", "enable", "--no-validate"],
     [swap("        enabled: false", "        enabled: true", after="      oauth2:"),
      swap("      enabled: false", "      enabled: true", after="      iap:")]),
    ("EditOAuth2Command: client.setClientId, client.setClientSecret",
     ["config", "security", "authn", "oauth2", "edit", "--client-id", "new-client",
      "--client-secret", "s3cr3t"],
     [(at("          clientId: 'old-client'"), ["          clientId: 'old-client'"],
       ["          clientId: new-client", "          clientSecret: s3cr3t"])]),
    ("AuthzEditCommand: groupMembership.setService",
     ["config", "security", "authz", "edit", "--type", "google"],
     [swap("        service: EXTERNAL", "        service: GOOGLE")]),
    ("EditGoogleRoleProviderCommand: setAdminUsername, setDomain",
     ["config", "security", "authz", "google", "edit", "--domain", "example.com",
      "--admin-username", "admin@example.com"],
     [insert_before("        github:", ["          adminUsername: admin@example.com",
                                        "          domain: example.com"],
                    after="groupMembership:")]),
    ("EnableDisableAuthzCommandBuilder: authz.enabled",
     ["config", "security", "authz", "enable"],
     [swap("      enabled: false", "      enabled: true",
           after="          roleProviderType: LDAP")]),
    ("UiSecurityEditCommand: setOverrideBaseUrl",
     ["config", "security", "ui", "edit", "--override-base-url",
      "https://spinnaker.example.com"],
     [insert_before("    authn:", ["      overrideBaseUrl: https://spinnaker.example.com"])]),
    ("ApiSecurityEditCommand: setOverrideBaseUrl, setCorsAccessPattern",
     ["config", "security", "api", "edit", "--override-base-url", "https://gate2.example.com",
      "--cors-access-pattern", "https://.*.example.com"],
     [(at("      overrideBaseUrl: https://gate.example.com   # the load balancer"),
       ["      overrideBaseUrl: https://gate.example.com   # the load balancer"],
       ["      overrideBaseUrl: https://gate2.example.com   # the load balancer",
        "      corsAccessPattern: https://.*.example.com"])]),
    ("api EnableDisableSslCommandBuilder: apiSecurity.ssl.enabled",
     ["config", "security", "api", "ssl", "enable"],
     [swap("        enabled: false", "        enabled: true", after="    apiSecurity:")]),
    ("EditLdapCommand: setUrl, setUserDnPattern",
     ["config", "security", "authn", "ldap", "edit", "--url",
      "ldaps://ldap.example.com:636/dc=example,dc=com", "--user-dn-pattern",
      "uid={0},ou=users"],
     [insert_before("      x509:", ["        url: ldaps://ldap.example.com:636/dc=example,dc=com",
                                    "        userDnPattern: uid={0},ou=users"])]),
    # ------------------------------------------------------------ artifact
    ("ArtifactProviderEnableDisableCommandBuilder: artifacts.github.enabled",
     ["config", "artifact", "github", "enable"],
     [swap("      enabled: false", "      enabled: true", after="  artifacts:")]),
    ("GitHubEditArtifactAccountCommand: setToken",
     ["config", "artifact", "github", "account", "edit", "gh-bot", "--token", "new-token"],
     [swap('        token: "ghp-not-a-real-token"', "        token: new-token")]),
    ("DeleteArtifactAccountCommandBuilder",
     ["config", "artifact", "github", "account", "delete", "gh-bot"],
     [(at("      accounts:", after="  artifacts:"),
       ["      accounts:", "      # the bot account", "      - name: gh-bot",
        '        token: "ghp-not-a-real-token"'], ["      accounts: []"])]),
    ("GitHubAddArtifactAccountCommand: setUsername",
     ["config", "artifact", "github", "account", "add", "gh2", "--username", "bot"],
     [insert_before("    http:", ["      - name: gh2", "        username: bot"])]),
    ("S3AddArtifactAccountCommand: setRegion (new artifacts.s3 node)",
     ["config", "artifact", "s3", "account", "add", "s3a", "--region", "us-east-1"],
     [insert_before("  ci:", ["    s3:", "      accounts:", "      - name: s3a",
                              "        region: us-east-1"])]),
    # ------------------------------------------------------------ provider
    ("ProviderEnableDisableCommandBuilder: providers.aws.enabled (comment kept)",
     ["config", "provider", "aws", "enable"],
     [swap("      enabled: false   # turned on per environment",
           "      enabled: true   # turned on per environment")]),
    ("AwsEditAccountCommand: --add-region -> regions[].name",
     ["config", "provider", "aws", "account", "edit", "aws-prod", "--add-region", "eu-west-1"],
     [insert_before("        assumeRole: role/spinnakerManaged", ["        - name: eu-west-1"])]),
    ("AwsEditAccountCommand: --remove-region, setExternalId",
     ["config", "provider", "aws", "account", "edit", "aws-prod", "--remove-region",
      "us-west-2", "--external-id", "ext"],
     [(at("        regions:"), ["        regions:", "        - name: us-west-2"],
       ["        regions: []"]),
      insert_before("      primaryAccount: aws-prod", ["        externalId: ext"])]),
    ("DeleteAccountCommandBuilder: the last account takes primaryAccount with it",
     ["config", "provider", "aws", "account", "delete", "aws-prod"],
     [(at("      accounts:"), LINES[at("      accounts:"):at("      defaultKeyPairTemplate: "
                                                            "'{{name}}-keypair'")],
       ["      accounts: []"])]),
    ("DockerRegistryEditAccountCommand: --add-repository (flow list stays flow)",
     ["config", "provider", "docker-registry", "account", "edit", "dockerhub",
      "--add-repository", "library/alpine"],
     [swap("        repositories: [library/nginx]   # flow style on purpose",
           "        repositories: [library/nginx, library/alpine]   # flow style on purpose")]),
    ("EcsAddAccountCommand: setAwsAccount (an existing aws account)",
     ["config", "provider", "ecs", "account", "add", "ecs1", "--aws-account", "aws-prod"],
     [insert_before("  deploymentEnvironment:",
                    ["    ecs:", "      accounts:", "      - name: ecs1",
                     "        requiredGroupMembership: []", "        permissions: {}",
                     "        awsAccount: aws-prod", "      primaryAccount: ecs1"])]),
    ("ProviderEnableDisableCommandBuilder: providers.dockerRegistry.enabled",
     ["config", "provider", "docker-registry", "disable"],
     [swap("      enabled: true", "      enabled: false", after="    dockerRegistry:")]),
]


@pytest.mark.parametrize("why, args, expected", CASES, ids=[" ".join(c[1]) for c in CASES])
def test_generated_edit_changes_only_its_lines(hal_dir: Path, why: str, args: list[str],
                                               expected: list[Change]) -> None:
    result = run_hal(*args, hal_dir=hal_dir)
    assert result.code == 0, result.err
    after = (hal_dir / "config").read_text(encoding="utf-8")
    assert changes(BEFORE, after) == expected, why
    yaml.safe_load(after)


@pytest.mark.parametrize("args", [
    ["config", "ci", "jenkins", "disable"],
    ["config", "security", "authn", "saml", "disable"],
    ["config", "artifact", "http", "disable"],
    ["config", "provider", "docker-registry", "enable"],
    ["config", "security", "authz", "edit", "--type", "EXTERNAL"],
    ["config", "ci", "jenkins", "master", "edit", "jenkins-main", "--username", "spin"],
])
def test_generated_edit_to_the_current_value_keeps_every_byte(hal_dir: Path,
                                                              args: list[str]) -> None:
    before = (hal_dir / "config").read_bytes()
    result = run_hal(*args, hal_dir=hal_dir)
    assert result.code == 0, result.err
    assert (hal_dir / "config").read_bytes() == before
