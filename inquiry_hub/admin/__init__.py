"""Admin area for programme staff: cohorts, organisations, creating inquiries.

Admins see inquiries as a list with counts; they never see an inquiry's content unless
they are one of its members.
"""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from inquiry_hub.admin import routes  # noqa: E402,F401
