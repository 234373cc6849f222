"""The Atom activity feed at a secret, revocable address; the activity page's new filters."""

import re
from datetime import datetime

from inquiry_hub.activity.models import Activity
from inquiry_hub.extensions import db
from tests.conftest import login


def _feed_url(client) -> str:
    client.post("/me/feed")
    html = client.get("/me/notifications").get_data(as_text=True)
    return re.search(r'value="http://localhost(/feeds/activity/[^"]+\.atom)"', html).group(1)


def test_feed_lists_activity_of_my_inquiries(client, team):
    db.session.add(
        Activity(
            inquiry_id=team["inquiry"].id,
            actor_id=team["student"].id,
            room="tasks",
            verb="tasks.created",
            summary="Relancer",
        )
    )
    db.session.add(
        Activity(inquiry_id=team["other_inquiry"].id, room="tasks", verb="tasks.created", summary="Ailleurs")
    )
    db.session.commit()
    login(client, team["student"])
    url = _feed_url(client)
    client.post("/auth/logout")
    response = client.get(url)
    body = response.get_data(as_text=True)
    assert response.mimetype == "application/atom+xml"
    assert "Relancer" in body and "Ailleurs" not in body


def test_feed_is_empty_for_a_partner(client, team):
    db.session.add(
        Activity(inquiry_id=team["inquiry"].id, room="tasks", verb="tasks.created", summary="Relancer")
    )
    db.session.commit()
    login(client, team["partner"])
    response = client.get(_feed_url(client))
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"  # a real feed
    assert "Relancer" not in response.get_data(as_text=True)


def test_revoked_feed_address_stops_working(client, team):
    login(client, team["student"])
    url = _feed_url(client)
    client.post("/me/feed/revoke")
    assert client.get(url).status_code == 404


def test_new_feed_address_retires_the_old_one(client, team):
    login(client, team["student"])
    old = _feed_url(client)
    new = _feed_url(client)
    assert client.get(old).status_code == 404 and client.get(new).status_code == 200


def _activity_rows(client, team, query: str) -> str:
    login(client, team["student"])
    html = client.get(f"/inquiries/{team['inquiry'].id}/activity/?{query}").get_data(as_text=True)
    return html.split("<tbody>")[1].split("</tbody>")[0]


def _two_activities(team):
    for actor, summary, when in (
        (team["students"][0], "First thing", datetime(2027, 1, 5, 10)),
        (team["students"][1], "Second thing", datetime(2027, 1, 20, 10)),
    ):
        db.session.add(
            Activity(
                inquiry_id=team["inquiry"].id,
                actor_id=actor.id,
                room="tasks",
                verb="tasks.created",
                summary=summary,
                created_at=when,
            )
        )
    db.session.commit()


def test_activity_filters_by_person(client, team):
    _two_activities(team)
    rows = _activity_rows(client, team, f"person={team['students'][1].id}")
    assert "Second thing" in rows and "First thing" not in rows


def test_activity_filters_by_date_range_inclusive(client, team):
    _two_activities(team)
    rows = _activity_rows(client, team, "since=2027-01-01&until=2027-01-05")
    assert "First thing" in rows and "Second thing" not in rows


def test_activity_ignores_a_malformed_date(client, team):
    _two_activities(team)
    rows = _activity_rows(client, team, "since=yesterday")
    assert "First thing" in rows and "Second thing" in rows
