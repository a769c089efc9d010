"""Each edit command changes exactly the lines it owns in a commented, Halyard-style config.

The fixture has comments, odd quoting, flow mappings, a folded scalar and sections
pyhalyard does not model; the diff of every edit must be the intended lines only.
"""

from __future__ import annotations

import pytest
import yaml

from tests.cli.conftest import HALYARD_STYLE, Hal
from tests.cli.lines import Change, Lines, changes

BEFORE = HALYARD_STYLE.read_text(encoding="utf-8")


FIXTURE = Lines(BEFORE)
line, replaced, inserted = FIXTURE.at, FIXTURE.swap, FIXTURE.insert_before
PROD = line("- name: prod")


CASES: list[tuple[list[str], list[Change]]] = [
    (["config", "version", "edit", "--version", "1.31.0"],
     [replaced("  version: 1.30.1   # pinned until the upgrade window",
               "  version: 1.31.0   # pinned until the upgrade window")]),
    (["config", "provider", "kubernetes", "disable"],
     [replaced("      enabled: true", "      enabled: false", after="    kubernetes:")]),
    (["config", "provider", "kubernetes", "account", "edit", "spin-cluster",
      "--context", "new-ctx", "--only-spinnaker-managed", "true"],
     [replaced("        context: 'prod-ctx'", "        context: new-ctx"),
      replaced("        onlySpinnakerManaged: false", "        onlySpinnakerManaged: true")]),
    (["config", "provider", "kubernetes", "account", "edit", "spin-cluster",
      "--add-namespace", "team-x", "--omit-namespaces", ""],
     [(line("        namespaces: []", after="spin-cluster"),
       ["        namespaces: []", "        omitNamespaces:", "        - kube-system",
        "        - kube-public"],
       ["        namespaces:", "        - team-x", "        omitNamespaces: []"])]),
    (["config", "provider", "kubernetes", "account", "delete", "legacy"],
     [(line("      - name: legacy"),
       ["      - name: legacy", "        providerVersion: V1", "        context: legacy-ctx",
        "        namespaces: [team-a, team-b]"], [])]),
    (["config", "deploy", "edit", "--image-variant", "ubuntu", "--liveness-probe-enabled",
      "true", "--liveness-probe-initial-delay-seconds", "120"],
     [replaced("    imageVariant: SLIM", "    imageVariant: UBUNTU"),
      (line("      enabled: false", after="livenessProbeConfig:"),
       ["      enabled: false"], ["      enabled: true", "      initialDelaySeconds: 120"])]),
    (["config", "deploy", "edit", "--location", "spinnaker-two"],
     [replaced("    location: spinnaker", "    location: spinnaker-two")]),
    (["config", "deploy", "ha", "clouddriver", "enable"],
     [replaced("        enabled: false", "        enabled: true", after="      clouddriver:")]),
    (["config", "deploy", "ha", "echo", "enable"],
     [replaced("        enabled: false", "        enabled: true", after="      echo:")]),
    (["config", "deploy", "ha", "clouddriver", "edit", "--ro-deck", "false"],
     [replaced("        disableClouddriverRoDeck: false",
               "        disableClouddriverRoDeck: true")]),
    (["config", "deploy", "ha", "services", "clouddriver", "edit",
      "--redis-master-endpoint", "redis://:pw@m.redis:6379",
      "--redis-replica-endpoint", "redis://:pw@r.redis:6379",
      "--redis-slave-deck-endpoint", "redis://:pw@d.redis:6379"],
     [inserted("      echo:",
               ["        redisMasterEndpoint: redis://:pw@m.redis:6379",
                "        redisSlaveEndpoint: redis://:pw@r.redis:6379",
                "        redisSlaveDeckEndpoint: redis://:pw@d.redis:6379"],
               after="    haServices:")]),
    (["config", "deploy", "component-sizing", "spin-clouddriver", "edit",
      "--pod-requests-cpu", "2"],
     [replaced('        requests: {cpu: "1", memory: 2Gi}',
               "        requests: {cpu: '2', memory: 2Gi}")]),
    (["config", "deploy", "component-sizing", "spin-clouddriver", "delete"],
     [(line("      spin-clouddriver:"),
       ["      spin-clouddriver:", "        replicas: 2",
        '        requests: {cpu: "1", memory: 2Gi}'], [])]),
    (["config", "deploy", "component-sizing", "clouddriver-caching", "edit", "--replicas", "2",
      "--pod-requests-memory", "4Gi"],
     [inserted("    sidecars: {}",
               ["      spin-clouddriver-caching:", "        replicas: 2", "        requests:",
                "          memory: 4Gi"])]),
    # container flags only: the pod entry under its alias stays as it is
    (["config", "deploy", "component-sizing", "echo-slave", "edit", "--container-limits-cpu",
      "500m"],
     [inserted("    sidecars: {}",
               ["      echo-worker:", "        limits:", "          cpu: 500m"])]),
    # a pod flag: the alias entry moves to the canonical key, the container entry follows
    (["config", "deploy", "component-sizing", "spin-echo-slave", "edit", "--replicas", "1",
      "--container-limits-cpu", "500m"],
     [replaced("      spin-echo-slave:", "      spin-echo-worker:"),
      inserted("    sidecars: {}",
               ["      echo-worker:", "        limits:", "          cpu: 500m"])]),
    (["config", "storage", "edit", "--type", "s3"],
     [replaced("    persistentStoreType: gcs", "    persistentStoreType: s3")]),
    (["config", "storage", "gcs", "edit", "--bucket", "my-bucket", "--project", "p1"],
     [inserted("    redis: {}", ["      bucket: my-bucket", "      project: p1"])]),
    (["config", "storage", "s3", "edit", "--secret-access-key", "sekret",
      "--path-style-access", "true"],
     [inserted("    oracle: {}",
               ["      secretAccessKey: sekret", "      pathStyleAccess: true"])]),
    (["--deployment", "prod", "config", "deploy", "ha", "echo", "disable"],
     [replaced("        enabled: true", "        enabled: false", after="      echo:",
               start=PROD)]),
    (["--deployment", "prod", "config", "deploy", "ha", "clouddriver", "edit",
      "--redis-master-endpoint", "redis://:new@redis-master.redis:6380"],
     [replaced("        redisMasterEndpoint: 'redis://:hunter2@redis-master.redis:6379'",
               "        redisMasterEndpoint: redis://:new@redis-master.redis:6380")]),
]


@pytest.mark.parametrize("args, expected", CASES, ids=[" ".join(c[0]) for c in CASES])
def test_edit_changes_only_its_lines(hal: Hal, args: list[str],
                                     expected: list[Change]) -> None:
    result = hal(*args)
    assert result.code == 0, result.err
    after = hal.text()
    assert changes(BEFORE, after) == expected
    yaml.safe_load(after)  # still one valid document


def test_account_add_appends_one_halyard_shaped_item(hal: Hal) -> None:
    result = hal("config", "provider", "kubernetes", "account", "add", "k2", "--context", "c2")
    assert result.code == 0, result.err
    [(at, removed, added)] = changes(BEFORE, hal.text())
    assert at == line("      primaryAccount: spin-cluster") and removed == []
    item = yaml.safe_load("\n".join(added))
    assert item[0]["name"] == "k2" and item[0]["context"] == "c2"
    assert item[0]["providerVersion"] == "V2"
    assert all(a.startswith("      - ") or a.startswith("        ") for a in added)


@pytest.mark.parametrize("args", [
    ["config", "deploy", "edit", "--type", "Distributed", "--account-name", "spin-cluster"],
    ["config", "deploy", "ha", "clouddriver", "disable"],
    ["config", "provider", "kubernetes", "enable"],
    ["config", "version", "edit", "--version", "1.30.1"],
    ["config", "deploy", "ha", "clouddriver", "edit", "--ro-deck", "true"],
])
def test_edit_to_the_current_value_keeps_every_byte(hal: Hal, args: list[str]) -> None:
    before = hal.bytes()
    result = hal(*args)
    assert result.code == 0, result.err
    assert hal.bytes() == before
