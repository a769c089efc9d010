"""``hal backup create|restore`` as Halyard's BackupService (halyard-backup
``services/v1/BackupService.java``; halyard-cli ``backup/CreateBackupCommand.java``,
``RestoreBackupCommand.java``): a tarball of the hal dir whose config points at copies of
every ``@LocalFile`` the config names, restorable on another machine.
"""

from __future__ import annotations

import io
import os
import stat
import tarfile
from pathlib import Path

import pytest
import yaml

from pyhalyard.halconfig.local_files import backup_name, java_path_hash
from tests.e2e.support import copy_realworld, snapshot
from tests.helpers import REALWORLD, Result, run_hal

KUBECONFIG = "apiVersion: v1\nkind: Config\n# kube credentials\n"
JSON_KEY = '{"private_key": "-----BEGIN KEY-----"}\n'
CONFIG = """\
# my team's halconfig
currentDeployment: default
deploymentConfigurations:
- name: default
  version: 1.30.1
  providers:
    kubernetes:
      enabled: true
      accounts:
      - name: k8s            # the deploy account
        kubeconfigFile: {kubeconfig}
        providerVersion: V2
    dockerRegistry:
      enabled: true
      accounts:
      - name: hub
        address: https://index.docker.io
        passwordFile: registry-password.txt
        password: plain-registry-secret
      - name: vault
        address: https://quay.io
        passwordFile: encryptedFile:vault!p:secret/registry
  persistentStorage:
    persistentStoreType: gcs
    gcs:
      jsonPath: ~/gcs-key.json
      bucket: spin
  deploymentEnvironment:
    type: Distributed
    accountName: k8s
    location: spinnaker
"""


def hal(hal_dir: Path, *args: str) -> Result:
    return run_hal(*args, hal_dir=hal_dir)


@pytest.fixture
def source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A hal dir whose config names an absolute, a hal-dir-relative, a ~ and a remote file."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    (home / "gcs-key.json").write_text(JSON_KEY)
    kube = tmp_path / "elsewhere" / "kube config"
    kube.parent.mkdir()
    kube.write_text(KUBECONFIG)
    root = tmp_path / "hal"
    (root / "default" / "profiles").mkdir(parents=True)
    (root / "default" / "service-logs" / "pod-1").mkdir(parents=True)
    (root / "config").write_text(CONFIG.format(kubeconfig=kube))
    (root / "registry-password.txt").write_text("registry-pw\n")
    (root / "default" / "profiles" / "gate-local.yml").write_text("server:\n  port: 8084\n")
    (root / "default" / "service-logs" / "pod-1" / "gate.log").write_text("noise\n")
    return root


def _tar_config(tar_path: Path) -> str:
    with tarfile.open(tar_path) as tar:
        member = tar.extractfile("config")
        assert member is not None
        return member.read().decode()


def test_java_path_hash_matches_java() -> None:
    # String.hashCode == UnixPath.hashCode for ASCII; values computed by Java.
    assert java_path_hash("hello") == 99162322
    assert java_path_hash("polygenelubricants") == -2147483648  # Math.abs(MIN_VALUE)
    assert java_path_hash("/a//b/") == java_path_hash("/a/b")  # UnixPath normalises
    assert backup_name(Path("/x/my key (1).json")).endswith("-my-key--1-.json")


def test_create_points_the_config_at_copies_and_leaves_the_hal_dir_alone(
        source: Path, tmp_path: Path) -> None:
    before = snapshot(source)
    target = tmp_path / "backups" / "hal.tar"
    result = hal(source, "backup", "create", "--backup-path", str(target))
    assert result.code == 0, result.err
    assert f"Successfully created a backup at location: {target}" in result.out
    assert snapshot(source) == before  # the config on disk is not rewritten
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with tarfile.open(target) as tar:
        names = set(tar.getnames())
        modes = {m.mode for m in tar.getmembers()}
    assert modes == {0o600}
    assert "default/profiles/gate-local.yml" in names
    assert not any("service-logs" in n for n in names)  # Halyard's omitPaths
    assert ".config.lock" not in names
    text = _tar_config(target)
    data = yaml.safe_load(text)["deploymentConfigurations"][0]
    kube = data["providers"]["kubernetes"]["accounts"][0]["kubeconfigFile"]
    hub, vault = data["providers"]["dockerRegistry"]["accounts"]
    gcs = data["persistentStorage"]["gcs"]["jsonPath"]
    for value in (kube, hub["passwordFile"], gcs):
        assert value.startswith(".backup/required-files/") and value in names
    assert kube.endswith("-kube-config")
    assert vault["passwordFile"] == "encryptedFile:vault!p:secret/registry"  # kept as is
    assert hub["password"] == "plain-registry-secret"  # secrets kept as they are
    # only the three path values changed: comments and everything else kept
    changed = [(a, b) for a, b in zip((source / "config").read_text().splitlines(),
                                      text.splitlines(), strict=True) if a != b]
    assert len(changed) == 3, changed
    assert "# the deploy account" in text and text.startswith("# my team's halconfig")


def test_restore_on_another_machine_reproduces_config_and_files(
        source: Path, tmp_path: Path) -> None:
    target = tmp_path / "hal.tar"
    assert hal(source, "backup", "create", "--backup-path", str(target)).code == 0
    other = tmp_path / "other-machine" / ".hal"
    result = hal(other, "backup", "restore", "--backup-path", str(target))
    assert result.code == 0, result.err
    assert "Successfully restored your backup" in result.out
    restored = yaml.safe_load((other / "config").read_text())["deploymentConfigurations"][0]
    original = yaml.safe_load((source / "config").read_text())["deploymentConfigurations"][0]
    kube = Path(restored["providers"]["kubernetes"]["accounts"][0]["kubeconfigFile"])
    assert kube.is_absolute() and kube.is_relative_to(other / ".backup" / "required-files")
    assert kube.read_text() == KUBECONFIG
    assert Path(restored["persistentStorage"]["gcs"]["jsonPath"]).read_text() == JSON_KEY
    hub = restored["providers"]["dockerRegistry"]["accounts"][0]
    assert Path(hub["passwordFile"]).read_text() == "registry-pw\n"
    # everything but the file paths is the same config
    for dep in (restored, original):
        dep["providers"]["kubernetes"]["accounts"][0].pop("kubeconfigFile")
        dep["providers"]["dockerRegistry"]["accounts"][0].pop("passwordFile")
        dep["persistentStorage"]["gcs"].pop("jsonPath")
    assert restored == original
    assert (other / "default" / "profiles" / "gate-local.yml").read_text() == \
        "server:\n  port: 8084\n"
    for path in other.rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    # the restored hal dir works: its own backup round-trips again
    again = hal(other, "backup", "create", "--backup-path", str(tmp_path / "again.tar"))
    assert again.code == 0, again.err


def test_default_location_is_halyards(source: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = hal(source, "backup", "create", "-o", "json")
    assert result.code == 0, result.err
    import json

    path = Path(json.loads(result.out)["backupPath"])
    assert path.parent == Path(os.environ["HOME"])
    assert path.name.startswith("halyard-") and path.name.endswith(".tar")


def test_a_missing_named_file_refuses_the_backup(source: Path, tmp_path: Path) -> None:
    (source / "registry-password.txt").unlink()
    target = tmp_path / "hal.tar"
    result = hal(source, "backup", "create", "--backup-path", str(target))
    assert result.code == 1
    assert "passwordFile" in result.err and "registry-password.txt" in result.err
    assert not target.exists() and list(tmp_path.glob(".hal.tar*")) == []


def test_restore_asks_before_overwriting(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "hal.tar"
    assert hal(source, "backup", "create", "--backup-path", str(target)).code == 0
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "config").write_text("currentDeployment: mine\n")
    before = snapshot(existing)
    refused = hal(existing, "backup", "restore", "--backup-path", str(target))
    assert refused.code == 1 and "--yes" in refused.err
    assert snapshot(existing) == before
    quiet = hal(existing, "-q", "backup", "restore", "--backup-path", str(target))
    assert quiet.code == 0, quiet.err
    assert "deploymentConfigurations" in (existing / "config").read_text()
    kept = sorted((existing / ".backup").glob("config.*"))
    assert kept and kept[-1].read_text() == "currentDeployment: mine\n"


def _evil_tar(path: Path, *members: tuple[tarfile.TarInfo, bytes | None]) -> Path:
    with tarfile.open(path, "w") as tar:
        config = tarfile.TarInfo("config")
        body = b"currentDeployment: default\ndeploymentConfigurations: []\n"
        config.size = len(body)
        tar.addfile(config, io.BytesIO(body))
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _entry(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


@pytest.mark.parametrize(("entry", "data", "says"), [
    (_entry("../escape.txt"), b"x", "leads outside the hal dir"),
    (_entry("default/../../escape.txt"), b"x", "leads outside the hal dir"),
    (_entry("link", tarfile.SYMTYPE, "/etc/passwd"), None, "a link"),
    (_entry("hard", tarfile.LNKTYPE, "config"), None, "a link"),
    (_entry("dev", tarfile.CHRTYPE), None, "not a regular file"),
])
def test_restore_refuses_a_malicious_archive(tmp_path: Path, entry: tarfile.TarInfo,
                                             data: bytes | None, says: str) -> None:
    evil = _evil_tar(tmp_path / "evil.tar", (entry, data))
    target = tmp_path / "hal"
    target.mkdir()
    (target / "config").write_text("currentDeployment: mine\n")
    before = snapshot(target)
    result = hal(target, "backup", "restore", "--yes", "--backup-path", str(evil))
    assert result.code == 1 and says in result.err, result.err
    assert "Traceback" not in result.err
    assert snapshot(target) == before
    assert not (tmp_path / "escape.txt").exists()


def test_restore_keeps_absolute_names_inside_the_hal_dir(tmp_path: Path) -> None:
    evil = _evil_tar(tmp_path / "abs.tar", (_entry("/abs-escape.txt"), b"x"))
    target = tmp_path / "hal"
    result = hal(target, "backup", "restore", "--backup-path", str(evil))
    assert result.code == 0, result.err
    assert (target / "abs-escape.txt").read_bytes() == b"x"


@pytest.mark.parametrize(("content", "says"), [
    (b"not a tarball at all", "not a readable tar archive"),
    (None, "no such backup file"),
])
def test_restore_refuses_unreadable_input(tmp_path: Path, content: bytes | None,
                                          says: str) -> None:
    path = tmp_path / "in.tar"
    if content is not None:
        path.write_bytes(content)
    result = hal(tmp_path / "hal", "backup", "restore", "--backup-path", str(path))
    assert result.code == 1 and says in result.err
    assert not (tmp_path / "hal" / "config").exists()


def test_restore_refuses_a_tarball_without_a_config_or_with_a_broken_one(
        tmp_path: Path) -> None:
    path = tmp_path / "nocfg.tar"
    with tarfile.open(path, "w") as tar:
        info = tarfile.TarInfo("default/profiles/x.yml")
        tar.addfile(info, io.BytesIO(b""))
    result = hal(tmp_path / "hal", "backup", "restore", "--backup-path", str(path))
    assert result.code == 1 and "no 'config'" in result.err
    broken = tmp_path / "broken.tar"
    with tarfile.open(broken, "w") as tar:
        body = b"deploymentConfigurations: {a: [\n"
        info = tarfile.TarInfo("config")
        info.size = len(body)
        tar.addfile(info, io.BytesIO(body))
    result = hal(tmp_path / "hal", "backup", "restore", "--backup-path", str(broken))
    assert result.code == 1 and "not usable" in result.err, result.err
    assert not (tmp_path / "hal").exists() or not any((tmp_path / "hal").rglob("config"))


def test_restore_of_an_old_halyard_backup_drops_the_placeholder(tmp_path: Path) -> None:
    """Halyard < 1.12 prefixed backed-up paths with {%halconfig-dir%} (LocalFile)."""
    path = tmp_path / "old.tar"
    body = (b"deploymentConfigurations:\n- name: default\n  providers:\n    kubernetes:\n"
            b"      accounts:\n      - name: k\n        kubeconfigFile: "
            b"'{%halconfig-dir%}/.backup/required-files/1-config'\n")
    with tarfile.open(path, "w") as tar:
        for name, data in (("config", body), (".backup/required-files/1-config", b"kc")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    target = tmp_path / "hal"
    assert hal(target, "backup", "restore", "--backup-path", str(path)).code == 0
    dep = yaml.safe_load((target / "config").read_text())["deploymentConfigurations"][0]
    kube = dep["providers"]["kubernetes"]["accounts"][0]["kubeconfigFile"]
    assert kube == str(target / ".backup" / "required-files" / "1-config")
    assert Path(kube).read_text() == "kc"


@pytest.mark.skipif(not REALWORLD.exists(), reason="shared realworld fixture not present")
def test_the_real_teams_hal_dir_round_trips_byte_for_byte(tmp_path: Path) -> None:
    """A config naming no local file: the restored config is the same bytes."""
    source = copy_realworld(tmp_path)
    target = tmp_path / "team.tar"
    assert run_hal("backup", "create", "--backup-path", str(target), hal_dir=source).code == 0
    other = tmp_path / "restored"
    assert run_hal("backup", "restore", "--backup-path", str(target), hal_dir=other).code == 0
    assert (other / "config").read_bytes() == (source / "config").read_bytes()
    for path in (source / "default").rglob("*"):
        if path.is_file():
            assert (other / path.relative_to(source)).read_bytes() == path.read_bytes()
