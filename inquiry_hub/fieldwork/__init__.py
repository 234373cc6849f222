"""Fieldwork: interviews, consent terms, the identity vault, notes and transcripts, guide, sampling, search.

Confidential room: partners never reach it (404), tutors read it but cannot reveal identities.
"""

from flask import Blueprint

# cli_group=None: the room's commands sit at the top level (``flask rotate-vault-key``).
bp = Blueprint("fieldwork", __name__, cli_group=None)

from inquiry_hub.fieldwork import cli, routes  # noqa: E402,F401
