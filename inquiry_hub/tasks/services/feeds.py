"""Personal iCalendar feeds: a secret, revocable address with the person's items."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select, update

from inquiry_hub import policy
from inquiry_hub.accounts import services as accounts
from inquiry_hub.activity import services as activity
from inquiry_hub.db import utcnow
from inquiry_hub.deliverables import face as deliverables_face
from inquiry_hub.extensions import db
from inquiry_hub.governance import face as governance_face
from inquiry_hub.tasks.models import CalendarFeed, Task, TaskAssignee
from inquiry_hub.urls import path_for


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feed(user) -> CalendarFeed | None:
    """The person's working feed, if any."""
    return db.session.scalar(
        select(CalendarFeed).where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
    )


@accounts.ends_with_credentials
def revoke_feeds(user) -> None:
    """Every address the person had stops working (also after a password or email change)."""
    revoked = db.session.execute(
        update(CalendarFeed)
        .where(CalendarFeed.user_id == user.id, CalendarFeed.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if revoked:
        activity.record(None, user, "tasks.feed_revoked")
    db.session.flush()


def create_feed(user) -> tuple[CalendarFeed, str]:
    """A new address (the old one stops working); the token is returned once, never stored."""
    revoke_feeds(user)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(user_id=user.id, token_hash=_hash(token))
    db.session.add(feed)
    activity.record(None, user, "tasks.feed_created")
    db.session.flush()
    return feed, token


def feed_for_token(token: str) -> CalendarFeed | None:
    """The working feed behind a token; None for an unknown or revoked one."""
    return db.session.scalar(
        select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token), CalendarFeed.revoked_at.is_(None))
    )


def _event(uid: str, summary: str, start, end, url: str, description: str = "") -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)  # all-day events end the day after, exclusive
    event.add("dtstamp", utcnow())
    event.add("url", url)
    if description:
        event.add("description", description)
    return event


def feed_calendar(user, base_url: str, phase_label) -> bytes:
    """The person's tasks with a due date, their inquiries' phases and meetings, as iCalendar."""
    from inquiry_hub.inquiries.models import Inquiry

    cal = Calendar()
    cal.add("prodid", "-//inquiry_hub//tasks//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "inquiry_hub")
    ids = policy.inquiry_ids_of(user)
    if not ids:
        return cal.to_ical()
    inquiries = db.session.scalars(
        select(Inquiry).where(Inquiry.id.in_(ids)).options(db.selectinload(Inquiry.phases))
    ).all()
    day = timedelta(days=1)
    for inquiry in inquiries:
        for phase in inquiry.phases:
            cal.add_component(
                _event(
                    f"phase-{phase.id}@inquiry_hub",
                    f"{phase_label(phase)} · {inquiry.title}",
                    phase.starts_on,
                    phase.ends_on + day,
                    base_url + path_for("inquiries.home", inquiry_id=inquiry.id),
                )
            )
    tasks = db.session.scalars(
        select(Task)
        .join(TaskAssignee, TaskAssignee.task_id == Task.id)
        .where(TaskAssignee.user_id == user.id, Task.inquiry_id.in_(ids), Task.due_on.is_not(None))
        .order_by(Task.due_on)
    ).all()
    for task in tasks:
        if policy.can(user, "tasks.view", task):
            cal.add_component(
                _event(
                    f"task-{task.id}@inquiry_hub",
                    task.title,
                    task.due_on,
                    task.due_on + day,
                    base_url + path_for("tasks.task", inquiry_id=task.inquiry_id, task_id=task.id),
                    task.inquiry.title,
                )
            )
    _add_meetings(cal, user, ids, base_url)
    _add_deliverables(cal, user, ids, base_url)
    return cal.to_ical()


def _add_deliverables(cal: Calendar, user, inquiry_ids: list[int], base_url: str) -> None:
    """The due dates of the deliverables the person may see, as all-day events."""
    for deliverable in deliverables_face.due_between(inquiry_ids, user, date.min, date.max):
        cal.add_component(
            _event(
                f"deliverable-{deliverable.id}@inquiry_hub",
                f"{deliverable.title} · {deliverable.inquiry.title}",
                deliverable.due_on,
                deliverable.due_on + timedelta(days=1),
                base_url
                + path_for(
                    "deliverables.deliverable",
                    inquiry_id=deliverable.inquiry_id,
                    deliverable_id=deliverable.id,
                ),
            )
        )


#: Meetings have no end time; a calendar shows them as this long.
MEETING_LENGTH = timedelta(hours=1, minutes=30)


def _add_meetings(cal: Calendar, user, inquiry_ids: list[int], base_url: str) -> None:
    """The meetings the person may see, as timed events (stored in UTC)."""
    for meeting in governance_face.meetings_between(inquiry_ids, user, datetime.min, datetime.max):
        start = meeting.held_at.replace(tzinfo=UTC)
        cal.add_component(
            _event(
                f"meeting-{meeting.id}@inquiry_hub",
                f"{meeting.title} · {meeting.inquiry.title}",
                start,
                start + MEETING_LENGTH,
                base_url + path_for("meetings.meeting", inquiry_id=meeting.inquiry_id, meeting_id=meeting.id),
                meeting.place,
            )
        )
