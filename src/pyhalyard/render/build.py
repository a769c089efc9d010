"""plan -> bundle: every enabled service's profiles and Kubernetes objects.

The one function ``hal deploy render`` and ``hal deploy apply`` both call, so
what is written to a folder and what reaches the cluster can never differ.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyhalyard.halconfig.paths import HalPaths
from pyhalyard.plan import Plan, ServicePlan
from pyhalyard.render import monitoring, pod_details
from pyhalyard.render.bundle import Bundle, KubeObject, ServiceBundle
from pyhalyard.render.images import Images
from pyhalyard.render.manifests import (
    CONFIG_VOLUME,
    check_namespace,
    namespace_object,
    service_objects,
)

REDIS_BASE = "redis"


def _seed_container(plan: Plan, sp: ServicePlan, images: Images) -> dict[str, Any]:
    """What the main container starts from: just the image for Spinnaker services; the
    Redis helper's spec (command, args, probes) for ``redis`` and ``redis-replica``."""
    if sp.service.base == REDIS_BASE:
        from pyhalyard.render.redis_objects import redis_container

        return dict(redis_container(plan, sp))  # it honours artifactId itself
    return {"image": images.image(sp)}


def _namespaces(plan: Plan) -> tuple[dict[str, Any], ...]:
    """The deployment's Namespace, plus those that service-settings ``location`` names."""
    main = namespace_object(plan)
    extra = []
    for name in pod_details.other_namespaces(plan):
        check_namespace(name)
        extra.append({**main, "metadata": {**main["metadata"], "name": name}})
    return (main, *extra)


def build_bundle(plan: Plan, paths: HalPaths, *, registry: str | None = None,
                 bom: Path | None = None) -> Bundle:
    """Render ``plan`` completely, in memory; raise HalError before anything is written.

    ``registry`` replaces the image registry, ``bom`` the BOM file (else
    ``<hal-dir>/.boms/bom/<version>.yml``, the release rule, or the bundled release table).

    ``services`` holds every enabled, deployable service.  A service with
    ``skipLifeCycleManagement: true`` is present with its profiles and *no* objects:
    it exists, but pyhalyard must neither create, update nor delete it.
    """
    from pyhalyard.render import dependencies
    from pyhalyard.render.aws_credentials import credentials_file
    from pyhalyard.render.profiles import render_profiles

    profiles = render_profiles(plan)
    shipped = dependencies.collect(plan, profiles)
    images = images_for(plan, paths, registry=registry, bom=bom)
    # Shared by the roles of a split; one copy per namespace the roles live in.
    file_secrets: dict[tuple[str, str], KubeObject] = {}
    services: dict[str, ServiceBundle] = {}
    daemon = monitoring.image(images, plan) if plan.deployment.metrics_enabled else None
    for sp in sorted(plan.enabled(), key=lambda s: s.name):
        if not sp.service.deployable:
            continue
        files = dict(profiles.get(sp.name, {}))
        if not sp.managed:
            services[sp.name] = ServiceBundle(sp.name, files, ())
            continue
        sidecar_files = monitoring.files(plan, sp) if daemon and monitoring.monitored(plan, sp) \
            else {}
        files.update(sidecar_files)
        objects = service_objects(plan, sp, files, _seed_container(plan, sp, images))
        if daemon and sidecar_files:
            monitoring.attach(objects, daemon, list(sidecar_files), CONFIG_VOLUME)
        objects, secrets = dependencies.attach(plan, sp, objects, shipped.get(sp.name, {}),
                                               credentials_file(plan, sp.service.base))
        file_secrets.update(((s["metadata"]["namespace"], s["metadata"]["name"]), s)
                            for s in secrets)
        services[sp.name] = ServiceBundle(sp.name, files, tuple(objects))
    shared = (*_namespaces(plan), *(file_secrets[n] for n in sorted(file_secrets)))
    return Bundle(namespace=plan.namespace, version=plan.deployment.version, shared=shared,
                  services=services)


def images_for(plan: Plan, paths: HalPaths, *, registry: str | None = None,
               bom: Path | None = None) -> Images:
    """The image resolver build_bundle uses (for summaries and tests)."""
    return Images(plan.deployment.version, paths, registry=registry, bom=bom,
                  variant=plan.deployment.environment.image_variant)
