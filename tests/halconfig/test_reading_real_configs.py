"""Reading real configs as Halyard did (issue 11 item 5) and the overrides INFO (item 6).

- Quoted scalars: Halyard's Jackson binding coerced ``"true"``/``"2"`` into boolean/int
  fields (halyard-config model classes are plain Java beans bound by ObjectMapper).
- Duplicated keys: YAML (SnakeYAML in Halyard, libyaml here) keeps the last one.
- Alias bombs are refused before anything walks the tree.
- Non-Distributed deployments: Halyard's LocalDebian/LocalGit run on the host, which
  pyhalyard never does (DeploymentEnvironment.DeploymentType).
- ``<name>-overrides.yml``: SpringService.getServiceOverrides meets a custom file.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyhalyard import pipeline
from pyhalyard.halconfig.paths import HalPaths
from pyhalyard.render.build import build_bundle
from pyhalyard.render.profiles import render_profiles
from pyhalyard.validate import Severity, validate
from tests.helpers import EXAMPLES, run_hal

BASE = """\
currentDeployment: default
deploymentConfigurations:
- name: default
  version: 2025.2.1
  providers:
    kubernetes:
      enabled: true
      accounts:
      - name: k8s
        providerVersion: V2
        serviceAccount: {service_account}
  deploymentEnvironment:
    type: {type}
    accountName: k8s
    location: spinnaker
    customSizing:
      spin-gate:
        replicas: {replicas}
    haServices:
      clouddriver:
        enabled: {cd_ha}
      echo:
        enabled: false
  persistentStorage:
    persistentStoreType: s3
    s3:
      bucket: b
      region: us-east-1
  security:
    authn:
      saml:
        enabled: {saml}
        issuerId: spinnaker
        metadataRemote: https://idp.example.com/metadata.xml
        keyStore: saml.jks
        keyStorePassword: changeit
        keyStoreAliasName: saml
        serviceAddress: https://api.example.com
    authz:
      enabled: {authz}
"""


def write(root: Path, *, type: str = "Distributed", replicas: str = "1", cd_ha: str = "false",
          saml: str = "false", authz: str = "false", service_account: str = "true",
          extra: str = "", settings: dict[str, str] | None = None,
          profiles: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "saml.jks").write_bytes(b"\xfe\xed\xfe\xed keystore")  # relative to the hal dir
    (root / "config").write_text(BASE.format(type=type, replicas=replicas, cd_ha=cd_ha,
                                             saml=saml, authz=authz,
                                             service_account=service_account) + extra)
    for folder, files in (("service-settings", settings), ("profiles", profiles)):
        for name, text in (files or {}).items():
            path = root / "default" / folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    return root


def quoted(value: str, style: str) -> str:
    return {"plain": value, "single": f"'{value}'", "double": f'"{value}"'}[style]


STYLES = st.sampled_from(["plain", "single", "double"])


# ------------------------------------------------------------------ coercion
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flag=st.booleans(), spelling=st.sampled_from(["lower", "title", "upper"]),
       count=st.integers(min_value=1, max_value=5), styles=st.tuples(STYLES, STYLES, STYLES))
def test_a_coercible_scalar_reads_the_same_typed_value_in_every_stage(
        flag: bool, spelling: str, count: int, styles: tuple[str, str, str]) -> None:
    text = {"lower": str(flag).lower(), "title": str(flag), "upper": str(flag).upper()}[spelling]
    with tempfile.TemporaryDirectory() as tmp:
        root = write(Path(tmp) / "hal", authz=quoted(text, styles[0]),
                     saml=quoted(text, styles[1]), replicas=quoted(str(count), styles[2]),
                     settings={"rosco.yml": f"targetSize: {quoted(str(count), styles[2])}\n"
                                            f"enabled: {quoted('true', styles[0])}\n"})
        loaded = pipeline.load(HalPaths(root))
        # validation
        assert [p for p in validate(loaded) if p.severity is Severity.ERROR] == []
        assert loaded.deployment.authz_enabled is flag
        # plan
        plan = pipeline.plan(loaded)
        assert plan["fiat"].enabled is flag
        assert plan["gate"].replicas == count
        assert plan["rosco"].replicas == count
        # render: profiles and objects
        profiles = render_profiles(plan)
        gate = yaml.safe_load(profiles["gate"]["gate.yml"])
        assert (gate.get("saml") or {}).get("enabled", False) is flag
        spinnaker = yaml.safe_load(profiles["gate"]["spinnaker.yml"])
        assert spinnaker["services"]["fiat"]["enabled"] is flag
        bundle = build_bundle(plan, HalPaths(root))
        deployments = {o["metadata"]["name"]: o for o in bundle.objects()
                       if o["kind"] == "Deployment"}
        assert deployments["spin-gate"]["spec"]["replicas"] == count
        assert deployments["spin-rosco"]["spec"]["replicas"] == count
        assert ("spin-fiat" in deployments) is flag


def test_quoted_authz_is_not_an_error_and_quoted_saml_reaches_gate(tmp_path: Path) -> None:
    root = write(tmp_path / "hal", authz='"true"', saml='"true"')
    result = run_hal("config", "validate", hal_dir=root)
    assert result.code == 0, result.out + result.err
    assert "ERROR" not in result.out
    gen = run_hal("config", "generate", hal_dir=root)
    assert gen.code == 0, gen.err
    gate = yaml.safe_load((root / "default" / "staging" / "gate" / "gate.yml").read_text())
    assert gate["saml"]["enabled"] is True and gate["saml"]["issuerId"] == "spinnaker"
    assert gate["saml"]["metadataUrl"] == "https://idp.example.com/metadata.xml"


def test_a_quoted_value_jackson_would_reject_is_still_an_error(tmp_path: Path) -> None:
    root = write(tmp_path / "hal", authz='"yes please"')
    result = run_hal("config", "validate", hal_dir=root)
    assert result.code != 0
    assert "security.authz.enabled" in result.err + result.out


# ------------------------------------------------------------ duplicate keys
DUPLICATED = BASE.replace("""    haServices:
      clouddriver:
        enabled: {cd_ha}
      echo:
        enabled: false
""", """    haServices:
      clouddriver:
        enabled: true
    haServices:
      echo:
        enabled: false
""")


def duplicated_hal(tmp_path: Path) -> tuple[Path, str]:
    """A hal dir whose config writes ``haServices`` twice, and that config's text."""
    root = tmp_path / "hal"
    root.mkdir()
    (root / "saml.jks").write_bytes(b"keystore")  # the SAML block names it
    text = DUPLICATED.format(type="Distributed", replicas=1, saml="false", authz="false",
                             service_account="true")
    (root / "config").write_text(text)
    return root, text


def test_a_duplicated_key_is_a_warning_naming_both_lines(tmp_path: Path) -> None:
    root, text = duplicated_hal(tmp_path)
    lines = [i + 1 for i, line in enumerate(text.splitlines()) if line == "    haServices:"]
    result = run_hal("config", "validate", hal_dir=root)
    assert result.code == 0, result.err
    assert (f"'haServices' is written twice in {root / 'config'} (lines {lines[0]} and "
            f"{lines[1]}); the entry on line {lines[1]} wins") in result.out
    assert "deploymentConfigurations[0].deploymentEnvironment.haServices" in result.out
    # what wins is what YAML reads: the second block, without clouddriver HA
    assert not pipeline.load(HalPaths(root)).deployment.environment.clouddriver_ha.enabled


def test_an_edit_never_writes_to_the_shadowed_copy(tmp_path: Path) -> None:
    root, text = duplicated_hal(tmp_path)
    result = run_hal("config", "deploy", "ha", "echo", "enable", hal_dir=root)
    assert result.code == 0, result.err
    after = (root / "config").read_text()
    first = text.index("    haServices:")
    second = text.index("    haServices:", first + 1)
    assert after[:second] == text[:second]  # the shadowed block is byte-identical
    assert "      echo:\n        enabled: true\n" in after[second:]


# --------------------------------------------------------------- alias bombs
def bomb() -> str:
    lines = ["  lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 9):
        refs = ", ".join([f"*l{i - 1}"] * 9)
        lines.append(f"  lol{i}: &l{i} [{refs}]")
    return "  unknownTeamKey:\n" + "\n".join("  " + line for line in lines) + "\n"


def test_an_alias_bomb_is_refused_quickly_by_every_command(tmp_path: Path) -> None:
    root = write(tmp_path / "hal", extra=bomb())
    for args in (("-o", "json", "config"), ("config", "validate"), ("config", "generate"),
                 ("deploy", "render", "--output-dir", str(tmp_path / "out"))):
        start = time.monotonic()
        result = run_hal(*args, hal_dir=root)
        took = time.monotonic() - start
        assert result.code != 0, args
        assert "alias bomb" in result.err, (args, result.err)
        assert "Traceback" not in result.err
        assert took < 1.0, (args, took)
    assert not (tmp_path / "out").exists()
    tracemalloc.start()
    try:
        assert run_hal("-o", "json", "config", hal_dir=root).code != 0
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20  # the expansion (~387 million nodes) is never built


def test_ordinary_anchors_still_read(tmp_path: Path) -> None:
    extra = "  notifications:\n    slack: &off {enabled: false}\n    twilio: *off\n"
    root = write(tmp_path / "hal", extra=extra)
    assert run_hal("config", "validate", hal_dir=root).code == 0


# ------------------------------------------------------- non-Distributed types
def test_a_local_deployment_is_an_error_for_validate_generate_and_render(tmp_path: Path) -> None:
    root = write(tmp_path / "hal", type="LocalDebian")
    for args in (("config", "validate"), ("config", "generate"),
                 ("deploy", "render", "--output-dir", str(tmp_path / "out"))):
        result = run_hal(*args, hal_dir=root)
        assert result.code != 0, args
        assert "deploymentEnvironment.type is 'LocalDebian'" in result.out + result.err, args
    assert not (tmp_path / "out").exists()
    assert not (root / "default" / "staging").exists()


# ------------------------------------------------------ overrides INFO (item 6)
def test_validate_names_the_generated_keys_a_custom_overrides_file_wins(tmp_path: Path) -> None:
    root = tmp_path / "hal"
    shutil.copytree(EXAMPLES / "hal", root)
    (root / "default" / "profiles" / "orca-overrides.yml").write_text(
        "services:\n  clouddriver:\n    baseUrl: http://my-proxy.tools:7002\n"
        "tasks:\n  threads: 7\n")
    result = run_hal("config", "validate", hal_dir=root)
    assert result.code == 0, result.err
    info = [line for line in result.out.splitlines() if line.startswith("INFO")]
    assert len(info) == 1
    assert "profiles/orca-overrides.yml" in info[0]
    assert "services.clouddriver.baseUrl" in info[0]
    assert "tasks.threads" not in info[0]  # not a generated key
    assert "my-proxy" not in info[0]  # names keys only, never values
    bundle = build_bundle(pipeline.plan(pipeline.load(HalPaths(root))), HalPaths(root))
    secret = next(o for o in bundle.services["orca"].objects if o["kind"] == "Secret")
    merged = yaml.safe_load(base64.b64decode(secret["data"]["orca-overrides.yml"]))
    assert merged["services"]["clouddriver"]["baseUrl"] == "http://my-proxy.tools:7002"


def test_a_service_location_is_honoured_with_a_note(tmp_path: Path) -> None:
    """KubernetesV2Service.getNamespace: every command puts the service there; validate
    says so (the deploy account needs rights in that namespace too)."""
    root = write(tmp_path / "hal", settings={"rosco.yml": "location: spin-bake\n"})
    result = run_hal("config", "validate", hal_dir=root)
    assert result.code == 0, result.err
    assert "INFO: service-settings/rosco.yml: location" in result.out
    assert "WARNING: service-settings/rosco.yml" not in result.out
    bad = write(tmp_path / "bad", settings={"rosco.yml": "location: Spin_Bake\n"})
    result = run_hal("config", "validate", hal_dir=bad)
    assert result.code != 0
    assert "'Spin_Bake' is not a Kubernetes namespace name" in result.out


def test_a_duplicated_key_in_service_settings_is_reported_too(tmp_path: Path) -> None:
    root = write(tmp_path / "hal",
                 settings={"rosco.yml": "targetSize: 2\nenv: {}\ntargetSize: 3\n"})
    result = run_hal("config", "validate", hal_dir=root)
    assert result.code == 0, result.err
    assert "WARNING: service-settings/rosco.yml: targetSize: 'targetSize' is written twice" \
        in result.out
    assert "(lines 1 and 3); the entry on line 3 wins" in result.out
    assert pipeline.plan(pipeline.load(HalPaths(root)))["rosco"].replicas == 3


def _expanded(data: object) -> int:
    if isinstance(data, dict):
        return 1 + sum(1 + _expanded(v) for v in data.values())
    if isinstance(data, list):
        return 1 + sum(_expanded(v) for v in data)
    return 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=9)),
                         min_size=1, max_size=5), min_size=1, max_size=6),
       st.integers(min_value=0, max_value=300))
def test_the_alias_bound_refuses_exactly_the_documents_that_expand_past_it(
        rows: list[list[int | None]], limit: int) -> None:
    """The linear check agrees with really expanding the document."""
    import pytest

    from pyhalyard.errors import ConfigError
    from pyhalyard.halconfig import document

    lines = []
    for i, row in enumerate(rows):
        items = [f"*a{r % i}" if r is not None and i else "x" for r in row]
        lines.append(f"k{i}: &a{i} [{', '.join(items)}]")
    text = "\n".join(lines) + "\n"
    parsed = document._parse(text, "t")
    distinct = len({id(n) for n in _walk_nodes(parsed.root)})
    aliased = any(r is not None for row in rows[1:] for r in row)
    bound = limit + document._EXPANSION_PER_NODE * distinct
    old = document.EXPANSION_LIMIT
    document.EXPANSION_LIMIT = limit
    try:
        if aliased and _expanded(parsed.data) > bound:
            with pytest.raises(ConfigError, match="alias bomb"):
                document._check_expansion(parsed.root, "t")
        else:
            document._check_expansion(parsed.root, "t")
    finally:
        document.EXPANSION_LIMIT = old


def _walk_nodes(root: object) -> list[object]:
    from yaml.nodes import MappingNode, SequenceNode

    out, seen, stack = [], set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        out.append(node)
        if isinstance(node, MappingNode):
            for pair in node.value:
                stack.extend(pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return out
