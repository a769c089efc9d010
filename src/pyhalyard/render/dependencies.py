"""Shipping required files: read, check, put into content-hashed Secrets, mount.

For every local file the halconfig names (``required_files.py``) the bytes go
into a Secret ``spin-<service>-required-files-<hash>`` of each service whose
rendered profiles (or container environment) name the file's in-pod path, mounted
read-only at Halyard's ``/home/spinnaker/.hal/<deployment>/staging/dependencies``
(KubernetesV2Service ``stageConfig``).  Bytes are shipped as read, so binary
keystores arrive byte-exact.  The AWS credentials file of front50, clouddriver
and kayenta (``aws_credentials.py``) gets a Secret of its own, mounted at
``/home/spinnaker/.aws`` and ``/root/.aws``.

A kubeconfig is changed the way Halyard changed its staged copy
(KubernetesV2ClouddriverProfileFactory): the GKE ``auth-provider: gcp`` user of
the account's context gets ``cmd-path: gcloud``.  Certificate, key and token files
the kubeconfig itself names are shipped too and the kubeconfig is pointed at them.

File contents are never put in a message: problems name the field and the path.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
from collections.abc import Callable
from typing import Any

import yaml

from pyhalyard.errors import HalError
from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render import aws_credentials
from pyhalyard.render.bundle import KubeObject
from pyhalyard.required_files import (
    KUBECONFIG,
    Reference,
    dependencies_dir,
    halyard_path,
    host_path,
    is_remote,
    pod_path,
)

# Kubernetes rejects a Secret whose data exceeds 1 MiB (MaxSecretSize).
SECRET_LIMIT = 1024 * 1024
# Files per Secret are packed up to this, leaving room for keys and metadata.
_PACK_LIMIT = SECRET_LIMIT - 64 * 1024
HASH_LENGTH = 10
DEPS_VOLUME = "spin-required-files"
AWS_VOLUME = "spin-aws-credentials"
AWS_KEY = aws_credentials.FILE_NAME
SECRET_MARK = "-required-files-"
AWS_SECRET_MARK = "-aws-files-"

# Kubeconfig fields that name local files (clientcmd's path fields), per section.
_KUBECONFIG_FILES = (("clusters", "cluster", ("certificate-authority",)),
                     ("users", "user", ("client-certificate", "client-key", "tokenFile")))
_TOP_LEVEL_KEY = re.compile(rb"(?:^|\n)(?:apiVersion|kind|clusters|contexts|users|"
                            rb"current-context):")
# Words that may mean a rewrite (GKE's auth provider, paths of certificate/key files):
# only kubeconfigs holding one are parsed.
_HINTS = re.compile(rb"auth-provider|certificate-authority|client-certificate|client-key|"
                    rb"tokenFile")
_NEEDS_PARSE = re.compile(rb"auth-provider|^[ \t-]*(certificate-authority|client-certificate|"
                          rb"client-key|tokenFile)[ \t]*:", re.MULTILINE)
try:
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
    _Dumper: type[yaml.SafeDumper] = yaml.CSafeDumper  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader, _Dumper = yaml.SafeLoader, yaml.SafeDumper


class FileProblem(Exception):
    """Why a required file cannot be shipped (no contents in the message)."""


class Problem:
    """A file that cannot be shipped: the field naming it, its path, what is wrong."""

    __slots__ = ("field", "message", "path")

    def __init__(self, field: str, path: str, message: str) -> None:
        self.field, self.path, self.message = field, path, message

    def __str__(self) -> str:
        return f"{self.field}: {self.path}: {self.message}"


class ReadFiles:
    """Every referenced file, read and processed: in-pod file name -> bytes."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        # A kubeconfig's in-pod name -> the names of the files it names in turn.
        self.nested: dict[str, list[str]] = {}
        self.problems: list[Problem] = []


# `hal deploy render` validates, then renders: the second read of an unchanged file
# (same inode, size and modification time) comes from here.
_READ_CACHE: dict[str, tuple[tuple[int, int, int], bytes]] = {}


def read(path: str) -> bytes:
    """The file's bytes, or FileProblem saying (without contents) why not."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise FileProblem("file not found") from None
    except PermissionError:
        raise FileProblem("cannot be read (permission denied)") from None
    except OSError as exc:
        raise FileProblem(f"cannot be read ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise FileProblem("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise FileProblem("is not a regular file")
        if info.st_size > SECRET_LIMIT:
            raise FileProblem(f"is {info.st_size:,} bytes, more than a Kubernetes Secret can "
                              f"hold ({SECRET_LIMIT:,} bytes)")
        signature = (info.st_ino, info.st_size, info.st_mtime_ns)
        cached = _READ_CACHE.get(path)
        if cached is not None and cached[0] == signature:
            return cached[1]
        data = os.read(fd, info.st_size + 1)
        while len(data) > info.st_size and len(data) <= SECRET_LIMIT \
                and (chunk := os.read(fd, 1 << 20)):
            data += chunk  # the file grew while we read it
    except IsADirectoryError:
        raise FileProblem("is a folder, not a file") from None
    except OSError as exc:
        raise FileProblem(f"cannot be read ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(data) > SECRET_LIMIT:
        raise FileProblem(f"is more than a Kubernetes Secret can hold ({SECRET_LIMIT:,} bytes)")
    _READ_CACHE[path] = (signature, data)
    return data


# ------------------------------------------------------------------ kubeconfig
def _looks_like_kubeconfig(data: bytes) -> bool:
    """Cheap test that the file is a kubeconfig: text with a kubeconfig key at the top
    level (or JSON with ``"clusters"``).  Catches the usual mistakes -- a key file, a
    certificate, a binary -- without parsing thousands of files on every render."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if data.lstrip().startswith(b"{"):
        return b'"clusters"' in data
    return _TOP_LEVEL_KEY.search(data) is not None


def _context_user(config: dict[str, Any], context: str | None) -> str | None:
    context = context or config.get("current-context")
    for entry in config.get("contexts") or []:
        if isinstance(entry, dict) and entry.get("name") == context:
            ctx = entry.get("context")
            return ctx.get("user") if isinstance(ctx, dict) else None
    return None


def kubeconfig(ref: Reference, data: bytes, contexts: Callable[[], list[str | None]],
               deployment: str) -> tuple[bytes, list[tuple[str, str, str]]]:
    """The kubeconfig as shipped, and the (host path, in-pod path, field) of each local
    file it names.  Unchanged bytes when there is nothing to rewrite."""
    if _HINTS.search(data) is None or _NEEDS_PARSE.search(data) is None:
        if not _looks_like_kubeconfig(data):
            raise FileProblem("is not a kubeconfig (expected YAML with clusters, contexts "
                              "and users)")
        return data, []
    try:
        config = yaml.load(data, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise FileProblem(f"is not a kubeconfig: not valid YAML{where}") from None
    if not isinstance(config, dict):
        raise FileProblem("is not a kubeconfig (expected a YAML mapping)")
    changed = False
    nested: list[tuple[str, str, str]] = []
    base = os.path.dirname(ref.host_path)
    named_base = os.path.dirname(halyard_path(ref.value or "~/.kube/config"))
    for section, inner, keys in _KUBECONFIG_FILES:
        for i, entry in enumerate(config.get(section) or []):
            body = entry.get(inner) if isinstance(entry, dict) else None
            if not isinstance(body, dict):
                continue
            for key in keys:
                value = body.get(key)
                if not isinstance(value, str) or not value or is_remote(value):
                    continue
                host = host_path(value, base)
                target = pod_path(halyard_path(value, named_base), deployment)
                nested.append((host, target, f"{section}[{i}].{inner}.{key}"))
                body[key] = target
                changed = True
    users = {_context_user(config, context) for context in contexts()} - {None}
    for entry in config.get("users") or []:
        if not isinstance(entry, dict) or entry.get("name") not in users:
            continue
        provider = (entry.get("user") or {}).get("auth-provider")
        if isinstance(provider, dict) and provider.get("name") == "gcp" \
                and isinstance(provider.get("config"), dict):
            provider["config"]["cmd-path"] = "gcloud"
            changed = True
    if not changed:
        return data, nested
    text = yaml.dump(config, Dumper=_Dumper, default_flow_style=False, sort_keys=False,
                     allow_unicode=True)
    return text.encode("utf-8"), nested


def _account_context(raw: dict[str, Any], ref: Reference) -> str | None:
    node: Any = raw
    for step in ref.location[:-1]:
        node = node[step]
    context = node.get("context") if isinstance(node, dict) else None
    return context if isinstance(context, str) and context else None


_LAST: list[tuple[dict[str, Any], tuple[str, ...], str, ReadFiles]] = []


def load(raw: dict[str, Any], refs: tuple[Reference, ...], deployment: str) -> ReadFiles:
    """Read every referenced file once (kubeconfigs processed); collect every problem,
    one per field that names a bad file.  `hal deploy render` validates, then renders:
    the second call for the same halconfig and files is answered from memory."""
    key = tuple(ref.host_path + "\0" + ref.pod_path for ref in refs)
    if _LAST and _LAST[0][0] is raw and _LAST[0][1] == key and _LAST[0][2] == deployment:
        return _LAST[0][3]
    out = _load(raw, refs, deployment)
    _LAST[:] = [(raw, key, deployment, out)]
    return out


def _load(raw: dict[str, Any], refs: tuple[Reference, ...], deployment: str) -> ReadFiles:
    out = ReadFiles()
    by_name: dict[str, list[Reference]] = {}
    for ref in refs:
        by_name.setdefault(ref.pod_path.rsplit("/", 1)[-1], []).append(ref)
    for name, group in by_name.items():
        first = group[0]
        for other in group[1:]:
            if other.host_path != first.host_path:
                out.problems.append(Problem(other.field, other.host_path,
                                            f"its staged name {name} is taken by "
                                            f"{first.host_path}; rename one of the two files"))
        same = [r for r in group if r.host_path == first.host_path]
        try:
            data = read(first.host_path)
            nested: list[tuple[str, str, str]] = []
            if first.kind == KUBECONFIG:
                # Accounts sharing one kubeconfig: Halyard rewrote its one staged copy
                # for each account's context in turn.
                def contexts(group: list[Reference] = same) -> list[str | None]:
                    return [_account_context(raw, r) for r in group if r.kind == KUBECONFIG]

                data, nested = kubeconfig(first, data, contexts, deployment)
        except FileProblem as exc:
            out.problems.extend(Problem(r.field, r.host_path, str(exc)) for r in same)
            continue
        names = []
        for host, target, where in nested:
            inner = target.rsplit("/", 1)[-1]
            try:
                out.files[inner] = read(host)
            except FileProblem as exc:
                out.problems.extend(Problem(r.field, r.host_path,
                                            f"names {where} {host}, which {exc}")
                                    for r in same)
                continue
            names.append(inner)
        out.files[name] = data
        out.nested[name] = names
    return out


# ------------------------------------------------------------------ which pods
def referenced(plan: Plan, profiles: dict[str, dict[str, str]],
               loaded: ReadFiles) -> dict[str, dict[str, bytes]]:
    """Service name -> the files its rendered profiles or environment name."""
    if not loaded.files:
        return {}
    prefix = dependencies_dir(plan.deployment.name) + "/"
    pattern = re.compile(re.escape(prefix) + r"([-._a-zA-Z0-9]+)")
    seen: dict[int, set[str]] = {}  # roles share the text of their base profile

    def names_in(text: str) -> set[str]:
        key = id(text)
        if key not in seen:
            seen[key] = set(pattern.findall(text)) if prefix in text else set()
        return seen[key]

    out: dict[str, dict[str, bytes]] = {}
    for name, files in profiles.items():
        sp = plan.services.get(name)
        texts = [*files.values(), *(sp.env.values() if sp is not None else ())]
        wanted: set[str] = set()
        for text in texts:
            wanted |= names_in(text)
        found = {n for n in wanted if n in loaded.files}
        for n in list(found):
            found.update(loaded.nested.get(n, ()))
        if found:
            out[name] = {n: loaded.files[n] for n in sorted(found)}
    return out


# ------------------------------------------------------------------ objects
# The roles of a split ship the same files: each file's digest and base64 text are
# computed once (keyed by the bytes object, which every role shares).
_ENCODED: dict[int, tuple[bytes, bytes, str]] = {}


def _encoded(data: bytes) -> tuple[bytes, str]:
    found = _ENCODED.get(id(data))
    if found is None or found[0] is not data:
        found = (data, hashlib.sha256(data).digest(), base64.b64encode(data).decode("ascii"))
        _ENCODED[id(data)] = found
    return found[1], found[2]


_BUILT: dict[tuple[str, tuple[tuple[str, int], ...]],
             tuple[tuple[bytes, ...], list[KubeObject]]] = {}


def _digest(data: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for key in sorted(data):
        h.update(key.encode())
        h.update(b"\0")
        h.update(_encoded(data[key])[0])
    return h.hexdigest()[:HASH_LENGTH]


def _packs(files: dict[str, bytes]) -> list[dict[str, bytes]]:
    """Files split over as few Secrets as fit Kubernetes' size limit (in name order)."""
    packs: list[dict[str, bytes]] = [{}]
    size = 0
    for name in sorted(files):
        length = len(files[name]) + len(name)
        if packs[-1] and size + length > _PACK_LIMIT:
            packs.append({})
            size = 0
        packs[-1][name] = files[name]
        size += length
    return packs


def _secret(namespace: str, name: str, labels: dict[str, str],
            data: dict[str, bytes]) -> KubeObject:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
        "type": "Opaque",
        "immutable": True,
        "data": {k: _encoded(v)[1] for k, v in sorted(data.items())},
    }


def attach(plan: Plan, sp: ServicePlan, objects: list[KubeObject], files: dict[str, bytes],
           aws: bytes | None) -> tuple[list[KubeObject], list[KubeObject]]:
    """``objects`` of one managed service with its file Secrets mounted read-only in its
    main container, and those Secrets.

    The Secrets are named and labelled after the base service (``spin-clouddriver-
    required-files-<hash>``): the roles of a split read the same files, so they share
    one copy, and switching HA on or off renames nothing.  The caller puts them with the
    bundle's shared objects (applied before any Deployment), once.
    """
    if not files and aws is None:
        return objects, []
    deployment = next(o for o in objects if o["kind"] == "Deployment")
    base = sp.service.base
    # Pods mount Secrets of their own namespace only (service-settings ``location``).
    namespace = str(deployment["metadata"].get("namespace") or plan.namespace)
    labels = {**deployment["metadata"]["labels"], "app.kubernetes.io/name": base,
              "cluster": f"spin-{base}"}
    pod = deployment["spec"]["template"]["spec"]
    main = pod["containers"][0]
    volumes: list[KubeObject] = pod.setdefault("volumes", [])
    mounts: list[KubeObject] = main.setdefault("volumeMounts", [])
    taken = {v["name"] for v in volumes}
    secrets: list[KubeObject] = []
    if files:
        # The roles of a split ship the very same files: build their Secrets once.
        key = (f"{namespace}/{base}/{sorted(labels.items())}",
               tuple((k, id(v)) for k, v in files.items()))
        built = _BUILT.get(key)
        if built is None or any(b is not v for b, v in zip(built[0], files.values(),
                                                           strict=True)):
            packs = []
            for pack in _packs(files):
                name = f"spin-{base}{SECRET_MARK}{_digest(pack)}"
                packs.append(_secret(namespace, name, labels, pack))
            built = _BUILT[key] = (tuple(files.values()), packs)
        secrets.extend(built[1])
        names = [str(obj["metadata"]["name"]) for obj in built[1]]
        volume: KubeObject = ({"name": DEPS_VOLUME, "secret": {"secretName": names[0]}}
                              if len(names) == 1 else
                              {"name": DEPS_VOLUME, "projected": {
                                  "sources": [{"secret": {"name": n}} for n in names]}})
        volumes.append(volume)
        mounts.append({"name": DEPS_VOLUME, "mountPath": dependencies_dir(plan.deployment.name),
                       "readOnly": True})
    if aws is not None:
        data = {AWS_KEY: aws}
        name = f"spin-{base}{AWS_SECRET_MARK}{_digest(data)}"
        secrets.append(_secret(namespace, name, labels, data))
        volumes.append({"name": AWS_VOLUME, "secret": {"secretName": name}})
        mounts.extend({"name": AWS_VOLUME, "mountPath": folder, "readOnly": True}
                      for folder in aws_credentials.mount_dirs())
    for name in (DEPS_VOLUME, AWS_VOLUME):
        if name in taken:
            raise HalError(f"service-settings/{sp.name}.yml: kubernetes.volumes: the volume "
                           f"name '{name}' is pyhalyard's (required files); rename yours")
    return objects, secrets


def collect(plan: Plan, profiles: dict[str, dict[str, str]]) -> dict[str, dict[str, bytes]]:
    """Every service's required files; HalError listing every unreadable or invalid one."""
    loaded = load(plan.deployment.raw, plan.required, plan.deployment.name)
    if loaded.problems:
        raise HalError("cannot ship the files the configuration names:\n"
                       + "\n".join(f"  {p}" for p in loaded.problems))
    return referenced(plan, profiles, loaded)
