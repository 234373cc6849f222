"""What the governance room puts in the inquiry archive: meetings, decisions, shared logbook.

Personal logbook entries stay out: they belong to their author (who finds them in their own
data export), not to the team's archive.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from inquiry_hub.export_rows import rows_naming
from inquiry_hub.extensions import db
from inquiry_hub.governance.models import (
    CommissionVersion,
    LogbookComment,
    LogbookEntry,
    Meeting,
    MeetingComment,
    MinutesRevision,
)
from inquiry_hub.governance.services import decisions, meetings
from inquiry_hub.inquiries.models import Position, Proposal, ProposalComment, ProposalReminder

#: Models whose rows name a person (author, proposer, position holder, commenter...).
PERSONAL_MODELS = (
    CommissionVersion,
    LogbookEntry,
    LogbookComment,
    Meeting,
    MeetingComment,
    MinutesRevision,
    Proposal,
    Position,
    ProposalComment,
    ProposalReminder,
)


def _shared_entries(inquiry) -> list[LogbookEntry]:
    return list(
        db.session.scalars(
            select(LogbookEntry)
            .where(LogbookEntry.inquiry_id == inquiry.id, LogbookEntry.private_to_user_id.is_(None))
            .options(db.joinedload(LogbookEntry.author))
            .order_by(LogbookEntry.written_on.desc(), LogbookEntry.id.desc())
        )
    )


def export_for_archive(out, inquiry) -> None:
    """meetings.md, decisions.md and .csv, logbook.md (shared entries only)."""
    items = meetings.meetings_of(inquiry)
    out.markdown(
        "meetings.md",
        "Meetings",
        "\n".join(f"## {m.title}\n\n*{m.held_at:%Y-%m-%d %H:%M}*\n\n{m.minutes}\n" for m in items) or "—",
    )
    proposals = decisions.decision_log(inquiry)
    out.markdown("decisions.md", "Decisions", decisions.log_as_markdown(inquiry, proposals))
    out.text("decisions.csv", decisions.log_as_csv(proposals))
    out.markdown(
        "logbook.md",
        "Logbook (shared entries)",
        "\n".join(
            f"## {e.title}\n\n*{e.written_on.isoformat()} — {out.who(e.author)}*\n\n{e.body}\n"
            for e in _shared_entries(inquiry)
        )
        or "—",
    )


def forget(user) -> None:
    """Delete the person's personal logbook entries; what they wrote for the team stays."""
    db.session.execute(delete(LogbookEntry).where(LogbookEntry.private_to_user_id == user.id))


def personal_rows(user) -> dict[str, list[dict]]:
    """table name → this room's rows that name the person, secrets left out."""
    return rows_naming(user, PERSONAL_MODELS)
