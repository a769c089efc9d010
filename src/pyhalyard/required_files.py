"""Required files: every halconfig field that names a file on the Halyard host.

This is the one table of such fields (Halyard's ``@LocalFile`` / ``@SecretFile``
fields of the halconfig model classes that a distributed Kubernetes install can
use), each with the services whose profiles read it.  Halyard copied each file
into ``<hal>/<deployment>/staging/dependencies/<hash>-<name>``, mounted that
folder into the pods and rewrote the field to the copy (halyard-backup
``BackupService.backupLocalFiles``; KubernetesV2Service ``stageConfig``).  We
keep Halyard's in-pod names, so a hand-written profile that names a staged file
keeps working.

Everything here is pure (no file is read): which fields name local files, the
in-pod path of each, and the halconfig with those paths rewritten.  Reading,
checking and shipping the bytes is ``render/dependencies.py``.
"""

from __future__ import annotations

import operator
import os
import re
from typing import Any

# Halyard's halconfig folder as its pods saw it: Halyard ran as user spinnaker.
HALYARD_HOME = "/home/spinnaker"
POD_HAL_DIR = f"{HALYARD_HOME}/.hal"
# Values clouddriver & co. resolve themselves (kork secrets, cloud storage, config server).
REMOTE_PREFIXES = ("gs://", "s3://", "encrypted:", "encryptedFile:", "configserver:")
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_UNSAFE_NAME = re.compile(r"[^-._a-zA-Z0-9]")

KUBECONFIG = "kubeconfig"
FILE = "file"

CLOUDDRIVER = ("clouddriver",)
ARTIFACT_READERS = ("clouddriver", "echo", "igor")


class FileField:
    """One file-valued field.

    ``path`` walks the halconfig: a key, ``[]`` for every item of a list,
    ``*`` for every value of a mapping, ``[name=x]`` for the list item named x.
    ``readers`` are base services (an HA split's roles read what their base reads).
    ``halyard`` is the Halyard model class that declares the field.
    (Plain classes, not dataclasses: this module is imported by every render, and
    each dataclass costs more to define than the whole table to build.)
    """

    __slots__ = ("halyard", "kind", "path", "readers")

    def __init__(self, path: tuple[str, ...], readers: tuple[str, ...], halyard: str,
                 kind: str = FILE) -> None:
        self.path, self.readers, self.halyard, self.kind = path, readers, halyard, kind

    def __repr__(self) -> str:
        return f"FileField({'.'.join(self.path)!r}, {self.readers!r})"


def _f(dotted: str, readers: tuple[str, ...], halyard: str, kind: str = FILE) -> FileField:
    return FileField(tuple(dotted.split(".")), readers, halyard, kind)


FIELDS: tuple[FileField, ...] = (
    # providers -> clouddriver.yml (ClouddriverProfileFactory backs up the providers node)
    _f("providers.kubernetes.accounts.[].kubeconfigFile", CLOUDDRIVER,
       "providers/kubernetes/KubernetesAccount", KUBECONFIG),
    _f("providers.kubernetes.accounts.[].oAuthServiceAccount", CLOUDDRIVER,
       "providers/kubernetes/KubernetesAccount"),
    _f("providers.google.accounts.[].jsonPath", CLOUDDRIVER,
       "providers/google/CommonGoogleAccount"),
    _f("providers.google.accounts.[].userDataFile", CLOUDDRIVER, "providers/google/GoogleAccount"),
    _f("providers.appengine.accounts.[].jsonPath", CLOUDDRIVER,
       "providers/google/CommonGoogleAccount"),
    _f("providers.appengine.accounts.[].sshPrivateKeyFilePath", CLOUDDRIVER,
       "providers/appengine/AppengineAccount"),
    _f("providers.appengine.accounts.[].sshKnownHostsFilePath", CLOUDDRIVER,
       "providers/appengine/AppengineAccount"),
    _f("providers.cloudrun.accounts.[].jsonPath", CLOUDDRIVER,
       "providers/google/CommonGoogleAccount"),
    _f("providers.cloudrun.accounts.[].sshKnownHostsFilePath", CLOUDDRIVER,
       "providers/cloudrun/CloudrunAccount"),
    _f("providers.dcos.accounts.[].clusters.[].serviceKeyFile", CLOUDDRIVER,
       "providers/dcos/DCOSAccount"),
    _f("providers.dcos.clusters.[].caCertFile", CLOUDDRIVER, "providers/dcos/DCOSCluster"),
    _f("providers.dockerRegistry.accounts.[].passwordFile", CLOUDDRIVER,
       "providers/dockerRegistry/DockerRegistryAccount"),
    _f("providers.dockerRegistry.accounts.[].dockerconfigFile", CLOUDDRIVER,
       "providers/dockerRegistry/DockerRegistryAccount"),
    _f("providers.oracle.accounts.[].sshPrivateKeyFilePath", CLOUDDRIVER,
       "providers/oracle/OracleAccount"),
    # artifacts -> clouddriver.yml, echo.yml, igor.yml (each factory backs up artifacts)
    _f("artifacts.bitbucket.accounts.[].usernamePasswordFile", ARTIFACT_READERS,
       "artifacts/bitbucket/BitbucketArtifactAccount"),
    _f("artifacts.bitbucket.accounts.[].tokenFile", ARTIFACT_READERS,
       "artifacts/bitbucket/BitbucketArtifactAccount"),
    _f("artifacts.gcs.accounts.[].jsonPath", ARTIFACT_READERS,
       "artifacts/gcs/GcsArtifactAccount"),
    _f("artifacts.github.accounts.[].usernamePasswordFile", ARTIFACT_READERS,
       "artifacts/github/GitHubArtifactAccount"),
    _f("artifacts.github.accounts.[].tokenFile", ARTIFACT_READERS,
       "artifacts/github/GitHubArtifactAccount"),
    _f("artifacts.gitlab.accounts.[].tokenFile", ARTIFACT_READERS,
       "artifacts/gitlab/GitlabArtifactAccount"),
    _f("artifacts.gitrepo.accounts.[].usernamePasswordFile", ARTIFACT_READERS,
       "artifacts/gitrepo/GitRepoArtifactAccount"),
    _f("artifacts.gitrepo.accounts.[].tokenFile", ARTIFACT_READERS,
       "artifacts/gitrepo/GitRepoArtifactAccount"),
    _f("artifacts.gitrepo.accounts.[].sshPrivateKeyFilePath", ARTIFACT_READERS,
       "artifacts/gitrepo/GitRepoArtifactAccount"),
    _f("artifacts.gitrepo.accounts.[].sshKnownHostsFilePath", ARTIFACT_READERS,
       "artifacts/gitrepo/GitRepoArtifactAccount"),
    _f("artifacts.helm.accounts.[].usernamePasswordFile", ARTIFACT_READERS,
       "artifacts/helm/HelmArtifactAccount"),
    _f("artifacts.http.accounts.[].usernamePasswordFile", ARTIFACT_READERS,
       "artifacts/http/HttpArtifactAccount"),
    _f("artifacts.oracle.accounts.[].sshPrivateKeyFilePath", ARTIFACT_READERS,
       "artifacts/oracle/OracleArtifactAccount"),
    _f("artifacts.templates.[].templatePath", ARTIFACT_READERS, "artifacts/ArtifactTemplate"),
    # CI -> igor.yml (IgorProfileFactory); gcb also -> echo.yml (EchoProfileFactory)
    _f("ci.jenkins.masters.[].trustStore", ("igor",), "ci/jenkins/JenkinsMaster"),
    _f("ci.gcb.accounts.[].jsonKey", ("igor", "echo"), "ci/gcb/GoogleCloudBuildAccount"),
    # pubsub -> echo.yml
    _f("pubsub.google.subscriptions.[].jsonPath", ("echo",), "pubsub/google/GoogleSubscription"),
    _f("pubsub.google.subscriptions.[].templatePath", ("echo",),
       "pubsub/google/GoogleSubscription"),
    _f("pubsub.google.publishers.[].jsonPath", ("echo",), "pubsub/google/GooglePublisher"),
    # storage -> front50.yml
    _f("persistentStorage.gcs.jsonPath", ("front50",), "persistentStorage/GcsPersistentStore"),
    _f("persistentStorage.oracle.sshPrivateKeyFilePath", ("front50",),
       "persistentStorage/OraclePersistentStore"),
    # canary -> kayenta.yml
    _f("canary.serviceIntegrations.[name=google].accounts.[].jsonPath", ("kayenta",),
       "canary/google/GoogleCanaryAccount"),
    _f("canary.serviceIntegrations.[name=prometheus].accounts.[].usernamePasswordFile",
       ("kayenta",), "canary/prometheus/PrometheusCanaryAccount"),
    # webhook -> orca.yml
    _f("webhook.trust.trustStore", ("orca",), "webook/WebhookTrust"),
    # security: gate TLS and login, fiat's roles, deck's TLS (Apache certificates)
    _f("security.apiSecurity.ssl.keyStore", ("gate",), "security/SpringSsl"),
    _f("security.apiSecurity.ssl.trustStore", ("gate",), "security/SpringSsl"),
    _f("security.authn.saml.metadataLocal", ("gate",), "security/Saml"),
    _f("security.authn.saml.keyStore", ("gate",), "security/Saml"),
    _f("security.authz.groupMembership.file.path", ("fiat",), "security/FileRoleProvider"),
    _f("security.authz.groupMembership.google.credentialPath", ("fiat",),
       "security/GoogleRoleProvider"),
    _f("security.uiSecurity.ssl.sslCertificateFile", ("deck",), "security/ApacheSsl"),
    _f("security.uiSecurity.ssl.sslCertificateKeyFile", ("deck",), "security/ApacheSsl"),
    # Not listed: ApacheSsl.sslCACertificateFile (no reader: deck's image takes only
    # DECK_CERT/DECK_KEY) and StackdriverStore.credentialsPath (the monitoring daemon,
    # which pyhalyard does not deploy).
)

Location = tuple[str | int, ...]


class Reference:
    """One file the halconfig names: where, on this machine, and in the pod (read-only)."""

    __slots__ = ("defaulted", "host_path", "kind", "location", "pod_path", "readers", "value")

    def __init__(self, location: Location, value: str, host_path: str, pod_path: str,
                 readers: tuple[str, ...], kind: str, defaulted: bool = False) -> None:
        self.location = location  # keys and list indexes from the deployment's root
        self.value = value  # as written in the halconfig ('' when Halyard's default applies)
        self.host_path = host_path  # absolute path on this machine
        self.pod_path = pod_path  # Halyard's staged copy, as the pod sees it
        self.readers = readers
        self.kind = kind
        # No kubeconfigFile and no serviceAccount: Halyard used its host's ~/.kube/config.
        self.defaulted = defaulted

    @property
    def field(self) -> str:
        """Field path for messages: ``providers.kubernetes.accounts[2].kubeconfigFile``."""
        return _field_name(self.location)

    def __repr__(self) -> str:
        return f"Reference({self.field!r}, {self.host_path!r} -> {self.pod_path!r})"


def is_remote(value: str) -> bool:
    """A value the service resolves itself (bucket, secret engine, URL): never shipped."""
    return value.startswith(REMOTE_PREFIXES) or bool(_URL.match(value))


_POWERS: dict[int, tuple[int, ...]] = {}
_FOLDER_HASH: dict[bytes, int] = {}
_MASK = 0xFFFFFFFF


def _powers(length: int) -> tuple[int, ...]:
    """31^(length-1), ..., 31^0 modulo 2^32."""
    found = _POWERS.get(length)
    if found is None:
        found = _POWERS[length] = tuple(pow(31, k, 1 << 32) for k in range(length, -1, -1))
    return found[1:]


def _poly(data: bytes) -> int:
    """Java's ``h = 31*h + b`` over ``data`` from h = 0, modulo 2^32, evaluated in C."""
    total: int = sum(map(operator.mul, data, _powers(len(data))))
    return total & _MASK


def java_path_hash(path: str) -> int:
    """``Math.abs(java.nio.file.Path.hashCode())`` of a normalized absolute Unix path:
    ``h = 31*h + byte`` over its bytes, as a signed 32-bit int (abs(MIN_VALUE) stays
    negative, as in Java).  Thousands of kubeconfigs in one folder are hashed on every
    render, so the folder's hash is computed once and continued over the file name."""
    data = os.fsencode(path)
    cut = data.rfind(b"/")
    folder, name = data[:cut], data[cut:]
    head = _FOLDER_HASH.get(folder)
    if head is None:
        head = _FOLDER_HASH[folder] = _poly(folder)
    h = (head * _powers(len(name))[0] * 31 + _poly(name)) & _MASK if name else head
    if h >= 0x80000000:
        h -= 0x100000000
    return h if h == -0x80000000 else abs(h)


def _java_name(name: str) -> str:
    """``name.replaceAll("[^-._a-zA-Z0-9]", "-")`` on Java's UTF-16 characters (a
    character outside the BMP is two of them)."""
    if name.isascii():
        return _UNSAFE_NAME.sub("-", name)
    return "".join(("--" if ord(ch) > 0xFFFF else "-") if _UNSAFE_NAME.match(ch) else ch
                   for ch in name)


def normalize(path: str) -> str:
    """What ``Paths.get`` keeps of a Unix path: no repeated or trailing slashes."""
    if "//" in path:
        path = re.sub("/+", "/", path)
    return path.rstrip("/") or "/"


def host_path(value: str, base: str) -> str:
    """Halyard's FileService: relative paths are under ``base`` (the halconfig folder,
    absolute).  ``~`` is expanded too (Halyard would have looked for a folder named ``~``)."""
    if value.startswith("~"):
        value = os.path.expanduser(value)
    if not value.startswith("/"):
        value = f"{base}/{value}"
    return normalize(value)


def halyard_path(value: str, base: str = POD_HAL_DIR) -> str:
    """The path Halyard (user spinnaker, ``~/.hal``) would have resolved ``value`` to.

    The staged name hashes this, not the path on this machine, so a hal folder with
    relative paths renders the same names wherever it is checked out."""
    if value.startswith("~"):
        value = HALYARD_HOME + value[1:]
    if not value.startswith("/"):
        value = f"{base}/{value}"
    return normalize(value)


def dependencies_dir(deployment: str) -> str:
    return f"{POD_HAL_DIR}/{deployment}/staging/dependencies"


def pod_path(halyard: str, deployment: str) -> str:
    """BackupService.backupLocalFiles: ``<abs(path hash)>-<file name, unsafe chars as ->``."""
    name = _java_name(halyard.rsplit("/", 1)[-1])
    return f"{dependencies_dir(deployment)}/{java_path_hash(halyard)}-{name}"


def default_kubeconfig() -> str:
    """KubernetesAccount.getKubeconfigFile(): ``${user.home}/.kube/config`` of the host."""
    return normalize(os.path.join(os.path.expanduser("~"), ".kube", "config"))


def _field_name(location: Location) -> str:
    out = ""
    for step in location:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


def _walk(root: Any, path: tuple[str, ...]) -> list[tuple[Location, Any, Any]]:
    """(location, value, parent mapping) of every value the pattern reaches.

    Breadth-first over the pattern's steps (thousands of accounts per render: no
    recursion, no generators)."""
    frontier: list[tuple[Location, Any]] = [((), root)]
    for step in path[:-1]:
        nxt: list[tuple[Location, Any]] = []
        if step == "[]" or step.startswith("[name="):
            wanted = step[len("[name="):-1] if step != "[]" else None
            for at, node in frontier:
                if isinstance(node, list):
                    nxt.extend(((*at, i), item) for i, item in enumerate(node)
                               if wanted is None
                               or (isinstance(item, dict) and item.get("name") == wanted))
        elif step == "*":
            for at, node in frontier:
                if isinstance(node, dict):
                    nxt.extend(((*at, str(k)), v) for k, v in node.items())
        else:
            for at, node in frontier:
                if isinstance(node, dict) and step in node:
                    nxt.append(((*at, step), node[step]))
        frontier = nxt
    last = path[-1]
    out: list[tuple[Location, Any, Any]] = []
    for at, node in frontier:
        if isinstance(node, dict):
            if last in node:
                out.append(((*at, last), node[last], node))
            elif last == "kubeconfigFile":
                out.append(((*at, last), None, node))
    return out


# validate and render ask for the same deployment's references: computed once.
_LAST: list[tuple[dict[str, Any], str, str, tuple[Reference, ...]]] = []


def references(raw: dict[str, Any], hal_dir: str, deployment: str) -> tuple[Reference, ...]:
    """Every local file the deployment ``raw`` names, in table order then halconfig order.

    Empty values and remote references are skipped.  A Kubernetes account with neither
    ``kubeconfigFile`` nor ``serviceAccount: true`` names the host's ``~/.kube/config``.
    """
    if _LAST and _LAST[0][0] is raw and _LAST[0][1:3] == (hal_dir, deployment):
        return _LAST[0][3]
    found = tuple(_references(raw, hal_dir, deployment))
    _LAST[:] = [(raw, hal_dir, deployment, found)]
    return found


def _references(raw: dict[str, Any], hal_dir: str, deployment: str) -> list[Reference]:
    hal_dir = os.path.abspath(hal_dir)
    out: list[Reference] = []
    for spec in FIELDS:
        for location, value, parent in _walk(raw, spec.path):
            defaulted = False
            if spec.kind == KUBECONFIG:
                if parent.get("serviceAccount") is True:
                    continue
                if value is None or value == "":
                    value, defaulted = "", True
            if not defaulted and (not isinstance(value, str) or not value or is_remote(value)):
                continue
            host = default_kubeconfig() if defaulted else host_path(value, hal_dir)
            named = halyard_path("~/.kube/config" if defaulted else value)
            out.append(Reference(location=location, value=value,
                                 host_path=host, pod_path=pod_path(named, deployment),
                                 readers=spec.readers, kind=spec.kind, defaulted=defaulted))
    return out


def rewritten(raw: dict[str, Any], refs: tuple[Reference, ...]) -> dict[str, Any]:
    """``raw`` with every referenced path replaced by its in-pod path.

    Copy-on-write: only the mappings and lists on the way to a rewritten field are
    copied, so 2,000 accounts cost 2,000 small copies, not a deep copy of everything,
    and the loaded halconfig itself is never changed.
    """
    if not refs:
        return raw
    root = dict(raw)
    owned = {id(root)}
    for ref in refs:
        node: Any = root
        for step in ref.location[:-1]:
            child = node[step]
            if id(child) not in owned:
                child = dict(child) if isinstance(child, dict) else list(child)
                node[step] = child
                owned.add(id(child))
            node = child
        node[ref.location[-1]] = ref.pod_path
    return root
