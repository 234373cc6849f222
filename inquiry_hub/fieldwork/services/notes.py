"""Notes and transcripts: pseudonymised saves, revisions, diffs, conflicts, import, search."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from inquiry_hub import policy, search
from inquiry_hub.activity import services as activity
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import imports, pseudonymise
from inquiry_hub.fieldwork.models import Interview, Note, NoteComment, NoteRevision
from inquiry_hub.fieldwork.services import coding, identity


class Conflict(Exception):
    """The note changed since the writer loaded it; nothing was written."""

    def __init__(self, note: Note):
        super().__init__(note.id)
        self.note = note


def check_text(inquiry, text: str) -> pseudonymise.Result:
    """The text with every vault name of the inquiry replaced, and what still looks identifying.

    Line ends become ``\\n``: browsers send a textarea's lines ending in CRLF, and the coding view
    counts offsets in the text as the page shows it (the HTML parser turns CRLF into LF).
    """
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return pseudonymise.pseudonymise(text, identity.names_by_pseudonym(inquiry))


def clean(inquiry, text: str) -> str:
    """Only the pseudonymised text: what may be stored."""
    return check_text(inquiry, text).text


def notes_of(inquiry, interview: Interview | None = None, free_only: bool = False) -> list[Note]:
    query = select(Note).where(Note.inquiry_id == inquiry.id).options(db.selectinload(Note.author))
    if interview is not None:
        query = query.where(Note.interview_id == interview.id)
    elif free_only:
        query = query.where(Note.interview_id.is_(None))
    return list(db.session.scalars(query.order_by(Note.written_on.desc(), Note.id.desc())))


def _revision(note: Note, actor) -> NoteRevision:
    number = len(note.revisions) + 1
    revision = NoteRevision(number=number, title=note.title, body=note.body, author_id=actor.id)
    note.revisions.append(revision)
    return revision


def create_note(inquiry, actor, *, title: str, body: str, kind: str, interview=None, written_on=None) -> Note:
    """A new note, its text pseudonymised, with revision 1."""
    note = Note(
        inquiry_id=inquiry.id,
        interview_id=interview.id if interview is not None else None,
        kind=kind,
        title=clean(inquiry, title)[:200],
        body=clean(inquiry, body),
        author_id=actor.id,
        updated_by_id=actor.id,
    )
    if written_on is not None:
        note.written_on = written_on
    db.session.add(note)
    _revision(note, actor)
    db.session.flush()
    activity.record(inquiry, actor, "fieldwork.note_created", note, summary=note.title)
    return note


def save_note(note: Note, actor, *, title: str, body: str, base_version: int, written_on=None) -> Note:
    """Save a new text if the note is still at ``base_version``; raises Conflict otherwise."""
    if note.version != base_version:
        raise Conflict(note)
    inquiry = note.inquiry
    title, body = clean(inquiry, title)[:200], clean(inquiry, body)
    if title == note.title and body == note.body and written_on in (None, note.written_on):
        return note
    old_body = note.body
    # No autoflush while changing: the version-guarded UPDATE must happen in the try below.
    with db.session.no_autoflush:
        number = len(note.revisions) + 1
        note.title, note.body = title, body
        if written_on is not None:
            note.written_on = written_on
        note.updated_by_id = actor.id
        note.updated_at = utcnow()
        note.revisions.append(NoteRevision(number=number, title=title, body=body, author_id=actor.id))
    try:
        # The UPDATE is guarded by the version: a save that raced ours changes no row.
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(db.session.get(Note, note.id)) from None
    if body != old_body:
        coding.reanchor(note, old_body)
    activity.record(inquiry, actor, "fieldwork.note_edited", note, summary=note.title)
    return note


def add_comment(note: Note, actor, body: str) -> NoteComment:
    """A comment on a note; vault names are replaced only for those who may reveal identities."""
    # Replacing names for someone who cannot reveal would tell them who is behind a pseudonym.
    if policy.can(actor, "fieldwork.reveal_identity", note):
        body = clean(note.inquiry, body)
    comment = NoteComment(inquiry_id=note.inquiry_id, note=note, author_id=actor.id, body=body.strip())
    db.session.add(comment)
    db.session.flush()
    activity.record(note.inquiry, actor, "fieldwork.note_commented", note, summary=note.title)
    return comment


def comments_of(note: Note) -> list[NoteComment]:
    return list(
        db.session.scalars(
            select(NoteComment)
            .where(NoteComment.note_id == note.id)
            .options(db.selectinload(NoteComment.author))
            .order_by(NoteComment.id)
        )
    )


def revisions_of(note: Note) -> list[NoteRevision]:
    return list(
        db.session.scalars(
            select(NoteRevision)
            .where(NoteRevision.note_id == note.id)
            .options(db.selectinload(NoteRevision.author))
            .order_by(NoteRevision.number.desc())
        )
    )


@dataclass(frozen=True)
class DiffLine:
    #: "add", "remove", "context" or "hunk".
    kind: str
    text: str


def diff(old: NoteRevision, new: NoteRevision) -> list[DiffLine]:
    """Line diff of two revisions (unified, 3 lines of context)."""
    lines = difflib.unified_diff(
        old.body.splitlines(), new.body.splitlines(), f"v{old.number}", f"v{new.number}", lineterm="", n=3
    )
    result = []
    for line in lines:
        if line.startswith(("---", "+++")):
            continue
        kind = {"@": "hunk", "+": "add", "-": "remove"}.get(line[:1], "context")
        result.append(DiffLine(kind, line[1:] if kind != "hunk" else line))
    return result


def import_text(inquiry, filename: str, data: bytes) -> pseudonymise.Result:
    """A transcript file read and pseudonymised, for the preview step (nothing stored)."""
    return check_text(inquiry, imports.extract_text(filename, data))


def search_notes(inquiry, query: str, filters: search.Filters) -> list[tuple[Note, search.Hit]]:
    """Matching notes of the inquiry with their highlighted snippets, best first."""
    hits = search.search_notes(inquiry.id, query, filters)
    notes = {
        n.id: n
        for n in db.session.scalars(
            select(Note)
            .where(Note.id.in_([h.note_id for h in hits]))
            # The page shows snippets, never whole bodies (transcripts run to tens of kB each).
            .options(db.defer(Note.body), db.selectinload(Note.author), db.selectinload(Note.interview))
        )
    }
    return [(notes[h.note_id], h) for h in hits if h.note_id in notes]


# The notes are what search indexes (FTS5 triggers and the PostgreSQL index of migration 0004).
search.register_documents(
    search.Documents(
        table=Note.__tablename__,
        fts_table=f"{Note.__tablename__}_fts",
        title="title",
        body="body",
        interview="interview_id",
        author="author_id",
        date="written_on",
    )
)
