"""The month calendar and the personal iCalendar feed."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from inquiry_hub.activity.models import Activity
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.tasks import services as tasks
from inquiry_hub.tasks.models import CalendarFeed
from tests.conftest import login
from tests.tasks.helpers import board_url, make_task

# --- month view ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("student", 200), ("tutor", 200), ("partner", 200), ("outsider", 404), ("admin", 404)],
)
def test_calendar_status_by_role(client, team, who, status):
    login(client, team[who])
    assert client.get(board_url(team["inquiry"], "calendar")).status_code == status


def test_calendar_shows_the_tasks_due_that_month(client, team):
    make_task(team["inquiry"], team["student"], "Rendre la note", due_on=date(2026, 12, 10))
    make_task(team["inquiry"], team["student"], "Plus tard", due_on=date(2027, 2, 10))
    login(client, team["student"])
    page = client.get(board_url(team["inquiry"], "calendar"), query_string={"month": "2026-12"})
    text = html.unescape(page.get_data(as_text=True))
    assert "Rendre la note" in text and "Plus tard" not in text


def test_calendar_marks_the_phase_dates(client, team):
    phase = team["inquiry"].phases[1]
    login(client, team["student"])
    month = phase.starts_on.strftime("%Y-%m")
    text = client.get(board_url(team["inquiry"], "calendar"), query_string={"month": month}).get_data(
        as_text=True
    )
    assert "Fieldwork starts" in text


def test_partner_calendar_holds_only_shared_tasks(client, team):
    make_task(team["inquiry"], team["student"], "Privée", due_on=date(2026, 12, 3))
    make_task(team["inquiry"], team["student"], "Partagée", due_on=date(2026, 12, 4), shared=True)
    login(client, team["partner"])
    page = client.get(board_url(team["inquiry"], "calendar"), query_string={"month": "2026-12"})
    text = html.unescape(page.get_data(as_text=True))
    assert "Partagée" in text and "Privée" not in text


@pytest.mark.parametrize("month", ["", "2026-13", "abc", "2026-11-05", "0-1"])
def test_calendar_falls_back_to_this_month_on_a_bad_month(client, team, month):
    login(client, team["student"])
    response = client.get(board_url(team["inquiry"], "calendar"), query_string={"month": month})
    assert response.status_code == 200


def test_month_weeks_start_on_monday_and_cover_the_month():
    weeks = tasks.month_weeks(2026, 11)
    assert weeks[0][0] == date(2026, 10, 26) and weeks[0][0].weekday() == 0
    assert date(2026, 11, 30) in weeks[-1]


# --- the iCalendar feed -------------------------------------------------------------------


def _token(client) -> str:
    page = client.post("/calendar/feed").get_data(as_text=True)
    return re.search(r"/calendar/([\w-]+)\.ics", page).group(1)


def _events(client, token: str) -> dict[str, str]:
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    cal = Calendar.from_ical(response.data)
    return {str(e["uid"]): str(e["summary"]) for e in cal.walk("VEVENT")}


@pytest.fixture
def feed_world(team):
    me, other = team["student"], team["students"][1]
    due = utcnow().date() + timedelta(days=5)
    make_task(team["inquiry"], me, "À moi", due_on=due, assignees=[me])
    make_task(team["inquiry"], me, "À moi sans date", assignees=[me])
    make_task(team["inquiry"], me, "À quelqu'un d'autre", due_on=due, assignees=[other])
    make_task(team["other_inquiry"], team["outsider"], "Ailleurs", due_on=due, assignees=[team["outsider"]])
    return team


def test_feed_parses_back_and_holds_exactly_my_items(client, feed_world):
    login(client, feed_world["student"])
    events = _events(client, _token(client))
    task_titles = {summary for uid, summary in events.items() if uid.startswith("task-")}
    phase_uids = {uid for uid in events if uid.startswith("phase-")}
    assert task_titles == {"À moi"}
    assert phase_uids == {f"phase-{p.id}@inquiry_hub" for p in feed_world["inquiry"].phases}


def test_feed_task_is_an_all_day_event_on_its_due_date(client, feed_world):
    login(client, feed_world["student"])
    response = client.get(f"/calendar/{_token(client)}.ics")
    event = next(e for e in Calendar.from_ical(response.data).walk("VEVENT") if str(e["summary"]) == "À moi")
    due = utcnow().date() + timedelta(days=5)
    assert event.decoded("dtstart") == due
    assert event.decoded("dtend") == due + timedelta(days=1)


def test_feed_needs_no_session(client, app, feed_world):
    login(client, feed_world["student"])
    token = _token(client)
    assert app.test_client().get(f"/calendar/{token}.ics").status_code == 200


def test_revoked_feed_stops_working(client, feed_world):
    login(client, feed_world["student"])
    token = _token(client)
    client.post("/calendar/feed/revoke")
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_new_address_stops_the_old_one(client, feed_world):
    login(client, feed_world["student"])
    old = _token(client)
    new = _token(client)
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200


def test_unknown_token_is_404(client):
    assert client.get("/calendar/not-a-real-token.ics").status_code == 404


def test_token_is_stored_hashed(client, feed_world):
    login(client, feed_world["student"])
    token = _token(client)
    assert client.get(f"/calendar/{token}.ics").status_code == 200  # control: the token works
    assert token not in db.session.scalar(select(CalendarFeed.token_hash))


def test_feed_settings_need_a_login(client):
    response = client.get("/calendar/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_feed_settings_say_whether_it_is_on(client, feed_world):
    login(client, feed_world["student"])
    _token(client)
    page = client.get("/calendar/").get_data(as_text=True)
    assert "Stop the feed" in page
    assert ".ics" not in page  # the address is shown once, at creation


def test_account_page_links_to_the_feed_settings(client, team):
    login(client, team["student"])
    assert 'href="/calendar/"' in client.get("/account/").get_data(as_text=True)


def test_feed_changes_are_in_the_activity_log(client, feed_world):
    login(client, feed_world["student"])
    _token(client)
    client.post("/calendar/feed/revoke")
    verbs = set(db.session.scalars(select(Activity.verb).where(Activity.room == "tasks")))
    assert {"tasks.feed_created", "tasks.feed_revoked"} <= verbs


# --- meetings in the calendar and the feed ------------------------------------------------


def _meeting(team, title, kind, held_at):
    from inquiry_hub.governance.services import meetings

    meeting = meetings.create_meeting(
        team["inquiry"], team["student"], title=title, held_at=held_at, place="Local", kind="team"
    )
    if kind == "joint":  # as if the team had agreed (making a meeting joint is collective)
        meetings.make_joint_action(team["inquiry"], {"meeting_id": meeting.id}, team["student"])
    db.session.commit()
    return meeting


def test_feed_holds_the_meetings_the_reader_may_see(client, team):
    from datetime import datetime

    held_at = datetime(2026, 12, 8, 14, 0)
    team_meeting = _meeting(team, "Réunion d'équipe", "team", held_at)
    joint = _meeting(team, "Point avec la structure", "joint", held_at + timedelta(days=1))
    login(client, team["partner"])
    partner_events = _events(client, _token(client))
    assert f"meeting-{joint.id}@inquiry_hub" in partner_events
    assert f"meeting-{team_meeting.id}@inquiry_hub" not in partner_events
    client.post("/auth/logout")
    login(client, team["student"])
    student_events = _events(client, _token(client))
    assert {f"meeting-{team_meeting.id}@inquiry_hub", f"meeting-{joint.id}@inquiry_hub"} <= set(
        student_events
    )


def test_feed_meeting_is_a_timed_event_in_utc(client, team):
    from datetime import UTC, datetime

    meeting = _meeting(team, "Réunion", "team", datetime(2026, 12, 8, 14, 0))
    login(client, team["student"])
    cal = Calendar.from_ical(client.get(f"/calendar/{_token(client)}.ics").data)
    event = next(e for e in cal.walk("VEVENT") if str(e["uid"]) == f"meeting-{meeting.id}@inquiry_hub")
    assert event.decoded("dtstart") == datetime(2026, 12, 8, 14, 0, tzinfo=UTC)


def test_calendar_shows_the_meetings_of_the_month_on_their_local_day(client, team):
    from datetime import datetime

    # 23:30 UTC on 9 December is 00:30 on 10 December in Paris.
    _meeting(team, "Réunion tardive", "team", datetime(2026, 12, 9, 23, 30))
    _meeting(team, "Réunion de janvier", "team", datetime(2027, 1, 20, 10, 0))
    login(client, team["student"])
    page = client.get(board_url(team["inquiry"], "calendar"), query_string={"month": "2026-12"})
    text = html.unescape(page.get_data(as_text=True))
    assert "Réunion tardive" in text and "Réunion de janvier" not in text
    cell = text.split('datetime="2026-12-10"')[1].split("</td>")[0]
    assert "Réunion tardive" in cell


def test_partner_calendar_shows_only_joint_meetings(client, team):
    from datetime import datetime

    _meeting(team, "Interne", "team", datetime(2026, 12, 8, 9, 0))
    _meeting(team, "Commune", "joint", datetime(2026, 12, 9, 9, 0))
    login(client, team["partner"])
    page = client.get(board_url(team["inquiry"], "calendar"), query_string={"month": "2026-12"})
    text = html.unescape(page.get_data(as_text=True))
    assert "Commune" in text and "Interne" not in text
