"""Meetings: planning, agenda, minutes with revisions and conflicts, roles, action items.

What the partner sees of meetings (making one joint, publishing its minutes) goes through the
team's rule and the disclosure gate: see ``partner_view``, whose names this module re-exports.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from inquiry_hub import policy
from inquiry_hub.activity import services as activity
from inquiry_hub.extensions import db
from inquiry_hub.governance.models import (
    AgendaItem,
    Meeting,
    MeetingComment,
    MeetingKind,
    MeetingRole,
    MinutesRevision,
)
from inquiry_hub.governance.services.partner_view import (  # noqa: F401 - this room's face for meetings
    MAKE_JOINT,
    PUBLISH,
    check_facts,
    make_joint_action,
    minutes_for,
    partner_minutes,
    pending_proposal,
    publish_minutes_action,
    request_joint,
    request_publish,
    withdraw_minutes,
    withheld_because,
)
from inquiry_hub.governance.services.rotation import propose_roles, rotation_table
from inquiry_hub.inquiries import engine

ROLES = tuple(str(r) for r in MeetingRole)
#: "- [ ] call the partner" in the minutes is an action item.
ACTION_ITEM = re.compile(r"^\s*[-*]\s+\[ \]\s+(.+?)\s*$", re.MULTILINE)


class MinutesConflict(Exception):
    """Someone saved the minutes since this editor loaded them."""


def meetings_of(inquiry, visible=None) -> list[Meeting]:
    """The inquiry's meetings, newest first; ``visible`` filters what the reader may see."""
    rows = db.session.scalars(
        select(Meeting)
        .where(Meeting.inquiry_id == inquiry.id)
        .options(
            db.joinedload(Meeting.facilitator),
            db.joinedload(Meeting.secretary),
            db.joinedload(Meeting.timekeeper),
        )
        .order_by(Meeting.held_at.desc(), Meeting.id.desc())
    ).all()
    return [m for m in rows if visible is None or visible(m)]


def meetings_between(inquiry_ids, user, start, end) -> list[Meeting]:
    """Meetings held in [start, end) in these inquiries that the user may see (calendars)."""
    rows = db.session.scalars(
        select(Meeting)
        .where(Meeting.inquiry_id.in_(inquiry_ids), Meeting.held_at >= start, Meeting.held_at < end)
        .options(db.joinedload(Meeting.inquiry))
        .order_by(Meeting.held_at)
    ).all()
    return [m for m in rows if policy.can(user, "meetings.view", m)]


def role_history(inquiry, before=None) -> list[dict[str, int | None]]:
    """Roles of past meetings, oldest first (optionally only those before a date)."""
    query = select(Meeting).where(Meeting.inquiry_id == inquiry.id).order_by(Meeting.held_at, Meeting.id)
    if before is not None:
        query = query.where(Meeting.held_at < before)
    return [m.role_ids() for m in db.session.scalars(query)]


def suggest_roles(inquiry, held_at=None) -> dict[str, int | None]:
    """The fair rotation's proposal for a meeting held at ``held_at``."""
    students = [u.id for u in engine.voters(inquiry)]
    return propose_roles(students, role_history(inquiry, before=held_at), ROLES)


def rotation(inquiry) -> tuple[list, dict]:
    """Students and, for each, how many times they held each role."""
    students = engine.voters(inquiry)
    return students, rotation_table([u.id for u in students], role_history(inquiry), ROLES)


def _student_ids(inquiry) -> set[int]:
    return {u.id for u in engine.voters(inquiry)}


def create_meeting(inquiry, actor, *, title, held_at, place, kind, agenda=(), roles=None) -> Meeting:
    """A meeting with its agenda; roles default to the fair rotation's proposal.

    A joint one starts as a team meeting and becomes joint by the team's rule.
    """
    meeting = Meeting(
        inquiry_id=inquiry.id,
        inquiry=inquiry,
        title=title.strip(),
        held_at=held_at,
        place=place or "",
        kind=MeetingKind.TEAM if kind == MeetingKind.JOINT else kind,
        created_by_id=actor.id if actor else None,
        action_tasks={},
    )
    db.session.add(meeting)
    set_agenda(meeting, agenda)
    chosen = roles or suggest_roles(inquiry, held_at)
    set_roles(meeting, chosen)
    db.session.flush()
    activity.record(inquiry, actor, "meetings.created", meeting, summary=meeting.title)
    if kind == MeetingKind.JOINT:
        request_joint(meeting, actor)
    return meeting


def update_meeting(meeting, actor, *, title, held_at, place, kind, agenda) -> None:
    """Change the facts and the agenda; becoming joint goes through the team's rule.

    Raises engine.ActionFailed when a joint meeting's new facts would not pass the gate.
    """
    if meeting.kind == MeetingKind.JOINT and kind == MeetingKind.JOINT:
        check_facts(meeting.inquiry, title, place, agenda)  # the partner reads them at once
    meeting.title, meeting.held_at, meeting.place = title.strip(), held_at, place or ""
    if kind != MeetingKind.JOINT:
        if meeting.kind == MeetingKind.JOINT:
            # Leaving the partner's view is safe alone; coming back needs the team again.
            meeting.published_version = meeting.minutes_withheld_at = None
        meeting.kind = kind
    set_agenda(meeting, agenda)
    db.session.flush()
    activity.record(meeting.inquiry, actor, "meetings.edited", meeting, summary=meeting.title)
    if kind == MeetingKind.JOINT and meeting.kind != MeetingKind.JOINT:
        request_joint(meeting, actor)


def set_agenda(meeting, items) -> None:
    """Replace the agenda by ``items`` (ordered titles, blanks dropped)."""
    titles = [t.strip()[:200] for t in items if t and t.strip()]
    meeting.agenda[:] = [AgendaItem(position=i, title=t) for i, t in enumerate(titles)]


def set_roles(meeting, roles: dict[str, int | None]) -> None:
    """Give the roles to students of the inquiry (anyone else is ignored)."""
    allowed = _student_ids(meeting.inquiry)
    for role in ROLES:
        holder = roles.get(role)
        setattr(meeting, f"{role}_id", holder if holder in allowed else None)


def swap_roles(meeting, actor, roles: dict[str, int | None]) -> None:
    """The team changes who holds which role."""
    set_roles(meeting, roles)
    db.session.flush()
    activity.record(meeting.inquiry, actor, "meetings.roles", meeting, summary=meeting.title)


def set_attendance(meeting, actor, user_ids) -> None:
    """Who was there, among the inquiry's members."""
    members = {user.id: user for user in policy.members_who_can(meeting.inquiry)}
    meeting.attendees = [members[i] for i in user_ids if i in members]
    db.session.flush()
    activity.record(meeting.inquiry, actor, "meetings.attendance", meeting, summary=meeting.title)


def save_minutes(meeting, actor, body: str, base_version: int) -> None:
    """Save the minutes as a new revision; refuse a save made from an older version."""
    if base_version != meeting.minutes_version:
        raise MinutesConflict()
    meeting.minutes = body
    meeting.minutes_version += 1
    db.session.add(
        MinutesRevision(meeting=meeting, version=meeting.minutes_version, body=body, author_id=actor.id)
    )
    db.session.flush()
    activity.record(meeting.inquiry, actor, "meetings.minutes", meeting, summary=meeting.title)


def add_comment(meeting, author, body: str) -> MeetingComment:
    """A remark on a meeting, by a student or a tutor."""
    comment = MeetingComment(meeting=meeting, author_id=author.id, body=body.strip())
    db.session.add(comment)
    db.session.flush()
    activity.record(meeting.inquiry, author, "meetings.commented", meeting, summary=meeting.title)
    return comment


def action_items(meeting) -> list[str]:
    """Unchecked "- [ ] ..." lines of the minutes, in order, without duplicates."""
    return list(dict.fromkeys(m.group(1)[:200] for m in ACTION_ITEM.finditer(meeting.minutes or "")))


def action_to_task(meeting, actor, text: str):
    """Make a task from an action item of the minutes, once."""
    from inquiry_hub.tasks import services as tasks

    if text in (meeting.action_tasks or {}):
        return None
    column = tasks.columns_of(meeting.inquiry)[0]
    task = tasks.create_task(
        meeting.inquiry,
        title=text,
        column=column,
        actor=actor,
        description=str(_l("From the minutes of the meeting “%(title)s”.", title=meeting.title)),
    )
    db.session.flush()
    meeting.action_tasks = {**(meeting.action_tasks or {}), text: task.id}
    db.session.flush()
    return task


activity.register_verbs(
    {
        "meetings.created": _l("planned a meeting"),
        "meetings.edited": _l("edited a meeting"),
        "meetings.roles": _l("changed the meeting roles"),
        "meetings.attendance": _l("recorded attendance"),
        "meetings.minutes": _l("edited minutes"),
        "meetings.commented": _l("commented on a meeting"),
        "meetings.published": _l("published minutes to the partner"),
        "meetings.unpublished": _l("withdrew minutes from the partner"),
    }
)
