"""Governance: how a team decides and keeps track (the decisions room).

Proposals and collective actions (``/decisions``), the commission (``/commission``),
meetings with rotating roles (``/meetings``) and the logbook (``/logbook``).
"""

from flask import Blueprint

bp = Blueprint("governance", __name__)
meetings_bp = Blueprint("meetings", __name__)
logbook_bp = Blueprint("logbook", __name__)
commission_bp = Blueprint("commission", __name__)

from inquiry_hub.governance import routes  # noqa: E402,F401
