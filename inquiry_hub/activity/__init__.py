"""Activity log, notifications and the email outbox."""

from flask import Blueprint

bp = Blueprint("activity", __name__)

from inquiry_hub.activity import routes  # noqa: E402,F401
