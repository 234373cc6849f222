"""Positions sent at the same instant: each collective action executes once, at once, with no 5xx."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from inquiry_hub.accounts.models import Invitation
from inquiry_hub.activity.models import OutboxMessage
from inquiry_hub.extensions import db
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.models import Position, Proposal
from tests.concurrency.conftest import api_token, simultaneously
from tests.conftest import make_inquiry, make_user

pytestmark = pytest.mark.concurrency

ROUNDS = 8


def _invite_proposals(inquiry, author, count: int, tag: str) -> list[int]:
    ids = []
    for i in range(count):
        payload = {"email": f"guest.{tag}.{i}@test.example", "role": "tutor"}
        ids.append(engine.start(inquiry, author, "members.invite", payload).id)
    db.session.commit()
    return ids


def _position(server, token, proposal_id, stance="agree"):
    return lambda: server.request(
        "PUT", f"/api/v1/proposals/{proposal_id}/position", token, {"stance": stance}
    )


def test_simultaneous_positions_execute_each_action_exactly_once(server):
    alice, bruno, chloe = (make_user(n) for n in ("Alice", "Bruno", "Chloé"))
    inquiry = make_inquiry(students=[alice, bruno, chloe], rule="consent")
    tokens = {u.id: api_token(u) for u in (bruno, chloe)}
    ids = _invite_proposals(inquiry, alice, ROUNDS, "pos")

    statuses: Counter = Counter()
    for proposal_id in ids:
        calls = [_position(server, tokens[u.id], proposal_id) for u in (bruno, chloe, bruno, chloe)]
        statuses.update(status for status, _body in simultaneously(calls))

    db.session.expire_all()
    proposals = db.session.scalars(select(Proposal).where(Proposal.id.in_(ids))).all()
    invitations = Counter(
        db.session.scalars(select(Invitation.email).where(Invitation.inquiry_id == inquiry.id))
    )
    emails = Counter(
        db.session.scalars(select(OutboxMessage.to_addr).where(OutboxMessage.to_addr.like("guest.pos.%")))
    )
    summary = {
        "5xx": sum(n for s, n in statuses.items() if s >= 500),
        "still open": sum(p.status == "open" for p in proposals),
        "actions executed more than once": sum(n > 1 for n in invitations.values()),
        "most executions of one action": max(invitations.values(), default=0),
        "emails per invitation": sorted(set(emails.values())),
    }
    assert statuses[200] >= 2 * ROUNDS, dict(statuses)  # positive control: positions really taken
    assert summary == {
        "5xx": 0,
        "still open": 0,
        "actions executed more than once": 0,
        "most executions of one action": 1,
        "emails per invitation": [1],
    }
    assert len(invitations) == len(emails) == ROUNDS


def test_simultaneous_first_positions_of_one_person_never_give_a_5xx(server):
    students = [make_user(f"Student {i}") for i in range(4)]
    inquiry = make_inquiry(students=students, rule="consent")
    voter = students[1]
    token = api_token(voter)
    ids = _invite_proposals(inquiry, students[0], ROUNDS, "dup")

    statuses: Counter = Counter()
    for proposal_id in ids:
        results = simultaneously([_position(server, token, proposal_id) for _ in range(4)])
        statuses.update(status for status, _body in results)

    db.session.expire_all()
    counts = dict(
        db.session.execute(
            select(Position.proposal_id, func.count())
            .where(Position.proposal_id.in_(ids), Position.user_id == voter.id)
            .group_by(Position.proposal_id)
        ).all()
    )
    assert all(s < 500 for s in statuses), dict(statuses)
    assert statuses[200] >= ROUNDS, dict(statuses)
    assert counts == {i: 1 for i in ids}
