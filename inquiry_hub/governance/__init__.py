"""Governance: collective actions, proposals and positions (the decisions room)."""

from flask import Blueprint

bp = Blueprint("governance", __name__)

from inquiry_hub.governance import routes  # noqa: E402,F401
