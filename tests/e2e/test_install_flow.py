"""A new user's install, typed as spinnaker.io documented it: from an empty hal dir to a
render whose profiles carry every section's settings.

The command lines are the ones the Halyard-era setup pages give, in the site's order
(spinnaker.io repository before commit c7a31a6 "Redo install docs off of halyard":
content/en/docs/setup/install/**, setup/other_config/**, guides/user/plugins-users,
guides/operator/webhook-custom-trust-store, reference/halyard/high-availability), with
the pages' placeholders ($ACCOUNT, $PROJECT_ID, ...) filled in.  Alternatives a page
offers for other platforms (localdebian, localgit) and the cluster steps (``hal deploy
apply|connect``) are left out: the flow ends with ``hal deploy render``.  A bare secret
flag reads its value from stdin, as the pages tell users to do.
"""

from __future__ import annotations

import io
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.support import assert_clean
from tests.helpers import deck_settings_object, home_with_kubeconfig, run_hal

SECRET = "flow-secret-value"

# (page, command line) in the documentation's order; {F} is the folder of local files.
FLOW: list[tuple[str, str]] = [
    # ---------------------------------------------------------------- install: providers
    ("setup/install/providers/kubernetes-v2/_index.md", "hal config provider kubernetes enable"),
    ("setup/install/providers/kubernetes-v2/_index.md",
     "hal config provider kubernetes account add my-k8s-account --context prod-ctx"),
    ("setup/install/providers/docker-registry.md", "hal config provider docker-registry enable"),
    ("setup/install/providers/docker-registry.md",
     "hal config provider docker-registry account add my-docker-registry "
     "--address gcr.io --username _json_key --password-file {F}/gcr-key.json"),
    ("setup/install/providers/docker-registry.md",
     "hal config provider docker-registry account add my-ecr-registry "
     "--address 123456789012.dkr.ecr.us-west-2.amazonaws.com --username AWS "
     "--password-command \"aws --region us-west-2 ecr get-authorization-token --output text "
     "--query 'authorizationData[].authorizationToken' | base64 -d | sed 's/^AWS://'\""),
    ("setup/install/providers/docker-registry.md",
     "hal config provider docker-registry account add my-hub-registry "
     "--address index.docker.io --repositories library/nginx,library/redis "
     "--username spinbot --password"),
    # ---------------------------------------------------------------- install: environment
    ("setup/install/environment.md",
     "hal config deploy edit --type distributed --account-name my-k8s-account"),
    ("setup/install/environment.md",
     "hal config deploy edit --liveness-probe-enabled true "
     "--liveness-probe-initial-delay-seconds 300"),
    # ---------------------------------------------------------------- install: storage
    ("setup/install/storage/s3.md",
     "hal config storage s3 edit --access-key-id AKIAFLOW --secret-access-key "
     "--region us-west-2"),
    ("setup/install/storage/s3.md", "hal config storage edit --type s3"),
    ("setup/install/storage/minio.md",
     "hal config storage s3 edit --endpoint http://minio:9000 --access-key-id minio "
     "--secret-access-key"),
    ("setup/install/storage/minio.md", "hal config storage edit --type s3"),
    ("setup/install/storage/gcs.md",
     "hal config storage gcs edit --project my-project --bucket-location us "
     "--json-path {F}/gcs-account.json"),
    ("setup/install/storage/gcs.md", "hal config storage edit --type gcs"),
    ("setup/install/storage/azs.md",
     "hal config storage azs edit --storage-account-name spinstore "
     "--storage-account-key azure-key-123"),
    ("setup/install/storage/azs.md", "hal config storage edit --type azs"),
    ("setup/install/storage/redis.md", "hal config storage edit --type redis"),
    ("setup/install/storage/oracle.md",
     "hal config storage oracle edit --bucket-name spinnaker "
     "--compartment-id ocid1.compartment.oc1..aaaa --fingerprint 8f:05:f4:94 "
     "--namespace oracle-cloud-tenancy --region us-phoenix-1 "
     "--ssh-private-key-file-path {F}/oci_api_key.pem --tenancy-id ocid1.tenancy.oc1..aaaa "
     "--user-id ocid1.user.oc1..aaaa"),
    ("setup/install/storage/oracle.md", "hal config storage edit --type oracle"),
    ("setup/install/storage/s3.md", "hal config storage edit --type s3"),
    # ---------------------------------------------------------------- install: version, HA
    ("setup/install/deploy.md", "hal config version edit --version 1.30.1"),
    ("reference/halyard/high-availability.md", "hal config deploy ha clouddriver enable"),
    ("reference/halyard/high-availability.md",
     "hal config deploy ha clouddriver edit "
     "--redis-master-endpoint redis://redis-master.example.com:6379 "
     "--redis-slave-endpoint redis://redis-replica.example.com:6379 "
     "--redis-slave-deck-endpoint redis://redis-replica.example.com:6379"),
    ("reference/halyard/high-availability.md", "hal config deploy ha echo enable"),
    # ---------------------------------------------------------------- artifacts
    ("setup/other_config/artifacts/github.md", "hal config artifact github enable"),
    ("setup/other_config/artifacts/github.md",
     "hal config artifact github account add my-github --token-file {F}/github-token"),
    ("setup/other_config/artifacts/gitlab.md", "hal config artifact gitlab enable"),
    ("setup/other_config/artifacts/gitlab.md",
     "hal config artifact gitlab account add my-gitlab --token-file {F}/gitlab-token"),
    ("setup/other_config/artifacts/bitbucket.md", "hal config artifact bitbucket enable"),
    ("setup/other_config/artifacts/bitbucket.md",
     "hal config artifact bitbucket account add my-bitbucket-account "
     "--username-password-file {F}/user-pass"),
    ("setup/other_config/artifacts/http.md", "hal config artifact http enable"),
    ("setup/other_config/artifacts/http.md",
     "hal config artifact http account add my-http-account "
     "--username-password-file {F}/user-pass"),
    ("setup/other_config/artifacts/helm.md", "hal config artifact helm enable"),
    ("setup/other_config/artifacts/helm.md",
     "hal config artifact helm account add my-helm-account "
     "--username-password-file {F}/user-pass"),
    ("setup/other_config/artifacts/gcs.md",
     "hal config artifact gcs account add my-gcs --json-path {F}/gcs-account.json"),
    ("setup/other_config/artifacts/gcs.md", "hal config artifact gcs enable"),
    ("setup/other_config/artifacts/s3.md", "hal config artifact s3 enable"),
    ("setup/other_config/artifacts/s3.md",
     "hal config artifact s3 account add my-s3-account --api-endpoint http://minio:9000 "
     "--api-region us-west-2 --region us-west-2"),
    ("setup/other_config/artifacts/maven.md", "hal config artifact maven enable"),
    ("setup/other_config/artifacts/maven.md",
     "hal config artifact maven account add my-maven-account "
     "--repository-url https://my.repo.example.com"),
    ("setup/other_config/artifacts/gitrepo.md", "hal config artifact gitrepo enable"),
    ("setup/other_config/artifacts/gitrepo.md",
     "hal config artifact gitrepo account add my-gitrepo --token-file {F}/github-token"),
    ("setup/other_config/artifacts/gitrepo.md",
     "hal config artifact gitrepo account add my-gitrepo-basic "
     "--username-password-file {F}/user-pass"),
    ("setup/other_config/artifacts/gitrepo.md",
     "hal config artifact gitrepo account add my-gitrepo-ssh "
     "--ssh-private-key-file-path {F}/id_rsa --ssh-private-key-passphrase "
     "--ssh-known-hosts-file-path {F}/known_hosts"),
    ("setup/other_config/artifacts/oracle.md",
     "hal config artifact oracle account add my-oracle --namespace oracle-cloud-tenancy "
     "--fingerprint 8f:05:f4:94 --region us-phoenix-1 "
     "--ssh-private-key-file-path {F}/oci_api_key.pem --tenancy-id ocid1.tenancy.oc1..aaaa "
     "--user-id ocid1.user.oc1..aaaa"),
    ("setup/other_config/artifacts/oracle.md", "hal config artifact oracle enable"),
    ("reference/ref-artifacts/_index.md", "hal config features edit --artifacts-rewrite true"),
    # ---------------------------------------------------------------- canary
    ("setup/other_config/canary/index.md", "hal config canary enable"),
    ("setup/other_config/canary/index.md", "hal config canary google enable"),
    ("setup/other_config/canary/index.md",
     "hal config canary google account add my-google-account --project my-project "
     "--json-path {F}/gcs-account.json --bucket my-spinnaker-bucket"),
    ("setup/other_config/canary/index.md",
     "hal config canary google edit --gcs-enabled true --stackdriver-enabled true"),
    ("setup/other_config/canary/index.md", "hal config canary disable"),
    ("setup/other_config/canary/index.md", "hal config canary enable"),
    ("setup/other_config/canary/index.md",
     "hal config canary edit --show-all-configs-enabled false"),
    ("setup/other_config/canary/index.md",
     "hal config canary edit --default-judge NetflixACAJudge-v1.0"),
    ("setup/other_config/canary/index.md",
     "hal config canary edit --default-metrics-store prometheus"),
    ("setup/other_config/canary/index.md",
     "hal config canary edit --default-metrics-account my-prometheus"),
    ("setup/other_config/canary/index.md",
     "hal config canary edit --default-storage-account my-google-account"),
    ("setup/other_config/canary/index.md", "hal config canary aws enable"),
    ("setup/other_config/canary/index.md",
     "hal config canary aws account add my-s3-canary --bucket canary-bucket"),
    ("setup/other_config/canary/index.md", "hal config canary aws edit --s3-enabled true"),
    ("setup/other_config/canary/index.md", "hal config canary aws account get my-s3-canary"),
    ("setup/other_config/canary/index.md", "hal config canary aws account list"),
    ("setup/other_config/canary/index.md", "hal config canary aws disable"),
    ("setup/other_config/canary/index.md", "hal config canary datadog enable"),
    ("setup/other_config/canary/index.md",
     "hal config canary datadog account add my-datadog --base-url https://api.datadoghq.com "
     "--api-key --application-key"),
    ("setup/other_config/canary/index.md",
     "hal config canary datadog account edit my-datadog --api-key --application-key"),
    ("setup/other_config/canary/index.md", "hal config canary datadog account get my-datadog"),
    ("setup/other_config/canary/index.md", "hal config canary datadog account list"),
    ("setup/other_config/canary/index.md",
     "hal config canary datadog account delete my-datadog"),
    ("setup/other_config/canary/index.md", "hal config canary datadog disable"),
    ("setup/other_config/canary/index.md",
     "hal config canary google account edit my-google-account --bucket my-spinnaker-bucket "
     "--bucket-location us"),
    ("setup/other_config/canary/index.md",
     "hal config canary google account get my-google-account"),
    ("setup/other_config/canary/index.md", "hal config canary google account list"),
    ("setup/other_config/canary/index.md", "hal config canary prometheus enable"),
    ("setup/other_config/canary/index.md",
     "hal config canary prometheus account add my-prometheus --base-url http://prometheus:9090"),
    ("setup/other_config/canary/index.md",
     "hal config canary prometheus account edit my-prometheus "
     "--base-url http://prometheus.monitoring:9090"),
    ("setup/other_config/canary/index.md",
     "hal config canary prometheus account get my-prometheus"),
    ("setup/other_config/canary/index.md", "hal config canary prometheus account list"),
    ("setup/other_config/canary/index.md", "hal config canary newrelic enable"),
    ("setup/other_config/canary/index.md",
     "hal config canary newrelic account add my-newrelic "
     "--base-url https://insights-api.newrelic.com --api-key --application-key"),
    ("setup/other_config/canary/index.md",
     "hal config canary newrelic account edit my-newrelic --api-key --application-key"),
    ("setup/other_config/canary/index.md", "hal config canary newrelic account list"),
    ("setup/other_config/canary/index.md",
     "hal config canary newrelic account delete my-newrelic"),
    ("setup/other_config/canary/index.md", "hal config canary newrelic disable"),
    # ---------------------------------------------------------------- CI
    ("setup/other_config/ci/jenkins.md", "hal config ci jenkins enable"),
    ("setup/other_config/ci/jenkins.md",
     "hal config ci jenkins master add my-jenkins-master --address http://jenkins:8080 "
     "--username admin --password"),
    ("setup/other_config/ci/jenkins.md",
     "hal config ci jenkins master edit my-jenkins-master --csrf true"),
    ("setup/other_config/ci/travis.md",
     "hal config ci travis master add my-travis-master --address https://api.travis-ci.org "
     "--base-url https://travis-ci.org --github-token"),
    ("setup/other_config/ci/wercker.md", "hal config ci wercker enable"),
    ("setup/other_config/ci/wercker.md",
     "hal config ci wercker master add mywercker1 --address https://app.wercker.com "
     "--user spinbot --token"),
    ("setup/other_config/ci/gcb.md", "hal config pubsub google enable"),
    ("setup/other_config/ci/gcb.md",
     "hal config ci gcb account add my-gcb-account --project my-project "
     "--subscription-name gcb-builds --json-key {F}/gcs-account.json"),
    ("setup/other_config/ci/gcb.md", "hal config ci gcb enable"),
    ("setup/other_config/ci/gcb.md",
     "hal config pubsub google subscription add my-gcb-subscription --project my-project "
     "--subscription-name gcb-builds --message-format GCB"),
    ("setup/other_config/ci/codebuild.md",
     "hal config ci codebuild account add my-codebuild --account-id 123456789012 "
     "--assume-role role/SpinnakerCodebuild --region us-west-2"),
    ("setup/other_config/ci/codebuild.md", "hal config ci codebuild enable"),
    # ---------------------------------------------------------------- notifications, features
    ("setup/other_config/features/notifications/index.md",
     "hal config notification slack enable"),
    ("setup/other_config/features/notifications/index.md",
     "hal config notification slack edit --bot-name spinnakerbot --token"),
    ("setup/other_config/features/notifications/index.md",
     "hal config notification twilio enable"),
    ("setup/other_config/features/notifications/index.md",
     "hal config notification twilio edit --account AC0123 --from +15551234567 --token"),
    ("guides/user/pipeline/pipeline-templates/enable.md",
     "hal config features edit --pipeline-templates true"),
    ("guides/user/pipeline/pipeline-templates/_index.md",
     "hal config features edit --managed-pipeline-templates-v2-ui true"),
    # ---------------------------------------------------------------- security
    ("setup/install/providers/kubernetes-v2/aws-eks.md",
     "hal config security api edit --override-base-url https://api.spinnaker.example.com"),
    ("setup/install/providers/kubernetes-v2/aws-eks.md",
     "hal config security ui edit --override-base-url https://spinnaker.example.com"),
    ("setup/other_config/security/authentication/oauth/github/index.md",
     "hal config security authn oauth2 edit --provider github --client-id gh-client "
     "--client-secret gh-client-secret"),
    ("setup/other_config/security/authentication/oauth/github/index.md",
     "hal config security authn oauth2 enable"),
    ("setup/other_config/security/authentication/oauth/_index.md",
     "hal config security authn oauth2 edit --pre-established-redirect-uri "
     "https://api.spinnaker.example.com/login"),
    ("setup/other_config/security/authorization/github-teams/index.md",
     "hal config security authz github edit --accessToken --organization my-org "
     "--baseUrl https://api.github.com"),
    ("setup/other_config/security/authorization/github-teams/index.md",
     "hal config security authz edit --type github"),
    ("setup/other_config/security/authorization/github-teams/index.md",
     "hal config security authz enable"),
    ("setup/other_config/security/authorization/_index.md",
     "hal config provider docker-registry account edit my-docker-registry "
     "--add-read-permission role1"),
    ("setup/other_config/security/authorization/_index.md",
     "hal config provider docker-registry account edit my-docker-registry "
     "--read-permissions role1,role2,role3 --write-permissions role1,role2,role3"),
    ("setup/other_config/security/ssl.md",
     "hal config security api ssl edit --key-alias gate --keystore {F}/gate.jks "
     "--keystore-password --keystore-type jks --truststore {F}/gate.jks "
     "--truststore-password --truststore-type jks"),
    ("setup/other_config/security/ssl.md", "hal config security api ssl enable"),
    # ---------------------------------------------------------------- triggers, repositories
    ("setup/other_config/triggers/google.md", "hal config pubsub google enable"),
    ("setup/other_config/triggers/google.md",
     "hal config pubsub google subscription add my-gcs-trigger --subscription-name gcs-events "
     "--json-path {F}/gcs-account.json --project my-project --message-format GCS"),
    ("guides/tutorials/codelabs/artifactory-to-cf/index.md",
     "hal config repository artifactory enable"),
    ("guides/tutorials/codelabs/artifactory-to-cf/index.md",
     "hal config repository artifactory search add spring-artifactory "
     "--base-url https://my.repo.example.com --repo libs-releases-local --groupId io.pivotal "
     "--username spinnaker --password"),
    ("guides/operator/webhook-custom-trust-store.md",
     "hal config webhook trust edit --trustStore {F}/webhooks.jks --trustStorePassword"),
    ("guides/operator/webhook-custom-trust-store.md", "hal config webhook trust enable"),
    # ---------------------------------------------------------------- plugins
    ("guides/user/plugins-users/plugin-deploy-example.md",
     "hal plugins repository add examplePluginsRepo "
     "--url=https://raw.githubusercontent.com/spinnaker-plugin-examples/examplePluginRepository"
     "/master/plugins.json"),
    ("guides/user/plugins-users/plugin-deploy-example.md",
     "hal plugins add Armory.RandomWaitPlugin --version=1.1.14 --enabled=true "
     "--extensions=armory.randomWaitStage"),
    ("guides/user/plugins-users/_index.md", "hal plugins list"),
    # ---------------------------------------------------------------- backup
    ("setup/install/backups.md", "hal backup create --backup-path {F}/../hal-backup.tar"),
]

LOCAL_FILES = ("gcr-key.json", "gcs-account.json", "oci_api_key.pem", "github-token",
               "gitlab-token", "user-pass", "id_rsa", "known_hosts", "gate.jks",
               "webhooks.jks")


def test_the_flow_has_at_least_100_documented_lines() -> None:
    assert len(FLOW) >= 100
    assert all(line.startswith("hal ") for _, line in FLOW)


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    folder.mkdir()
    for name in LOCAL_FILES:
        (folder / name).write_text(f"contents of {name}\n")
    return folder


def _run(hal_dir: Path, line: str, files: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    args = shlex.split(line.format(F=files))[1:]
    # every bare secret flag reads one line; a command has at most three of them
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{SECRET}\n" * 3))
    return run_hal(*args, hal_dir=hal_dir)


def test_documented_install_flow_renders_every_section(
        tmp_path: Path, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hal_dir = tmp_path / "hal"  # empty: the first command creates it
    # The docs add the account by --context alone: Halyard (and pyhalyard) then ship the
    # operator's ~/.kube/config, which every reader of these pages has.
    home_with_kubeconfig(tmp_path, monkeypatch, (
        b"apiVersion: v1\nkind: Config\ncurrent-context: prod-ctx\n"
        b"clusters: [{name: prod, cluster: {server: 'https://k8s.example.com'}}]\n"
        b"users: [{name: admin, user: {token: not-a-real-token}}]\n"
        b"contexts: [{name: prod-ctx, context: {cluster: prod, user: admin}}]\n"))
    failed = []
    for page, line in FLOW:
        result = _run(hal_dir, line, files, monkeypatch)
        assert_clean(result)
        assert SECRET not in result.out + result.err, line
        if result.code != 0:
            failed.append(f"{page}: {line}\n    -> {result.err.strip()}")
    assert failed == [], "\n".join(failed)
    assert (tmp_path / "hal-backup.tar").is_file()

    out = tmp_path / "render"
    rendered = run_hal("deploy", "render", "--output-dir", str(out), hal_dir=hal_dir)
    assert rendered.code == 0, rendered.err
    assert (out / "kustomization.yaml").is_file()
    profiles = _profiles(hal_dir)

    clouddriver = profiles["clouddriver-rw"]["clouddriver.yml"]
    assert clouddriver["kubernetes"]["accounts"][0]["name"] == "my-k8s-account"
    assert {a["name"] for a in clouddriver["dockerRegistry"]["accounts"]} >= {
        "my-docker-registry", "my-ecr-registry", "my-hub-registry"}
    registry = next(a for a in clouddriver["dockerRegistry"]["accounts"]
                    if a["name"] == "my-docker-registry")
    assert registry["permissions"] == {"READ": ["role1", "role2", "role3"],
                                       "WRITE": ["role1", "role2", "role3"]}
    assert clouddriver["artifacts"]["github"]["accounts"][0]["name"] == "my-github"
    front50 = profiles["front50"]["front50.yml"]["spinnaker"]
    assert front50["s3"]["enabled"] is True and front50["s3"]["endpoint"] == "http://minio:9000"
    assert front50["oracle"]["bucketName"] == "spinnaker" and front50["oracle"]["enabled"] is False
    kayenta = profiles["kayenta"]["kayenta.yml"]["kayenta"]
    assert kayenta["prometheus"]["accounts"][0]["endpoint"]["baseUrl"] == \
        "http://prometheus.monitoring:9090"
    assert kayenta["gcs"]["enabled"] is True and kayenta["stackdriver"]["enabled"] is True
    assert kayenta["aws"]["accounts"][0]["supportedTypes"] == ["CONFIGURATION_STORE",
                                                               "OBJECT_STORE"]
    igor = profiles["igor"]["igor.yml"]
    assert igor["jenkins"]["masters"][0]["csrf"] is True
    assert igor["artifactory"]["searches"][0]["name"] == "spring-artifactory"
    echo = profiles["echo-worker"]["echo.yml"]
    assert echo["slack"]["botName"] == "spinnakerbot" and echo["twilio"]["enabled"] is True
    assert {s["name"] for s in echo["pubsub"]["google"]["subscriptions"]} == {
        "my-gcb-subscription", "my-gcs-trigger"}
    orca = profiles["orca"]["orca.yml"]
    assert orca["webhook"]["trust"]["enabled"] is True
    assert orca["pipelineTemplates"] == {"enabled": True}
    assert orca["spinnaker"]["extensibility"]["plugins"]["Armory.RandomWaitPlugin"][
        "version"] == "1.1.14"
    assert "fiat" in profiles  # authz enabled: fiat is deployed
    deck = deck_settings_object(profiles["deck"]["settings.js"])
    assert deck["canary"]["metricStore"] == "prometheus"
    assert deck["notifications"]["slack"]["botName"] == "spinnakerbot"
    assert deck["gateUrl"] == "https://api.spinnaker.example.com"  # gate's override base URL


def _profiles(hal_dir: Path) -> dict[str, dict[str, Any]]:
    """service -> file name -> parsed profile (YAML) or text (settings.js, scripts)."""
    from pyhalyard.halconfig.paths import HalPaths
    from pyhalyard.pipeline import load, plan
    from pyhalyard.render.profiles import render_profiles

    out: dict[str, dict[str, Any]] = {}
    for service, files in render_profiles(plan(load(HalPaths(hal_dir)))).items():
        out[service] = {name: yaml.safe_load(text) if name.endswith((".yml", ".yaml")) else text
                        for name, text in files.items()}
    return out
