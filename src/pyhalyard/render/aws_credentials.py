"""The ``~/.aws/credentials`` files Halyard wrote into front50, clouddriver and kayenta.

Those services take their AWS keys from the AWS SDK's default chain, not from a
Spring property: front50's S3 client reads no ``accessKeyId`` (its
``S3BucketProperties`` has none) and clouddriver's default AWS credentials come
from the same chain.  Halyard therefore rendered a ``[default]`` profile file for
the ``spinnaker`` user and for root (AwsCredentialsProfileFactoryBuilder;
``generateAwsProfile`` in Front50Service, ClouddriverService and KayentaService).
The file holds keys, so it only ever lives in a Secret.
"""

from __future__ import annotations

from typing import Any

from pyhalyard.plan import Plan
from pyhalyard.render.profiles.base import block, section

# Where the AWS SDK looks (``${user.home}/.aws/credentials``): Halyard wrote both homes.
HOMES = ("/home/spinnaker", "/root")
FOLDER = ".aws"
FILE_NAME = "credentials"


def _keys(node: Any) -> tuple[str, str] | None:
    if not isinstance(node, dict):
        return None
    key, secret = node.get("accessKeyId"), node.get("secretAccessKey")
    if isinstance(key, str) and key and isinstance(secret, str) and secret:
        return key, secret
    return None


def keys_for(plan: Plan, base: str) -> tuple[str, str] | None:
    """The access key pair Halyard put in ``base``'s credentials file, if any."""
    raw = plan.deployment.raw
    if base == "front50":
        if section(raw, "persistentStorage", "persistentStoreType") != "s3":
            return None
        return _keys(section(raw, "persistentStorage", "s3"))
    if base == "clouddriver":
        aws = block(raw, "providers", "aws")
        return _keys(aws) if aws.get("enabled") is True else None
    if base == "kayenta":
        if not plan.deployment.canary_enabled:
            return None
        for svc in block(raw, "canary").get("serviceIntegrations") or []:
            if isinstance(svc, dict) and svc.get("name") == "aws" and svc.get("s3Enabled") is True:
                for account in svc.get("accounts") or []:
                    found = _keys(account)
                    if found:
                        return found  # the first account with keys, as Halyard
    return None


def credentials_file(plan: Plan, base: str) -> bytes | None:
    """The file's bytes (Halyard's template, no trailing newline) or None."""
    found = keys_for(plan, base)
    if found is None:
        return None
    key, secret = found
    return (f"[default]\naws_access_key_id = {key}\naws_secret_access_key = {secret}"
            .encode())


def mount_dirs() -> tuple[str, ...]:
    return tuple(f"{home}/{FOLDER}" for home in HOMES)
