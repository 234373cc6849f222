"""Public names, proposed from the pre-share check: the team decides which names may pass the gate."""

from __future__ import annotations

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from inquiry_hub import policy
from inquiry_hub.deliverables import bp
from inquiry_hub.deliverables.routes import _version
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import face as fieldwork
from inquiry_hub.fieldwork.services import public_names
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.engine import ActionFailed
from inquiry_hub.inquiries.services import rule_label


@bp.app_template_global()
def public_names_of(inquiry) -> list:
    """The inquiry's public names (the pre-share check page)."""
    return public_names.public_names_of(inquiry)


def _start(deliverable_id: int, version_id: int, payload: dict):
    version = _version(deliverable_id, version_id)
    policy.require(current_user, "fieldwork.edit", g.inquiry)
    back = url_for(".share", deliverable_id=deliverable_id, version_id=version.id)
    try:
        proposal = engine.start(g.inquiry, current_user, public_names.ACTION, payload)
    except ActionFailed as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    if proposal is None:
        flash(_("Done: the check now treats this name accordingly."), "success")
    else:
        flash(_("Proposal opened: the team decides by %(rule)s.", rule=rule_label(proposal.kind)), "info")
    return redirect(back)


@bp.post("/<id:deliverable_id>/versions/<id:version_id>/public-names")
def propose_public_name(deliverable_id: int, version_id: int):
    """Propose that a name be treated as public (a collective action)."""
    return _start(deliverable_id, version_id, public_names.payload(request.form.get("name", "")))


@bp.post("/<id:deliverable_id>/versions/<id:version_id>/public-names/<id:name_id>/remove")
def remove_public_name(deliverable_id: int, version_id: int, name_id: int):
    """Propose that a public name no longer be treated as public."""
    row = fieldwork.public_name_or_404(g.inquiry, name_id)
    return _start(deliverable_id, version_id, public_names.payload(row.name, remove=True))
