"""Interviews of an inquiry: list, create, read; the identity only on an explicit, logged reveal.

Fieldwork is confidential: a partner gets 404 on every endpoint here. Identity keys are
returned only to a role that may reveal them, only with ``?reveal=1``, and each reveal is
recorded by the same service as on the web (who, when), before the response is sent.
"""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import select

from inquiry_hub.api.common import (
    ID_PATH,
    PAGINATION_HEADERS,
    ErrorSchema,
    PageQuery,
    StrictSchema,
    Text,
    UtcDateTime,
    fail,
    load_in_inquiry,
    load_inquiry,
    not_blank,
    paginate,
    require,
    user,
)
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.models import Interview, InterviewStatus

bp = Blueprint("interviews", __name__, description="Interviews (field material; never for partners).")


class IdentitySchema(ma.Schema):
    full_name = ma.fields.String(required=True)
    contact = ma.fields.String(required=True)
    aliases = ma.fields.List(ma.fields.String(), required=True)


class InterviewSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    inquiry_id = ma.fields.Integer(required=True)
    pseudonym = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    planned_on = ma.fields.Date(allow_none=True, required=True)
    conducted_on = ma.fields.Date(allow_none=True, required=True)
    place = ma.fields.String(required=True)
    duration_minutes = ma.fields.Integer(allow_none=True, required=True)
    withdrawn = ma.fields.Boolean(
        required=True, metadata={"description": "Consent withdrawn, material purged."}
    )
    created_at = UtcDateTime(required=True)


class InterviewDetailSchema(InterviewSchema):
    identity = ma.fields.Nested(
        IdentitySchema,
        allow_none=True,
        metadata={"description": "Only with ?reveal=1, for those who may reveal identities; logged."},
    )


class IdentityInSchema(StrictSchema):
    full_name = Text(required=True, validate=[ma.validate.Length(1, 200), not_blank])
    contact = Text(load_default="", validate=ma.validate.Length(max=300))
    aliases = Text(load_default="", validate=ma.validate.Length(max=1000))


class InterviewCreateSchema(StrictSchema):
    pseudonym = Text(required=True, validate=[ma.validate.Length(1, 40), not_blank])
    status = ma.fields.String(validate=ma.validate.OneOf([s.value for s in InterviewStatus]))
    planned_on = ma.fields.Date(allow_none=True)
    conducted_on = ma.fields.Date(allow_none=True)
    place = Text(load_default="", validate=ma.validate.Length(max=200))
    identity = ma.fields.Nested(
        IdentityInSchema, metadata={"description": "Stored encrypted; only those who may reveal identities."}
    )


class RevealQuery(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    reveal = ma.fields.Boolean(
        load_default=False, metadata={"description": "1 to reveal the identity (logged)."}
    )


@bp.route(f"/inquiries/<{ID_PATH}:inquiry_id>/interviews", tags=[bp.name])
class InquiryInterviews(MethodView):
    @bp.arguments(PageQuery, location="query")
    @bp.response(200, InterviewSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args, inquiry_id):
        """Interviews of the inquiry by pseudonym; never any identity."""
        inquiry = load_inquiry(inquiry_id)
        require("fieldwork.view", inquiry)
        query = select(Interview).where(Interview.inquiry_id == inquiry.id).order_by(Interview.pseudonym)
        items, headers = paginate(query, args)
        return items, 200, headers

    @bp.arguments(InterviewCreateSchema)
    @bp.response(201, InterviewSchema)
    @bp.alt_response(
        409, schema=ErrorSchema, description="Another interview of the inquiry uses this pseudonym."
    )
    def post(self, data, inquiry_id):
        """Add an interview, with its identity key if given (encrypted)."""
        inquiry = load_inquiry(inquiry_id)
        require("fieldwork.view", inquiry)
        require("fieldwork.edit", inquiry)
        identity = data.pop("identity", None)
        if identity is not None:
            require("fieldwork.reveal_identity", inquiry)
        if data.get("conducted_on") and "status" not in data:
            data["status"] = InterviewStatus.CONDUCTED.value
        try:
            interview = fieldwork.create_interview(inquiry, user(), data)
        except fieldwork.DuplicatePseudonym:
            db.session.rollback()
            fail(409, _("Another interview of this inquiry uses this pseudonym."))
        if identity is not None:
            fieldwork.set_identity(
                interview, user(), identity["full_name"], identity["contact"], identity["aliases"]
            )
        db.session.commit()
        return interview, 201


@bp.route(f"/interviews/<{ID_PATH}:interview_id>", tags=[bp.name])
class InterviewItem(MethodView):
    @bp.arguments(RevealQuery, location="query")
    @bp.response(200, InterviewDetailSchema)
    def get(self, args, interview_id):
        """One interview; with `?reveal=1` and the right, its identity (the reveal is logged)."""
        interview = load_in_inquiry(Interview, interview_id)
        require("fieldwork.view", interview)
        result = {c: getattr(interview, c) for c in InterviewSchema._declared_fields}
        if args["reveal"]:
            require("fieldwork.reveal_identity", interview)
            identity = fieldwork.reveal(interview, user())
            db.session.commit()
            result["identity"] = (
                {"full_name": identity.full_name, "contact": identity.contact, "aliases": identity.aliases}
                if identity is not None
                else None
            )
        return result
