"""Config values that name a file on the machine running hal (Halyard's ``@LocalFile`` fields).

Halyard marks these fields with ``@LocalFile`` in its halyard-config model classes
(``KubernetesAccount.kubeconfigFile``, ``GcsPersistentStore.jsonPath``,
``DockerRegistryAccount.passwordFile``, ``Saml.keyStore``, ...).  A relative value
is relative to the hal dir (Halyard's ``FileService.absolutePath``); values that
are secret-store or config-server references are not local files at all.
Backups copy every such file and point the config at the copy.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyhalyard.halconfig.document import PathKey

# Every field name Halyard annotates @LocalFile (halyard-config model/v1/**).
LOCAL_FILE_KEYS = frozenset({
    "caCertFile",             # DCOSCluster
    "credentialPath",         # GoogleRoleProvider
    "credentials_path",       # StackdriverStore (@JsonProperty credentials_path)
    "dockerconfigFile",       # DockerRegistryAccount
    "jsonKey",                # GoogleCloudBuildAccount
    "jsonPath",               # Google accounts, GCS store/artifacts/canary, pubsub
    "keyStore",               # Saml, SpringSsl
    "kubeconfigFile",         # KubernetesAccount
    "metadataLocal",          # Saml
    "oAuthServiceAccount",    # KubernetesAccount
    "passwordFile",           # DockerRegistryAccount
    "serviceKeyFile",         # DCOSAccount
    "sshKnownHostsFilePath",  # Appengine/GitRepo accounts
    "sshPrivateKeyFilePath",  # Oracle, Appengine, GitRepo, OraclePersistentStore
    "sslCACertificateFile",   # ApacheSsl
    "sslCertificateFile",     # ApacheSsl
    "sslCertificateKeyFile",  # ApacheSsl
    "templatePath",           # ArtifactTemplate, GoogleSubscription
    "tokenFile",              # GitHub/Gitlab/Bitbucket/Http/Helm artifact accounts
    "trustStore",             # JenkinsMaster, SpringSsl, WebhookTrust
    "userDataFile",           # GoogleAccount
    "usernamePasswordFile",   # artifact accounts
})
# ``path`` is a local file only on the file role provider (FileRoleProvider).
FILE_ROLE_PROVIDER = ("groupMembership", "file")

# Halyard's secret-store references (EncryptedSecret) and config-server resources
# (CloudConfigResourceService): resolved by the services, never copied.
REMOTE_PREFIXES = ("encrypted:", "encryptedFile:", "configserver:")
# What Halyard < 1.12 wrote in backups in front of hal-dir-relative paths.
HALCONFIG_DIR_PLACEHOLDER = "{%halconfig-dir%}"


def is_local_file(path: tuple[PathKey, ...]) -> bool:
    """Whether the value at ``path`` (ending in its key) is a @LocalFile field."""
    key = path[-1]
    if key == "path":
        return tuple(path[-3:-1]) == FILE_ROLE_PROVIDER
    return isinstance(key, str) and key in LOCAL_FILE_KEYS


def is_remote(value: str) -> bool:
    return value.startswith(REMOTE_PREFIXES)


def references(data: Any) -> Iterator[tuple[tuple[PathKey, ...], str]]:
    """Every (path, value) of a non-empty local-file field in the whole config."""
    stack: list[tuple[tuple[PathKey, ...], Any]] = [((), data)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, dict):
            items: list[tuple[PathKey, Any]] = list(node.items())
        elif isinstance(node, list):
            items = list(enumerate(node))
        else:
            continue
        for key, value in reversed(items):
            here = (*path, key)
            if isinstance(value, str):
                if value and is_local_file(here):
                    yield here, value
            elif isinstance(value, (dict, list)):
                stack.append((here, value))


def resolve(hal_dir: Path, value: str) -> Path:
    """The file a local-file value names: ``~`` expanded, relative to the hal dir."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else hal_dir / path


def java_path_hash(path: str) -> int:
    """``Math.abs(Path.hashCode())`` of a Unix path in Java, as Halyard names backed-up files.

    Using the same number keeps a pyhalyard backup's file names identical to the
    ones Halyard would have written for the same config.
    """
    parts = [p for p in path.split("/") if p]
    normal = ("/" if path.startswith("/") else "") + "/".join(parts)
    h = 0
    for byte in normal.encode("utf-8"):
        h = (31 * h + byte) & 0xFFFFFFFF
    signed = h - (1 << 32) if h >= (1 << 31) else h
    return abs(signed) if signed != -(1 << 31) else signed


def backup_name(path: Path) -> str:
    """``<hash>-<name>``: Halyard's flat, collision-free name in ``.backup/required-files``."""
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-._") else "-" for c in path.name)
    return f"{java_path_hash(str(path))}-{safe}"
