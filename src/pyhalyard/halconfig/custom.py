"""A deployment's custom files: ``service-settings/*.yml`` and ``profiles/**``.

Service settings are read by the service's own name (aliases such as
``echo-slave.yml`` resolve to ``echo-worker``); each known field is type
checked so a typo fails with the file and field, not deep in rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyhalyard import catalog
from pyhalyard.errors import ConfigError
from pyhalyard.halconfig.coerce import coerce_tree
from pyhalyard.halconfig.document import parse
from pyhalyard.halconfig.paths import DeploymentPaths

# Halyard's ServiceSettings fields and the YAML types each accepts.
SETTINGS_FIELDS: dict[str, tuple[type, ...]] = {
    "port": (int,),
    "internalPort": (int,),
    "address": (str,),
    "host": (str,),
    "scheme": (str,),
    "healthEndpoint": (str,),
    "username": (str,),
    "password": (str,),
    "env": (dict,),
    "artifactId": (str,),
    "overrideBaseUrl": (str,),
    "location": (str,),
    "kubernetes": (dict,),
    "enabled": (bool,),
    "basicAuthEnabled": (bool,),
    "monitored": (bool,),
    "sidecar": (bool,),
    "safeToUpdate": (bool,),
    "targetSize": (int,),
    "skipLifeCycleManagement": (bool,),
    "baseUrl": (str,),
}

_TYPE_NAMES = {int: "a whole number", str: "a string", dict: "a mapping", bool: "true or false"}


@dataclass(frozen=True)
class CustomFiles:
    """``settings``: canonical service name -> fields; ``profiles``: relative path -> text."""

    settings: dict[str, dict[str, Any]]
    profiles: dict[str, str]
    unknown_settings: tuple[str, ...] = ()


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())


def check_settings(source: str, data: Any) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(source, "expected a mapping of service settings", 1, 1)
    typed: dict[str, Any] = coerce_tree(data)  # Jackson: enabled: "true", targetSize: "2"
    for key, value in typed.items():
        if key not in SETTINGS_FIELDS:
            known = ", ".join(sorted(SETTINGS_FIELDS))
            raise ConfigError(source, f"unknown service setting '{key}' (known: {known})")
        types = SETTINGS_FIELDS[key]
        if value is None:
            continue
        if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
            raise ConfigError(source, f"{key}: expected {_TYPE_NAMES[types[0]]}, got {value!r}")
    return typed


def load_service_settings(paths: DeploymentPaths) -> tuple[dict[str, dict[str, Any]],
                                                             tuple[str, ...]]:
    settings: dict[str, dict[str, Any]] = {}
    unknown: list[str] = []
    for path in _yaml_files(paths.service_settings):
        try:
            name = catalog.canonical_name(path.stem)
        except catalog.UnknownServiceError:
            unknown.append(path.name)
            continue
        if name in settings and path.stem != name:
            continue  # echo-slave.yml beside echo-worker.yml: the canonical name wins
        text = path.read_text(encoding="utf-8")
        settings[name] = check_settings(str(path), parse(text, str(path))[1])
    return settings, tuple(unknown)


# Custom profiles need not be text (a keystore, ``gate-keystore.jks``): bytes that are not
# UTF-8 ride along in the str as lone surrogates and are written back byte-exact by
# encoding with the same error handler (Halyard shipped such files unchanged too).
PROFILE_ERRORS = "surrogateescape"


def read_profile(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", PROFILE_ERRORS)
    except OSError as exc:
        raise ConfigError(str(path), f"cannot read profile ({exc.strerror})") from None


def profile_bytes(text: str) -> bytes:
    """The exact bytes of a profile file read by :func:`read_profile` (or generated)."""
    return text.encode("utf-8", PROFILE_ERRORS)


def is_binary(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def load_profiles(paths: DeploymentPaths) -> dict[str, str]:
    """Every file under ``profiles/`` by its relative path; nothing may lead outside it."""
    root = paths.profiles
    if not root.is_dir():
        return {}
    real_root = root.resolve()
    profiles: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(root).as_posix()
        if not path.resolve().is_relative_to(real_root):
            raise ConfigError(str(path), "profile points outside the profiles folder")
        text = read_profile(path)
        if path.suffix in (".yml", ".yaml"):
            if is_binary(text):
                raise ConfigError(str(path), "YAML profile is not UTF-8 text")
            parse(text, str(path))  # a broken custom profile fails here, with its line
        profiles[rel] = text
    return profiles


def load_custom(paths: DeploymentPaths) -> CustomFiles:
    settings, unknown = load_service_settings(paths)
    return CustomFiles(settings=settings, profiles=load_profiles(paths), unknown_settings=unknown)


def _owner(filename: str) -> tuple[catalog.Service, str] | None:
    """The service a file is named after, by the longest matching name or alias.

    ``clouddriver-ro-deck-local.yml`` belongs to clouddriver-ro-deck only: it also
    starts with ``clouddriver-ro-``, but shipping it to clouddriver-ro would change
    that role's config Secret (and restart its pods) for a file it never loads.
    """
    best: tuple[catalog.Service, str] | None = None
    for service in catalog.SERVICES:
        for name in (service.name, *service.aliases):
            if (filename == f"{name}.yml" or filename.startswith(f"{name}-")) and \
                    (best is None or len(name) > len(best[1])):
                best = (service, name)
    return best


def profile_target(filename: str, service: catalog.Service) -> str | None:
    """SPEC §5: the name a custom profile gets in ``service``'s config, or None if it
    does not reach that service.

    A file reaches a service when it is ``<name>.yml``, starts with ``<name>-`` (and no
    longer service name), is ``<base>-local.yml`` or starts with ``spinnaker``.  Files
    named after an alias (``echo-slave-local.yml``) are renamed to the canonical name,
    because Spring only loads ``<app>-<profile>.yml`` for the profiles the container
    activates.
    """
    top, sep, _ = filename.partition("/")
    if sep:  # e.g. rosco/packer/...: support files for the service the folder names
        return filename if top in (service.name, service.base) else None
    owner = _owner(top)
    if owner is not None and owner[0] is service:
        return service.name + top[len(owner[1]):]
    if top == f"{service.base}-local.yml" or top.startswith("spinnaker"):
        return top
    return None
