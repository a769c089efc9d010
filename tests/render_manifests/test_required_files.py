"""Required files: every file-valued halconfig field ships its bytes to the pods that read it.

Halyard's behaviour followed: halyard-backup BackupService.java ``backupLocalFiles``
(copy into ``staging/dependencies/<abs(path hash)>-<name>``, field rewritten),
KubernetesV2Service.java ``stageConfig`` (an extra Secret mounted at the dependencies
folder), KubernetesV2ClouddriverProfileFactory.java (GKE ``cmd-path`` -> ``gcloud``),
KubernetesAccount.java ``getKubeconfigFile`` (default ``~/.kube/config``).
"""

from __future__ import annotations

import base64
import copy
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from pyhalyard import required_files
from pyhalyard.deploy.diff import diff_bundles
from pyhalyard.deploy.diff import render as render_diff
from pyhalyard.render.bundle import Bundle, KubeObject
from pyhalyard.render.output import render_files
from pyhalyard.required_files import FIELDS, KUBECONFIG, FileField, pod_path
from tests.helpers import home_with_kubeconfig, run_hal
from tests.render_manifests.configs import deployment, render, write_hal

DEPS = "/home/spinnaker/.hal/default/staging/dependencies"
KUBECONFIG_BYTES = (b"apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n"
                    b"    server: https://k8s.example\ncontexts:\n- name: c\n  context:\n"
                    b"    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n"
                    b"  user:\n    token: t\n")


def mounted_secret(bundle: Bundle, service: str, volume: str) -> dict[str, bytes] | None:
    """The files of the Secret behind one of the service's pod volumes."""
    if not any(o["kind"] == "Deployment" for o in bundle.services[service].objects):
        return None
    found = next((v for v in pod_spec(bundle, service).get("volumes", [])
                  if v["name"] == volume), None)
    if found is None:
        return None
    names = ([found["secret"]["secretName"]] if "secret" in found else
             [src["secret"]["name"] for src in found["projected"]["sources"]])
    files: dict[str, bytes] = {}
    for obj in bundle.objects():
        if obj["kind"] == "Secret" and obj["metadata"]["name"] in names:
            files.update((k, base64.b64decode(v)) for k, v in obj["data"].items())
    return files


def required_secret(bundle: Bundle, service: str) -> dict[str, bytes] | None:
    return mounted_secret(bundle, service, "spin-required-files")


def pod_spec(bundle: Bundle, service: str) -> dict[str, Any]:
    dep = next(o for o in bundle.services[service].objects if o["kind"] == "Deployment")
    spec: dict[str, Any] = dep["spec"]["template"]["spec"]
    return spec


def mounts(bundle: Bundle, service: str) -> dict[str, KubeObject]:
    return {m["mountPath"]: m for m in pod_spec(bundle, service)["containers"][0]
            .get("volumeMounts", [])}


def all_text(bundle: Bundle) -> str:
    """Every rendered file, Secrets decoded (what a reader of the output could see)."""
    parts = list(render_files(bundle).values())
    for obj in bundle.objects():
        if obj["kind"] == "Secret":
            parts += [base64.b64decode(v).decode("utf-8", "replace")
                      for v in obj["data"].values()]
    return "\n".join(parts)


# ------------------------------------------------------------------ one test per field
def _place(pattern: tuple[str, ...], value: Any) -> Any:
    """The smallest halconfig fragment that puts ``value`` where ``pattern`` points."""
    if not pattern:
        return value
    step, rest = pattern[0], pattern[1:]
    if step == "[]":
        item = _place(rest, value)
        if isinstance(item, dict):
            item.setdefault("name", "item")  # accounts, masters, ... are named
        return [item]
    if step.startswith("[name="):
        item = _place(rest, value)
        item["name"] = step[len("[name="):-1]
        return [item]
    return {step: _place(rest, value)}


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        elif isinstance(value, list) and isinstance(into.get(key), list):
            into[key] = into[key] + value
        else:
            into[key] = value


# Switches that make the reading services run and the section reach their profiles.
_TURN_ON: dict[str, dict[str, Any]] = {
    "canary": {"canary": {"enabled": True}},
    "ci": {"ci": {"jenkins": {"enabled": True, "masters": [{"name": "j"}]}}},
    "security.authz": {"security": {"authz": {"enabled": True}}},
    "security.authn.saml": {"security": {"authn": {"saml": {
        "enabled": True, "serviceAddress": "https://gate.example.com"}}}},
    "security.apiSecurity": {"security": {"apiSecurity": {"ssl": {"enabled": True}}}},
    "security.uiSecurity": {"security": {"uiSecurity": {"ssl": {"enabled": True}}}},
}


def _field_id(spec: FileField) -> str:
    return ".".join(spec.path)


@pytest.mark.parametrize("spec", FIELDS, ids=_field_id)
def test_each_field_ships_its_file_to_its_readers(tmp_path: Path, spec: FileField) -> None:
    data = KUBECONFIG_BYTES if spec.kind == KUBECONFIG else \
        bytes(range(256)) + f"known bytes of {_field_id(spec)}".encode()
    source = tmp_path / "host files" / "the file+v1.bin"
    source.parent.mkdir()
    source.write_bytes(data)
    dep = deployment()
    fragment = _place(spec.path, str(source))
    if spec.path[:3] == ("providers", "kubernetes", "accounts") and spec.kind != KUBECONFIG:
        fragment["providers"]["kubernetes"]["accounts"][0]["serviceAccount"] = True
    _merge(dep, fragment)
    dotted = ".".join(spec.path)
    for prefix, extra in _TURN_ON.items():
        if dotted.startswith(prefix):
            _merge(dep, copy.deepcopy(extra))
    _merge(dep, copy.deepcopy(_TURN_ON["ci"]))  # igor runs: artifact files reach it
    bundle = render(write_hal(tmp_path / "hal", dep))

    staged = pod_path(str(source), "default")
    name = staged.rsplit("/", 1)[1]
    assert name == f"{required_files.java_path_hash(str(source))}-the-file-v1.bin"
    shipped_to = {svc for svc in bundle.services
                  if name in (required_secret(bundle, svc) or {})}
    assert shipped_to, "nobody got the file"
    for svc in shipped_to:
        assert svc.split("-")[0] in spec.readers  # roles of a split read what the base reads
        assert required_secret(bundle, svc)[name] == data  # type: ignore[index]
        mount = mounts(bundle, svc)[DEPS]
        assert mount["readOnly"] is True
        texts = [*bundle.services[svc].profiles.values(),
                 *(e.get("value", "") for e in pod_spec(bundle, svc)["containers"][0]
                   .get("env", []))]
        assert any(staged in text for text in texts), f"{svc} does not name {staged}"
    for svc in set(bundle.services) - shipped_to:
        texts = bundle.services[svc].profiles.values()
        assert not any(staged in text for text in texts), svc
        assert DEPS not in mounts(bundle, svc) or svc in shipped_to
    # every reader that runs got it (HA off: base names are the services)
    assert shipped_to == {r for r in spec.readers if r in bundle.services}
    assert str(source) not in all_text(bundle)


# ------------------------------------------------------------------ the "files" config
def test_kubeconfig_rewritten_like_halyard_and_its_certificate_shipped(
        bundles: dict[str, Bundle], hal_dirs: dict[str, Path]) -> None:
    bundle = bundles["files"]
    hal = hal_dirs["files"]
    kube_name = pod_path(f"{required_files.POD_HAL_DIR}/files/gke.kubeconfig",
                         "default").rsplit("/", 1)[1]
    ca_name = pod_path(f"{required_files.POD_HAL_DIR}/files/ca.pem",
                       "default").rsplit("/", 1)[1]
    for role in ("clouddriver-caching", "clouddriver-rw", "clouddriver-ro"):
        files = required_secret(bundle, role)
        assert files is not None
        shipped = yaml.safe_load(files[kube_name])
        users = {u["name"]: u["user"]["auth-provider"]["config"] for u in shipped["users"]}
        assert users["gke-user"]["cmd-path"] == "gcloud"  # the account's context's user
        assert users["other-user"]["cmd-path"] == "/opt/gcloud"  # another context's: kept
        assert shipped["clusters"][0]["cluster"]["certificate-authority"] == f"{DEPS}/{ca_name}"
        assert files[ca_name] == (hal / "files" / "ca.pem").read_bytes()
        clouddriver = yaml.safe_load(bundle.services[role].profiles["clouddriver.yml"])
        gke = next(a for a in clouddriver["kubernetes"]["accounts"] if a["name"] == "gke")
        assert gke["kubeconfigFile"] == f"{DEPS}/{kube_name}"


def test_binary_files_arrive_byte_exact(bundles: dict[str, Bundle],
                                        hal_dirs: dict[str, Path]) -> None:
    bundle, hal = bundles["files"], hal_dirs["files"]
    for rel, service in (("files/gate-keystore.jks", "gate"), ("files/saml.jks", "gate"),
                         ("files/jenkins-trust.jks", "igor"),
                         ("files/webhook-trust.jks", "orca")):
        name = pod_path(f"{required_files.POD_HAL_DIR}/{rel}", "default").rsplit("/", 1)[1]
        assert required_secret(bundle, service)[name] == (hal / rel).read_bytes()  # type: ignore[index]


def test_no_host_path_and_no_aws_key_outside_secrets(bundles: dict[str, Bundle],
                                                     hal_dirs: dict[str, Path]) -> None:
    from tests.render_manifests.files_config import AWS_KEYS

    bundle = bundles["files"]
    assert str(hal_dirs["files"]) not in all_text(bundle)
    outside = "\n".join(text for name, text in render_files(bundle).items()
                        if not name.startswith("secret-"))
    for key, secret in AWS_KEYS.values():
        assert key not in outside and secret not in outside
    assert "deck-passphrase" not in outside


def test_missing_file_is_one_error_per_field_and_nothing_is_written(tmp_path: Path) -> None:
    dep = deployment()
    dep["security"] = {"authz": {"enabled": True, "groupMembership": {
        "service": "FILE", "file": {"path": "/no/such/roles.yml"}}},
        "apiSecurity": {"ssl": {"enabled": True, "keyStore": str(tmp_path)}}}
    hal = write_hal(tmp_path / "hal", dep)
    result = run_hal("config", "validate", hal_dir=hal)
    assert result.code == 1
    errors = [line for line in result.out.splitlines() if line.startswith("ERROR")]
    assert errors == [
        "ERROR: security.apiSecurity.ssl.keyStore: "
        f"{tmp_path}: is a folder, not a file",
        "ERROR: security.authz.groupMembership.file.path: /no/such/roles.yml: file not found"]
    out = tmp_path / "out"
    for args in (("deploy", "render", "--output-dir", str(out)), ("config", "generate")):
        result = run_hal(*args, hal_dir=hal)
        assert result.code == 1 and "file not found" in result.err
        assert "Traceback" not in result.err
    assert not out.exists() and not (hal / "default" / "staging").exists()


@pytest.mark.parametrize("case", ["not-yaml", "too-large", "unreadable"])
def test_bad_files_are_clear_errors(tmp_path: Path, case: str) -> None:
    bad = tmp_path / "bad"
    if case == "not-yaml":
        bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
        expected = "is not a kubeconfig"
    elif case == "too-large":
        bad.write_bytes(b"a: b\n" * (1024 * 1024 // 5 + 10))
        expected = "more than a Kubernetes Secret can hold"
    else:
        if os.geteuid() == 0:
            pytest.skip("root reads any file")
        bad.write_text("apiVersion: v1\n")
        bad.chmod(0)
        expected = "permission denied"
    dep = deployment()
    dep["providers"]["kubernetes"]["accounts"].append(
        {"name": "bad", "providerVersion": "V2", "kubeconfigFile": str(bad)})
    hal = write_hal(tmp_path / "hal", dep)
    result = run_hal("config", "validate", hal_dir=hal)
    assert result.code == 1
    line = next(x for x in result.out.splitlines() if x.startswith("ERROR"))
    assert line.startswith(f"ERROR: providers.kubernetes.accounts[1].kubeconfigFile: {bad}: ")
    assert expected in line
    assert "PNG" not in result.out + result.err


def test_kubeconfig_with_a_yaml_error_is_reported_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "kubeconfig"
    bad.write_text("apiVersion: v1\nusers:\n- name: u\n  user:\n    client-key: k.pem\n"
                   "  bad: [unclosed\n")
    dep = deployment()
    dep["providers"]["kubernetes"]["accounts"].append(
        {"name": "bad", "providerVersion": "V2", "kubeconfigFile": str(bad)})
    result = run_hal("config", "validate", hal_dir=write_hal(tmp_path / "hal", dep))
    assert result.code == 1
    assert "is not a kubeconfig: not valid YAML (line" in result.out


def test_remote_references_are_left_alone(tmp_path: Path) -> None:
    dep = deployment()
    values = ["gs://bucket/kubeconfig", "s3://bucket/kubeconfig",
              "encryptedFile:s3!r:us-west-2!b:b!f:kubeconfig", "encrypted:vault!e:kv!k:k"]
    dep["providers"]["kubernetes"]["accounts"] += [
        {"name": f"r{i}", "providerVersion": "V2", "kubeconfigFile": v}
        for i, v in enumerate(values)]
    bundle = render(write_hal(tmp_path / "hal", dep))
    clouddriver = yaml.safe_load(bundle.services["clouddriver"].profiles["clouddriver.yml"])
    assert [a.get("kubeconfigFile") for a in clouddriver["kubernetes"]["accounts"][1:]] == values
    assert required_secret(bundle, "clouddriver") is None


def test_account_without_kubeconfig_or_service_account_gets_the_hosts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = home_with_kubeconfig(tmp_path, monkeypatch, KUBECONFIG_BYTES)
    dep = deployment()
    dep["providers"]["kubernetes"]["accounts"].append({"name": "plain", "providerVersion": "V2"})
    hal = write_hal(tmp_path / "hal", dep)
    result = run_hal("config", "validate", hal_dir=hal)
    assert result.code == 0
    assert (f"WARNING: providers.kubernetes.accounts[1]: sets neither kubeconfigFile nor "
            f"serviceAccount: true, so (as with Halyard) clouddriver gets this machine's "
            f"{home}/.kube/config") in result.out
    bundle = render(hal)
    # Halyard named it after its own user's home: /home/spinnaker/.kube/config
    name = pod_path("/home/spinnaker/.kube/config", "default").rsplit("/", 1)[1]
    assert required_secret(bundle, "clouddriver") == {name: KUBECONFIG_BYTES}
    accounts = yaml.safe_load(bundle.services["clouddriver"].profiles["clouddriver.yml"])
    assert accounts["kubernetes"]["accounts"][1]["kubeconfigFile"] == f"{DEPS}/{name}"


def test_halyard_names_files_by_the_java_path_hash() -> None:
    """Values computed with Java: ``Math.abs(Paths.get(p).hashCode())``."""
    assert required_files.java_path_hash("/home/spinnaker/.kube/config") == \
        abs(_java_string_hash("/home/spinnaker/.kube/config"))
    assert pod_path("/a/b/my key (1).json", "prod") == \
        f"/home/spinnaker/.hal/prod/staging/dependencies/" \
        f"{abs(_java_string_hash('/a/b/my key (1).json'))}-my-key--1-.json"
    # relative paths and ~ hash as Halyard (user spinnaker, ~/.hal) resolved them
    assert required_files.halyard_path("files//x.json") == "/home/spinnaker/.hal/files/x.json"
    assert required_files.halyard_path("~/k") == "/home/spinnaker/k"


def _java_string_hash(text: str) -> int:
    h = 0
    for ch in text.encode():
        h = (31 * h + ch) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def test_diff_names_a_changed_file_but_never_its_content(tmp_path: Path) -> None:
    roles = tmp_path / "roles.yml"
    roles.write_text("users: [old-secret-content]\n")
    dep = deployment()
    dep["security"] = {"authz": {"enabled": True, "groupMembership": {
        "service": "FILE", "file": {"path": str(roles)}}}}
    before = render(write_hal(tmp_path / "a", dep))
    roles.write_text("users: [new-secret-content]\n")
    after = render(write_hal(tmp_path / "b", dep))
    text = render_diff(diff_bundles(before, after), "last")
    name = pod_path(str(roles), "default").rsplit("/", 1)[1]
    assert f"~ key {name} changed (value hidden)" in text
    assert "secret-content" not in text
    assert "spin-fiat-required-files-" in text


def test_roles_of_a_split_share_one_copy(bundles: dict[str, Bundle]) -> None:
    """One Secret per base service, shared by its roles (and unchanged by an HA switch)."""
    bundle = bundles["files"]
    names = {v["secret"]["secretName"]
             for role in ("clouddriver-caching", "clouddriver-rw", "clouddriver-ro")
             for v in pod_spec(bundle, role)["volumes"] if v["name"] == "spin-required-files"}
    assert len(names) == 1 and next(iter(names)).startswith("spin-clouddriver-required-files-")
    shared = [o["metadata"]["name"] for o in bundle.shared if o["kind"] == "Secret"]
    assert len(shared) == len(set(shared)) and next(iter(names)) in shared


def test_fast_secret_yaml_writes_what_pyyaml_writes(bundles: dict[str, Bundle]) -> None:
    from pyhalyard.render.output import dump_object
    from pyhalyard.render.secret_yaml import fast_secret_yaml

    taken = 0
    for bundle in bundles.values():
        for obj in bundle.objects():
            fast = fast_secret_yaml(obj, dump_object)
            if fast is not None:
                taken += 1
                assert fast == dump_object(obj), obj["metadata"]["name"]
    assert taken > 20


def test_files_beyond_one_secret_are_split_and_projected(tmp_path: Path) -> None:
    """Kubernetes caps a Secret at 1 MiB: more files than that span several Secrets,
    mounted together through one projected volume (valid for the API server)."""
    import kubernetes_validate

    dep = deployment()
    for i in range(3):
        big = tmp_path / f"kubeconfig-{i}"
        big.write_bytes(b"apiVersion: v1\nclusters: []\n" + b"#" * 400_000 + b"\n")
        dep["providers"]["kubernetes"]["accounts"].append(
            {"name": f"big{i}", "providerVersion": "V2", "kubeconfigFile": str(big)})
    bundle = render(write_hal(tmp_path / "hal", dep))
    volume = next(v for v in pod_spec(bundle, "clouddriver")["volumes"]
                  if v["name"] == "spin-required-files")
    sources = volume["projected"]["sources"]
    assert len(sources) == 2
    files = required_secret(bundle, "clouddriver")
    assert files is not None and len(files) == 3
    for obj in bundle.objects():
        if obj["kind"] in ("Secret", "Deployment"):
            kubernetes_validate.validate(obj, "1.33", strict=True)
            if obj["kind"] == "Secret":
                assert sum(len(base64.b64decode(v)) for v in obj["data"].values()) < 1 << 20


def test_files_go_to_the_namespace_of_the_pods_that_mount_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """KubernetesV2Service.getNamespace: with service-settings ``location`` the service and
    the Secret its pods mount (stageConfig) live in that namespace; a pod can mount only
    a Secret of its own namespace."""
    home_with_kubeconfig(tmp_path, monkeypatch, KUBECONFIG_BYTES)
    dep = deployment()
    dep["providers"]["kubernetes"]["accounts"].append({"name": "plain", "providerVersion": "V2"})
    hal = write_hal(tmp_path / "hal", dep, settings={"clouddriver": {"location": "spin-cloud"}})
    bundle = render(hal)
    volume = next(v for v in pod_spec(bundle, "clouddriver")["volumes"]
                  if v["name"] == "spin-required-files")
    secret = next(o for o in bundle.shared if o["kind"] == "Secret"
                  and o["metadata"]["name"] == volume["secret"]["secretName"])
    assert secret["metadata"]["namespace"] == "spin-cloud"
    assert {o["metadata"]["namespace"] for o in bundle.services["clouddriver"].objects} == {
        "spin-cloud"}
