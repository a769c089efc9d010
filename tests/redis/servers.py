"""Real redis-server processes on 127.0.0.1 for the Redis tests.

Every process is started by :class:`Servers`, waited for until it answers PING,
and killed at teardown (SIGTERM, then SIGKILL) -- also at interpreter exit if a
test run is interrupted.  Persistence is off and the diskless sync delay is 0, so a
replica syncs in well under a second.  The binary is ``$REDIS_SERVER`` if set,
else ``redis-server`` on PATH.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

# Every server this module ever started and has not yet stopped.
_RUNNING: set[subprocess.Popen[bytes]] = set()
START_TIMEOUT = 10.0
SYNC_TIMEOUT = 20.0
# Options for servers the tests configure themselves (not for the rendered command lines).
QUICK = ("--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--repl-diskless-sync-delay", "0", "--maxmemory", "64mb")


def redis_server_binary() -> str:
    """The redis-server to run; a missing binary fails the test (never a silent skip)."""
    binary = os.environ.get("REDIS_SERVER") or shutil.which("redis-server")
    if not binary or not os.access(binary, os.X_OK):
        pytest.fail("redis-server not found: install it (apt-get install redis-server) "
                    "or set REDIS_SERVER to its path")
    return binary


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    _RUNNING.discard(proc)


@atexit.register
def _kill_leftovers() -> None:
    for proc in list(_RUNNING):
        _kill(proc)


class RedisServer:
    def __init__(self, port: int, proc: subprocess.Popen[bytes], log: Path,
                 password: str | None = None) -> None:
        self.port = port
        self.proc = proc
        self.log = log
        self.password = password

    def client(self, timeout: float = 2.0) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password,
                           socket_timeout=timeout, socket_connect_timeout=timeout,
                           decode_responses=True)

    def url(self, password: str | None = None) -> str:
        """``password`` must already be percent-encoded."""
        auth = f":{password}@" if password else ""
        return f"redis://{auth}127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        _kill(self.proc)

    def log_tail(self) -> str:
        try:
            return "".join(self.log.read_text(errors="replace").splitlines(True)[-15:])
        except OSError:
            return ""


class Servers:
    """Starts redis-server processes in ``workdir``; :meth:`stop_all` kills them all."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.servers: list[RedisServer] = []
        self.binary = redis_server_binary()

    def start(self, *extra: str, password: str | None = None,
              replica_of: RedisServer | None = None) -> RedisServer:
        """A server with the quick test options; ``password`` (raw) sets requirepass."""
        args: list[str] = [*QUICK]
        if password is not None:
            args += ["--requirepass", password]
        if replica_of is not None:
            args += ["--replicaof", "127.0.0.1", str(replica_of.port)]
            if replica_of.password is not None:
                args += ["--masterauth", replica_of.password]
        args += list(extra)
        for _attempt in range(3):  # a free port can be taken before we bind it
            port = free_port()
            server = self._launch([self.binary, "--port", str(port), *args], port, password,
                                  must_start=False)
            if server is not None:
                return server
        pytest.fail("could not start redis-server on a free port after 3 attempts")

    def start_exact(self, argv: list[str], port: int) -> RedisServer:
        """Run ``argv`` as is (a rendered command line); wait until PING answers."""
        server = self._launch(argv, port, None, must_start=True)
        assert server is not None
        return server

    def _launch(self, argv: list[str], port: int, password: str | None, *,
                must_start: bool) -> RedisServer | None:
        log = self.workdir / f"redis-{port}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(argv, cwd=self.workdir, stdout=out,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _RUNNING.add(proc)
        server = RedisServer(port, proc, log, password)
        self.servers.append(server)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if not server.alive():
                if must_start:
                    pytest.fail(f"redis-server exited at start:\n{server.log_tail()}")
                self.servers.remove(server)
                _RUNNING.discard(proc)
                return None
            try:
                if server.client(timeout=0.5).ping():
                    return server
            except redis.AuthenticationError:
                return server  # it answers; PING just needs the password
            except redis.RedisError:
                pass
            time.sleep(0.05)
        server.stop()
        pytest.fail(f"redis-server did not answer PING within {START_TIMEOUT}s:\n"
                    f"{server.log_tail()}")

    def stop_all(self) -> None:
        for server in self.servers:
            server.stop()
        self.servers.clear()


def wait_for_sync(replica: RedisServer, timeout: float = SYNC_TIMEOUT) -> None:
    """Until the replica reports master_link_status:up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = replica.client().info("replication")
        if info.get("master_link_status") == "up":
            return
        time.sleep(0.05)
    pytest.fail(f"replica on port {replica.port} did not sync within {timeout}s:\n"
                f"{replica.log_tail()}")


def wait_until(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture
def redis_servers(tmp_path: Path) -> Iterator[Servers]:
    servers = Servers(tmp_path)
    try:
        yield servers
    finally:
        servers.stop_all()
