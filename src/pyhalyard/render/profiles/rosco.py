"""rosco: ``rosco.yml`` (Redis connection, the enabled image providers).

Halyard's RoscoProfileFactory wrote each enabled image provider (aws, google,
azure, ...) whole -- accounts included, which rosco's packer builders read -- with
``bakeryDefaults.baseImages`` = the halconfig's images, then those of rosco's
defaults (its ``halconfig/images.yml``) and ``profiles/images-local.yml`` whose
``id`` is not taken yet.  pyhalyard has no copy of rosco's defaults, but the rosco
image ships the same base images in its own ``rosco.yml``; Spring replaces a list
wholesale, so the empty ``baseImages: []`` every Halyard-written provider carries
is left out (the packaged images stay), and a non-empty list is the halconfig's
plus ``images-local.yml``'s.
"""

from __future__ import annotations

import copy
from typing import Any

from pyhalyard.errors import ConfigError
from pyhalyard.halconfig.document import parse
from pyhalyard.merge import deep_merge
from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render.profiles.base import Profile, block, redis_connection, server, spring_profile

IMAGES_LOCAL = "images-local.yml"


def _image_id(image: Any) -> Any:
    return (image.get("baseImage") or {}).get("id") if isinstance(image, dict) else None


def local_images(plan: Plan) -> dict[str, list[Any]]:
    """``profiles/images-local.yml``: provider -> its ``bakeryDefaults.baseImages``."""
    text = plan.custom.profiles.get(IMAGES_LOCAL)
    if text is None:
        return {}
    data = parse(text, f"profiles/{IMAGES_LOCAL}")[1] or {}
    if not isinstance(data, dict):
        raise ConfigError(f"profiles/{IMAGES_LOCAL}", "expected a mapping of providers")
    out: dict[str, list[Any]] = {}
    for name, provider in data.items():
        images = block(provider, "bakeryDefaults").get("baseImages")
        if images is None:
            continue
        if not isinstance(images, list):
            raise ConfigError(f"profiles/{IMAGES_LOCAL}",
                              f"{name}.bakeryDefaults.baseImages: expected a list")
        out[str(name)] = images
    return out


def merged_images(own: Any, extra: list[Any]) -> list[Any]:
    """BakeryDefaults.addDefaultImages: the provider's images, then others by new id."""
    images = list(own) if isinstance(own, list) else []
    taken = {_image_id(i) for i in images}
    return images + [copy.deepcopy(i) for i in extra if _image_id(i) not in taken]


def profile(plan: Plan, sp: ServicePlan) -> Profile:
    # Rosco otherwise falls back to redis://localhost:6379 (Halyard carries the same fix).
    out = spring_profile(plan, sp, redis_connection())
    local = local_images(plan)
    for name, provider in block(plan.deployment.raw, "providers").items():
        if (isinstance(provider, dict) and provider.get("enabled") is True
                and isinstance(provider.get("bakeryDefaults"), dict)):
            node = copy.deepcopy(provider)
            bakery = node["bakeryDefaults"]
            images = merged_images(bakery.get("baseImages"), local.get(str(name), []))
            if images:
                bakery["baseImages"] = images
            else:
                bakery.pop("baseImages", None)
            out[name] = node
    return deep_merge(out, server(sp))
