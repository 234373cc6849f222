"""The collective-actions engine: rules, positions, execution (now and lazily)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from inquiry_hub import policy
from inquiry_hub.accounts.models import Invitation
from inquiry_hub.activity.models import Activity, OutboxMessage
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries import services as inquiries
from inquiry_hub.inquiries.engine import ActionFailed
from inquiry_hub.inquiries.models import Position, Proposal, ProposalStatus
from tests.conftest import login, make_inquiry, make_user

NEW = "nouvelle.personne@test.example"


def _invite(team, email=NEW, role="student", by=None, now=None):
    return engine.start(
        team["inquiry"], by or team["student"], "members.invite", {"email": email, "role": role}, now=now
    )


def _invitations(email=NEW) -> list[Invitation]:
    return db.session.scalars(select(Invitation).where(Invitation.email == email)).all()


def _outbox(email=NEW) -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == email)).all()


def _verbs(inquiry) -> list[str]:
    return db.session.scalars(select(Activity.verb).where(Activity.inquiry_id == inquiry.id)).all()


def _set_rule(team, rule):
    team["inquiry"].governance_rule = rule
    db.session.commit()


# --- consent ----------------------------------------------------------------------------


def test_consent_proposal_waits_for_its_delay(team):
    start = utcnow()
    proposal = _invite(team, now=start)
    assert engine.settle_due(now=start + timedelta(hours=47)) == 0
    assert proposal.is_open
    assert _invitations() == []


def test_consent_proposal_executes_after_its_delay_without_objection(team):
    start = utcnow()
    proposal = _invite(team, now=start)
    assert engine.settle_due(now=start + timedelta(hours=48, minutes=1)) == 1
    assert proposal.status == ProposalStatus.PASSED
    assert len(_invitations()) == 1
    assert len(_outbox()) == 1


def test_consent_invite_of_an_existing_account_sends_it_a_link_once_passed(team):
    newcomer = make_user("Newcomer")
    start = utcnow()
    _invite(team, email=newcomer.email, role="tutor", now=start)
    engine.settle_due(now=start + timedelta(hours=49))
    # Nobody joins because an account holds the address: the link decides (accounts tests).
    assert inquiries.membership_of(team["inquiry"], newcomer.id) is None
    assert [i.role for i in _invitations(newcomer.email)] == ["tutor"]


def test_consent_delay_follows_the_inquiry_setting(team):
    team["inquiry"].consent_delay_hours = 2
    db.session.commit()
    start = utcnow()
    _invite(team, now=start)
    assert engine.settle_due(now=start + timedelta(hours=2, minutes=1)) == 1
    assert len(_invitations()) == 1


def test_block_rejects_at_once_and_nothing_executes(team):
    start = utcnow()
    proposal = _invite(team, now=start)
    engine.take_position(proposal, team["students"][1], "block", "Pas sans en parler en réunion.", now=start)
    assert proposal.status == ProposalStatus.REJECTED
    engine.settle_due(now=start + timedelta(days=30))
    assert _invitations() == []
    assert _outbox() == []


def test_block_rejects_even_after_everyone_else_agreed(team):
    start = utcnow()
    proposal = _invite(team, now=start)
    engine.take_position(proposal, team["students"][1], "agree", now=start)
    # Two of three agree: still open, so the third student's block is heard.
    engine.take_position(proposal, team["students"][2], "block", "Non.", now=start)
    assert proposal.status == ProposalStatus.REJECTED


@pytest.mark.parametrize("stance", ["disagree", "block"])
@pytest.mark.parametrize("reason", ["", "   \n"])
def test_disagree_and_block_need_a_reason(team, stance, reason):
    proposal = _invite(team)
    with pytest.raises(ActionFailed):
        engine.take_position(proposal, team["students"][1], stance, reason)


def test_a_refused_position_is_not_recorded(team):
    proposal = _invite(team)
    with pytest.raises(ActionFailed):
        engine.take_position(proposal, team["students"][1], "block", "")
    assert [p.user_id for p in proposal.positions] == [team["student"].id]


def test_consent_passes_early_when_every_student_agrees(team):
    start = utcnow()
    proposal = _invite(team, now=start)
    engine.take_position(proposal, team["students"][1], "agree", now=start)
    engine.take_position(proposal, team["students"][2], "agree", now=start)
    assert proposal.status == ProposalStatus.PASSED
    assert len(_invitations()) == 1


def test_consent_counts_an_abstention_as_no_objection(team):
    start = utcnow()
    proposal = _invite(team, now=start)
    engine.take_position(proposal, team["students"][1], "agree", now=start)
    engine.take_position(proposal, team["students"][2], "abstain", now=start)
    assert proposal.status == ProposalStatus.PASSED


def test_consent_disagreement_is_recorded_but_does_not_stop_it_at_the_deadline(team):
    start = utcnow()
    proposal = _invite(team, now=start)
    engine.take_position(proposal, team["students"][1], "disagree", "Je préfère attendre.", now=start)
    assert proposal.is_open
    engine.settle_due(now=start + timedelta(hours=49))
    assert proposal.status == ProposalStatus.PASSED


def test_tutor_and_partner_are_not_counted_among_the_voters(team):
    assert {u.id for u in engine.voters(team["inquiry"])} == {u.id for u in team["students"]}


def test_a_closed_proposal_refuses_positions(team):
    start = utcnow()
    proposal = _invite(team, now=start)
    engine.settle_due(now=start + timedelta(hours=49))
    with pytest.raises(ActionFailed):
        engine.take_position(proposal, team["students"][1], "agree")


# --- majority ---------------------------------------------------------------------------


def test_majority_passes_when_more_than_half_agree(team):
    _set_rule(team, "majority")
    proposal = _invite(team)
    assert proposal.is_open  # 1 of 3
    engine.take_position(proposal, team["students"][1], "agree")
    assert proposal.status == ProposalStatus.PASSED
    assert len(_invitations()) == 1


def test_majority_stays_open_while_a_majority_is_still_possible(team):
    _set_rule(team, "majority")
    proposal = _invite(team)
    engine.take_position(proposal, team["students"][1], "disagree", "Trop tôt.")
    assert proposal.is_open


def test_majority_is_rejected_when_it_can_no_longer_reach_a_majority(team):
    _set_rule(team, "majority")
    proposal = _invite(team)
    engine.take_position(proposal, team["students"][1], "disagree", "Trop tôt.")
    engine.take_position(proposal, team["students"][2], "abstain")
    assert proposal.status == ProposalStatus.REJECTED
    assert _invitations() == []


def test_majority_without_a_majority_is_rejected_at_its_deadline(team):
    _set_rule(team, "majority")
    start = utcnow()
    proposal = _invite(team, now=start)
    engine.settle_due(now=start + timedelta(days=8))
    assert proposal.status == ProposalStatus.REJECTED
    assert _invitations() == []


# --- advice -----------------------------------------------------------------------------


def _advice(team, deadline):
    return engine.open_free_proposal(
        team["inquiry"], team["student"], "Changer de guide d'entretien ?", "", "advice", deadline
    )


def test_advice_stays_open_until_its_deadline_even_when_everyone_agrees(team):
    start = utcnow()
    proposal = _advice(team, start + timedelta(days=3))
    for student in team["students"]:
        engine.take_position(proposal, student, "agree", now=start)
    assert proposal.is_open


def test_advice_closes_at_its_deadline(team):
    start = utcnow()
    proposal = _advice(team, start + timedelta(days=3))
    engine.settle_due(now=start + timedelta(days=4))
    assert proposal.status == ProposalStatus.PASSED


def test_advice_never_executes_anything(team):
    start = utcnow()
    before = Counter(_verbs(team["inquiry"]))
    proposal = _advice(team, start + timedelta(days=3))
    for student in team["students"]:
        engine.take_position(proposal, student, "agree", now=start)
    engine.settle_due(now=start + timedelta(days=4))
    written = Counter(_verbs(team["inquiry"])) - before
    assert set(written) == {"decisions.proposed", "decisions.position", "decisions.passed"}
    assert db.session.scalars(select(OutboxMessage)).all() == []


# --- any_member -------------------------------------------------------------------------


def test_any_member_executes_immediately(team):
    _set_rule(team, "any_member")
    assert _invite(team) is None
    assert len(_invitations()) == 1
    assert db.session.scalars(select(Proposal)).all() == []


def test_any_member_logs_decisions_executed(team):
    _set_rule(team, "any_member")
    _invite(team)
    row = db.session.scalar(select(Activity).where(Activity.verb == "decisions.executed"))
    assert row.actor_id == team["student"].id
    assert row.inquiry_id == team["inquiry"].id


def test_invalid_payload_fails_before_any_proposal(team):
    with pytest.raises(ActionFailed):
        _invite(team, email=team["students"][1].email)
    assert db.session.scalars(select(Proposal)).all() == []
    _invite(team)  # control: a valid payload opens one
    assert len(db.session.scalars(select(Proposal)).all()) == 1


# --- removing members -------------------------------------------------------------------


def test_removing_the_last_student_fails(team):
    alone = make_user("Alone")
    inquiry = make_inquiry(students=[alone], tutors=[team["tutor"]])
    with pytest.raises(ActionFailed):
        engine.start(inquiry, alone, "members.remove", {"user_id": alone.id, "name": alone.name})
    assert inquiries.membership_of(inquiry, alone.id) is not None
    second = make_user("Second")  # control: with another student, the removal is proposed
    inquiries.add_member(inquiry, second, policy.Role.STUDENT)
    assert engine.start(inquiry, alone, "members.remove", {"user_id": alone.id, "name": alone.name})


def test_removal_that_would_leave_no_student_is_not_carried_out_when_it_passes(team):
    a, b = make_user("Anna"), make_user("Basile")
    inquiry = make_inquiry(students=[a, b])
    start = utcnow()
    remove_b = engine.start(inquiry, a, "members.remove", {"user_id": b.id, "name": b.name}, now=start)
    remove_a = engine.start(inquiry, b, "members.remove", {"user_id": a.id, "name": a.name}, now=start)
    with force_locale("en"):
        engine.settle(remove_b, start + timedelta(hours=49))
        engine.settle(remove_a, start + timedelta(hours=49))
    assert inquiries.membership_of(inquiry, b.id) is None
    assert inquiries.membership_of(inquiry, a.id) is not None
    assert remove_a.status == ProposalStatus.PASSED
    assert "could not be carried out" in remove_a.outcome


def test_removing_a_member_under_consent_deletes_the_membership_once_passed(team):
    start = utcnow()
    partner = team["partner"]
    proposal = engine.start(
        team["inquiry"],
        team["student"],
        "members.remove",
        {"user_id": partner.id, "name": partner.name},
        now=start,
    )
    assert inquiries.membership_of(team["inquiry"], partner.id) is not None
    engine.settle(proposal, start + timedelta(hours=49))
    assert inquiries.membership_of(team["inquiry"], partner.id) is None


# --- lazy execution and run-due ---------------------------------------------------------


def _overdue_invitation(team) -> Proposal:
    proposal = _invite(team)
    db.session.commit()
    proposal.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    return proposal


@pytest.mark.parametrize("page", ["", "members/", "decisions/", "activity/", "edit"])
def test_overdue_proposal_is_executed_by_the_next_page_of_the_inquiry(client, team, page):
    proposal = _overdue_invitation(team)
    login(client, team["students"][2])
    assert client.get(f"/inquiries/{team['inquiry'].id}/{page}").status_code == 200
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).status == ProposalStatus.PASSED
    assert len(_invitations()) == 1


def test_request_of_a_non_member_executes_nothing(client, team):
    proposal = _overdue_invitation(team)
    login(client, team["outsider"])
    assert client.get(f"/inquiries/{team['inquiry'].id}/").status_code == 404
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).is_open


def test_page_of_another_inquiry_leaves_this_one_pending(client, team):
    proposal = _overdue_invitation(team)
    login(client, team["outsider"])
    assert client.get(f"/inquiries/{team['other_inquiry'].id}/").status_code == 200
    db.session.expire_all()
    assert db.session.get(Proposal, proposal.id).is_open


def test_run_due_closes_overdue_proposals(app, team):
    overdue = _overdue_invitation(team)
    pending = _invite(team, email="pas.encore@test.example")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["run-due"])
    assert result.exit_code == 0, result.output
    assert "proposals closed: 1" in result.output
    db.session.expire_all()
    assert db.session.get(Proposal, overdue.id).status == ProposalStatus.PASSED
    assert db.session.get(Proposal, pending.id).is_open
    assert len(_invitations()) == 1


def test_run_due_delivers_the_invitation_email_it_wrote(app, team):
    _overdue_invitation(team)
    app.test_cli_runner().invoke(args=["run-due"])
    db.session.expire_all()
    assert [m.sent_at is not None for m in _outbox()] == [True]


# --- who takes positions ----------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("tutor", 403), ("partner", 404)])
def test_only_students_take_positions(client, team, who, status):
    proposal = _invite(team)
    db.session.commit()
    login(client, team[who])
    url = f"/inquiries/{team['inquiry'].id}/decisions/{proposal.id}/position"
    assert client.post(url, data={"stance": "agree"}).status_code == status
    db.session.expire_all()
    assert db.session.scalars(select(Position).where(Position.user_id == team[who].id)).all() == []


# --- guards added after review ----------------------------------------------------------


def test_a_second_invitation_of_the_same_address_is_refused_while_one_is_pending(team):
    _invite(team)
    with pytest.raises(ActionFailed):
        _invite(team, by=team["students"][1])
    assert db.session.scalar(select(db.func.count(Proposal.id))) == 1


def test_an_address_with_a_pending_invitation_cannot_be_invited_again(team):
    _set_rule(team, "any_member")
    _invite(team)
    with pytest.raises(ActionFailed):
        _invite(team)
    assert len(_invitations()) == 1


def test_an_advice_proposal_never_carries_out_an_action_even_if_one_is_attached(team):
    proposal = Proposal(
        inquiry_id=team["inquiry"].id,
        author_id=team["student"].id,
        title="Avis",
        kind="advice",
        action="members.invite",
        payload={"email": NEW, "role": "student"},
        deadline=utcnow() - timedelta(minutes=1),
    )
    db.session.add(proposal)
    db.session.commit()
    engine.settle_due()
    assert proposal.status == ProposalStatus.PASSED
    assert _invitations() == []


def test_withdrawing_a_closed_proposal_is_refused(team):
    proposal = _invite(team)
    engine.withdraw(proposal, team["student"])
    with pytest.raises(ActionFailed):
        engine.withdraw(proposal, team["student"])
