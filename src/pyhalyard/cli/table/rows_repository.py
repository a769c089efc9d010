"""``hal config repository``: Artifactory and Nexus searches igor polls for new artifacts.

Halyard: halyard-cli .../command/v1/config/repository/** (flags); halyard-config
model/v1/node/Repositories.java, Repository.java, Search.java and
model/v1/repository/{artifactory,nexus}/*Search.java (keys under
``repository.<type>.searches``).  igor reads the ``repository`` block's children as its
own top level (render/profiles/igor.py).
"""

from __future__ import annotations

from pyhalyard.cli.table.model import Flag, Group, Items, permissions

_R = "halyard-cli config/repository/"

HELP = {
    "config repository": "Configure artifact repositories igor searches.",
}


def _common(*, repo_help: str) -> tuple[Flag, ...]:
    return (
        Flag("base-url", "baseUrl", help="Base URL of the repository server.",
             required=True),
        Flag("repo", "repo", help=repo_help, required=True),
        Flag("username", "username", help="User igor authenticates as.", required=True),
        Flag("password", "password", help="That user's password.", required=True,
             secret=True),
    )


GROUPS = (
    Group(("config", "repository", "artifactory"), ("repository", "artifactory"),
          "Artifactory.",
          _R + "artifactory/ArtifactoryCommand.java, AbstractNamedRepositoryCommand.java",
          enable=True,
          items=Items(noun="search", key="searches", template=(("permissions", {}),),
                      source=_R + "artifactory/ArtifactoryAddSearchCommand.java, "
                                  "ArtifactoryEditSearchCommand.java; search/AbstractAdd"
                                  "SearchCommand.java; model repository/artifactory/"
                                  "ArtifactorySearch.java",
                      flags=(
                          *_common(repo_help="Repository to search."),
                          Flag("groupId", "groupId", help="Group id of the artifacts."),
                          Flag("repo-type", "repoType", "enum", "Kind of repository.",
                               choices=("maven", "helm")),
                          *permissions(),
                      ))),
    Group(("config", "repository", "nexus"), ("repository", "nexus"), "Nexus.",
          _R + "nexus/NexusCommand.java, AbstractNamedRepositoryCommand.java",
          enable=True,
          items=Items(noun="search", key="searches", template=(("permissions", {}),),
                      source=_R + "nexus/NexusAddSearchCommand.java, NexusEditSearchCommand"
                                  ".java; search/AbstractAddSearchCommand.java; model "
                                  "repository/nexus/NexusSearch.java",
                      flags=(
                          *_common(repo_help="Repository to search."),
                          Flag("nodeId", "nodeId", help="Nexus node id."),
                          *permissions(),
                      ))),
)
