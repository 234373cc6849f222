"""The logbook: reflexive entries, personal or shared, and the comments on shared ones."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from inquiry_hub.activity import services as activity
from inquiry_hub.extensions import db
from inquiry_hub.governance.models import LogbookComment, LogbookEntry


def entries_for(inquiry, reader) -> list[LogbookEntry]:
    """Shared entries and the reader's own personal ones, newest first."""
    return list(
        db.session.scalars(
            select(LogbookEntry)
            .where(
                LogbookEntry.inquiry_id == inquiry.id,
                or_(LogbookEntry.private_to_user_id.is_(None), LogbookEntry.private_to_user_id == reader.id),
            )
            .options(db.joinedload(LogbookEntry.author), db.selectinload(LogbookEntry.comments))
            .order_by(LogbookEntry.written_on.desc(), LogbookEntry.id.desc())
        )
    )


def write_entry(inquiry, author, *, written_on, title, body, personal) -> LogbookEntry:
    """A new entry; a personal one is its author's alone."""
    entry = LogbookEntry(
        inquiry_id=inquiry.id,
        inquiry=inquiry,
        author_id=author.id,
        written_on=written_on,
        title=title.strip(),
        body=body or "",
        private_to_user_id=author.id if personal else None,
    )
    db.session.add(entry)
    db.session.flush()
    if not personal:  # a personal entry leaves no trace others can read
        activity.record(inquiry, author, "logbook.written", entry, summary=entry.title)
    return entry


def update_entry(entry, author, *, written_on, title, body, personal) -> None:
    """Change an entry; only its author does (the route checks)."""
    entry.written_on, entry.title, entry.body = written_on, title.strip(), body or ""
    entry.private_to_user_id = author.id if personal else None
    db.session.flush()
    if not personal:
        activity.record(entry.inquiry, author, "logbook.edited", entry, summary=entry.title)


def add_comment(entry, author, body: str) -> LogbookComment:
    """A comment on an entry (tutors and students on shared ones)."""
    comment = LogbookComment(entry=entry, author_id=author.id, body=body.strip())
    db.session.add(comment)
    db.session.flush()
    if not entry.is_personal:
        activity.record(entry.inquiry, author, "logbook.commented", entry, summary=entry.title)
    return comment


activity.register_verbs(
    {
        "logbook.written": _l("wrote in the logbook"),
        "logbook.edited": _l("edited a logbook entry"),
        "logbook.commented": _l("commented on a logbook entry"),
    }
)
