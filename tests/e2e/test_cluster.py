"""`hal deploy apply|diff|rollback|clean|connect` as a user meets them: a cluster that is
down or is not a Kubernetes API server, a missing kubeconfig, no history yet -- and a
working cluster (the API double), where diffs must never show a secret."""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tests.deploy.apiserver_double import ApiServerDouble
from tests.e2e.support import (
    assert_error,
    assert_ok,
    assert_usage,
    hal,
    mode,
    run_in_pty,
    snapshot,
)

FAST = ("--no-live-checks", "--poll-interval", "0.02")
EXAMPLE_KUBECONFIG = "kubeconfigs/prod-cluster.yml"


def write_kubeconfig(path: Path, server: str) -> Path:
    """A kubeconfig whose context is the example account's ('prod')."""
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "prod",
        "clusters": [{"name": "c", "cluster": {"server": server}}],
        "users": [{"name": "u", "user": {"token": "t0ken-not-shown"}}],
        "contexts": [{"name": "prod", "context": {"cluster": "c", "user": "u"}}],
    }))
    return path


def point_at(hal_dir: Path, kubeconfig: Path) -> None:
    config = hal_dir / "config"
    config.write_text(config.read_text().replace(EXAMPLE_KUBECONFIG, str(kubeconfig)))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


@pytest.fixture
def unreachable(example: Path, tmp_path: Path) -> tuple[Path, str]:
    server = f"https://127.0.0.1:{closed_port()}"
    point_at(example, write_kubeconfig(tmp_path / "kubeconfig", server))
    return example, server


# ---------------------------------------------------------------- no cluster needed
@pytest.mark.parametrize("fixture", ["example", "realworld_ns"])
def test_diff_without_history_lists_everything_as_new(fixture: str,
                                                      request: pytest.FixtureRequest) -> None:
    hal_dir: Path = request.getfixturevalue(fixture)
    before = snapshot(hal_dir)
    result = hal(hal_dir, "deploy", "diff")
    assert_ok(result)
    assert "+ Deployment spin-gate (new)" in result.out
    assert result.out.rstrip().endswith("to add, 0 to change, 0 to remove.")
    assert "nothing (no bundle applied yet)" in result.out
    data = json.loads(hal(hal_dir, "deploy", "diff", "-o", "json").out)
    assert data["against"] == "nothing (no bundle applied yet)"
    assert {c["action"] for c in data["changes"]} == {"+"}
    assert snapshot(hal_dir) == before


def test_rollback_without_history(example: Path) -> None:
    assert_error(hal(example, "deploy", "rollback"),
                 contains="nothing to roll back to: 0 applied bundles recorded")


def test_connect_prints_one_port_forward_per_service(example: Path) -> None:
    result = hal(example, "deploy", "connect")
    assert_ok(result)
    # the relative kubeconfigFile is under the hal folder, so kubectl finds it from anywhere
    kubeconfig = (example / EXAMPLE_KUBECONFIG).resolve()
    assert result.out.splitlines() == [
        f"kubectl --kubeconfig {kubeconfig} --context prod --namespace spinnaker "
        "port-forward service/spin-deck 9000:9000",
        f"kubectl --kubeconfig {kubeconfig} --context prod --namespace spinnaker "
        "port-forward service/spin-gate 8084:8084",
    ]


def test_connect_gives_each_role_its_own_local_port(example: Path) -> None:
    """The clouddriver roles all listen on 7002: `--run` would start three kubectls on one
    local port and all but the first would die with 'address already in use'."""
    result = hal(example, "deploy", "connect", "--service-names", "clouddriver,echo-slave,fiat",
                 "-o", "json")
    assert_ok(result)
    forwards = {d["service"]: d["command"][-1] for d in json.loads(result.out)}
    assert forwards["clouddriver-caching"] == "7002:7002"
    assert forwards["echo-worker"] == "8089:8089" and forwards["fiat"] == "7003:7003"
    locals_ = [f.split(":")[0] for f in forwards.values()]
    assert len(set(locals_)) == len(locals_), forwards
    assert {f.split(":")[1] for s, f in forwards.items() if s.startswith("clouddriver")} == {
        "7002"}
    assert_usage(hal(example, "deploy", "connect", "--service-names", "nope"),
                 contains="--service-names")


# ---------------------------------------------------------------- cluster down
@pytest.mark.parametrize("args", [
    ("deploy", "apply", *FAST),
    ("deploy", "diff", "--live"),
    ("deploy", "clean", "--yes"),
])
def test_unreachable_cluster_fails_fast_in_one_line(unreachable: tuple[Path, str],
                                                    args: tuple[str, ...]) -> None:
    hal_dir, server = unreachable
    before = snapshot(hal_dir)
    start = time.monotonic()
    result = hal(hal_dir, *args)
    elapsed = time.monotonic() - start
    line = assert_error(result, contains=f"cannot reach {server}")
    assert result.err.splitlines() == [line]
    assert "Connection refused" in line
    assert elapsed < 3.0, f"took {elapsed:.1f}s to report a refused connection"
    assert snapshot(hal_dir) == before  # no history recorded


def test_unreachable_cluster_with_redis_checks_still_one_error(
        unreachable: tuple[Path, str]) -> None:
    hal_dir, server = unreachable
    result = hal(hal_dir, "deploy", "apply")
    assert_error(result, contains=f"cannot reach {server}")
    warnings = [line for line in result.err.splitlines() if line.startswith("warning:")]
    assert all("redis://:****@" in w for w in warnings)


class _NotKubernetes(BaseHTTPRequestHandler):
    """A web server where the API server should be: an HTML page, or a bare 404."""

    html = True

    def _answer(self) -> None:
        body = b"<html>sign in</html>" if self.html else b"nope"
        self.send_response(200 if self.html else 404)
        if self.html:
            self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PATCH = do_DELETE = _answer

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture(params=["html", "bare-404"])
def not_kubernetes(request: pytest.FixtureRequest) -> Iterator[str]:
    handler = type("Handler", (_NotKubernetes,), {"html": request.param == "html"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_web_server_instead_of_the_api_server(example: Path, tmp_path: Path,
                                                not_kubernetes: str) -> None:
    point_at(example, write_kubeconfig(tmp_path / "kubeconfig", not_kubernetes))
    before = snapshot(example)
    for args in (("deploy", "apply", *FAST), ("deploy", "diff", "--live")):
        assert_error(hal(example, *args),
                     contains=f"{not_kubernetes} did not answer like a Kubernetes API server")
    assert snapshot(example) == before


def test_missing_kubeconfig_is_reported_before_slower_checks(example: Path,
                                                             tmp_path: Path) -> None:
    point_at(example, tmp_path / "no-such-kubeconfig")
    start = time.monotonic()
    result = hal(example, "deploy", "apply")  # with the Redis checks
    # The deploy account's kubeconfig is also a file clouddriver needs: validation names it.
    assert_error(result, contains="ERROR: providers.kubernetes.accounts[0].kubeconfigFile: "
                                  f"{tmp_path / 'no-such-kubeconfig'}: file not found")
    assert "redis" not in result.err.lower()  # no Redis warnings before it
    assert time.monotonic() - start < 3.0


# ---------------------------------------------------------------- a working cluster
@pytest.fixture
def api() -> Iterator[ApiServerDouble]:
    with ApiServerDouble(ready_delay=0.03, grace=0.01) as double:
        yield double


@pytest.fixture
def deployed(example: Path, api: ApiServerDouble, tmp_path: Path) -> Path:
    kubeconfig = api.write_kubeconfig(tmp_path / "kubeconfig", context="prod")
    point_at(example, kubeconfig)
    first = hal(example, "deploy", "apply", *FAST)
    assert_ok(first)
    assert "(history #1)" in first.out
    return example


def test_diff_after_apply_hides_changed_secrets(deployed: Path) -> None:
    history = deployed / "default" / "history"
    assert mode(history) == 0o700 and mode(history / "1" / "bundle.json") == 0o600
    assert "example-secret" in (history / "1" / "bundle.json").read_text()  # kept, not shown
    config = deployed / "config"
    config.write_text(config.read_text().replace("example-secret", "example-secret-2")
                      .replace("example-storage-key", "example-storage-key-2"))
    for args in (("deploy", "diff"), ("deploy", "diff", "--live")):
        for form in ((), ("-o", "json"), ("-o", "yaml")):
            result = hal(deployed, *args, *form)
            assert_ok(result)
            assert "example-secret-2" not in result.out
            assert "example-storage-key-2" not in result.out
        shown = hal(deployed, *args).out
        assert "~ key front50.yml changed (value hidden)" in shown
        assert "~ key clouddriver-ro-overrides.yml changed (value hidden)" in shown
        # front50's AWS credentials file holds the storage key: its Secret is renamed,
        # and the diff names the file only.
        assert "~ key credentials changed (value hidden)" in shown
        assert "0 to add, 9 to change, 0 to remove." in shown


def test_apply_again_then_rollback(deployed: Path, api: ApiServerDouble) -> None:
    assert_ok(hal(deployed, "config", "deploy", "component-sizing", "spin-gate", "edit",
                  "--replicas", "2"))
    second = hal(deployed, "deploy", "apply", *FAST)
    assert_ok(second)
    assert "(history #2)" in second.out
    assert api.get("Deployment", "spin-gate", "spinnaker")["spec"]["replicas"] == 2  # type: ignore[index]
    assert_error(hal(deployed, "deploy", "rollback", "--to", "9", "--poll-interval", "0.02"),
                 contains="9")
    back = hal(deployed, "deploy", "rollback", "--poll-interval", "0.02")
    assert_ok(back)
    assert "Rolled back to #1" in back.out and "(history #3)" in back.out
    assert api.get("Deployment", "spin-gate", "spinnaker")["spec"]["replicas"] == 1  # type: ignore[index]


_SGR = re.compile(rb"\x1b\[([0-9;]*)m")


def _colours(data: bytes) -> set[int]:
    """The foreground/background colour codes used in ``data`` (bold etc. ignored)."""
    codes: set[int] = set()
    for params in _SGR.findall(data):
        for part in params.split(b";"):
            if part.isdigit() and (30 <= int(part) <= 38 or 90 <= int(part) <= 97):
                codes.add(int(part))
    return codes


def _apply_in_a_terminal(hal_dir: Path, *extra: str) -> bytes:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "HAL_DIR")}
    env.update(COLUMNS="160", TERM="xterm-256color")
    code, out = run_in_pty(["--hal-dir", str(hal_dir), "deploy", "apply", *FAST, *extra], env,
                           timeout=60)
    assert code == 0, out.decode("utf-8", "replace")
    return out


def test_live_progress_honours_no_color(deployed: Path) -> None:
    coloured = _apply_in_a_terminal(deployed)
    assert _colours(coloured), "the live table should be coloured on a terminal"
    plain = _apply_in_a_terminal(deployed, "--no-color")
    assert _colours(plain) == set()
    assert b"spin-gate" in plain
    text = plain.decode("utf-8", "replace")
    assert "Traceback" not in text and "example-secret" not in text
