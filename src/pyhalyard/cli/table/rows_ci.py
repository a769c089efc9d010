"""``hal config ci``: Jenkins, Travis, Wercker, Concourse masters; GCB and CodeBuild accounts.

Halyard: halyard-cli .../command/v1/config/ci/** (flags) and halyard-config
.../model/v1/ci/** (keys).  igor reads ``ci.<type>`` as its own ``<type>`` block
(render/profiles/igor.py).  There is no GitHub Actions CI in Halyard (no command
class, no model), so none here either.
"""

from __future__ import annotations

from pyhalyard.cli.table.model import Flag, Group, Items, permissions

_CI = "halyard-cli config/ci/"

HELP = {
    "config ci": "Configure the Continuous Integration services igor polls.",
}

GROUPS = (
    Group(("config", "ci", "jenkins"), ("ci", "jenkins"), "Jenkins masters.",
          _CI + "jenkins/JenkinsCommand.java", enable=True,
          items=Items(noun="master", key="masters", template=(("permissions", {}),),
                      source=_CI + "jenkins/JenkinsAddMasterCommand.java, "
                                   "JenkinsEditMasterCommand.java; model ci/jenkins/"
                                   "JenkinsMaster.java",
                      flags=(
                          Flag("address", "address", help="The address your Jenkins master "
                               "is reachable at.", required=True),
                          Flag("username", "username", help="The username of the Jenkins "
                               "user to authenticate as."),
                          Flag("password", "password", help="The password of the Jenkins "
                               "user to authenticate as.", secret=True),
                          Flag("csrf", "csrf", "bool", "Whether or not to negotiate CSRF "
                               "tokens when calling Jenkins."),
                          *permissions(),
                      ))),
    Group(("config", "ci", "travis"), ("ci", "travis"), "Travis masters.",
          _CI + "travis/TravisCommand.java", enable=True,
          items=Items(noun="master", key="masters", template=(("permissions", {}),),
                      source=_CI + "travis/TravisAddMasterCommand.java, "
                                   "TravisEditMasterCommand.java; model ci/travis/"
                                   "TravisMaster.java",
                      flags=(
                          Flag("address", "address", help="The address of the Travis API.",
                               required=True),
                          Flag("base-url", "baseUrl", help="The base URL to the Travis UI.",
                               required=True),
                          Flag("github-token", "githubToken", help="The GitHub token to "
                               "authenticate against Travis with.", secret=True),
                          Flag("number-of-repositories", "numberOfRepositories", "int",
                               "How many repositories the Travis integration should fetch "
                               "from the API each polling cycle."),
                          Flag("number-of-jobs", "numberOfJobs", "int", "How many jobs the "
                               "Travis integration should fetch from the API each polling "
                               "cycle."),
                          Flag("build-result-limit", "buildResultLimit", "int", "Defines how "
                               "many builds igor should return when querying for builds."),
                          Flag("filtered-repositories", "filteredRepositories", "list",
                               "Repositories whose builds Spinnaker fetches (others are "
                               "ignored)."),
                          *permissions(),
                      ))),
    Group(("config", "ci", "wercker"), ("ci", "wercker"), "Wercker masters.",
          _CI + "wercker/WerckerCommand.java", enable=True,
          items=Items(noun="master", key="masters", template=(("permissions", {}),),
                      source=_CI + "wercker/WerckerAddMasterCommand.java, "
                                   "WerckerEditMasterCommand.java; model ci/wercker/"
                                   "WerckerMaster.java",
                      flags=(
                          Flag("address", "address", help="The address your Wercker master "
                               "is reachable at.", required=True),
                          Flag("user", "user", help="The username of the Wercker user to "
                               "authenticate as."),
                          Flag("token", "token", help="The personal token of the Wercker "
                               "user to authenticate as.", secret=True),
                          *permissions(),
                      ))),
    Group(("config", "ci", "concourse"), ("ci", "concourse"), "Concourse masters.",
          _CI + "concourse/ConcourseCommand.java", enable=True,
          items=Items(noun="master", key="masters", template=(("permissions", {}),),
                      source=_CI + "concourse/ConcourseAddMasterCommand.java, "
                                   "ConcourseEditMasterCommand.java; model ci/concourse/"
                                   "ConcourseMaster.java",
                      flags=(
                          Flag("url", "url", help="The location of your Concourse server.",
                               required=True),
                          Flag("username", "username", help="The username of the Concourse "
                               "user to authenticate as.", required=True),
                          Flag("password", "password", help="The password of the Concourse "
                               "user to authenticate as.", required=True, secret=True),
                          *permissions(),
                      ))),
    Group(("config", "ci", "gcb"), ("ci", "gcb"), "Google Cloud Build accounts.",
          _CI + "gcb/GoogleCloudBuildCommand.java", enable=True,
          items=Items(template=(("permissions", {}),),
                      source=_CI + "gcb/GoogleCloudBuildAddAccountCommand.java, "
                                   "GoogleCloudBuildEditAccountCommand.java; model ci/gcb/"
                                   "GoogleCloudBuildAccount.java",
                      flags=(
                          Flag("project", "project", help="The name of the GCP project in "
                               "which to trigger and monitor builds.", required=True),
                          Flag("subscription-name", "subscriptionName", help="The name of "
                               "the PubSub subscription on which to listen for build "
                               "changes."),
                          Flag("json-key", "jsonKey", help="The path to a JSON service "
                               "account that Spinnaker will use as credentials.", file=True),
                      ))),
    Group(("config", "ci", "codebuild"), ("ci", "codebuild"), "AWS CodeBuild accounts.",
          _CI + "codebuild/AwsCodeBuildCommand.java, AwsCodeBuildEditCiCommand.java",
          enable=True,
          edit=(
              Flag("access-key-id", "accessKeyId", help="Your AWS Access Key ID. If not "
                   "provided, Halyard/Spinnaker will try to find AWS credentials."),
              Flag("secret-access-key", "secretAccessKey", help="Your AWS Secret Key.",
                   secret=True),
          ),
          items=Items(template=(("permissions", {}),),
                      source=_CI + "codebuild/AwsCodeBuildAddAccountCommand.java, "
                                   "AwsCodeBuildEditAccountCommand.java; model ci/codebuild/"
                                   "AwsCodeBuildAccount.java",
                      flags=(
                          Flag("account-id", "accountId", help="The AWS account ID that "
                               "will be used to trigger CodeBuild build."),
                          Flag("assume-role", "assumeRole", help="If set, Halyard will "
                               "configure a credentials provider that uses AWS Security Token "
                               "Service to assume the specified role."),
                          Flag("region", "region", help="The AWS region in which your "
                               "CodeBuild projects live.", required=True),
                      ))),
)
