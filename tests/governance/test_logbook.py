"""The logbook: personal entries are their author's alone, shared ones the team's and tutors'."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from inquiry_hub.activity.models import Activity
from inquiry_hub.extensions import db
from inquiry_hub.governance.models import LogbookComment, LogbookEntry
from tests.conftest import login
from tests.governance.helpers import base, entry


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _data(**overrides):
    data = {"written_on": "2026-11-20", "title": "Premier terrain", "body": "Ce que j'ai ressenti."}
    data.update(overrides)
    return data


def test_student_writes_a_shared_entry(client, team):
    login(client, team["student"])
    assert client.post(base(team, "logbook/new"), data=_data()).status_code == 302
    item = db.session.scalar(select(LogbookEntry))
    assert item.private_to_user_id is None and item.author_id == team["student"].id


def test_student_writes_a_personal_entry(client, team):
    login(client, team["student"])
    client.post(base(team, "logbook/new"), data=_data(personal="y"))
    assert db.session.scalar(select(LogbookEntry.private_to_user_id)) == team["student"].id


def test_a_personal_entry_leaves_no_trace_in_the_activity_log(team):
    entry(team, personal=True, title="SECRET")
    assert db.session.scalar(select(func.count(Activity.id)).where(Activity.summary == "SECRET")) == 0


@pytest.mark.parametrize(
    "overrides",
    [{"title": ""}, {"title": "x" * 201}, {"written_on": "hier"}, {"body": "x" * 50001}],
    ids=["missing-title", "long-title", "bad-date", "long-body"],
)
def test_bad_entry_rerenders_with_errors_and_saves_nothing(client, team, overrides):
    login(client, team["student"])
    response = client.post(base(team, "logbook/new"), data=_data(**overrides))
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert _count(LogbookEntry) == 0


@pytest.mark.parametrize("who", ["student", "tutor"])
def test_shared_entries_are_read_by_the_team_and_tutors(client, team, who):
    item = entry(team, team["students"][1], title="PARTAGEE")
    login(client, team[who])
    assert "PARTAGEE" in client.get(base(team, "logbook/")).get_data(as_text=True)
    assert client.get(base(team, f"logbook/{item.id}")).status_code == 200


@pytest.mark.parametrize("who", ["student", "tutor", "partner", "outsider", "admin"])
def test_a_personal_entry_is_404_for_everyone_but_its_author(client, team, who):
    item = entry(team, team["students"][1], personal=True, title="INTIME")
    login(client, team[who])
    assert client.get(base(team, f"logbook/{item.id}")).status_code == 404
    assert client.post(base(team, f"logbook/{item.id}/comments"), data={"body": "x"}).status_code == 404
    assert client.get(base(team, f"logbook/{item.id}/edit")).status_code == 404
    if who in ("student", "tutor"):
        assert "INTIME" not in client.get(base(team, "logbook/")).get_data(as_text=True)


def test_the_author_reads_her_personal_entry(client, team):
    item = entry(team, personal=True, title="INTIME")
    login(client, team["student"])
    assert "INTIME" in client.get(base(team, "logbook/")).get_data(as_text=True)
    assert client.get(base(team, f"logbook/{item.id}")).status_code == 200


def test_tutor_comments_on_a_shared_entry(client, team):
    item = entry(team)
    login(client, team["tutor"])
    response = client.post(base(team, f"logbook/{item.id}/comments"), data={"body": "Belle réflexion."})
    assert response.status_code == 302
    assert db.session.scalar(select(LogbookComment.body)) == "Belle réflexion."


def test_empty_comment_saves_nothing(client, team):
    item = entry(team)
    login(client, team["tutor"])
    assert client.post(base(team, f"logbook/{item.id}/comments"), data={"body": " "}).status_code == 422
    assert _count(LogbookComment) == 0


def test_only_the_author_edits_an_entry(client, team):
    item = entry(team)
    login(client, team["students"][1])
    assert client.post(base(team, f"logbook/{item.id}/edit"), data=_data(title="Autre")).status_code == 403


def test_the_author_can_make_a_shared_entry_personal(client, team):
    item = entry(team)
    login(client, team["student"])
    client.post(base(team, f"logbook/{item.id}/edit"), data=_data(personal="y"))
    db.session.refresh(item)
    assert item.private_to_user_id == team["student"].id


# --- role × action matrix ---------------------------------------------------------------------

WHO = ("student", "tutor", "partner", "outsider", "admin")
ROUTES = {
    "list": ("GET", "logbook/", None),
    "new-form": ("GET", "logbook/new", None),
    "new": ("POST", "logbook/new", _data),
    "entry": ("GET", "logbook/{entry}", None),
    "comment": ("POST", "logbook/{entry}/comments", lambda: {"body": "Oui."}),
    "edit": ("GET", "logbook/{entry}/edit", None),
}
EXPECTED = {
    "list": (200, 200, 404, 404, 404),
    "new-form": (200, 403, 404, 404, 404),
    "new": (302, 403, 404, 404, 404),
    "entry": (200, 200, 404, 404, 404),
    "comment": (302, 302, 404, 404, 404),
    "edit": (200, 403, 404, 404, 404),
}


@pytest.mark.parametrize("who", WHO)
@pytest.mark.parametrize("route", sorted(ROUTES))
def test_route_status_by_role(client, team, route, who):
    item = entry(team)
    method, path, data = ROUTES[route]
    url = base(team, path.format(entry=item.id))
    login(client, team[who])
    response = client.get(url) if method == "GET" else client.post(url, data=data())
    assert response.status_code == EXPECTED[route][WHO.index(who)]


def test_entry_of_another_inquiry_is_404(client, team):
    other = entry({"inquiry": team["other_inquiry"], "student": team["outsider"]}, title="Ailleurs")
    login(client, team["student"])
    assert client.get(base(team, f"logbook/{other.id}")).status_code == 404
