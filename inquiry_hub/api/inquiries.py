"""``/inquiries``: the inquiries the token's owner is a member of."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from inquiry_hub import policy
from inquiry_hub.api.common import (
    ID_PATH,
    PAGINATION_HEADERS,
    PageQuery,
    load_inquiry,
    paginate,
    user,
)
from inquiry_hub.extensions import db
from inquiry_hub.inquiries.models import Inquiry

bp = Blueprint("inquiries", __name__, description="Inquiries of the token's owner.")


class PhaseSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)


class InquirySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    question = ma.fields.String(required=True, metadata={"description": "Markdown."})
    organisation = ma.fields.Function(lambda i: i.organisation.name, required=True)
    cohort = ma.fields.Function(lambda i: i.cohort.name, required=True)
    starts_on = ma.fields.Date(required=True)
    ends_on = ma.fields.Date(required=True)
    governance_rule = ma.fields.String(required=True)
    phases = ma.fields.List(ma.fields.Nested(PhaseSchema), required=True)
    capabilities = ma.fields.Function(
        lambda i: sorted(a for a in policy.INQUIRY_ACTIONS if policy.can(user(), a, i)),
        required=True,
        metadata={"description": "Actions the token's owner may take in this inquiry (policy)."},
    )


@bp.route("/inquiries", tags=[bp.name])
class Inquiries(MethodView):
    @bp.arguments(PageQuery, location="query")
    @bp.response(200, InquirySchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args):
        """The inquiries the token's owner is a member of, by title."""
        ids = policy.inquiry_ids_of(user()) or [0]
        query = (
            select(Inquiry)
            .where(Inquiry.id.in_(ids))
            .options(
                db.joinedload(Inquiry.organisation),
                db.joinedload(Inquiry.cohort),
                db.selectinload(Inquiry.phases),
            )
            .order_by(Inquiry.title, Inquiry.id)
        )
        items, headers = paginate(query, args)
        return items, 200, headers


@bp.route(f"/inquiries/<{ID_PATH}:inquiry_id>", tags=[bp.name])
class InquiryItem(MethodView):
    @bp.response(200, InquirySchema)
    def get(self, inquiry_id):
        """One inquiry; 404 for a non-member."""
        inquiry = load_inquiry(inquiry_id)
        policy.require(user(), "inquiry.view", inquiry)
        return inquiry
