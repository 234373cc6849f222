"""What the fieldwork room puts in the inquiry archive: pseudonyms only, never the identity vault.

The notes hold pseudonyms by design; the writer ``privacy`` passes in still replaces any vault
name that slipped into a text. Identity keys and interview files (consent forms, recordings)
are never exported. An interview whose consent does not allow archiving (refused, not asked,
withdrawn) is left out entirely: its row, its notes and its excerpts.
"""

from __future__ import annotations

from sqlalchemy import select

from inquiry_hub.export_rows import rows_naming
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.models import (
    BlindCoding,
    Code,
    Excerpt,
    IdentityReveal,
    Interview,
    InterviewFile,
    InterviewGuide,
    Memo,
    Note,
    NoteComment,
    NoteRevision,
)
from inquiry_hub.fieldwork.services import interviews as fieldwork
from inquiry_hub.fieldwork.services import notes as fieldnotes

#: Models whose rows name a person (interviewer, author, coder...): pseudonyms only. The identity
#: vault is never exported, and interview files are listed without their content.
PERSONAL_MODELS = (
    Interview,
    InterviewFile,
    Note,
    NoteRevision,
    NoteComment,
    InterviewGuide,
    IdentityReveal,
    Code,
    Excerpt,
    Memo,
    BlindCoding,
)


def export_for_archive(out, inquiry) -> None:
    """One Markdown file of notes per interview, the free notes, and interviews.csv."""
    interviews = [i for i in fieldwork.interviews_of(inquiry) if fieldwork.archiving_allowed(i)]
    for interview in interviews:
        path = f"notes/{interview.id}-{out.slug(interview.pseudonym)}.md"
        notes = fieldnotes.notes_of(inquiry, interview)
        body = "\n".join(f"## {n.title}\n\n*{n.written_on.isoformat()}*\n\n{n.body}\n" for n in notes)
        out.markdown(path, interview.pseudonym, body or "—")
    free = fieldnotes.notes_of(inquiry, free_only=True)
    out.markdown(
        "notes/free-notes.md", "Other notes", "\n".join(f"## {n.title}\n\n{n.body}\n" for n in free) or "—"
    )
    out.csv(
        "interviews.csv",
        ["id", "pseudonym", "status", "conducted_on", "profile"],
        [[i.id, i.pseudonym, i.status, i.conducted_on or "", i.profile] for i in interviews],
    )


def export_coding_for_archive(out, inquiry) -> None:
    """The codebook, the coded excerpts and codes.csv (nothing when the team coded nothing)."""
    codes = db.session.scalars(
        select(Code).where(Code.inquiry_id == inquiry.id).order_by(Code.position, Code.id)
    ).all()
    archived = [i.id for i in fieldwork.interviews_of(inquiry) if fieldwork.archiving_allowed(i)]
    excerpts = db.session.scalars(
        select(Excerpt)
        .join(Note, Note.id == Excerpt.note_id)
        .where(
            Excerpt.inquiry_id == inquiry.id,
            Note.interview_id.is_(None) | Note.interview_id.in_(archived),
        )
        .order_by(Excerpt.id)
    ).all()
    if not codes and not excerpts:
        return
    out.markdown("codebook.md", "Codebook", "\n".join(f"- **{c.name}**: {c.description}" for c in codes))
    out.markdown("excerpts.md", "Excerpts", "\n".join(f"> {e.text}\n" for e in excerpts))
    out.csv(
        "codes.csv",
        ["id", "parent_id", "name", "description"],
        [[c.id, c.parent_id or "", c.name, c.description] for c in codes],
    )


#: Columns holding the team's current field material, not what the person wrote: a note's current
#: text may be others' (what the person wrote is in their own note revisions), an interview's profile
#: and place describe the interviewee. Left out of the personal export, member or not.
FIELD_MATERIAL_COLUMNS = {
    Note.__tablename__: ("title", "body"),
    Interview.__tablename__: ("profile", "place"),
}


def personal_rows(user) -> dict[str, list[dict]]:
    """table name → what the person wrote and did in this room: their revisions, excerpts, memos…

    Rows that merely name them (a note they created or last saved, an interview they planned)
    come without the inquiry's current field material.
    """
    rows = rows_naming(user, PERSONAL_MODELS)
    for table, columns in FIELD_MATERIAL_COLUMNS.items():
        for row in rows.get(table, []):
            for column in columns:
                row.pop(column, None)
    return rows
