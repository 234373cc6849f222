"""What the partner sees of meetings, decided by the team's rule and checked by the gate.

Making a meeting joint and publishing a version of its minutes are collective actions; the facts
of a joint meeting and its published minutes pass the disclosure gate when proposed, when carried
out, and again whenever the gate's knowledge changes (published minutes are then withheld until
they pass again).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from inquiry_hub import policy
from inquiry_hub.activity import services as activity
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import disclosure
from inquiry_hub.governance.models import Meeting, MeetingKind
from inquiry_hub.governance.models.meetings import PublishedMinutes
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.models import Proposal, ProposalStatus
from inquiry_hub.urls import path_for

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


def check_facts(inquiry, title: str, place: str, agenda) -> None:
    """What the partner reads of a joint meeting (title, place, agenda) passes the gate."""
    lines = [t for t in (title, place, *agenda) if t and t.strip()]
    where = str(_l("The meeting's title, place and agenda"))
    verdict = disclosure.check(inquiry, [disclosure.Piece(where=where, text="\n\n".join(lines))])
    if not verdict.ok:
        raise engine.ActionFailed(" ".join(f.message for f in verdict.findings))


def _validate_joint(inquiry, payload: dict) -> None:
    meeting = _meeting_of(inquiry, payload)
    if meeting.kind == MeetingKind.JOINT:
        raise engine.ActionFailed(str(_l("This meeting is already joint.")))
    check_facts(inquiry, meeting.title, meeting.place, [a.title for a in meeting.agenda])


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
            url=path_for("meetings.meeting", inquiry_id=inquiry.id, meeting_id=meeting.id),
            title=meeting.title,
        )
    db.session.flush()


activity.register_verbs(
    {
        "meetings.made_joint": _l("made a meeting joint with the partner"),
        "meetings.withheld": _l("minutes withheld from the partner by the disclosure check"),
    }
)
activity.register_notifications(
    {"meetings.withheld": _l("Minutes withheld from the partner (disclosure check): %(title)s")}
)
