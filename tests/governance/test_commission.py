"""The commission: a versioned brief the partner may amend, decided by the team's rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from inquiry_hub.activity.models import Notification
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.governance.models import CommissionVersion
from inquiry_hub.governance.services import commission
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.models import Proposal, ProposalStatus
from tests.conftest import login, make_inquiry, make_user
from tests.governance.helpers import base


def _brief(**overrides):
    data = {
        "research_questions": "- Qui décide des investissements ?",
        "scope": "Les sociétaires de la SCIC.",
        "schedule": "Restitution en mai.",
        "deliverables": "Un rapport, une restitution orale.",
        "note": "Ajout de la restitution orale",
    }
    data.update(overrides)
    return data


def _amendment(client, team, **overrides):
    login(client, team["partner"])
    return client.post(base(team, "commission/amend"), data=_brief(**overrides))


def test_partner_amendment_opens_a_proposal_without_applying_it(client, team):
    assert _amendment(client, team).status_code == 302
    proposal = db.session.scalar(select(Proposal))
    assert proposal.action == "commission.amend" and proposal.is_open
    assert proposal.author_id == team["partner"].id
    assert proposal.positions == []  # the partner is not a voter
    assert commission.current(team["inquiry"]) is None


def test_partner_amendment_accepted_becomes_the_version_both_see(client, team):
    _amendment(client, team)
    proposal = db.session.scalar(select(Proposal))
    for student in team["students"]:
        engine.take_position(proposal, student, "agree")
    db.session.commit()
    assert proposal.status == ProposalStatus.PASSED
    current = commission.current(team["inquiry"])
    assert (current.version, current.scope) == (1, "Les sociétaires de la SCIC.")
    for who in ("partner", "student"):
        client.post("/auth/logout")
        login(client, team[who])
        assert "Les sociétaires de la SCIC." in client.get(base(team, "")).get_data(as_text=True)


def test_students_read_the_proposed_brief_on_the_proposal_page(client, team):
    _amendment(client, team, scope="PERIMETRE-PROPOSE")
    proposal = db.session.scalar(select(Proposal))
    client.post("/auth/logout")
    login(client, team["student"])
    assert "PERIMETRE-PROPOSE" in client.get(base(team, f"decisions/{proposal.id}")).get_data(as_text=True)


def test_partner_learns_the_fate_of_her_amendment(client, team):
    _amendment(client, team)
    proposal = db.session.scalar(select(Proposal))
    engine.take_position(proposal, team["students"][1], "block", "Hors du périmètre convenu.")
    db.session.commit()
    notes = db.session.scalars(
        select(Notification).where(
            Notification.user_id == team["partner"].id, Notification.kind.like("proposal.%")
        )
    ).all()
    assert [(n.kind, n.url) for n in notes] == [("proposal.rejected", f"/inquiries/{team['inquiry'].id}/")]


def test_partner_amendment_blocked_changes_nothing(client, team):
    _amendment(client, team)
    proposal = db.session.scalar(select(Proposal))
    engine.take_position(proposal, team["students"][1], "block", "Hors du périmètre convenu.")
    db.session.commit()
    assert proposal.status == ProposalStatus.REJECTED
    assert commission.current(team["inquiry"]) is None


def test_amendment_passes_on_delay_under_consent(client, team):
    _amendment(client, team)
    engine.settle_due(now=utcnow() + timedelta(hours=49))
    assert commission.current(team["inquiry"]).version == 1


def test_partner_amendment_waits_for_the_team_even_under_any_member(client, team):
    team["inquiry"].governance_rule = "any_member"
    db.session.commit()
    _amendment(client, team)
    assert commission.current(team["inquiry"]) is None
    assert db.session.scalar(select(Proposal)).is_open


def test_student_amendment_applies_at_once_under_any_member_when_no_partner_has_an_account(client):
    student = make_user("Solo")
    inquiry = make_inquiry(students=[student], rule="any_member")
    login(client, student)
    client.post(f"/inquiries/{inquiry.id}/commission/amend", data=_brief())
    assert commission.current(inquiry).version == 1


def test_student_amendment_waits_for_the_partner_even_under_any_member(client, team):
    """With a partner account, the brief is co-decided (tests/security/test_governance_attacks.py)."""
    team["inquiry"].governance_rule = "any_member"
    db.session.commit()
    login(client, team["student"])
    client.post(base(team, "commission/amend"), data=_brief())
    assert commission.current(team["inquiry"]) is None
    assert db.session.scalar(select(Proposal)).co_decided


def test_accepted_versions_are_numbered_and_kept(team):
    for scope in ("A", "B"):
        commission.apply_amendment(team["inquiry"], _brief(scope=scope), team["student"])
    db.session.commit()
    assert [v.scope for v in commission.history(team["inquiry"])] == ["B", "A"]


@pytest.mark.parametrize(
    "overrides",
    [
        {"note": ""},
        {"research_questions": "", "scope": "", "schedule": "", "deliverables": ""},
        {"scope": "x" * 20001},
    ],
    ids=["missing-note", "empty-brief", "too-long"],
)
def test_bad_amendment_rerenders_with_errors_and_saves_nothing(client, team, overrides):
    response = _amendment(client, team, **overrides)
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(Proposal.id))) == 0
    assert db.session.scalar(select(func.count(CommissionVersion.id))) == 0


WHO = ("student", "tutor", "partner", "outsider", "admin")
EXPECTED = {
    ("GET", "commission/"): (200, 200, 200, 404, 404),
    ("GET", "commission/amend"): (200, 403, 200, 404, 404),
    ("POST", "commission/amend"): (302, 403, 302, 404, 404),
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("route", sorted(EXPECTED))
def test_route_status_by_role(client, team, route, who):
    method, path = route
    login(client, team[who])
    url = base(team, path)
    response = client.get(url) if method == "GET" else client.post(url, data=_brief())
    assert response.status_code == EXPECTED[route][WHO.index(who)]
