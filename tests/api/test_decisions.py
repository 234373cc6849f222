"""``/api/v1`` meetings and proposals: the policy, joint meetings, hidden positions, positions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.governance.services import meetings as meeting_services
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.models import Position, Proposal
from tests.api.conftest import Api, make_token
from tests.conftest import count_queries
from tests.governance.helpers import free_proposal, meeting

UNAUTHENTICATED = {"anonymous": 401, "revoked": 401, "expired": 401}

MEETINGS = {
    "student": 200,
    "tutor": 200,
    "partner": 200,
    "outsider": 404,
    "read_only": 200,
    **UNAUTHENTICATED,
}
TEAM_MEETING = {"student": 200, "tutor": 200, "partner": 404, "outsider": 404, "read_only": 200}
JOINT_MEETING = {"student": 200, "tutor": 200, "partner": 200, "outsider": 404, "read_only": 200}
PROPOSALS = {
    "student": 200,
    "tutor": 200,
    "partner": 404,
    "outsider": 404,
    "read_only": 200,
    **UNAUTHENTICATED,
}
POSITION = {
    "student": 200,
    "tutor": 403,
    "partner": 404,
    "outsider": 404,
    "read_only": 403,
    **UNAUTHENTICATED,
}


@pytest.fixture
def gov(team):
    """A team meeting, a joint meeting with unpublished minutes, an open and a hidden proposal."""
    return {
        **team,
        "team_meeting": meeting(team, title="Réunion d'équipe", minutes="Interne."),
        "joint": meeting(team, kind="joint", title="Comité de suivi", minutes="Relevé commun."),
        "proposal": free_proposal(team, title="Changer de terrain"),
        "hidden": free_proposal(team, hide=True, title="Vote secret"),
    }


def _position(api, proposal, stance="agree", reason=""):
    return api.put(f"/api/v1/proposals/{proposal.id}/position", json={"stance": stance, "reason": reason})


@pytest.fixture
def voter(client, team):
    """``voter(1)`` → an Api client of the team's second student (``as_`` knows only the first)."""
    return lambda index: Api(client, make_token(team["students"][index]))


# --- meetings ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", MEETINGS)
def test_list_meetings_by_caller(as_, gov, who):
    assert as_(who).get(f"/api/v1/inquiries/{gov['inquiry'].id}/meetings").status_code == MEETINGS[who]


@pytest.mark.parametrize("who", TEAM_MEETING)
def test_read_team_meeting_by_caller(as_, gov, who):
    assert as_(who).get(f"/api/v1/meetings/{gov['team_meeting'].id}").status_code == TEAM_MEETING[who]


@pytest.mark.parametrize("who", JOINT_MEETING)
def test_read_joint_meeting_by_caller(as_, gov, who):
    assert as_(who).get(f"/api/v1/meetings/{gov['joint'].id}").status_code == JOINT_MEETING[who]


def test_partner_lists_only_joint_meetings(as_, gov):
    body = as_("partner").get(f"/api/v1/inquiries/{gov['inquiry'].id}/meetings").get_json()
    assert [m["id"] for m in body] == [gov["joint"].id]


def test_student_lists_every_meeting(as_, gov):
    body = as_("student").get(f"/api/v1/inquiries/{gov['inquiry'].id}/meetings").get_json()
    assert {m["id"] for m in body} == {gov["joint"].id, gov["team_meeting"].id}


def test_partner_does_not_read_unpublished_minutes(as_, gov):
    body = as_("partner").get(f"/api/v1/meetings/{gov['joint'].id}").get_json()
    assert body["minutes"] is None and body["published"] is False


def test_partner_reads_published_minutes(as_, gov):
    payload = {"meeting_id": gov["joint"].id, "version": gov["joint"].minutes_version}
    meeting_services.publish_minutes_action(gov["inquiry"], payload, gov["student"])
    db.session.commit()
    body = as_("partner").get(f"/api/v1/meetings/{gov['joint'].id}").get_json()
    assert body["minutes"] == "Relevé commun."


def test_tutor_reads_team_minutes_and_agenda(as_, gov):
    body = as_("tutor").get(f"/api/v1/meetings/{gov['team_meeting'].id}").get_json()
    assert body["minutes"] == "Interne."
    assert body["agenda"] == ["Point 1", "Point 2"]


def test_meeting_of_another_inquiry_is_404(as_, gov):
    other = meeting({**gov, "inquiry": gov["other_inquiry"], "student": gov["outsider"]}, title="Ailleurs")
    assert as_("student").get(f"/api/v1/meetings/{other.id}").status_code == 404


def test_meeting_list_query_count_does_not_grow(as_, gov):
    api = as_("partner")
    url = f"/api/v1/inquiries/{gov['inquiry'].id}/meetings?per_page=100"
    for n in range(2):
        meeting(gov, kind="joint", title=f"Comité {n}")
    api.get(url)
    with count_queries() as few:
        assert len(api.get(url).get_json()) == 3
    for n in range(12):
        meeting(gov, kind="joint", title=f"Suivi {n}")
    with count_queries() as many:
        assert len(api.get(url).get_json()) == 15
    assert many() == few()


# --- proposals: reading -----------------------------------------------------------------


@pytest.mark.parametrize("who", PROPOSALS)
def test_list_proposals_by_caller(as_, gov, who):
    assert as_(who).get(f"/api/v1/inquiries/{gov['inquiry'].id}/proposals").status_code == PROPOSALS[who]


@pytest.mark.parametrize("who", PROPOSALS)
def test_read_proposal_by_caller(as_, gov, who):
    assert as_(who).get(f"/api/v1/proposals/{gov['proposal'].id}").status_code == PROPOSALS[who]


def test_list_holds_free_proposals_and_collective_actions(as_, gov):
    action = engine.start(gov["inquiry"], gov["student"], "governance.change_rule", {"rule": "majority"})
    db.session.commit()
    body = as_("tutor").get(f"/api/v1/inquiries/{gov['inquiry'].id}/proposals").get_json()
    by_id = {p["id"]: p for p in body}
    assert by_id[action.id]["free"] is False and by_id[action.id]["action"] == "governance.change_rule"
    assert by_id[gov["proposal"].id]["free"] is True and by_id[gov["proposal"].id]["action"] is None


def test_list_filters_by_status(as_, gov):
    engine.withdraw(gov["proposal"], gov["student"])
    db.session.commit()
    api = as_("student")
    withdrawn = api.get(f"/api/v1/inquiries/{gov['inquiry'].id}/proposals?status=withdrawn").get_json()
    opened = api.get(f"/api/v1/inquiries/{gov['inquiry'].id}/proposals?status=open").get_json()
    assert [p["id"] for p in withdrawn] == [gov["proposal"].id]
    assert [p["id"] for p in opened] == [gov["hidden"].id]


def test_unknown_status_is_422(as_, gov):
    response = as_("student").get(f"/api/v1/inquiries/{gov['inquiry'].id}/proposals?status=maybe")
    assert response.status_code == 422


def test_proposal_of_another_inquiry_is_404(as_, gov):
    other = free_proposal({**gov, "inquiry": gov["other_inquiry"]}, by=gov["outsider"])
    assert as_("student").get(f"/api/v1/proposals/{other.id}").status_code == 404
    assert _position(as_("student"), other).status_code == 404


def test_proposal_list_query_count_does_not_grow(as_, gov):
    api = as_("student")
    url = f"/api/v1/inquiries/{gov['inquiry'].id}/proposals?per_page=100"
    free_proposal(gov, title="Troisième")
    api.get(url)
    with count_queries() as few:
        assert len(api.get(url).get_json()) == 3
    for n in range(12):
        proposal = free_proposal(gov, title=f"Proposition {n}")
        engine.take_position(proposal, gov["students"][1], "agree")
        db.session.commit()
    with count_queries() as many:
        assert len(api.get(url).get_json()) == 15
    assert many() == few()


# --- hidden positions -------------------------------------------------------------------


def test_hidden_positions_stay_hidden_before_the_deadline(as_, gov, voter):
    _position(voter(1), gov["hidden"], "disagree", "Trop tôt.")
    body = as_("tutor").get(f"/api/v1/proposals/{gov['hidden'].id}").get_json()
    assert body["positions_hidden"] is True
    assert all(p["stance"] is None and p["reason"] is None for p in body["positions"])
    assert "disagree" not in str(body) and "Trop tôt." not in str(body)


def test_a_voter_sees_only_their_own_hidden_position(as_, gov, voter):
    _position(voter(1), gov["hidden"], "disagree", "Pas convaincu.")
    _position(as_("student"), gov["hidden"], "agree")
    body = as_("student").get(f"/api/v1/proposals/{gov['hidden'].id}").get_json()
    stances = {p["user"]["id"]: p["stance"] for p in body["positions"]}
    assert stances[gov["student"].id] == "agree"
    assert stances[gov["students"][1].id] is None


def test_position_answer_does_not_leak_hidden_positions(as_, gov, voter):
    _position(voter(1), gov["hidden"], "disagree", "Pas convaincu.")
    response = _position(as_("student"), gov["hidden"], "agree")
    body = response.get_json()
    assert response.status_code == 200 and "agree" in str(body)  # control: the own position is answered
    assert "Pas convaincu." not in str(body) and "disagree" not in str(body)


def test_hidden_positions_are_shown_after_the_deadline(as_, gov, voter):
    _position(voter(1), gov["hidden"], "disagree", "Pas convaincu.")
    gov["hidden"].deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    body = as_("tutor").get(f"/api/v1/proposals/{gov['hidden'].id}").get_json()
    stances = {p["user"]["id"]: (p["stance"], p["reason"]) for p in body["positions"]}
    assert body["positions_hidden"] is False
    assert stances[gov["students"][1].id] == ("disagree", "Pas convaincu.")


def test_open_positions_are_visible_to_the_tutor(as_, gov, voter):
    _position(voter(1), gov["proposal"], "disagree", "Pas convaincu.")
    body = as_("tutor").get(f"/api/v1/proposals/{gov['proposal'].id}").get_json()
    theirs = next(p for p in body["positions"] if p["user"]["id"] == gov["students"][1].id)
    assert (theirs["stance"], theirs["reason"], theirs["hidden"]) == ("disagree", "Pas convaincu.", False)


# --- taking a position ------------------------------------------------------------------


@pytest.mark.parametrize("who", POSITION)
def test_take_position_by_caller(as_, gov, who):
    assert _position(as_(who), gov["proposal"]).status_code == POSITION[who]


def test_position_is_recorded_and_changed(as_, gov, voter):
    api = voter(1)
    _position(api, gov["proposal"], "disagree", "Pas encore.")
    response = _position(api, gov["proposal"], "abstain")
    assert response.status_code == 200
    stances = db.session.scalars(
        select(Position.stance).where(
            Position.proposal_id == gov["proposal"].id, Position.user_id == gov["students"][1].id
        )
    ).all()
    assert stances == ["abstain"]


@pytest.mark.parametrize("stance", ["block", "disagree"])
def test_block_or_disagree_without_reason_is_422_and_records_nothing(as_, gov, stance, voter):
    response = _position(voter(1), gov["proposal"], stance, "   ")
    assert response.status_code == 422
    assert "reason" in response.get_json()["error"]["details"]["json"]
    assert db.session.scalar(select(Position).where(Position.user_id == gov["students"][1].id)) is None


def test_block_with_reason_rejects_a_consent_proposal(as_, gov, voter):
    body = _position(voter(1), gov["proposal"], "block", "Non.").get_json()
    assert body["status"] == "rejected"


def test_position_on_a_closed_proposal_is_409(as_, gov, voter):
    engine.withdraw(gov["proposal"], gov["student"])
    db.session.commit()
    response = _position(voter(1), gov["proposal"])
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"


def test_position_after_the_deadline_is_409(as_, gov, voter):
    gov["proposal"].deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert _position(voter(1), gov["proposal"]).status_code == 409


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"stance": "maybe"},
        {"stance": 1},
        {"stance": "agree", "reason": "x" * 5001},
        {"stance": "agree", "reason": "a\x00b"},
        {"stance": "agree", "colour": "red"},
    ],
)
def test_bad_position_is_422(as_, gov, payload, voter):
    response = voter(1).put(f"/api/v1/proposals/{gov['proposal'].id}/position", json=payload)
    assert response.status_code == 422


def test_consent_passes_when_every_student_agrees(as_, gov, voter):
    _position(as_("student"), gov["proposal"])
    _position(voter(1), gov["proposal"])
    body = _position(voter(2), gov["proposal"]).get_json()
    assert body["status"] == "passed"
    assert db.session.get(Proposal, gov["proposal"].id).status == "passed"
