"""The exactly-once building blocks, in-process: a transition happens once, a claimed message is
not taken by another run, a reminder's unique key lets it through once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from inquiry_hub.accounts.models import Invitation
from inquiry_hub.activity import services as activity
from inquiry_hub.activity.models import OutboxMessage
from inquiry_hub.db import insert_once, utcnow
from inquiry_hub.extensions import db
from inquiry_hub.governance.services.decisions import send_reminders
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.models import ProposalReminder
from tests.conftest import make_inquiry, make_user

pytestmark = pytest.mark.concurrency


@pytest.fixture
def trio():
    students = [make_user(f"Student {i}") for i in range(3)]
    return make_inquiry(students=students, rule="consent"), students


def test_a_passed_proposal_executes_once_however_often_it_is_settled(trio):
    inquiry, students = trio
    proposal = engine.start(
        inquiry, students[0], "members.invite", {"email": "g@test.example", "role": "tutor"}
    )
    proposal.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()

    closed = [engine.settle(proposal), engine.settle(proposal), engine.settle_due(inquiry)]
    db.session.commit()

    invitations = db.session.scalar(
        select(func.count(Invitation.id)).where(Invitation.email == "g@test.example")
    )
    assert (closed, proposal.status, invitations) == ([True, False, 0], "passed", 1)


def test_a_position_on_a_proposal_closed_meanwhile_is_refused_as_closed(trio):
    inquiry, students = trio
    proposal = engine.start(
        inquiry, students[0], "members.invite", {"email": "g@test.example", "role": "tutor"}
    )
    engine.withdraw(proposal, students[0])
    db.session.commit()
    with pytest.raises(engine.ProposalClosed):
        engine.take_position(proposal, students[1], "agree")


def test_an_action_that_is_no_longer_valid_passes_without_being_carried_out(trio):
    inquiry, students = trio
    proposal = engine.start(inquiry, students[0], "members.remove", {"user_id": students[2].id, "name": "S2"})
    other = engine.start(inquiry, students[0], "members.remove", {"user_id": students[2].id, "name": "S2"})
    with force_locale("en"):
        for voter in students[1:]:
            engine.take_position(proposal, voter, "agree")
        db.session.commit()
        engine.take_position(other, students[1], "agree")  # the second removal: already done
        db.session.commit()
    assert proposal.outcome == "Passed and carried out."
    assert other.status == "passed"
    assert other.outcome.startswith("Passed, but could not be carried out")


def test_insert_once_lets_one_row_through(trio):
    inquiry, students = trio
    proposal = engine.start(
        inquiry, students[0], "members.invite", {"email": "g@test.example", "role": "tutor"}
    )
    values = {"proposal_id": proposal.id, "user_id": students[1].id, "sent_at": utcnow()}
    assert [insert_once(db.session, ProposalReminder, **values) for _ in range(2)] == [True, False]


def test_reminders_are_sent_once_however_often_run_due_runs(trio):
    inquiry, students = trio
    proposal = engine.start(
        inquiry, students[0], "members.invite", {"email": "g@test.example", "role": "tutor"}
    )
    proposal.deadline = utcnow() + timedelta(hours=2)
    db.session.commit()
    sent = [send_reminders(), send_reminders()]
    db.session.commit()
    assert sent == [2, 0]


def test_a_message_claimed_by_another_run_is_not_sent_again(app):
    message = activity.queue_email("r@test.example", "Bonjour", "Bonjour.\n")
    db.session.commit()
    message.claimed_by, message.claimed_at = "another-run", utcnow()
    db.session.commit()
    sent: list[int] = []

    assert activity.deliver_outbox(lambda m: sent.append(m.id)) == (0, 0)
    # A run that died mid-send: after the lease, its claim is taken over.
    later = utcnow() + activity.CLAIM_LEASE + timedelta(minutes=1)
    assert activity.deliver_outbox(lambda m: sent.append(m.id), now=later) == (1, 0)
    db.session.expire_all()
    assert sent == [message.id]
    assert db.session.get(OutboxMessage, message.id).claimed_by is None
