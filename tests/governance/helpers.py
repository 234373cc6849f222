"""Factories for the governance tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.governance.services import decisions, logbook, meetings


def free_proposal(team, *, kind="consent", hide=False, hours=48, by=None, title="Une proposition"):
    """A free proposal, committed."""
    proposal = decisions.open_proposal(
        team["inquiry"],
        by or team["student"],
        title=title,
        body="Le texte.",
        kind=kind,
        deadline=utcnow() + timedelta(hours=hours),
        hide_positions=hide,
    )
    db.session.commit()
    return proposal


def meeting(team, *, kind="team", held_at: datetime | None = None, title="Réunion", minutes=""):
    """A meeting with rotating roles, committed (a joint one as if the team had agreed)."""
    item = meetings.create_meeting(
        team["inquiry"],
        team["student"],
        title=title,
        held_at=held_at or utcnow(),
        place="Salle 2",
        kind="team" if kind == "joint" else kind,
        agenda=["Point 1", "Point 2"],
    )
    if kind == "joint":
        meetings.make_joint_action(team["inquiry"], {"meeting_id": item.id}, team["student"])
    if minutes:
        meetings.save_minutes(item, team["student"], minutes, item.minutes_version)
    db.session.commit()
    return item


def entry(team, author=None, *, personal=False, title="Une entrée"):
    """A logbook entry, committed."""
    item = logbook.write_entry(
        team["inquiry"],
        author or team["student"],
        written_on=utcnow().date(),
        title=title,
        body="Ce que j'ai appris.",
        personal=personal,
    )
    db.session.commit()
    return item


def base(team, room: str) -> str:
    return f"/inquiries/{team['inquiry'].id}/{room}"


def future(hours=48) -> str:
    return (utcnow() + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")
