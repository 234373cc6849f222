"""Meetings: planning, agenda, minutes with revisions and conflicts, roles, action items.

What the partner sees of meetings goes through the team's rule: making a meeting joint and
publishing a version of its minutes are collective actions; the minutes also pass the disclosure
gate when proposed, when carried out, and again whenever the gate's knowledge changes.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from inquiry_hub import policy
from inquiry_hub.activity import services as activity
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import disclosure
from inquiry_hub.governance import engine
from inquiry_hub.governance.models import (
    AgendaItem,
    Meeting,
    MeetingComment,
    MeetingKind,
    MeetingRole,
    MinutesRevision,
    Proposal,
    ProposalStatus,
)
from inquiry_hub.governance.models.meetings import PublishedMinutes
from inquiry_hub.governance.services.rotation import propose_roles, rotation_table

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
    """Change the facts and the agenda; becoming joint goes through the team's rule."""
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
    from inquiry_hub.inquiries.services import members_by_role

    members = {m.user.id: m.user for rows in members_by_role(meeting.inquiry).values() for m in rows}
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


# --- what the partner sees: collective actions ---------------------------------------------

MAKE_JOINT, PUBLISH = "meetings.make_joint", "meetings.publish_minutes"


def _meeting_of(inquiry, payload: dict) -> Meeting:
    meeting = db.session.scalar(
        select(Meeting).where(Meeting.id == payload.get("meeting_id"), Meeting.inquiry_id == inquiry.id)
    )
    if meeting is None:
        raise engine.ActionFailed(str(_l("This meeting no longer exists.")))
    return meeting


def pending_proposal(meeting, action: str) -> Proposal | None:
    """The open proposal of ``action`` for this meeting, if the team is already deciding it."""
    rows = db.session.scalars(
        select(Proposal).where(
            Proposal.inquiry_id == meeting.inquiry_id,
            Proposal.action == action,
            Proposal.status == ProposalStatus.OPEN,
        )
    )
    return next((p for p in rows if (p.payload or {}).get("meeting_id") == meeting.id), None)


def _describe_joint(payload: dict) -> str:
    return str(_l("Make the meeting “%(title)s” joint with the partner", title=payload.get("title", "")))


def _validate_joint(inquiry, payload: dict) -> None:
    if _meeting_of(inquiry, payload).kind == MeetingKind.JOINT:
        raise engine.ActionFailed(str(_l("This meeting is already joint.")))


@engine.collective_action(MAKE_JOINT, describe=_describe_joint, validate=_validate_joint)
def make_joint_action(inquiry, payload: dict, actor) -> None:
    """The partner starts seeing the meeting: its facts and agenda, its minutes once published."""
    meeting = _meeting_of(inquiry, payload)
    meeting.kind = MeetingKind.JOINT
    db.session.flush()
    activity.record(inquiry, actor, "meetings.made_joint", meeting, summary=meeting.title)


def request_joint(meeting, actor):
    """Ask for the meeting to become joint by the team's rule; the proposal, or None if done."""
    return pending_proposal(meeting, MAKE_JOINT) or engine.start(
        meeting.inquiry, actor, MAKE_JOINT, {"meeting_id": meeting.id, "title": meeting.title}
    )


def _minutes_piece(meeting, text: str) -> disclosure.Piece:
    return disclosure.Piece(where=str(_l("Minutes of “%(title)s”", title=meeting.title)), text=text)


def _describe_publish(payload: dict) -> str:
    return str(
        _l(
            "Publish the minutes of “%(title)s” (version %(n)s) to the partner",
            title=payload.get("title", ""),
            n=payload.get("version", "?"),
        )
    )


def _validate_publish(inquiry, payload: dict) -> None:
    meeting = _meeting_of(inquiry, payload)
    if meeting.kind != MeetingKind.JOINT:
        raise engine.ActionFailed(str(_l("Only the minutes of a joint meeting can be published.")))
    text = meeting.minutes_at(payload.get("version"))
    if not (text or "").strip():
        raise engine.ActionFailed(str(_l("There are no minutes to publish.")))
    verdict = disclosure.check(inquiry, [_minutes_piece(meeting, text)])
    if not verdict.ok:
        raise engine.ActionFailed(" ".join(f.message for f in verdict.findings))


@engine.collective_action(PUBLISH, describe=_describe_publish, validate=_validate_publish)
def publish_minutes_action(inquiry, payload: dict, actor) -> None:
    """The partner reads this version of the minutes (later edits wait for a new publication)."""
    _validate_publish(inquiry, payload)  # again: the minutes or the gate may have changed meanwhile
    meeting = _meeting_of(inquiry, payload)
    meeting.published_version = payload["version"]
    meeting.minutes_withheld_at = None
    db.session.flush()
    activity.record(inquiry, actor, "meetings.published", meeting, summary=meeting.title)


def request_publish(meeting, actor):
    """Publish the current minutes by the team's rule; the proposal, or None if done at once.

    Raises engine.ActionFailed when they cannot be published (not joint, empty, the gate).
    """
    payload = {"meeting_id": meeting.id, "title": meeting.title, "version": meeting.minutes_version}
    return engine.start(meeting.inquiry, actor, PUBLISH, payload)


def withdraw_minutes(meeting, actor) -> None:
    """The partner stops reading the minutes: safe, so any student may do it alone."""
    meeting.published_version = meeting.minutes_withheld_at = None
    db.session.flush()
    activity.record(meeting.inquiry, actor, "meetings.unpublished", meeting, summary=meeting.title)


def partner_minutes(meeting) -> str | None:
    """The published version of the minutes, the text the partner reads (None if none)."""
    if not meeting.published_minutes.visible_to_partner or meeting.minutes_withheld_at is not None:
        return None
    return meeting.minutes_at(meeting.published_version)


def minutes_for(meeting, user) -> str | None:
    """The minutes this reader may see: the current ones for the team, the published ones otherwise."""
    if policy.can(user, "meetings.view", PublishedMinutes(meeting.inquiry, False)):
        return meeting.minutes
    return partner_minutes(meeting) if policy.can(user, "meetings.view", meeting.published_minutes) else None


def withheld_because(meeting) -> list[str]:
    """Why the gate withholds the published minutes now (for the team's page; no real name)."""
    text = meeting.minutes_at(meeting.published_version) or ""
    return [f.message for f in disclosure.check(meeting.inquiry, [_minutes_piece(meeting, text)]).findings]


@disclosure.register_recheck
def recheck_published_minutes(inquiry) -> None:
    """After a vault, public-name or consent change: withhold published minutes that fail now.

    Minutes that pass again (the name left the vault) are back for the partner.
    """
    rows = db.session.scalars(
        select(Meeting).where(Meeting.inquiry_id == inquiry.id, Meeting.published_version.is_not(None))
    ).all()
    pieces = [_minutes_piece(m, m.minutes_at(m.published_version) or "") for m in rows]
    withheld = []
    for meeting, verdict in zip(rows, disclosure.check_each(inquiry, pieces), strict=True):
        if verdict.ok:
            meeting.minutes_withheld_at = None
        elif meeting.minutes_withheld_at is None:
            meeting.minutes_withheld_at = utcnow()
            withheld.append(meeting)
    for meeting in withheld:
        activity.record(inquiry, None, "meetings.withheld", meeting, summary=meeting.title)
        activity.notify(
            engine.voters(inquiry),
            "meetings.withheld",
            inquiry,
            url=f"/inquiries/{inquiry.id}/meetings/{meeting.id}",
            title=meeting.title,
        )
    db.session.flush()


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


def tasks_available() -> bool:
    """True when the tasks room offers ``create_task``."""
    try:
        from inquiry_hub.tasks import services as tasks
    except ImportError:  # pragma: no cover - the tasks room is optional for this room
        return False
    return hasattr(tasks, "create_task") and hasattr(tasks, "columns_of")


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
        "meetings.made_joint": _l("made a meeting joint with the partner"),
        "meetings.withheld": _l("minutes withheld from the partner by the disclosure check"),
    }
)
activity.register_notifications(
    {"meetings.withheld": _l("Minutes withheld from the partner (disclosure check): %(title)s")}
)
