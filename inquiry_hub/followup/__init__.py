"""Following the work: the tutor's view of the teams, the partner's portal and "my work"."""

from flask import Blueprint

bp = Blueprint("followup", __name__)

from inquiry_hub.followup import routes  # noqa: E402,F401
