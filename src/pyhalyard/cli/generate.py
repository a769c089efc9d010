"""``hal config generate``: write every managed service's profiles to ``<dep>/staging/``.

Like Halyard, the configuration is validated first and an ERROR stops the
command (``--no-validate`` skips that).  Unlike Halyard, each service gets its
own folder, and the new ``staging`` folder is written beside the old one and
renamed into place only when complete, so a failure never leaves it half-written.
"""

from __future__ import annotations

import click

from pyhalyard.cli.context import common_options, get_app
from pyhalyard.errors import HalError


@click.command()
@common_options
def generate() -> None:
    """Render the Spring profiles of every service into <deployment>/staging/<service>/."""
    from pyhalyard.halconfig.store import locked
    from pyhalyard.pipeline import load, plan
    from pyhalyard.render.profiles import render_profiles
    from pyhalyard.render.profiles.staging import replace_staging
    from pyhalyard.validate import Severity, validate

    app = get_app()
    if not app.paths.config.is_file():
        raise HalError(f"{app.paths.config}: no halconfig found (use --hal-dir or $HAL_DIR)")
    with locked(app.paths):
        loaded = load(app.paths, app.deployment)
        problems = validate(loaded)
        failing = [p for p in problems if p.severity is Severity.ERROR]
        if failing and not app.no_validate:
            raise HalError("refusing to generate: the configuration has errors\n"
                           + "\n".join(str(p) for p in failing))
        for problem in problems:
            if problem.severity is not Severity.INFO:
                app.warn(str(problem))
        profiles = render_profiles(plan(loaded))
        staging = app.paths.deployment(loaded.deployment.name).staging
        try:
            replace_staging(staging, profiles)
        except OSError as exc:
            raise HalError(f"{staging}: cannot write profiles ({exc.strerror or exc}); "
                           "nothing was changed") from None

    written = {name: sorted(files) for name, files in profiles.items() if files}

    def human() -> None:
        total = sum(len(files) for files in written.values())
        app.info(f"+ Generated {total} profile files for {len(written)} services in {staging}")
        for name, files in written.items():
            app.info(f"  {name}: {', '.join(files)}")

    if app.quiet and app.output is None:
        return
    app.emit({"staging": str(staging), "services": written}, human)
