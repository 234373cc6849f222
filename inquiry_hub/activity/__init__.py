"""Activity log, notifications and the email outbox."""

from flask import Blueprint

bp = Blueprint("activity", __name__)

# create_app imports ``routes`` (they need the inquiry rooms); importing them here would make
# every ``activity.services`` import pull in those rooms too: a circular import for
# anyone who imports ``inquiry_hub.governance`` first.
