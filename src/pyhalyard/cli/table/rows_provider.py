"""``hal config provider <cloud>``: enable/disable and accounts of every provider but Kubernetes.

Kubernetes keeps its hand-written commands (cli/config_provider.py: the HA deploy
target needs more than a table row).  Halyard: halyard-cli
.../command/v1/config/providers/<cloud>/<Cloud>AddAccountCommand.java (flags; edit
commands take the same flags, none required, plus the --add-x/--remove-x forms
named in each row) and halyard-config .../model/v1/providers/** (keys).
clouddriver.yml carries ``providers.<cloud>`` under ``<cloud>`` as the halconfig
holds it (render/profiles/clouddriver.py).

``bakery edit`` rows write ``providers.<cloud>.bakeryDefaults``, which rosco.yml
carries for enabled providers (render/profiles/rosco.py).

Not generated (say so rather than guess): base-image commands (``bakery
base-image ...``), AWS lifecycle hooks, the DC/OS account's cluster credentials
(``--cluster/--uid/--password/--service-key-file``), Cloud Foundry
``--space-filter``; write those keys in the halconfig by hand.
"""

from __future__ import annotations

from typing import Any

from pyhalyard.cli.table.model import Flag, Group, Items, permissions

_P = "halyard-cli config/providers/"
_M = "halyard-config model/v1/providers/"

HELP: dict[str, str] = {}

# AbstractAddAccountCommand / AbstractEditAccountCommand: on every provider account.
_COMMON = (
    Flag("required-group-membership", "requiredGroupMembership", "list",
         "(Deprecated) roles a user needs to use this account; use --read-permissions and "
         "--write-permissions.", add_remove="required-group-membership"),
    *permissions(),
    Flag("environment", "environment", help="The name of the environment this account is in "
         "(default: the account name)."),
)
_TEMPLATE: tuple[tuple[str, Any], ...] = (("requiredGroupMembership", []), ("permissions", {}))


def _provider(word: str, key: str, cls: str, about: str, flags: tuple[Flag, ...], *,
              edit: tuple[Flag, ...] = (), template: tuple[tuple[str, Any], ...] = (),
              edit_source: str = "") -> Group:
    return Group(("config", "provider", word), ("providers", key), about,
                 f"{_P}{key}/{cls}Command.java, ProviderEnableDisableCommandBuilder.java"
                 + (f", {edit_source}" if edit_source else ""),
                 enable=True, edit=edit,
                 items=Items(primary=True, template=_TEMPLATE + template,
                             flags=(*flags, *_COMMON),
                             source=f"{_P}{key}/{cls}AddAccountCommand.java, "
                                    f"{cls}EditAccountCommand.java; "
                                    f"{_M}{key}/{cls}Account.java"))


_GOOGLE_COMMON = (
    Flag("project", "project", help="The Google Cloud Platform project this account manages.",
         required=True),
    Flag("json-path", "jsonPath", help="The path to a JSON service account that Spinnaker "
         "uses as credentials (not needed on GCE with a suitable default service account).",
         file=True),
)

def _bakery(key: str, cls: str, flags: tuple[Flag, ...]) -> Group:
    return Group(("config", "provider", key.lower(), "bakery"), ("providers", key,
                                                                 "bakeryDefaults"),
                 f"Bakery defaults rosco uses for {cls} images.",
                 f"{_P}{key}/{cls}BakeryCommand.java, {cls}EditBakeryDefaultsCommand.java; "
                 f"{_M}{key}/{cls}BakeryDefaults.java", edit=flags)


_TEMPLATE_FILE = Flag("template-file", "templateFile", help="The name of the Packer template "
                      "used to bake images for this provider.")

BAKERY = (
    _bakery("aws", "Aws", (
        Flag("aws-access-key", "awsAccessKey", help="The default access key used to "
             "communicate with AWS."),
        Flag("aws-secret-key", "awsSecretKey", help="The secret key used to communicate with "
             "AWS.", secret=True),
        Flag("aws-subnet-id", "awsSubnetId", help="If using VPC, the default subnet id."),
        Flag("aws-vpc-id", "awsVpcId", help="If using VPC, the default vpc id."),
        Flag("aws-associate-public-ip-address", "awsAssociatePublicIpAddress", "bool",
             "Associate a public IP address with the baking instance."),
        Flag("default-virtualization-type", "defaultVirtualizationType", "enum",
             "The default type of virtualization for the AMI.", choices=("pv", "hvm")),
        _TEMPLATE_FILE,
    )),
    _bakery("google", "Google", (
        Flag("zone", "zone", help="Set the default zone your images will be baked in."),
        Flag("network", "network", help="Set the default network your images will be baked "
             "in."),
        Flag("network-project-id", "networkProjectId", help="The project the default network "
             "lives in (shared VPC)."),
        Flag("use-internal-ip", "useInternalIp", "bool", "Use the internal rather than the "
             "external IP of the VM baking your image."),
        _TEMPLATE_FILE,
    )),
    _bakery("oracle", "Oracle", (
        Flag("instance-shape", "instanceShape", help="The shape for allocated to a newly "
             "created instance."),
        Flag("availability-domain", "availabilityDomain", help="The name of the Availability "
             "Domain within which a new instance is launched and provisioned."),
        Flag("subnet-id", "subnetId", help="The name of the subnet within which a new "
             "instance is launched and provisioned."),
        _TEMPLATE_FILE,
    )),
    _bakery("huaweicloud", "HuaweiCloud", (
        Flag("auth-url", "authUrl", help="The auth url of cloud."),
        Flag("username", "username", help="The username used to access cloud."),
        Flag("password", "password", help="The password used to access cloud.", secret=True),
        Flag("project-name", "projectName", help="The name of the project within the cloud."),
        Flag("domain-name", "domainName", help="The domain name of the cloud."),
        Flag("insecure", "insecure", "bool", "Disable certificate validation on SSL "
             "connections."),
        Flag("vpc-id", "vpcId", help="The vpc id used to bake images."),
        Flag("subnet-id", "subnetId", help="The subnet id used to bake images."),
        Flag("eip-bandwidth-size", "eipBandwidthSize", "int", "The bandwidth size of the "
             "eip used to bake images."),
        Flag("security-group", "securityGroup", help="The security group used to bake "
             "images."),
        _TEMPLATE_FILE,
    )),
    _bakery("tencentcloud", "TencentCloud", (
        Flag("secret-id", "secretId", help="The secret id used to access Tencent Cloud."),
        Flag("secret-key", "secretKey", help="The secret key used to access Tencent Cloud.",
             secret=True),
        _TEMPLATE_FILE,
    )),
)

OTHER = (
    Group(("config", "provider", "aws", "features"), ("providers", "aws"),
          "AWS provider features (CloudFormation, Lambda).",
          f"{_P}aws/AwsFeaturesCommand.java, AwsEditFeaturesCommand.java; "
          f"{_M}aws/AwsProvider.java (features.cloudFormation, lambda)",
          edit=(Flag("cloud-formation", "features.cloudFormation.enabled", "bool",
                     "Enable CloudFormation support on AWS."),
                Flag("lambda", "lambda.enabled", "bool", "Enable Lambda support on AWS."))),
    Group(("config", "provider", "dcos", "cluster"), ("providers", "dcos"),
          "DC/OS clusters.", f"{_P}dcos/cluster/DCOSClusterCommand.java",
          items=Items(noun="", key="clusters", what="DC/OS cluster",
                      source=f"{_P}dcos/cluster/DCOSAddClusterCommand.java, "
                             f"DCOSEditClusterCommand.java; {_M}dcos/DCOSCluster.java",
                      flags=(
                          Flag("dcos-url", "dcosUrl", help="URL of the endpoint for the DC/OS "
                               "cluster's admin router.", required=True),
                          Flag("ca-cert-file", "caCertFile", help="Root certificate file to "
                               "trust for connections to the cluster.", file=True),
                          Flag("skip-tls-verify", "insecureSkipTlsVerify", "bool",
                               "Don't verify the cluster's TLS certificate.", only="add"),
                          Flag("set-skip-tls-verify", "insecureSkipTlsVerify", "bool",
                               "Don't verify the cluster's TLS certificate.", only="edit"),
                          Flag("lb-image", "loadBalancer.image", help="Marathon-lb image to "
                               "use when creating a load balancer with Spinnaker."),
                          Flag("lb-account-secret", "loadBalancer.serviceAccountSecret",
                               help="Name of the secret to use for allowing marathon-lb to "
                               "authenticate with the cluster."),
                      ))),
)

GROUPS = (
    _provider("docker-registry", "dockerRegistry", "DockerRegistry",
              "Docker registries whose images Spinnaker can deploy.", (
                  Flag("address", "address", help="The registry address to pull and deploy "
                       "images from, e.g. https://index.docker.io.", required=True),
                  Flag("username", "username", help="Your docker registry username."),
                  Flag("password", "password", help="Your docker registry password.",
                       secret=True),
                  Flag("password-command", "passwordCommand", help="A command that prints "
                       "your docker registry password."),
                  Flag("password-file", "passwordFile", help="The path to a file containing "
                       "your docker password in plaintext.", file=True),
                  Flag("email", "email", help="Your docker registry email (often ignored).",
                       default="fake.email@spinnaker.io"),
                  Flag("cache-interval-seconds", "cacheIntervalSeconds", "int",
                       "How many seconds elapse between polls of your docker registry.",
                       default=30),
                  Flag("client-timeout-millis", "clientTimeoutMillis", "int", "Timeout time "
                       "in milliseconds for this repository.", default=60000),
                  Flag("cache-threads", "cacheThreads", "int", "How many threads to cache "
                       "all provided repos on.", default=1),
                  Flag("paginate-size", "paginateSize", "int", "Paginate size for the "
                       "docker repository _catalog endpoint.", default=100),
                  Flag("sort-tags-by-date", "sortTagsByDate", "bool", "Sort tags by creation "
                       "date.", default=False),
                  Flag("track-digests", "trackDigests", "bool", "Track digest changes (not "
                       "recommended: needs an extra request per tag).", default=False),
                  Flag("insecure-registry", "insecureRegistry", "bool", "Treat the docker "
                       "registry as insecure (don't validate the ssl cert).", default=False),
                  Flag("repositories", "repositories", "list", "An optional list of "
                       "repositories to cache images from (default: the whole _catalog).",
                       default=[], add_remove="repository"),
                  Flag("repositories-regex", "repositoriesRegex", help="Only repositories "
                       "matching this regex are cached."),
              )),
    _provider("aws", "aws", "Aws", "Amazon Web Services accounts.", (
        Flag("default-key-pair", "defaultKeyPair", help="Provide the name of the AWS key-pair "
             "to use."),
        Flag("edda", "edda", help="The endpoint Edda is reachable at."),
        Flag("discovery", "discovery", help="The endpoint your Eureka discovery system is "
             "reachable at."),
        Flag("account-id", "accountId", help="Your AWS account ID to manage.", required=True),
        Flag("regions", "regions", "list", "The AWS regions this Spinnaker account will "
             "manage.", wrap="name", add_remove="region", default=[]),
        Flag("assume-role", "assumeRole", help="The role Spinnaker assumes in this account, "
             "e.g. role/spinnakerManaged.", required=True),
        Flag("external-id", "externalId", help="The external id to use when assuming the "
             "role."),
        Flag("lambda-enabled", "lambdaEnabled", "bool", "Enable AWS Lambda support for this "
             "account."),
    ), edit=(
        Flag("access-key-id", "accessKeyId", help="Your AWS Access Key ID (default: the "
             "pod's AWS credentials)."),
        Flag("secret-access-key", "secretAccessKey", help="Your AWS Secret Key.",
             secret=True),
    ), edit_source="AwsEditProviderCommand.java"),
    _provider("ecs", "ecs", "Ecs", "Amazon ECS accounts (each backed by an AWS account).", (
        Flag("aws-account", "awsAccount", help="The AWS account this ECS account uses.",
             required=True, ref=("providers", "aws", "accounts")),
    )),
    _provider("google", "google", "Google", "Google Compute Engine accounts.", (
        *_GOOGLE_COMMON,
        Flag("service-account-id", "serviceAccountId", help="The service account id."),
        Flag("service-account-project", "serviceAccountProject", help="The project of the "
             "service account."),
        Flag("image-projects", "imageProjects", "list", "Projects Spinnaker reads images "
             "from besides its own.", default=[], add_remove="image-project"),
        Flag("alpha-listed", "alphaListed", "bool", "Enable this flag if your project has "
             "access to alpha features.", default=False, only="add"),
        Flag("set-alpha-listed", "alphaListed", "bool", "Whether your project has access to "
             "alpha features.", only="edit"),
        Flag("user-data", "userDataFile", help="The path to user data template file.",
             file=True),
        Flag("regions", "regions", "list", "A list of regions for caching and mutating "
             "calls (default: all).", add_remove="region"),
    ), template=(("imageProjects", []),), edit=(
        Flag("default-regions", "defaultRegions", "list", "Default regions of the Google "
             "provider.", add_remove="default-region"),
    ), edit_source="GoogleEditProviderCommand.java"),
    _provider("appengine", "appengine", "Appengine", "Google App Engine accounts.", (
        *_GOOGLE_COMMON,
        Flag("local-repository-directory", "localRepositoryDirectory", help="A local "
             "directory for clouddriver's git clones of App Engine deployments."),
        Flag("git-https-username", "gitHttpsUsername", help="A username for git "
             "repositories over https."),
        Flag("git-https-password", "gitHttpsPassword", help="A password for git "
             "repositories over https.", secret=True),
        Flag("github-oauth-access-token", "githubOAuthAccessToken", help="A GitHub OAuth "
             "access token.", secret=True),
        Flag("ssh-private-key-file-path", "sshPrivateKeyFilePath", help="The path to an SSH "
             "private key for git over ssh.", file=True),
        Flag("ssh-private-key-passphrase", "sshPrivateKeyPassphrase", help="The passphrase "
             "of the SSH private key.", secret=True),
        Flag("ssh-known-hosts-file-path", "sshKnownHostsFilePath", help="The path to a "
             "known_hosts file.", file=True),
        Flag("ssh-trust-unknown-hosts", "sshTrustUnknownHosts", "bool", "Trust unknown SSH "
             "hosts.", default=False),
        Flag("gcloud-release-track", "gcloudReleaseTrack", "enum", "The gcloud release "
             "track clouddriver uses to deploy.", choices=("ALPHA", "BETA", "STABLE")),
        Flag("services", "services", "list", "Services to cache and operate on (regexes)."),
        Flag("versions", "versions", "list", "Versions to cache and operate on (regexes)."),
        Flag("omit-services", "omitServices", "list", "Services not to cache (regexes)."),
        Flag("omit-versions", "omitVersions", "list", "Versions not to cache (regexes)."),
        Flag("caching-interval-seconds", "cachingIntervalSeconds", "int", "How often the "
             "App Engine caching agents run."),
    ), edit=(
        Flag("gcloudPath", "gcloudPath", help="The path to the gcloud executable on the "
             "machine running clouddriver."),
    ), edit_source="AppengineEditCommand.java"),
    _provider("azure", "azure", "Azure", "Microsoft Azure accounts.", (
        Flag("client-id", "clientId", help="The clientId (appId) of your service principal.",
             required=True),
        Flag("app-key", "appKey", help="The appKey (password) of your service principal.",
             required=True, secret=True),
        Flag("tenant-id", "tenantId", help="The tenantId your service principal is assigned "
             "to.", required=True),
        Flag("subscription-id", "subscriptionId", help="The subscriptionId your service "
             "principal is assigned to.", required=True),
        Flag("object-id", "objectId", help="The objectId of your service principal (for "
             "Windows VMs)."),
        Flag("default-resource-group", "defaultResourceGroup", help="The resource group for "
             "Spinnaker's own resources.", required=True),
        Flag("default-key-vault", "defaultKeyVault", help="The name of a KeyVault holding the "
             "default user name and password for VMs.", required=True),
        Flag("packer-resource-group", "packerResourceGroup", help="The resource group for "
             "Packer builds."),
        Flag("packer-storage-account", "packerStorageAccount", help="The storage account for "
             "Packer builds."),
        Flag("regions", "regions", "list", "The Azure regions this account manages.",
             default=[]),
        Flag("useSshPublicKey", "useSshPublicKey", help="Use an SSH public key (true) or a "
             "password (false) for VM login."),
    )),
    _provider("cloudfoundry", "cloudfoundry", "CloudFoundry", "Cloud Foundry accounts.", (
        Flag("api-host", "apiHost", help="Host of the CloudFoundry Foundation API endpoint, "
             "e.g. api.sys.somesystem.com.", required=True),
        Flag("apps-manager-url", "appsManagerUrl", help="HTTP(S) URL of the Apps Manager "
             "application."),
        Flag("metrics-url", "metricsUrl", help="HTTP(S) URL of the metrics application."),
        Flag("password", "password", help="Password for the account.", required=True,
             secret=True),
        Flag("user", "user", help="User name for the account.", required=True),
        Flag("skip-ssl-validation", "skipSslValidation", "bool", "Skip SSL server certificate "
             "validation of the API endpoint.", default=False),
    )),
    _provider("dcos", "dcos", "DCOS", "DC/OS accounts (cluster credentials: see module "
              "docstring).", (
                  Flag("docker-registries", "dockerRegistries", "list", "Docker registry "
                       "accounts this account can pull from.", required=True,
                       wrap="accountName", add_remove="docker-registry",
                       ref=("providers", "dockerRegistry", "accounts")),
              )),
    _provider("huaweicloud", "huaweicloud", "HuaweiCloud", "Huawei Cloud accounts.", (
        Flag("account-type", "accountType", help="The type of account."),
        Flag("auth-url", "authUrl", help="The auth url of cloud.", required=True),
        Flag("username", "username", help="The username used to access cloud.",
             required=True),
        Flag("password", "password", help="The password used to access cloud.",
             required=True, secret=True),
        Flag("project-name", "projectName", help="The name of the project within the cloud.",
             required=True),
        Flag("domain-name", "domainName", help="The domain name of the cloud.",
             required=True),
        Flag("regions", "regions", "list", "The region(s) of the cloud.", required=True,
             add_remove="region"),
        Flag("insecure", "insecure", "bool", "Disable certificate validation on SSL "
             "connections.", default=False),
    )),
    _provider("oracle", "oracle", "Oracle", "Oracle Cloud Infrastructure accounts.", (
        Flag("compartment-id", "compartmentId", help="The OCID of the Oracle Compartment "
             "to use.", required=True),
        Flag("user-id", "userId", help="The OCID of the Oracle User you're authenticating "
             "as.", required=True),
        Flag("fingerprint", "fingerprint", help="Fingerprint of the public key.",
             required=True),
        Flag("ssh-private-key-file-path", "sshPrivateKeyFilePath", help="Path to the private "
             "key in PEM format.", required=True, file=True),
        Flag("private-key-passphrase", "privateKeyPassphrase", help="Passphrase used for the "
             "private key, if it is encrypted.", secret=True),
        Flag("tenancyId", "tenancyId", help="The OCID of the Oracle Tenancy to use.",
             required=True),
        Flag("region", "region", help="An Oracle region (e.g., us-phoenix-1).",
             required=True),
    )),
    _provider("tencentcloud", "tencentcloud", "TencentCloud", "Tencent Cloud accounts.", (
        Flag("secret-id", "secretId", help="The secret id used to access Tencent Cloud.",
             required=True),
        Flag("secret-key", "secretKey", help="The secret key used to access Tencent Cloud.",
             required=True, secret=True),
        Flag("regions", "regions", "list", "The Tencent Cloud regions this account manages.",
             default=[], add_remove="region"),
    )),
    *BAKERY,
    *OTHER,
)
