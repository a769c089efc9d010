"""Give a recorded bundle the images of another BOM (``hal deploy rollback --bom FILE``).

A rollback restores the objects and profiles recorded in history; with a BOM the
operator also says which images those services must run, e.g. to roll back a
configuration change while staying on a patched release.  Only the main container's
image of each Deployment changes; everything else is restored byte for byte.
"""

from __future__ import annotations

import copy
from pathlib import Path

from pyhalyard.halconfig.paths import HalPaths
from pyhalyard.plan import Plan
from pyhalyard.render.bundle import Bundle, ServiceBundle
from pyhalyard.render.images import Images, read_bom


def retag(bundle: Bundle, plan: Plan, paths: HalPaths, bom: Path) -> Bundle:
    """``bundle`` with each Spinnaker service's image from ``bom`` (whose own version is
    taken as the release); services the plan does not know keep their recorded image."""
    version = read_bom(bom).version or bundle.version
    images = Images(version, paths, bom=bom,
                    variant=plan.deployment.environment.image_variant)
    services: dict[str, ServiceBundle] = {}
    for name, service in bundle.services.items():
        sp = plan.services.get(name)
        if sp is None or sp.service.base == "redis" or not service.objects:
            services[name] = service
            continue
        objects = []
        for obj in service.objects:
            if obj.get("kind") == "Deployment":
                obj = copy.deepcopy(obj)
                obj["spec"]["template"]["spec"]["containers"][0]["image"] = images.image(sp)
            objects.append(obj)
        services[name] = ServiceBundle(name, service.profiles, tuple(objects))
    return Bundle(namespace=bundle.namespace, version=version, shared=bundle.shared,
                  services=services)
