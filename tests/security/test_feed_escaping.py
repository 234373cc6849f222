"""The Atom activity feed is XML built by a library: titles cannot break it or inject markup.

Finding (measured on main): the feed was a Jinja template outside autoescaping, so a task
titled "R&D" made the whole feed invalid XML and "<script>" went through as an element.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

from icalendar import Calendar

from inquiry_hub.activity.models import Activity
from inquiry_hub.extensions import db
from inquiry_hub.tasks import services as tasks
from tests.conftest import login, make_user

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = 'R&D <script>alert("x")</script> ]]> & co'


def _feed_url(client) -> str:
    client.post("/me/feed")
    html = client.get("/me/notifications").get_data(as_text=True)
    return re.search(r'value="http://localhost(/feeds/activity/[^"]+\.atom)"', html).group(1)


def _feed(client, team, summary: str, actor=None):
    db.session.add(
        Activity(
            inquiry_id=team["inquiry"].id,
            actor_id=(actor or team["student"]).id,
            room="tasks",
            verb="tasks.created",
            summary=summary,
        )
    )
    db.session.commit()
    login(client, team["student"])
    url = _feed_url(client)
    client.post("/auth/logout")
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    return ElementTree.fromstring(response.get_data())


def test_plain_title_is_in_the_feed(client, team):
    root = _feed(client, team, "Relancer les bénévoles")
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert any(t.endswith(": Relancer les bénévoles") for t in titles)


def test_ampersand_and_markup_in_a_title_stay_text(client, team):
    root = _feed(client, team, HOSTILE)
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert any(t.endswith(": " + HOSTILE) for t in titles)
    assert not list(root.iter("script")) and not [el for el in root.iter() if el.tag.endswith("script")]


def test_markup_in_an_author_name_stays_text(client, team):
    actor = make_user('Zoé <b>"bold"</b> & Cie')
    from inquiry_hub.inquiries import services as inquiries
    from inquiry_hub.policy import Role

    inquiries.add_member(team["inquiry"], actor, Role.STUDENT)
    db.session.commit()
    root = _feed(client, team, "Coder", actor=actor)
    names = [n.text for n in root.iter(f"{ATOM}name")]
    assert 'Zoé <b>"bold"</b> & Cie' in names and not [el for el in root.iter() if el.tag.endswith("b")]


def test_control_characters_do_not_break_the_feed(client, team):
    root = _feed(client, team, "bell\x07 and \x1b escape")
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert any(t.endswith(": bell and  escape") or "bell" in t for t in titles)


def test_task_titled_r_and_d_keeps_the_feed_valid(client, team):
    """The finding as a user meets it: a real task, through the service, then the feed."""
    column = tasks.columns_of(team["inquiry"])[0]
    tasks.create_task(team["inquiry"], title="R&D <i>budget</i>", column=column, actor=team["student"])
    db.session.commit()
    login(client, team["student"])
    url = _feed_url(client)
    client.post("/auth/logout")
    root = ElementTree.fromstring(client.get(url).get_data())
    assert any("R&D <i>budget</i>" in (e.findtext(f"{ATOM}title") or "") for e in root.iter(f"{ATOM}entry"))


def test_calendar_feed_keeps_hostile_titles_inside_their_event(client, team):
    """The other secret-token feed (iCalendar): a title cannot add lines or events."""
    from datetime import date

    column = tasks.columns_of(team["inquiry"])[0]
    task = tasks.create_task(
        team["inquiry"],
        title="R&D <b>x</b>\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:forged",
        column=column,
        actor=team["student"],
        due_on=date(2026, 11, 2),
        assignees=[team["student"]],
    )
    db.session.commit()
    from inquiry_hub.tasks.services.feeds import feed_calendar

    body = feed_calendar(team["student"], "http://localhost", lambda phase: "phase")
    events = Calendar.from_ical(body).walk("VEVENT")
    summaries = [str(e.get("summary")) for e in events]
    assert task.title.replace("\r\n", "\n") in summaries  # positive control: the task, whole
    assert "forged" not in summaries
    assert body.splitlines().count(b"BEGIN:VEVENT") == len(events)
