"""A hal dir that names every kind of local file, TLS, SAML and AWS keys at once.

Paths are relative (Halyard resolves them under the hal folder), so the files live
inside the hal dir and the config is the same wherever the test runs.  Binary files
hold bytes that are not UTF-8, to prove they arrive byte-exact.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.render_manifests.configs import deployment

BINARY = bytes(range(256)) * 3  # every byte value, not UTF-8
GCP_KUBECONFIG = {
    "apiVersion": "v1", "kind": "Config", "current-context": "gke",
    "clusters": [{"name": "gke", "cluster": {"server": "https://34.1.2.3",
                                              "certificate-authority": "ca.pem"}}],
    "contexts": [{"name": "gke", "context": {"cluster": "gke", "user": "gke-user"}},
                 {"name": "other", "context": {"cluster": "gke", "user": "other-user"}}],
    "users": [{"name": "gke-user", "user": {"auth-provider": {"name": "gcp", "config": {
        "cmd-path": "/usr/lib/google-cloud-sdk/bin/gcloud", "cmd-args": "config config-helper"}}}},
              {"name": "other-user", "user": {"auth-provider": {"name": "gcp", "config": {
                  "cmd-path": "/opt/gcloud"}}}}],
}
# file (relative to the hal dir) -> bytes
FILES: dict[str, bytes] = {
    "files/gke.kubeconfig": yaml.safe_dump(GCP_KUBECONFIG, sort_keys=False).encode(),
    "files/ca.pem": b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    "files/gate-keystore.jks": BINARY + b"gate-keystore",
    "files/gate-truststore.jks": BINARY + b"gate-truststore",
    "files/saml-metadata.xml": b"<EntityDescriptor entityID='idp'/>\n",
    "files/saml.jks": BINARY + b"saml",
    "files/deck.crt": b"-----BEGIN CERTIFICATE-----\ndeck\n-----END CERTIFICATE-----\n",
    "files/deck.key": b"-----BEGIN PRIVATE KEY-----\ndeck\n-----END PRIVATE KEY-----\n",
    "files/roles.yml": b"users:\n- username: a\n  roles: [admin]\n",
    "files/jenkins-trust.jks": BINARY + b"jenkins",
    "files/webhook-trust.jks": BINARY + b"webhook",
    "files/github-token": b"ghp_not_a_real_token\n",
    "files/registry-password": b"registry-pass\n",
    "files/canary-gcp.json": b'{"type": "service_account"}\n',
}
AWS_KEYS = {"provider": ("AKIAPROVIDER", "provider-secret-key"),
            "s3": ("AKIAS3STORE", "s3-secret-key"),
            "canary": ("AKIACANARY", "canary-secret-key")}


def write_files(root: Path) -> None:
    for rel, data in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def files_deployment() -> dict[str, Any]:
    dep = deployment(cd_ha=True)
    k8s = dep["providers"]["kubernetes"]
    k8s["accounts"].append({"name": "gke", "providerVersion": "V2", "context": "gke",
                            "kubeconfigFile": "files/gke.kubeconfig"})
    provider_key, provider_secret = AWS_KEYS["provider"]
    dep["providers"]["aws"] = {"enabled": True, "accessKeyId": provider_key,
                               "secretAccessKey": provider_secret, "accounts": [],
                               "primaryAccount": None}
    dep["providers"]["dockerRegistry"] = {"enabled": True, "primaryAccount": "hub", "accounts": [
        {"name": "hub", "address": "https://index.docker.io", "username": "me",
         "passwordFile": "files/registry-password"}]}
    s3_key, s3_secret = AWS_KEYS["s3"]
    dep["persistentStorage"]["s3"].update(accessKeyId=s3_key, secretAccessKey=s3_secret)
    canary_key, canary_secret = AWS_KEYS["canary"]
    dep["canary"] = {"enabled": True, "serviceIntegrations": [
        {"name": "google", "enabled": True, "gcsEnabled": True, "stackdriverEnabled": True,
         "accounts": [{"name": "gcp", "project": "p", "bucket": "b",
                       "jsonPath": "files/canary-gcp.json",
                       "supportedTypes": ["METRICS_STORE", "OBJECT_STORE"]}]},
        {"name": "aws", "enabled": True, "s3Enabled": True, "accounts": [
            {"name": "no-keys", "bucket": "x", "supportedTypes": ["OBJECT_STORE"]},
            {"name": "s3", "bucket": "canary", "accessKeyId": canary_key,
             "secretAccessKey": canary_secret, "supportedTypes": ["OBJECT_STORE"]}]}]}
    dep["ci"] = {"jenkins": {"enabled": True, "masters": [
        {"name": "jenkins", "address": "https://jenkins.example", "username": "ci",
         "password": "ci-pw", "trustStore": "files/jenkins-trust.jks",
         "trustStoreType": "JKS", "trustStorePassword": "changeit"}]}}
    dep["artifacts"] = {"github": {"enabled": True, "accounts": [
        {"name": "gh", "tokenFile": "files/github-token"}]}}
    dep["webhook"] = {"trust": {"enabled": True, "trustStore": "files/webhook-trust.jks",
                                "trustStorePassword": "changeit"}}
    dep["security"] = {
        "apiSecurity": {"ssl": {"enabled": True, "keyAlias": "gate",
                                "keyStore": "files/gate-keystore.jks", "keyStoreType": "JKS",
                                "keyStorePassword": "ks-pass",
                                "trustStore": "files/gate-truststore.jks",
                                "trustStoreType": "JKS", "trustStorePassword": "ts-pass",
                                "clientAuth": "WANT"}},
        "uiSecurity": {"ssl": {"enabled": True, "sslCertificateFile": "files/deck.crt",
                               "sslCertificateKeyFile": "files/deck.key",
                               "sslCertificatePassphrase": "deck-passphrase"}},
        "authn": {"enabled": True, "saml": {
            "enabled": True, "issuerId": "spinnaker", "metadataLocal": "files/saml-metadata.xml",
            "keyStore": "files/saml.jks", "keyStorePassword": "saml-pass",
            "keyStoreAliasName": "saml", "serviceAddress": "https://gate.example.com:8084/api",
            "userAttributeMapping": {"roles": "memberOf", "rolesDelimiter": ","}}},
        "authz": {"enabled": True, "groupMembership": {
            "service": "FILE", "file": {"roleProviderType": "FILE", "path": "files/roles.yml"}}},
    }
    return dep
