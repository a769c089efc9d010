"""Secret flags of table-generated commands, as a user at a terminal or in a pipe meets them.

Followed: halyard-cli ``config/ci/jenkins/JenkinsAddMasterCommand`` (``--password``
declared ``password = true``: JCommander asks on the console when no value is given)
and ``config/security/authn/oauth2/EditOAuth2Command`` (``--client-secret``).
"""

from __future__ import annotations

import os
import pty
import subprocess
import time
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.support import hal_cmd, prompt_env, read_pty

SECRET = "pty-jenkins-s3cr3t"


def _dep(hal_dir: Path) -> Any:
    return yaml.safe_load((hal_dir / "config").read_text())["deploymentConfigurations"][0]


def test_piped_secret_for_a_generated_command(tmp_path: Path) -> None:
    hal_dir = tmp_path / "hal"
    proc = subprocess.run(
        hal_cmd(hal_dir, "config", "security", "authn", "oauth2", "edit", "--client-id",
                "cid", "--client-secret"),
        input="piped-client-secret\n", capture_output=True, text=True, env=prompt_env(), timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "piped-client-secret" not in proc.stdout + proc.stderr
    assert "Warning" not in proc.stderr
    client = _dep(hal_dir)["security"]["authn"]["oauth2"]["client"]
    assert client == {"clientId": "cid", "clientSecret": "piped-client-secret"}


def test_terminal_prompt_for_a_generated_command(tmp_path: Path) -> None:
    hal_dir = tmp_path / "hal"
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        hal_cmd(hal_dir, "config", "ci", "jenkins", "master", "add", "j1", "--address",
                "http://jenkins:8080", "--password"),
        stdin=slave, stdout=slave, stderr=slave, env=prompt_env(), start_new_session=True)
    os.close(slave)
    try:
        deadline = time.monotonic() + 60
        before = read_pty(master, deadline, proc, until=b"--password: ")
        assert b"--password: " in before, before
        os.write(master, f"{SECRET}\n".encode())
        after = read_pty(master, deadline, proc, until=b"Added jenkins master j1")
        code = proc.wait(timeout=30)
    finally:
        os.close(master)
    shown = (before + after).decode("utf-8", "replace")
    assert code == 0, shown
    assert SECRET not in shown and "Traceback" not in shown and "Warning" not in shown
    master_cfg = _dep(hal_dir)["ci"]["jenkins"]["masters"][0]
    assert master_cfg["password"] == SECRET and master_cfg["address"] == "http://jenkins:8080"
