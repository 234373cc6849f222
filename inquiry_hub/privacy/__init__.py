"""Privacy: retention and purge, personal data export, account closure, the inquiry archive, audit."""

from flask import Blueprint

bp = Blueprint("privacy", __name__)

from inquiry_hub.privacy import routes  # noqa: E402,F401
