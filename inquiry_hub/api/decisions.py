"""Meetings and proposals: list, read, and take a position on a proposal.

Meetings: a partner sees joint meetings only, and their minutes once the team published
them. Proposals (free proposals and collective actions waiting for the inquiry's rule, in
one list as on the web) are internal to the team: a partner gets 404, a tutor reads but takes
no position (403) — except the proposals the partner co-decides (a student's amendment of its
brief), which the partner reads, with the partner's positions only, and answers. Positions hidden until the deadline stay hidden here too: each voter's
stance and reason come from the same ``positions_json`` as the web page.
"""

from __future__ import annotations

from dataclasses import dataclass

import marshmallow as ma
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import select

from inquiry_hub import policy
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
    paginate,
    require,
    user,
)
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.governance import face as governance_face
from inquiry_hub.governance.face import Meeting
from inquiry_hub.governance.services import commission, decisions
from inquiry_hub.governance.services import meetings as meeting_services
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.models import Proposal, Stance

meetings_bp = Blueprint(
    "meetings", __name__, description="Meetings of an inquiry (a partner: joint meetings only)."
)
bp = Blueprint(
    "proposals",
    __name__,
    description="Proposals and collective actions, and the positions taken on them (the team only).",
)

#: The longest reason of a position (as on the web form).
REASON_MAX = 5000

# --- meetings ---------------------------------------------------------------------------


class MeetingSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    inquiry_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    held_at = UtcDateTime(required=True)
    place = ma.fields.String(required=True)
    kind = ma.fields.String(
        required=True, metadata={"description": "`team`, `with_tutor` or `joint` (seen by the partner)."}
    )
    published = ma.fields.Boolean(
        required=True,
        metadata={"description": "The minutes of a joint meeting are published to the partner."},
    )
    facilitator_id = ma.fields.Integer(allow_none=True, required=True)
    secretary_id = ma.fields.Integer(allow_none=True, required=True)
    timekeeper_id = ma.fields.Integer(allow_none=True, required=True)
    created_at = UtcDateTime(required=True)


class MeetingDetailSchema(MeetingSchema):
    agenda = ma.fields.List(ma.fields.String(), required=True)
    attendee_ids = ma.fields.List(ma.fields.Integer(), required=True)
    minutes = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "Markdown; null for a partner until the team publishes them."},
    )
    minutes_version = ma.fields.Integer(required=True)


@dataclass(frozen=True)
class _InternalMeeting:
    """Stands for any meeting that is not joint, to ask the policy about all of them."""

    inquiry: object
    visible_to_partner: bool = False


@meetings_bp.route(f"/inquiries/<{ID_PATH}:inquiry_id>/meetings", tags=[meetings_bp.name])
class InquiryMeetings(MethodView):
    @meetings_bp.arguments(PageQuery, location="query")
    @meetings_bp.response(200, MeetingSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args, inquiry_id):
        """The meetings the caller may see, newest first."""
        inquiry = load_inquiry(inquiry_id)
        require("meetings.view", inquiry)
        joint_only = not policy.can(user(), "meetings.view", _InternalMeeting(inquiry))
        items, headers = paginate(governance_face.meetings_query(inquiry, joint_only=joint_only), args)
        return items, 200, headers


@meetings_bp.route(f"/meetings/<{ID_PATH}:meeting_id>", tags=[meetings_bp.name])
class MeetingItem(MethodView):
    @meetings_bp.response(200, MeetingDetailSchema)
    def get(self, meeting_id):
        """A meeting: facts, agenda, roles, attendance, minutes (published ones for the partner)."""
        meeting = load_in_inquiry(Meeting, meeting_id)
        require("meetings.view", meeting)  # a partner: joint meetings only
        result = {c: getattr(meeting, c) for c in MeetingSchema._declared_fields}
        result.update(
            agenda=[item.title for item in meeting.agenda],
            attendee_ids=[u.id for u in meeting.attendees],
            # The partner reads the published version, never a later edit.
            minutes=meeting_services.minutes_for(meeting, user()),
            minutes_version=meeting.minutes_version,
        )
        return result


# --- proposals --------------------------------------------------------------------------


class ProposalSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    inquiry_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True, metadata={"description": "In the caller's language."})
    body = ma.fields.String(required=True, metadata={"description": "Markdown."})
    kind = ma.fields.String(
        required=True, metadata={"description": "How it is decided: consent, majority, advice, sense_check."}
    )
    free = ma.fields.Boolean(
        required=True,
        metadata={"description": "A proposal written by the team; false for a collective action."},
    )
    action = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "The collective action it carries out once passed; null when free."},
    )
    status = ma.fields.String(required=True, metadata={"description": "open, passed, rejected, withdrawn."})
    author_id = ma.fields.Integer(allow_none=True, required=True)
    deadline = UtcDateTime(required=True)
    created_at = UtcDateTime(required=True)
    closed_at = UtcDateTime(allow_none=True, required=True)
    outcome = ma.fields.String(required=True)
    hide_positions = ma.fields.Boolean(
        required=True, metadata={"description": "Positions stay hidden until the deadline."}
    )
    positions_count = ma.fields.Integer(required=True, metadata={"description": "Positions taken."})
    co_decided = ma.fields.Boolean(
        required=True,
        metadata={
            "description": "Also needs the partner's agreement (a student's amendment of the brief); "
            "the partner reads and answers only these."
        },
    )


class VoterSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class PositionSchema(ma.Schema):
    user = ma.fields.Nested(VoterSchema, required=True)
    stance = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "agree, abstain, disagree, block; null if none taken or hidden."},
    )
    reason = ma.fields.String(allow_none=True, required=True)
    hidden = ma.fields.Boolean(required=True, metadata={"description": "Hidden until the deadline."})


class ProposalDetailSchema(ProposalSchema):
    positions_hidden = ma.fields.Boolean(required=True)
    positions = ma.fields.List(
        ma.fields.Nested(PositionSchema),
        required=True,
        metadata={
            "description": "Every voter; others' positions hidden while the proposal hides them. "
            "For a co-deciding partner: the partner's positions only."
        },
    )


class ProposalQuery(PageQuery):
    status = ma.fields.String(validate=ma.validate.OneOf(decisions.STATUSES))


class PositionInSchema(StrictSchema):
    stance = ma.fields.String(required=True, validate=ma.validate.OneOf([str(s) for s in Stance]))
    reason = Text(
        load_default="",
        validate=ma.validate.Length(max=REASON_MAX),
        metadata={"description": "Required to disagree or block."},
    )


def _summary(proposal: Proposal) -> dict:
    return {
        "id": proposal.id,
        "inquiry_id": proposal.inquiry_id,
        "title": engine.title_of(proposal),
        "body": proposal.body,
        "kind": proposal.kind,
        "free": proposal.is_free,
        "action": proposal.action,
        "status": proposal.status,
        "author_id": proposal.author_id,
        "deadline": proposal.deadline,
        "created_at": proposal.created_at,
        "closed_at": proposal.closed_at,
        "outcome": proposal.outcome,
        "hide_positions": proposal.hide_positions,
        "positions_count": len(proposal.positions),
        "co_decided": proposal.co_decided,
    }


def _as_partner(proposal: Proposal) -> bool:
    return not policy.can(user(), "decisions.view", proposal) and policy.can(
        user(), "decisions.take_position_as_partner", proposal
    )


def _detail(proposal: Proposal) -> dict:
    """The proposal with the positions the caller may see (the web page's rule)."""
    # A co-deciding partner sees the co-deciders' positions, never the team's deliberation.
    people = (
        engine.co_deciders(proposal.inquiry) if _as_partner(proposal) else engine.voters(proposal.inquiry)
    )
    seen = decisions.positions_json(proposal, user(), people, utcnow())
    return {
        **_summary(proposal),
        "positions_hidden": seen["positions_hidden"],
        "positions": seen["positions"],
    }


def _proposal(proposal_id: int) -> Proposal:
    proposal = load_in_inquiry(Proposal, proposal_id)
    if not _as_partner(proposal):
        require("decisions.view", proposal)
    return proposal


@bp.route(f"/inquiries/<{ID_PATH}:inquiry_id>/proposals", tags=[bp.name])
class InquiryProposals(MethodView):
    @bp.arguments(ProposalQuery, location="query")
    @bp.response(200, ProposalSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args, inquiry_id):
        """Free proposals and collective actions in one list, newest first, optionally by status."""
        inquiry = load_inquiry(inquiry_id)
        require("decisions.view", inquiry)
        query = (
            select(Proposal)
            .where(Proposal.inquiry_id == inquiry.id)
            .options(db.selectinload(Proposal.positions))
            .order_by(Proposal.created_at.desc(), Proposal.id.desc())
        )
        if args.get("status"):
            query = query.where(Proposal.status == args["status"])
        items, headers = paginate(query, args)
        return [_summary(p) for p in items], 200, headers


@bp.route(f"/proposals/<{ID_PATH}:proposal_id>", tags=[bp.name])
class ProposalItem(MethodView):
    @bp.response(200, ProposalDetailSchema)
    def get(self, proposal_id):
        """A proposal and every voter's position, hidden ones hidden until the deadline."""
        return _detail(_proposal(proposal_id))


@bp.route(f"/proposals/<{ID_PATH}:proposal_id>/position", tags=[bp.name])
class ProposalPosition(MethodView):
    @bp.arguments(PositionInSchema)
    @bp.response(200, ProposalDetailSchema)
    @bp.alt_response(409, schema=ErrorSchema, description="The proposal is closed.")
    def put(self, data, proposal_id):
        """Take or change your position: agree, abstain, disagree or block (the last two with a reason)."""
        proposal = _proposal(proposal_id)
        partner = _as_partner(proposal)
        if not partner:
            require("decisions.take_position", proposal)
        if not proposal.is_open:
            fail(409, _("This proposal is closed."))
        if data["stance"] in (Stance.DISAGREE, Stance.BLOCK) and not data["reason"].strip():
            fail(
                422, _("Some fields are not valid."), reason=[_("A disagreement or a block needs a reason.")]
            )
        try:
            if partner:
                commission.partner_position(proposal, user(), data["stance"], data["reason"])
            else:
                engine.take_position(proposal, user(), data["stance"], data["reason"])
        except engine.ActionFailed as exc:
            db.session.rollback()
            # Closed by a position sent at the same moment: a conflict, not bad input.
            fail(409 if isinstance(exc, engine.ProposalClosed) else 422, str(exc))
        return _detail(proposal)
