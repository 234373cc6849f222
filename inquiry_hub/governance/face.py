"""The governance room's face: the only functions other rooms call (they never read its tables).

Follow-up (portal, my work, contributions) and the calendars ask these; proposals and positions
are the kernel's (``inquiries``), not this room's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, union

from inquiry_hub import policy
from inquiry_hub.extensions import db
from inquiry_hub.governance.models import LogbookEntry, Meeting, MeetingKind
from inquiry_hub.governance.services.meetings import meetings_between

#: ``Meeting`` is published for other rooms to hold and load by id through the policy, never to query.
__all__ = [
    "Meeting",
    "joint_meetings",
    "logbook_by_author",
    "meetings_between",
    "meetings_query",
    "roles_held",
    "upcoming_meetings",
]


def meetings_query(inquiry, *, joint_only: bool):
    """The inquiry's meetings, newest first; only joint ones if asked (API)."""
    query = select(Meeting).where(Meeting.inquiry_id == inquiry.id)
    if joint_only:
        query = query.where(Meeting.kind == MeetingKind.JOINT)
    return query.order_by(Meeting.held_at.desc(), Meeting.id.desc())


def joint_meetings(inquiry, user, limit: int) -> list[Meeting]:
    """The latest joint meetings the user may see, latest first (partner's portal)."""
    rows = db.session.scalars(
        select(Meeting)
        .where(Meeting.inquiry_id == inquiry.id, Meeting.kind == MeetingKind.JOINT)
        .order_by(Meeting.held_at.desc())
        .limit(limit)
    ).all()
    return [m for m in rows if policy.can(user, "meetings.view", m)]


def upcoming_meetings(user, inquiry_ids, now: datetime, days: int = 14) -> list[Meeting]:
    """Meetings of the coming days that the user may see."""
    rows = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.inquiry_id.in_(inquiry_ids),
            Meeting.held_at >= now,
            Meeting.held_at < now + timedelta(days=days),
        )
        .options(db.joinedload(Meeting.inquiry))
        .order_by(Meeting.held_at)
    ).all()
    return [m for m in rows if policy.can(user, "meetings.view", m)]


def logbook_by_author(inquiry, user_ids) -> dict[int, int]:
    """user id → shared (not personal) logbook entries written in this inquiry."""
    return _grouped(
        select(LogbookEntry.author_id, func.count())
        .where(
            LogbookEntry.inquiry_id == inquiry.id,
            LogbookEntry.private_to_user_id.is_(None),
            LogbookEntry.author_id.in_(user_ids),
        )
        .group_by(LogbookEntry.author_id)
    )


def roles_held(inquiry, user_ids, now: datetime) -> dict[int, int]:
    """user id → meetings already held where they facilitated, took minutes or kept time."""
    held = (Meeting.inquiry_id == inquiry.id, Meeting.held_at <= now)
    roles = union(
        *(
            select(Meeting.id.label("meeting_id"), column.label("user_id")).where(*held)
            for column in (Meeting.facilitator_id, Meeting.secretary_id, Meeting.timekeeper_id)
        )
    ).subquery()
    return _grouped(
        select(roles.c.user_id, func.count()).where(roles.c.user_id.in_(user_ids)).group_by(roles.c.user_id)
    )


def _grouped(query) -> dict[int, int]:
    return {key: int(n) for key, n in db.session.execute(query) if key is not None}
