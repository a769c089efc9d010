"""``hal backup create|restore``: Halyard's state as one tarball, restorable on another machine."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pyhalyard.cli.context import common_options, get_app
from pyhalyard.errors import HalError


@click.group()
@common_options
def backup() -> None:
    """Back up or restore the hal dir (config, custom profiles and every file the config names)."""


@backup.command("create")
@click.option("--backup-path", metavar="FILE", type=click.Path(dir_okay=False),
              help="Where to write the tarball (default: ~/halyard-<date>.tar, as Halyard).")
@common_options
def create(backup_path: str | None) -> None:
    """Create a backup of Halyard's state.

    A tarball of the hal dir in which the config points at copies of every local
    file it names (--kubeconfig-file, --json-path, --password-file, ...), kept
    under .backup/required-files, so it restores on another machine.  Secrets are
    kept as they are in the config: treat the tarball (mode 0600) like the config.
    """
    from pyhalyard.halconfig import backup as service

    app = get_app()
    target = Path(backup_path) if backup_path else service.default_backup_path()
    created = service.create(app.paths, target)

    def human() -> None:
        app.info(f"+ Successfully created a backup at location: {created.path}")
        if created.required:
            app.info(f"  with the {len(created.required)} file(s) the config names: "
                     + ", ".join(created.required))

    app.emit({"backupPath": str(created.path), "files": created.files,
              "requiredFiles": created.required}, human)


@backup.command("restore")
@click.option("--backup-path", metavar="FILE", required=True,
              type=click.Path(dir_okay=False),
              help="The .tar file created by running `hal backup create`.")
@click.option("--yes", is_flag=True, help="Do not ask before overwriting the hal dir "
              "(-q does the same, as in Halyard).")
@common_options
def restore(backup_path: str, yes: bool) -> None:
    """Restore an existing backup.

    It does not have to come from this machine: every file the config names is in
    the backup and is restored under $HAL_DIR/.backup/required-files.  Files of
    the hal dir that the backup also holds are overwritten (the current config is
    kept in .backup/ first); other files are left alone.
    """
    from pyhalyard.halconfig import backup as service

    app = get_app()
    paths = app.paths

    def confirm(names: list[str]) -> None:
        if yes or app.quiet or service.is_empty(paths):
            return
        prompt = (f"This will override your entire current halconfig directory ({paths.root}). "
                  "Do you want to continue?")
        if not sys.stdin.isatty():
            raise HalError(f"{paths.root}: restoring would overwrite this hal dir; "
                           "confirm with --yes (or -q)")
        click.confirm(prompt, abort=True, err=True)

    restored = service.restore(paths, Path(backup_path), confirm)

    def human() -> None:
        app.info(f"+ Successfully restored your backup ({restored.files} files) into "
                 f"{paths.root}")
        if restored.rewritten:
            app.info(f"  required files are in {paths.root / '.backup' / 'required-files'}")

    app.emit({"halDir": str(paths.root), "files": restored.files,
              "requiredFiles": restored.rewritten}, human)
