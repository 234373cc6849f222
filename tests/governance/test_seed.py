"""The demo data of the decisions room (issue 7's acceptance)."""

from __future__ import annotations

from sqlalchemy import select

from inquiry_hub import seed
from inquiry_hub.extensions import db
from inquiry_hub.governance.models import LogbookEntry, Meeting
from inquiry_hub.governance.services import meetings
from inquiry_hub.inquiries.models import Inquiry, Proposal


def test_demo_inquiries_have_meetings_proposals_and_logbook_entries():
    seed.seed_demo()
    db.session.commit()
    for inquiry in db.session.scalars(select(Inquiry)):
        rows = db.session.scalars(select(Meeting).where(Meeting.inquiry_id == inquiry.id)).all()
        assert sum(1 for m in rows if m.minutes) >= 4
        assert len({m.facilitator_id for m in rows}) == 3  # the roles rotate
        _, counts = meetings.rotation(inquiry)
        for role in meetings.ROLES:
            held = [c[role] for c in counts.values()]
            assert max(held) - min(held) <= 1
        proposals = db.session.scalars(select(Proposal).where(Proposal.inquiry_id == inquiry.id)).all()
        statuses = {p.status for p in proposals}
        assert {"open", "passed", "rejected"} <= statuses
        mixed = [p for p in proposals if p.is_open and len({x.stance for x in p.positions}) > 1]
        assert mixed
        entries = db.session.scalars(select(LogbookEntry).where(LogbookEntry.inquiry_id == inquiry.id)).all()
        assert {e.is_personal for e in entries} == {True, False}
