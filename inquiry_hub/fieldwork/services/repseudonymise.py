"""Re-pseudonymising what was written before a name or alias entered the vault.

Notes are cleaned of vault names when saved, so a name added to the vault later stays in
the notes written before. ``plan_for`` finds what the current vault names would change
(nothing is written: the preview); ``apply_plan`` writes it:

- each note whose text changes gets one new revision (by the person who confirmed) and its
  version counter moves on, so an editor still holding the old text gets the conflict page
  instead of saving the name back;
- earlier revisions are cleaned in place: the history must not keep a name that tutors may
  not see (they read notes and their history);
- excerpts keep their own copy of the text: their offsets are carried over exactly to the new
  note text (``pseudonymise.shift``, a span cut inside a name grows to the whole pseudonym),
  and their text is taken from the new note text; an excerpt already stale (its text no longer
  in the note) keeps its offsets and only has names replaced in its text;
- the fieldwork lines of the activity log, which quote note titles, are cleaned as well.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from inquiry_hub.activity import services as activity
from inquiry_hub.activity.models import Activity
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import pseudonymise
from inquiry_hub.fieldwork.models import Excerpt, Note, NoteRevision
from inquiry_hub.fieldwork.models.hiding import SEE_WITHDRAWN
from inquiry_hub.fieldwork.services import identity


@dataclass
class NoteChange:
    """What the vault names change in one note: its text now, and earlier revisions."""

    note: Note
    title: pseudonymise.Result
    body: pseudonymise.Result
    #: Earlier revisions whose text changes: (revision, new title, new body).
    revisions: list[tuple[NoteRevision, str, str]] = field(default_factory=list)
    #: Hidden by a pending withdrawal of consent: cleaned too (it may come back), never listed.
    hidden: bool = False

    @property
    def text_changes(self) -> bool:
        return self.title.changed or self.body.changed

    @property
    def found(self) -> Counter:
        """(text found, pseudonym) → times, in the current text. Real names: students only."""
        return self.title.replaced + self.body.replaced

    @property
    def by_pseudonym(self) -> list[tuple[str, int]]:
        """(pseudonym, replacements in the current text), what anyone may be shown."""
        counts: Counter = Counter()
        for (_found, pseudonym), n in self.found.items():
            counts[pseudonym] += n
        return sorted(counts.items())


@dataclass
class ExcerptChange:
    excerpt: Excerpt
    start: int
    end: int
    text: str


@dataclass
class Plan:
    notes: list[NoteChange] = field(default_factory=list)
    excerpts: list[ExcerptChange] = field(default_factory=list)
    #: Lines of the fieldwork activity log whose summary (a note title...) holds a name: (row, new).
    activities: list[tuple[Activity, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.notes and not self.excerpts and not self.activities

    @property
    def pseudonyms(self) -> list[str]:
        return sorted({p for change in self.notes for p, _n in change.by_pseudonym})

    @property
    def shown(self) -> list[NoteChange]:
        """The changes the preview lists: not those of notes hidden by a pending withdrawal."""
        return [change for change in self.notes if not change.hidden]

    @property
    def hidden_count(self) -> int:
        return sum(1 for change in self.notes if change.hidden)


def _excerpt_change(excerpt: Excerpt, note_change: NoteChange | None, names) -> ExcerptChange | None:
    note_text_matches = (
        note_change is not None
        and not excerpt.stale
        and note_change.note.body[excerpt.start : excerpt.end] == excerpt.text
    )
    if note_text_matches:
        spans, body = note_change.body.spans, note_change.body.text
        start = pseudonymise.shift(spans, excerpt.start)
        end = pseudonymise.shift(spans, excerpt.end, end=True)
        change = ExcerptChange(excerpt, start, end, body[start:end])
    else:
        change = ExcerptChange(
            excerpt, excerpt.start, excerpt.end, pseudonymise.replace_names(excerpt.text, names).text
        )
    unchanged = (change.start, change.end, change.text) == (excerpt.start, excerpt.end, excerpt.text)
    return None if unchanged else change


def plan_for(inquiry) -> Plan:
    """What the inquiry's vault names would change in its notes and excerpts (nothing written)."""
    names = identity.names_by_pseudonym(inquiry)
    plan = Plan()
    if not names:
        return plan
    # Notes a pending withdrawal hides are cleaned too: a mistake mark would bring them back.
    visible = set(db.session.scalars(select(Note.id).where(Note.inquiry_id == inquiry.id)))
    notes = db.session.scalars(
        select(Note)
        .where(Note.inquiry_id == inquiry.id)
        .options(db.selectinload(Note.revisions))
        .order_by(Note.written_on.desc(), Note.id.desc())
        .execution_options(**SEE_WITHDRAWN)
    ).all()
    by_note: dict[int, NoteChange] = {}
    for note in notes:
        change = NoteChange(
            note,
            pseudonymise.replace_names(note.title, names),
            pseudonymise.replace_names(note.body, names),
            hidden=note.id not in visible,
        )
        for revision in note.revisions:
            title = pseudonymise.replace_names(revision.title, names).text[:200]
            body = pseudonymise.replace_names(revision.body, names).text
            if (title, body) != (revision.title, revision.body):
                change.revisions.append((revision, title, body))
        if change.text_changes or change.revisions:
            plan.notes.append(change)
            by_note[note.id] = change
    excerpts = select(Excerpt).where(Excerpt.inquiry_id == inquiry.id).order_by(Excerpt.id)
    for excerpt in db.session.scalars(excerpts.execution_options(**SEE_WITHDRAWN)):
        found = _excerpt_change(excerpt, by_note.get(excerpt.note_id), names)
        if found is not None:
            plan.excerpts.append(found)
    # The log keeps the titles notes had when written; tutors read it.
    log = select(Activity).where(Activity.inquiry_id == inquiry.id, Activity.room == "fieldwork")
    for row in db.session.scalars(log.order_by(Activity.id)):
        summary = pseudonymise.replace_names(row.summary, names).text[:300]
        if summary != row.summary:
            plan.activities.append((row, summary))
    return plan


def apply_plan(inquiry, actor) -> Plan:
    """Write what ``plan_for`` finds now: one new revision per changed note, excerpts carried over.

    Raises sqlalchemy's StaleDataError when a note was saved meanwhile (nothing is written).
    """
    plan = plan_for(inquiry)
    now = utcnow()
    with db.session.no_autoflush:
        for change in plan.notes:
            for revision, title, body in change.revisions:
                revision.title, revision.body = title, body
            if change.text_changes:
                note = change.note
                note.title, note.body = change.title.text[:200], change.body.text
                note.updated_by_id, note.updated_at = actor.id, now
                note.revisions.append(
                    NoteRevision(
                        number=len(note.revisions) + 1, title=note.title, body=note.body, author_id=actor.id
                    )
                )
        for found in plan.excerpts:
            found.excerpt.start, found.excerpt.end, found.excerpt.text = found.start, found.end, found.text
        for row, summary in plan.activities:
            row.summary = summary
    # The note UPDATEs are guarded by their version: a save that raced this one fails here.
    db.session.flush()
    if not plan.empty:
        changed = sum(1 for c in plan.notes if c.text_changes)
        activity.record(inquiry, actor, "fieldwork.notes_repseudonymised", summary=str(changed))
    return plan
