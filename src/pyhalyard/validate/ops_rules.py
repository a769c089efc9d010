"""Checks on the canary and pub/sub sections, as Halyard's validators make them.

Halyard: halyard-config validate/v1/canary/CanaryValidator.java (account names unique
across integrations; its warning for a canary with no CONFIGURATION_STORE/OBJECT_STORE is
left out: it would fire for every config that switches canary on only for Deck's tab),
CanaryAccountValidator.java (name pattern), GoogleCanaryValidator / AwsCanaryValidator
(a bucket when GCS/S3 is on), PrometheusCanaryAccountValidator (the username:password
file), pubsub/google/GooglePublisherValidator and GooglePubsubValidator.  Checks that
need the network (bucket access, Azure connection) are left out.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

from pyhalyard.pipeline import Loaded
from pyhalyard.validate.problem import Problem, Severity

CANARY_ACCOUNT_NAME = re.compile(r"^[a-z0-9]+([-a-z0-9_]*[a-z0-9])?$")
_NOT_LOCAL = ("encrypted:", "encryptedFile:", "configserver:")


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def canary(loaded: Loaded) -> Iterator[Problem]:
    section = _dict(loaded.deployment.raw.get("canary"))
    seen: dict[str, str] = {}
    for i, svc in enumerate(_list(section.get("serviceIntegrations"))):
        svc = _dict(svc)
        name = str(svc.get("name"))
        where = f"canary.serviceIntegrations[{i}]"
        accounts = [_dict(a) for a in _list(svc.get("accounts"))]
        for j, account in enumerate(accounts):
            here = f"{where}.accounts[{j}]"
            account_name = account.get("name")
            if not isinstance(account_name, str) or not account_name:
                yield Problem(Severity.ERROR, here, "canary account name must be specified")
                continue
            if account_name in seen:
                yield Problem(Severity.ERROR, here,
                              f"canary account '{account_name}' appears more than once "
                              f"(also {seen[account_name]})",
                              f"rename the account of the {name} integration")
            seen.setdefault(account_name, here)
            if not CANARY_ACCOUNT_NAME.match(account_name):
                yield Problem(Severity.ERROR, f"{here}.name",
                              f"canary account name '{account_name}' must match "
                              f"{CANARY_ACCOUNT_NAME.pattern}",
                              "use lower-case letters, digits, '-' and '_', starting and "
                              "ending with a letter or digit")
            if name == "prometheus":
                yield from _username_password_file(account, here)
        switch = {"google": "gcsEnabled", "aws": "s3Enabled"}.get(name)
        if switch and svc.get(switch) is True and not any(a.get("bucket") for a in accounts):
            yield Problem(Severity.ERROR, where,
                          f"at least one {name} canary account must name a bucket when "
                          f"{switch} is on",
                          f"hal config canary {name} account edit NAME --bucket BUCKET")


def _username_password_file(account: dict[str, Any], where: str) -> Iterator[Problem]:
    path = account.get("usernamePasswordFile")
    if not isinstance(path, str) or not path or path.startswith(_NOT_LOCAL):
        return
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        text = ""
    if not text.strip():
        yield Problem(Severity.ERROR, f"{where}.usernamePasswordFile",
                      f"{path} does not exist or is empty", "supply a username:password file")
    elif ":" not in text:
        yield Problem(Severity.ERROR, f"{where}.usernamePasswordFile",
                      f"{path} does not contain a ':'",
                      "the file must hold username:password")


def pubsub_publishers(loaded: Loaded) -> Iterator[Problem]:
    google = _dict(_dict(loaded.deployment.raw.get("pubsub")).get("google"))
    names: set[str] = set()
    for i, publisher in enumerate(_list(google.get("publishers"))):
        publisher = _dict(publisher)
        where = f"pubsub.google.publishers[{i}]"
        name = str(publisher.get("name"))
        if name in names:
            yield Problem(Severity.ERROR, where, f"publisher name '{name}' appears more than once")
        names.add(name)
        for key, flag in (("project", "--project"), ("topicName", "--topic-name")):
            if not publisher.get(key):
                yield Problem(Severity.ERROR, f"{where}.{key}",
                              f"Google publisher '{name}' has no {key}",
                              f"hal config notification pubsub google edit {name} {flag} ...")
