"""Meetings: planning, rotating roles, minutes with revisions and conflicts, the partner."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.governance.models import Meeting, MinutesRevision
from inquiry_hub.governance.services import meetings
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.models import Proposal
from tests.conftest import login
from tests.governance.helpers import base, future, meeting


def _data(**overrides):
    data = {
        "title": "Réunion d'équipe",
        "held_at": future(24),
        "place": "https://visio.example/abc",
        "kind": "team",
        "agenda": "Tour de table\nGrille d'entretien\n\nDivers",
    }
    data.update(overrides)
    return data


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_student_plans_a_meeting_with_an_ordered_agenda_and_roles(client, team):
    login(client, team["student"])
    response = client.post(base(team, "meetings/new"), data=_data())
    assert response.status_code == 302
    item = db.session.scalar(select(Meeting))
    assert [a.title for a in item.agenda] == ["Tour de table", "Grille d'entretien", "Divers"]
    holders = {item.facilitator_id, item.secretary_id, item.timekeeper_id}
    assert holders == {s.id for s in team["students"]}


@pytest.mark.parametrize(
    "overrides",
    [{"title": ""}, {"title": "x" * 201}, {"held_at": "demain"}, {"kind": "secret"}, {"place": "x" * 301}],
    ids=["missing-title", "long-title", "bad-date", "bad-kind", "long-place"],
)
def test_bad_meeting_rerenders_with_errors_and_saves_nothing(client, team, overrides):
    login(client, team["student"])
    response = client.post(base(team, "meetings/new"), data=_data(**overrides))
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert _count(Meeting) == 0


def test_roles_rotate_from_one_meeting_to_the_next(team):
    first = meeting(team, held_at=utcnow() - timedelta(days=14))
    second = meeting(team, held_at=utcnow() - timedelta(days=7))
    assert first.facilitator_id != second.facilitator_id
    assert first.secretary_id != second.secretary_id


def test_the_team_can_swap_roles(client, team):
    item = meeting(team)
    a, b, c = (s.id for s in team["students"])
    login(client, team["students"][2])
    client.post(
        base(team, f"meetings/{item.id}/roles"), data={"facilitator": c, "secretary": a, "timekeeper": b}
    )
    db.session.refresh(item)
    assert (item.facilitator_id, item.secretary_id, item.timekeeper_id) == (c, a, b)


def test_roles_go_only_to_students_of_the_inquiry(client, team):
    item = meeting(team)
    login(client, team["student"])
    client.post(base(team, f"meetings/{item.id}/roles"), data={"facilitator": team["tutor"].id})
    db.session.refresh(item)
    assert item.facilitator_id != team["tutor"].id


def test_rotation_history_table_counts_the_roles(client, team):
    for days in (21, 14, 7):
        meeting(team, held_at=utcnow() - timedelta(days=days))
    login(client, team["tutor"])
    page = client.get(base(team, "meetings/")).get_data(as_text=True)
    assert "rotation-table" in page
    _, counts = meetings.rotation(team["inquiry"])
    assert all(counts[s.id] == {"facilitator": 1, "secretary": 1, "timekeeper": 1} for s in team["students"])


def test_attendance_is_recorded(client, team):
    item = meeting(team)
    login(client, team["student"])
    ids = [team["students"][0].id, team["tutor"].id]
    client.post(base(team, f"meetings/{item.id}/attendance"), data={"present": ids})
    db.session.refresh(item)
    assert {u.id for u in item.attendees} == set(ids)


# --- minutes ------------------------------------------------------------------------------


def test_saving_minutes_bumps_the_version_and_keeps_a_revision(client, team):
    item = meeting(team)
    login(client, team["student"])
    client.post(base(team, f"meetings/{item.id}/minutes"), data={"minutes": "v1", "version": "0"})
    client.post(base(team, f"meetings/{item.id}/minutes"), data={"minutes": "v2", "version": "1"})
    db.session.refresh(item)
    assert (item.minutes, item.minutes_version) == ("v2", 2)
    assert [r.body for r in item.revisions] == ["v2", "v1"]


def test_a_stale_save_shows_both_texts_and_overwrites_nothing(client, team):
    item = meeting(team, minutes="Texte de Bruno")
    login(client, team["students"][1])
    response = client.post(
        base(team, f"meetings/{item.id}/minutes"), data={"minutes": "Texte d'Alice", "version": "0"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Texte de Bruno" in page and "Texte d&#39;Alice" in page
    db.session.refresh(item)
    assert (item.minutes, item.minutes_version) == ("Texte de Bruno", 1)
    assert _count(MinutesRevision) == 1


def test_minutes_without_a_version_save_nothing(client, team):
    item = meeting(team)
    login(client, team["student"])
    assert client.post(base(team, f"meetings/{item.id}/minutes"), data={"minutes": "x"}).status_code == 422
    assert _count(MinutesRevision) == 0


# --- action items → tasks -----------------------------------------------------------------


def test_action_items_are_read_from_the_minutes(team):
    item = meeting(team, minutes="# CR\n- [ ] Appeler la SCIC\n- [x] Fait\n* [ ] Réserver la salle\n")
    assert meetings.action_items(item) == ["Appeler la SCIC", "Réserver la salle"]


def test_an_action_item_becomes_a_task_once(client, team):
    from inquiry_hub.tasks.models import Task

    item = meeting(team, minutes="- [ ] Appeler la SCIC\n")
    login(client, team["student"])
    url = base(team, f"meetings/{item.id}/tasks")
    assert client.post(url, data={"text": "Appeler la SCIC"}).status_code == 302
    client.post(url, data={"text": "Appeler la SCIC"})
    assert db.session.scalars(select(Task.title)).all() == ["Appeler la SCIC"]


def test_text_that_is_not_an_action_item_makes_no_task(client, team):
    item = meeting(team, minutes="- [ ] Appeler la SCIC\n")
    login(client, team["student"])
    assert client.post(base(team, f"meetings/{item.id}/tasks"), data={"text": "Autre"}).status_code == 400


# --- comments -----------------------------------------------------------------------------


def test_tutor_comments_on_a_meeting(client, team):
    item = meeting(team)
    login(client, team["tutor"])
    response = client.post(base(team, f"meetings/{item.id}/comments"), data={"body": "Pensez à l'éthique."})
    assert response.status_code == 302
    assert [c.body for c in item.comments] == ["Pensez à l'éthique."]


def test_empty_meeting_comment_saves_nothing(client, team):
    item = meeting(team)
    login(client, team["tutor"])
    assert client.post(base(team, f"meetings/{item.id}/comments"), data={"body": ""}).status_code == 422
    assert item.comments == []


# --- the partner ----------------------------------------------------------------------------


def test_partner_sees_joint_meetings_only_in_the_list(client, team):
    meeting(team, kind="joint", title="Comité de suivi")
    meeting(team, kind="team", title="Réunion interne")
    meeting(team, kind="with_tutor", title="Séance de tutorat")
    login(client, team["partner"])
    page = client.get(base(team, "meetings/")).get_data(as_text=True)
    assert "Comité de suivi" in page
    assert "Réunion interne" not in page and "Séance de tutorat" not in page


@pytest.mark.parametrize("kind", ["team", "with_tutor"])
def test_partner_gets_404_on_a_meeting_that_is_not_joint(client, team, kind):
    item = meeting(team, kind=kind)
    login(client, team["partner"])
    assert client.get(base(team, f"meetings/{item.id}")).status_code == 404


def test_partner_does_not_read_unpublished_minutes_of_a_joint_meeting(client, team):
    item = meeting(team, kind="joint", minutes="MINUTES-INTERNES")
    login(client, team["partner"])
    response = client.get(base(team, f"meetings/{item.id}"))
    assert response.status_code == 200
    assert "MINUTES-INTERNES" not in response.get_data(as_text=True)


def test_partner_reads_minutes_once_the_team_published_them(client, team):
    item = meeting(team, kind="joint", minutes="minutes-partagees")
    login(client, team["student"])
    client.post(base(team, f"meetings/{item.id}/publish"), data={"published": "1"})
    client.post("/auth/logout")
    proposal = db.session.scalar(select(Proposal).where(Proposal.action == "meetings.publish_minutes"))
    for student in team["students"][1:]:
        engine.take_position(proposal, student, "agree")  # the team's rule (consent) decides
    db.session.commit()
    login(client, team["partner"])
    assert "minutes-partagees" in client.get(base(team, f"meetings/{item.id}")).get_data(as_text=True)


def test_minutes_of_a_team_meeting_cannot_be_published(client, team):
    item = meeting(team, kind="team")
    login(client, team["student"])
    assert client.post(base(team, f"meetings/{item.id}/publish"), data={"published": "1"}).status_code == 400


# --- role × action matrix ---------------------------------------------------------------------

WHO = ("student", "tutor", "partner", "outsider", "admin")


@pytest.fixture
def world(team):
    return {**team, "team_meeting": meeting(team).id, "joint": meeting(team, kind="joint").id}


ROUTES = {
    "list": ("GET", "meetings/", None),
    "new-form": ("GET", "meetings/new", None),
    "new": ("POST", "meetings/new", _data),
    "team-page": ("GET", "meetings/{team_meeting}", None),
    "joint-page": ("GET", "meetings/{joint}", None),
    "team-edit": ("GET", "meetings/{team_meeting}/edit", None),
    "joint-edit": ("POST", "meetings/{joint}/edit", _data),
    "joint-minutes": ("POST", "meetings/{joint}/minutes", lambda: {"minutes": "x", "version": "0"}),
    "team-roles": ("POST", "meetings/{team_meeting}/roles", lambda: {"facilitator": "0"}),
    "joint-attendance": ("POST", "meetings/{joint}/attendance", lambda: {}),
    "joint-comment": ("POST", "meetings/{joint}/comments", lambda: {"body": "Merci."}),
    "team-comment": ("POST", "meetings/{team_meeting}/comments", lambda: {"body": "Merci."}),
}
EXPECTED = {
    "list": (200, 200, 200, 404, 404),
    "new-form": (200, 403, 403, 404, 404),
    "new": (302, 403, 403, 404, 404),
    "team-page": (200, 200, 404, 404, 404),
    "joint-page": (200, 200, 200, 404, 404),
    "team-edit": (200, 403, 404, 404, 404),
    "joint-edit": (302, 403, 403, 404, 404),
    "joint-minutes": (302, 403, 403, 404, 404),
    "team-roles": (302, 403, 404, 404, 404),
    "joint-attendance": (302, 403, 403, 404, 404),
    "joint-comment": (302, 302, 403, 404, 404),
    "team-comment": (302, 302, 404, 404, 404),
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_route_status_by_role(client, world, route, who):
    method, path, data = ROUTES[route]
    url = base(world, path.format(team_meeting=world["team_meeting"], joint=world["joint"]))
    login(client, world[who])
    response = client.get(url) if method == "GET" else client.post(url, data=data())
    assert response.status_code == EXPECTED[route][WHO.index(who)]


def test_meeting_of_another_inquiry_is_404(client, team):
    other = meetings.create_meeting(
        team["other_inquiry"], team["outsider"], title="Ailleurs", held_at=utcnow(), place="", kind="team"
    )
    db.session.commit()
    login(client, team["student"])
    assert client.get(base(team, f"meetings/{other.id}")).status_code == 404
    data = {"minutes": "x", "version": "0"}
    assert client.post(base(team, f"meetings/{other.id}/minutes"), data=data).status_code == 404
