"""Tasks: the team's shared board, its list view, task pages, checklists and comments."""

from flask import Blueprint

bp = Blueprint("tasks", __name__)

from inquiry_hub.tasks import column_routes, routes  # noqa: E402,F401
