"""Pages of the fieldwork room; each module holds one part of it."""

from flask import g
from flask_login import current_user

from inquiry_hub import policy
from inquiry_hub.fieldwork import bp
from inquiry_hub.fieldwork.forms import CONSENT_LABELS, KIND_LABELS, QUOTATION_LABELS, STATUS_LABELS
from inquiry_hub.scope import scope_blueprint

scope_blueprint(bp)


@bp.before_request
def _room_is_confidential():
    # Every URL of the room, whatever its method: a role that cannot view it gets 404.
    if g.get("inquiry") is not None:
        policy.require(current_user, "fieldwork.view", g.inquiry)


@bp.after_request
def _never_cache(response):
    # Field material must not linger in shared browser or proxy caches.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.context_processor
def _labels():
    return {
        "status_label": lambda s: STATUS_LABELS.get(s, s),
        "consent_label": lambda s: CONSENT_LABELS.get(s, s),
        "quotation_label": lambda s: QUOTATION_LABELS.get(s, s),
        "kind_label": lambda s: KIND_LABELS.get(s, s),
    }


from inquiry_hub.fieldwork.routes import coding, interviews, notes, planning, repseudonymise  # noqa: E402,F401
