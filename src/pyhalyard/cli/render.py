"""``hal deploy render --output-dir DIR``: the deployment as a kustomize-ready folder."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from pyhalyard.cli.context import AppContext, common_options, get_app


def not_empty(ctx: click.Context, param: click.Parameter, value: str | None) -> Path | None:
    """``--output-dir ''`` would silently mean the current folder (which render then
    replaces); a path must be spelled out, ``.`` included."""
    if value is None:
        return None
    if not value.strip():
        raise click.BadParameter("must not be empty")
    return Path(value)


def registry_value(ctx: click.Context, param: click.Parameter,
                   value: str | None) -> str | None:
    if value is None:
        return None
    from pyhalyard.errors import HalError
    from pyhalyard.render.images import check_registry

    try:
        return check_registry(value, "--registry")
    except HalError as exc:
        raise click.BadParameter(str(exc).removeprefix("--registry: ")) from None


@click.command()
@click.option("--output-dir", required=True, metavar="DIR", callback=not_empty,
              type=click.Path(file_okay=False),
              help="Folder to write (replaced only if an earlier render wrote it).")
@click.option("--registry", metavar="REGISTRY", callback=registry_value,
              help="Image registry to use instead of the release's (e.g. a mirror).")
@click.option("--bom", metavar="FILE", type=click.Path(dir_okay=False, exists=True,
                                                        path_type=Path),
              help="BOM file (Halyard's layout) giving each service's image tag.")
@common_options
def render(output_dir: Path, registry: str | None, bom: Path | None) -> None:
    """Render Kubernetes objects and profiles into DIR (no cluster needed).

    DIR gets kustomization.yaml plus one file per object; build it with
    `kubectl kustomize DIR`, apply it with `kubectl apply --server-side -k DIR`.  Config Secrets
    are inside, so the files are readable by you only.
    """
    app = get_app()
    with no_cyclic_gc():
        _render(app, output_dir, registry, bom)


@contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Rendering builds large, acyclic trees (a profile per account per clouddriver role);
    Python's cyclic collector re-scans them again and again for nothing and more than
    doubles the time at 2,000 accounts.  Reference counting still frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _render(app: AppContext, output_dir: Path, registry: str | None, bom: Path | None) -> None:
    from pyhalyard import pipeline
    from pyhalyard.errors import HalError
    from pyhalyard.render.build import build_bundle, images_for
    from pyhalyard.render.output import write_output
    from pyhalyard.validate import Severity, validate

    loaded = pipeline.load(app.paths, app.deployment)
    problems = validate(loaded)
    failing = [p for p in problems if p.severity is Severity.ERROR]
    if failing and not app.no_validate:
        raise HalError("refusing to render: the configuration has errors "
                       "(--no-validate renders anyway)\n" + "\n".join(map(str, failing)))
    for problem in problems:
        if problem.severity is not Severity.INFO and problem not in failing:
            app.warn(str(problem))
    plan = pipeline.plan(loaded)
    bundle = build_bundle(plan, app.paths, registry=registry, bom=bom)
    written = write_output(bundle, output_dir)

    images = images_for(plan, app.paths, registry=registry, bom=bom)
    rows: list[dict[str, Any]] = []
    for name, service in sorted(bundle.services.items()):
        deployment = next((o for o in service.objects if o["kind"] == "Deployment"), None)
        if deployment is None:
            rows.append({"service": name, "managed": False, "replicas": 0, "image": None,
                         "objects": []})
            continue
        rows.append({
            "service": name,
            "managed": True,
            "replicas": deployment["spec"]["replicas"],
            "image": deployment["spec"]["template"]["spec"]["containers"][0]["image"],
            "objects": [f"{o['kind']}/{o['metadata']['name']}" for o in service.objects],
        })
    data = {"outputDir": str(written.path), "version": bundle.version,
            "namespace": bundle.namespace, "objects": written.objects,
            "files": list(written.files), "services": rows}

    def human() -> None:
        if app.quiet:
            return
        try:
            source = images.describe()
        except HalError:  # every image pinned by artifactId: no BOM was needed
            source = "artifactId settings"
        click.echo(f"+ Rendered Spinnaker {bundle.version} into {output_dir} "
                   f"(namespace {bundle.namespace}, images from {source})")
        width = max((len(r["service"]) for r in rows), default=0) + len("spin-")
        for row in rows:
            name = f"spin-{row['service']}".ljust(width)
            if not row["managed"]:
                click.echo(f"  {name}  not managed (skipLifeCycleManagement)")
                continue
            count = row["replicas"]
            click.echo(f"  {name}  {count} replica{'s' if count != 1 else ' '}  {row['image']}")
        click.echo(f"  {written.objects} objects; build with `kubectl kustomize {output_dir}`, "
                   f"apply with `kubectl apply --server-side -k {output_dir}`")

    app.emit(data, human)
