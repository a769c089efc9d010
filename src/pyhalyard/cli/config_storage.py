"""``hal config storage``: where front50 (and kayenta) keep pipelines and applications.

Storage credentials are written to the config and never printed: show commands mask
them and edit messages only say that a secret was set.
"""

from __future__ import annotations

from typing import Any

import click

from pyhalyard.cli.config_common import (
    BOOL,
    SECRET_KEYS,
    dep_path,
    edit_deployment,
    edit_value,
    mask_secrets,
    read_mapping,
    require_any,
    set_value,
)
from pyhalyard.cli.context import AppContext, common_options, get_app
from pyhalyard.cli.secret_input import secret_option
from pyhalyard.halconfig.store import HalConfig

STORAGE = "persistentStorage"
STORE_TYPES = ("s3", "gcs", "azs", "redis", "oracle")


class _StorageGroup(click.Group):
    """s3, gcs and edit are written here; azs and oracle come from the command table
    (cli/table/rows_storage.py), imported only when one of them is asked for, so an s3
    edit does not pay for building the table."""

    def _table(self) -> click.Group:
        from pyhalyard.cli.table.build import TableGroup

        return TableGroup(self.name, table_path=("config", "storage"))

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._table().list_commands(ctx)})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or self._table().get_command(ctx, cmd_name)


@click.group(cls=_StorageGroup, invoke_without_command=True)
@common_options
@click.pass_context
def storage(ctx: click.Context) -> None:
    """Show the persistent storage (secrets masked), or change it."""
    if ctx.invoked_subcommand is None:
        _show_store()


@storage.command("edit")
@click.option("--type", "store_type", type=click.Choice(STORE_TYPES, case_sensitive=False),
              required=True, help="Which store front50 uses.")
@common_options
def storage_edit(store_type: str) -> None:
    """Choose the persistent store type."""
    app = get_app()
    value = store_type.lower()
    edit_value(app, [STORAGE, "persistentStoreType"], value)
    app.info(f"+ Persistent storage type is {value}")


def _edit_store(app: AppContext, kind: str, fields: dict[str, Any]) -> None:
    """Set the given ``persistentStorage.<kind>`` keys; hint when another type is selected."""
    values = {k: v for k, v in fields.items() if v is not None}

    def change(cfg: HalConfig, index: int) -> Any:
        for key, value in values.items():
            set_value(cfg.doc, dep_path(index, STORAGE, kind, key), value)
        return cfg.doc.get(dep_path(index, STORAGE, "persistentStoreType"))

    current = edit_deployment(app, change)
    shown = ", ".join(f"{k}=****" if k in SECRET_KEYS else f"{k}={v}" for k, v in values.items())
    app.info(f"+ Edited {kind} storage: {shown}")
    if current != kind:
        app.info(f"  (persistentStoreType is {current or 'not set'}; "
                 f"use it with: hal config storage edit --type {kind})")


def _show_store(*kind: str) -> None:
    """``persistentStorage`` (or one store of it), credentials masked."""
    app = get_app()
    app.emit(mask_secrets(read_mapping(app, [STORAGE, *kind])))


def _store_group(kind: str, about: str) -> click.Group:
    """``hal config storage <kind>``: shows that store (masked); its ``edit`` is added below."""

    @storage.group(kind, invoke_without_command=True, help=about)
    @common_options
    @click.pass_context
    def group(ctx: click.Context) -> None:
        if ctx.invoked_subcommand is None:
            _show_store(kind)

    return group


s3 = _store_group("s3", "S3 (or S3-compatible, e.g. MinIO) storage.")
gcs = _store_group("gcs", "Google Cloud Storage.")


@s3.command("edit")
@click.option("--bucket", help="Bucket name (created by front50 when missing).")
@click.option("--root-folder", help="Folder inside the bucket.")
@click.option("--region", help="AWS region of the bucket.")
@click.option("--endpoint", help="S3-compatible endpoint URL (e.g. MinIO).")
@click.option("--access-key-id", help="Access key id (default: the pod's AWS credentials).")
@secret_option("--secret-access-key", help="Secret access key.")
@click.option("--path-style-access", type=BOOL, metavar="true|false",
              help="Path-style bucket URLs (needed by most S3-compatible stores).")
@common_options
def s3_edit(bucket: str | None, root_folder: str | None, region: str | None,
            endpoint: str | None, access_key_id: str | None, secret_access_key: str | None,
            path_style_access: bool | None) -> None:
    """Change the S3 storage settings given."""
    require_any(bucket=bucket, root_folder=root_folder, region=region, endpoint=endpoint,
                access_key_id=access_key_id, secret_access_key=secret_access_key,
                path_style_access=path_style_access)
    _edit_store(get_app(), "s3", {
        "bucket": bucket, "rootFolder": root_folder, "region": region, "endpoint": endpoint,
        "accessKeyId": access_key_id, "secretAccessKey": secret_access_key,
        "pathStyleAccess": path_style_access,
    })


@gcs.command("edit")
@click.option("--bucket", help="Bucket name.")
@click.option("--root-folder", help="Folder inside the bucket.")
@click.option("--project", help="GCP project of the bucket.")
@click.option("--json-path", help="Service-account JSON key file (default: the pod's identity).")
@click.option("--bucket-location", help="Location for a bucket front50 creates.")
@common_options
def gcs_edit(bucket: str | None, root_folder: str | None, project: str | None,
             json_path: str | None, bucket_location: str | None) -> None:
    """Change the GCS storage settings given."""
    require_any(bucket=bucket, root_folder=root_folder, project=project, json_path=json_path,
                bucket_location=bucket_location)
    _edit_store(get_app(), "gcs", {
        "bucket": bucket, "rootFolder": root_folder, "project": project, "jsonPath": json_path,
        "bucketLocation": bucket_location,
    })
