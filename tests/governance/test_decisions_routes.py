"""The decisions room over HTTP: free proposals, positions, hidden positions, thread, log."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from inquiry_hub.activity.models import Notification, OutboxMessage
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.governance.services import decisions
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.models import Proposal, ProposalComment, ProposalReminder, ProposalStatus
from tests.conftest import login
from tests.governance.helpers import base, free_proposal, future
from tests.test_security import _login_with_token


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _new(team, **overrides):
    data = {"title": "Entretiens en binôme", "body": "**Pourquoi** : apprendre.", "kind": "consent"}
    data["deadline"] = future()
    data.update(overrides)
    return data


# --- creating free proposals ------------------------------------------------------------


def test_student_opens_a_free_proposal(client, team):
    login(client, team["student"])
    response = client.post(base(team, "decisions/new"), data=_new(team, hide_positions="y"))
    assert response.status_code == 302
    proposal = db.session.scalar(select(Proposal))
    assert (proposal.title, proposal.kind, proposal.action, proposal.hide_positions) == (
        "Entretiens en binôme",
        "consent",
        None,
        True,
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"title": ""},
        {"title": "x" * 201},
        {"kind": "dictatorship"},
        {"deadline": (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")},
        {"deadline": "not a date"},
        {"body": "x" * 20001},
    ],
    ids=["missing-title", "long-title", "bad-kind", "past-deadline", "bad-deadline", "long-body"],
)
def test_bad_proposal_rerenders_with_errors_and_saves_nothing(client, team, overrides):
    login(client, team["student"])
    response = client.post(base(team, "decisions/new"), data=_new(team, **overrides))
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert _count(Proposal) == 0


def test_list_shows_free_proposals_and_collective_actions_together(client, team):
    free_proposal(team, title="Choisir un terrain")
    engine.start(
        team["inquiry"], team["student"], "members.invite", {"email": "x@test.example", "role": "student"}
    )
    db.session.commit()
    login(client, team["tutor"])
    page = client.get(base(team, "decisions/")).get_data(as_text=True)
    assert "Choisir un terrain" in page and "x@test.example" in page


def test_list_filters_by_status(client, team):
    free_proposal(team, title="Ouverte")
    closed = free_proposal(team, title="Retirée")
    engine.withdraw(closed, team["student"])
    db.session.commit()
    login(client, team["student"])
    page = client.get(base(team, "decisions/?status=withdrawn")).get_data(as_text=True)
    assert "Retirée" in page and "Ouverte" not in page


# --- the proposal page ------------------------------------------------------------------


def test_page_shows_positions_reasons_and_who_has_not_answered(client, team):
    proposal = free_proposal(team)
    engine.take_position(proposal, team["students"][1], "disagree", "Trop tôt dans l'enquête.")
    db.session.commit()
    login(client, team["tutor"])
    page = client.get(base(team, f"decisions/{proposal.id}")).get_data(as_text=True)
    assert "Trop tôt dans l&#39;enquête." in page
    assert "Not answered yet: Student 0, Student 2." in page


def test_disagreeing_without_a_reason_rerenders_with_an_error(client, team):
    proposal = free_proposal(team)
    login(client, team["students"][1])
    response = client.post(base(team, f"decisions/{proposal.id}/position"), data={"stance": "disagree"})
    assert response.status_code == 422
    assert proposal.positions == []


def test_a_block_rejects_a_consent_proposal_and_notifies_the_others(client, team):
    proposal = free_proposal(team)
    login(client, team["students"][1])
    client.post(base(team, f"decisions/{proposal.id}/position"), data={"stance": "block", "reason": "Non."})
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.REJECTED
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.user_id == team["students"][2].id)
    )
    assert "proposal.blocked" in list(kinds)


def test_consent_free_proposal_passes_when_its_delay_runs_out(team):
    proposal = free_proposal(team, hours=48)
    assert engine.settle_due(now=utcnow() + timedelta(hours=49)) == 1
    assert proposal.status == ProposalStatus.PASSED


def test_majority_free_proposal_passes_with_more_than_half(team):
    proposal = free_proposal(team, kind="majority")
    engine.take_position(proposal, team["students"][0], "agree")
    assert proposal.is_open
    engine.take_position(proposal, team["students"][1], "agree")
    assert proposal.status == ProposalStatus.PASSED


def test_majority_free_proposal_is_rejected_when_half_disagree(team):
    proposal = free_proposal(team, kind="majority")
    engine.take_position(proposal, team["students"][0], "disagree", "Non.")
    engine.take_position(proposal, team["students"][1], "disagree", "Non.")
    assert proposal.status == ProposalStatus.REJECTED


@pytest.mark.parametrize("kind", ["advice", "sense_check"])
def test_advice_and_sense_check_only_close_at_the_deadline(team, kind):
    proposal = free_proposal(team, kind=kind)
    for student in team["students"]:
        engine.take_position(proposal, student, "agree")
    assert proposal.is_open
    engine.settle_due(now=utcnow() + timedelta(hours=49))
    assert proposal.status == ProposalStatus.PASSED


def test_advice_kind_never_executes_a_collective_action(team):
    team["inquiry"].governance_rule = "consent"
    proposal = engine.start(
        team["inquiry"], team["student"], "members.invite", {"email": "adv@test.example", "role": "student"}
    )
    proposal.kind = "advice"
    db.session.commit()
    for student in team["students"]:
        engine.take_position(proposal, student, "agree")
    engine.settle_due(now=utcnow() + timedelta(days=30))
    assert proposal.status == ProposalStatus.PASSED
    assert _count(OutboxMessage) == 0  # no invitation was sent


# --- hidden positions -------------------------------------------------------------------


@pytest.fixture
def hidden(team):
    proposal = free_proposal(team, hide=True)
    engine.take_position(proposal, team["students"][1], "disagree", "RAISON-SECRETE")
    db.session.commit()
    return proposal


@pytest.mark.parametrize("who", ["student", "tutor"])
def test_hidden_positions_are_not_on_the_page_before_the_deadline(client, team, hidden, who):
    login(client, team[who])
    page = client.get(base(team, f"decisions/{hidden.id}")).get_data(as_text=True)
    assert "RAISON-SECRETE" not in page and "hidden until the deadline" in page


def test_hidden_positions_are_not_in_the_json_before_the_deadline(client, team, hidden):
    login(client, team["student"])
    data = client.get(base(team, f"decisions/{hidden.id}.json")).get_json()
    assert "RAISON-SECRETE" not in str(data)
    assert data["positions_hidden"] is True
    assert {p["stance"] for p in data["positions"]} == {None}


def test_each_person_sees_their_own_hidden_position(client, team, hidden):
    login(client, team["students"][1])
    assert "RAISON-SECRETE" in client.get(base(team, f"decisions/{hidden.id}")).get_data(as_text=True)
    data = client.get(base(team, f"decisions/{hidden.id}.json")).get_json()
    mine = next(p for p in data["positions"] if p["user"]["id"] == team["students"][1].id)
    assert mine["reason"] == "RAISON-SECRETE"


def test_hidden_positions_show_once_the_deadline_passed(client, team, hidden):
    hidden.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    login(client, team["student"])  # the visit settles the proposal, then shows everything
    page = client.get(base(team, f"decisions/{hidden.id}")).get_data(as_text=True)
    assert "RAISON-SECRETE" in page
    assert "RAISON-SECRETE" in str(client.get(base(team, f"decisions/{hidden.id}.json")).get_json())


# --- thread and outcome -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["student", "tutor"])
def test_students_and_tutors_comment_in_the_thread(client, team, who):
    proposal = free_proposal(team)
    login(client, team[who])
    response = client.post(base(team, f"decisions/{proposal.id}/comments"), data={"body": "Et le terrain ?"})
    assert response.status_code == 302
    assert db.session.scalar(select(ProposalComment.body)) == "Et le terrain ?"


def test_empty_comment_saves_nothing(client, team):
    proposal = free_proposal(team)
    login(client, team["tutor"])
    assert client.post(base(team, f"decisions/{proposal.id}/comments"), data={"body": ""}).status_code == 422
    assert _count(ProposalComment) == 0


def test_author_writes_the_outcome_of_a_closed_free_proposal(client, team):
    proposal = free_proposal(team)
    engine.settle_due(now=utcnow() + timedelta(hours=49))
    db.session.commit()
    login(client, team["student"])
    client.post(base(team, f"decisions/{proposal.id}/outcome"), data={"outcome": "On le fait dès lundi."})
    db.session.refresh(proposal)
    assert proposal.outcome == "On le fait dès lundi."


def test_only_the_author_writes_the_outcome(client, team):
    proposal = free_proposal(team)
    engine.settle_due(now=utcnow() + timedelta(hours=49))
    db.session.commit()
    login(client, team["students"][1])
    assert (
        client.post(base(team, f"decisions/{proposal.id}/outcome"), data={"outcome": "x"}).status_code == 403
    )


def test_collective_action_outcome_is_written_automatically(team):
    proposal = engine.start(
        team["inquiry"], team["student"], "members.invite", {"email": "auto@test.example", "role": "student"}
    )
    with force_locale("en"):
        engine.settle_due(now=utcnow() + timedelta(hours=49))
    assert proposal.outcome == "Passed and carried out."


# --- decision log -----------------------------------------------------------------------


@pytest.fixture
def logged(team):
    first = free_proposal(team, title="Grille d'entretien commune")
    second = free_proposal(team, title="Restitution en mai")
    engine.settle_due(now=utcnow() + timedelta(hours=49))
    free_proposal(team, title="Encore ouverte")
    first.outcome = "Adoptée avec la partie bénévolat."
    second.outcome = "Reportée."
    db.session.commit()
    return team


def test_log_lists_closed_proposals_with_outcomes(client, logged):
    login(client, logged["tutor"])
    page = client.get(base(logged, "decisions/log")).get_data(as_text=True)
    assert "Adoptée avec la partie bénévolat." in page and "Encore ouverte" not in page


def test_log_search_reads_titles_and_outcomes(client, logged):
    login(client, logged["student"])
    page = client.get(base(logged, "decisions/log?q=bénévolat")).get_data(as_text=True)
    assert "Grille d&#39;entretien commune" in page and "Restitution en mai" not in page


def test_log_exports_csv(client, logged):
    login(client, logged["student"])
    response = client.get(base(logged, "decisions/log.csv"))
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert response.mimetype == "text/csv"
    assert {r["outcome"] for r in rows} == {"Adoptée avec la partie bénévolat.", "Reportée."}


def test_log_export_neutralises_spreadsheet_formulas(client, team):
    proposal = free_proposal(team, title="=HYPERLINK(1)")
    engine.settle_due(now=utcnow() + timedelta(hours=49))
    db.session.commit()
    login(client, team["student"])
    assert "'=HYPERLINK(1)" in client.get(base(team, "decisions/log.csv")).get_data(as_text=True)
    assert proposal.id


def test_log_exports_markdown(client, logged):
    login(client, logged["student"])
    response = client.get(base(logged, "decisions/log.md"))
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/markdown"
    assert "## " in text and "Reportée." in text


# --- reminders --------------------------------------------------------------------------


def test_reminder_goes_once_to_each_student_who_has_not_answered(team):
    proposal = free_proposal(team, hours=20)
    engine.take_position(proposal, team["students"][1], "agree")
    db.session.commit()
    assert decisions.send_reminders() == 2
    assert decisions.send_reminders() == 0
    db.session.commit()
    addresses = set(db.session.scalars(select(OutboxMessage.to_addr)))
    assert addresses == {team["students"][0].email, team["students"][2].email}
    assert _count(ProposalReminder) == 2


def test_no_reminder_earlier_than_24_hours_before_the_deadline(team):
    free_proposal(team, hours=30)
    assert decisions.send_reminders() == 0


def test_run_due_sends_the_reminders(app, team):
    free_proposal(team, hours=10)
    result = app.test_cli_runner().invoke(args=["run-due"])
    assert result.exit_code == 0, result.output
    assert "reminders: 3" in result.output
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.kind == "proposal.reminder")
    ).all()
    assert len(kinds) == 3


# --- role × action matrix ---------------------------------------------------------------

WHO = ("student", "tutor", "partner", "outsider", "admin")


@pytest.fixture
def world(team):
    proposal = free_proposal(team)
    return {**team, "proposal": proposal}


ROUTES = {
    "list": ("GET", "decisions/", None),
    "new-form": ("GET", "decisions/new", None),
    "new": ("POST", "decisions/new", lambda w: _new(w)),
    "page": ("GET", "decisions/{proposal}", None),
    "json": ("GET", "decisions/{proposal}.json", None),
    "comment": ("POST", "decisions/{proposal}/comments", lambda w: {"body": "Oui."}),
    "log": ("GET", "decisions/log", None),
    "csv": ("GET", "decisions/log.csv", None),
    "md": ("GET", "decisions/log.md", None),
}
EXPECTED = {
    "list": (200, 200, 404, 404, 404),
    "new-form": (200, 403, 404, 404, 404),
    "new": (302, 403, 404, 404, 404),
    "page": (200, 200, 404, 404, 404),
    "json": (200, 200, 404, 404, 404),
    "comment": (302, 302, 404, 404, 404),
    "log": (200, 200, 404, 404, 404),
    "csv": (200, 200, 404, 404, 404),
    "md": (200, 200, 404, 404, 404),
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_route_status_by_role(client, world, route, who):
    method, path, data = ROUTES[route]
    url = base(world, path.format(proposal=world["proposal"].id))
    login(client, world[who])
    response = client.get(url) if method == "GET" else client.post(url, data=data(world))
    assert response.status_code == EXPECTED[route][WHO.index(who)]


def test_proposal_of_another_inquiry_is_404(client, team):
    other = engine.open_free_proposal(
        team["other_inquiry"], team["outsider"], "Ailleurs", "", "consent", utcnow() + timedelta(days=2)
    )
    db.session.commit()
    login(client, team["student"])
    assert client.get(base(team, f"decisions/{other.id}")).status_code == 404
    assert client.get(base(team, f"decisions/{other.id}.json")).status_code == 404
    assert client.post(base(team, f"decisions/{other.id}/comments"), data={"body": "x"}).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["decisions/new", "decisions/{p}/comments", "decisions/{p}/position", "meetings/new", "logbook/new"],
)
def test_posts_without_csrf_token_are_refused(client, team, csrf_enabled, path):
    proposal = free_proposal(team)
    _login_with_token(client, team["student"])
    data = {"body": "x", "title": "x", "stance": "agree", "deadline": future(), "kind": "consent"}
    assert client.post(base(team, path.format(p=proposal.id)), data=data).status_code == 400
    assert _count(ProposalComment) == 0
