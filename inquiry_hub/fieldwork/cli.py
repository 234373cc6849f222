"""Commands of the fieldwork room."""

from __future__ import annotations

import click

from inquiry_hub.fieldwork import bp
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.uow import unit_of_work


@bp.cli.command("rotate-vault-key")
def rotate_vault_key() -> None:
    """Re-encrypt every identity key with the first key of VAULT_KEYS (then drop the old keys)."""
    with unit_of_work():
        count = fieldwork.rotate_keys()
    click.echo(f"{count} identity keys re-encrypted with the current vault key")
