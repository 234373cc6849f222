"""Notes and transcripts (pseudonyms only), with their full revision history."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db

NOTE_KINDS = ("transcript", "interview_notes", "field_notes")


class Note(db.Model):
    """A Markdown text: an interview's transcript or notes, or free field notes (no interview)."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    #: One of NOTE_KINDS.
    kind: Mapped[str] = mapped_column(String(20), default="interview_notes")
    title: Mapped[str] = mapped_column(String(200))
    #: Markdown holding pseudonyms only: names are replaced before any save.
    body: Mapped[str] = mapped_column(Text, default="")
    #: The day the note is about (observation, interview), used by search filters.
    written_on: Mapped[date] = mapped_column(default=lambda: utcnow().date())
    #: Incremented on every save; a save based on an older version is a conflict.
    version: Mapped[int] = mapped_column(default=1)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    inquiry = relationship("Inquiry")
    interview = relationship("Interview")
    author = relationship("User", foreign_keys=[author_id])
    updated_by = relationship("User", foreign_keys=[updated_by_id])
    revisions: Mapped[list[NoteRevision]] = relationship(
        back_populates="note", cascade="all, delete-orphan", order_by="NoteRevision.number"
    )
    comments: Mapped[list[NoteComment]] = relationship(
        back_populates="note", cascade="all, delete-orphan", order_by="NoteComment.id"
    )

    __mapper_args__ = {"version_id_col": version}


class NoteRevision(db.Model):
    """The text of a note as saved once; number 1 is the creation."""

    __tablename__ = "note_revisions"
    __table_args__ = (UniqueConstraint("note_id", "number", name="uq_note_revisions_note_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    note: Mapped[Note] = relationship(back_populates="revisions")
    author = relationship("User")


class NoteComment(db.Model):
    """Feedback on a note (tutors' comments, students' replies)."""

    __tablename__ = "note_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    note: Mapped[Note] = relationship(back_populates="comments")
    author = relationship("User")
