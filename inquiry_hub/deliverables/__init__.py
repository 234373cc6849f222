"""Deliverables: what the partner commissioned, its versions, internal and partner reviews."""

from flask import Blueprint

bp = Blueprint("deliverables", __name__)

from inquiry_hub.deliverables import routes, routes_gate  # noqa: E402,F401
