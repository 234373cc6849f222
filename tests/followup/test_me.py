"""My work: my tasks by due date, positions waiting for me, the team's week alike for all."""

import re
from datetime import date, timedelta

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from tests.conftest import login
from tests.followup.conftest import add_proposal, add_task, main_of


def test_my_tasks_come_by_due_date(client, team):
    today = utcnow().date()
    me = team["student"]
    add_task(team["inquiry"], "Later task", due_on=today + timedelta(days=5), assignees=[me])
    add_task(team["inquiry"], "Sooner task", due_on=today + timedelta(days=1), assignees=[me])
    add_task(team["inquiry"], "Someone else's", due_on=today, assignees=[team["students"][1]])
    db.session.commit()
    login(client, me)
    html = main_of(client.get("/me/")).split('id="waiting"')[0]
    assert html.index("Sooner task") < html.index("Later task")
    assert "Someone else&#39;s" not in html


def test_done_tasks_are_not_in_my_work(client, team):
    add_task(team["inquiry"], "Finished task", column="done", assignees=[team["student"]])
    add_task(team["inquiry"], "Open task", assignees=[team["student"]])
    db.session.commit()
    login(client, team["student"])
    html = main_of(client.get("/me/")).split('id="waiting"')[0]
    assert "Open task" in html  # control: the page lists my tasks
    assert "Finished task" not in html


def test_open_proposal_waits_for_my_position_until_i_take_one(client, team):
    add_proposal(team["inquiry"], "Choose the restitution date")
    add_proposal(team["inquiry"], "Already answered", block_by=team["student"])
    db.session.commit()
    login(client, team["student"])
    html = main_of(client.get("/me/"))
    assert "Choose the restitution date" in html and "Already answered" not in html


def test_tutor_is_not_asked_for_a_position(client, team):
    add_proposal(team["inquiry"], "Choose the restitution date")
    db.session.commit()
    login(client, team["student"])
    assert "Choose the restitution date" in main_of(client.get("/me/"))  # control: a student is asked
    login(client, team["tutor"])
    response = client.get("/me/")
    assert response.status_code == 200
    assert "Choose the restitution date" not in main_of(response)


def _team_section(client, user, inquiry):
    client.post("/auth/logout")
    login(client, user)
    html = main_of(client.get("/me/"))
    match = re.search(rf'<section aria-labelledby="team-{inquiry.id}">.*?</section>', html, re.S)
    return match.group(0)


def test_team_week_is_the_same_for_every_member(client, team):
    today = utcnow().date()
    students = team["students"]
    add_task(team["inquiry"], "Transcribe interview", "doing", assignees=students[:2])
    add_task(team["inquiry"], "Book the room", due_on=today, assignees=students[2:])
    add_task(team["inquiry"], "Nobody's yet", due_on=today)
    add_task(team["inquiry"], "Far away", due_on=date(2099, 1, 1), assignees=students[:1])
    db.session.commit()
    views = {_team_section(client, u, team["inquiry"]) for u in [*students, team["tutor"]]}
    assert len(views) == 1
    view = views.pop()
    assert "Transcribe interview" in view and "Book the room" in view and "Far away" not in view
