"""What the fieldwork resources share: collective actions started by a call, content ETags.

Deleting field material, and deleting or merging a code others used, goes through the
inquiry's governance rule exactly as on the web (``inquiries.engine.start``): the call
answers ``204`` (or ``200``) when the rule let it happen at once, ``202`` with the proposal
the team now decides on otherwise, ``409`` when the action cannot be started.

Interviews, codes and excerpts carry no version column: their ``ETag`` is a digest of their
fields, and a write must send it back in ``If-Match`` (``428`` without it, ``412`` when the
object changed since it was read), so nothing is overwritten blindly.
"""

from __future__ import annotations

import hashlib
import json

import marshmallow as ma
from flask import jsonify

from inquiry_hub.api.common import UtcDateTime, fail
from inquiry_hub.inquiries.engine import ActionFailed
from inquiry_hub.urls import path_for


class StartedActionSchema(ma.Schema):
    """The proposal a call opened: the team's governance rule now decides."""

    id = ma.fields.Integer(required=True)
    inquiry_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "The rule deciding it."})
    status = ma.fields.String(required=True)
    action = ma.fields.String(allow_none=True, required=True)
    deadline = UtcDateTime(required=True)
    url = ma.fields.Function(
        lambda p: path_for("governance.proposal", inquiry_id=p.inquiry_id, proposal_id=p.id),
        required=True,
        metadata={"description": "The proposal's page on the web."},
    )


class CollectiveSchema(ma.Schema):
    proposal = ma.fields.Nested(StartedActionSchema, required=True)


def started(proposal):
    """``202`` with the proposal the team decides on."""
    response = jsonify(CollectiveSchema().dump({"proposal": proposal}))
    response.status_code = 202
    return response


def run_collective(act):
    """Run ``act`` (which may start a collective action); 409 when it cannot be started."""
    from inquiry_hub.extensions import db

    try:
        return act()
    except ActionFailed as exc:
        db.session.rollback()
        fail(409, str(exc))


def content_etag(fields: dict) -> str:
    """A strong ETag from an object's fields (for objects without a version)."""
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()
    return f'"c{digest[:20]}"'
