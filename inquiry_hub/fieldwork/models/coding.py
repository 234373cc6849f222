"""Collective coding: the codebook tree, excerpts of notes tagged with codes, memos, blind coding."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db

excerpt_codes = Table(
    "excerpt_codes",
    db.metadata,
    Column("excerpt_id", ForeignKey("excerpts.id", ondelete="CASCADE"), primary_key=True),
    Column("code_id", ForeignKey("codes.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Code(db.Model):
    """A code of the inquiry's codebook; ``parent_id`` makes the tree."""

    __tablename__ = "codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id", ondelete="SET NULL"), index=True)
    #: REFI-QDA identifier, kept across export and import.
    guid: Mapped[str] = mapped_column(String(36), default=lambda: str(uuid.uuid4()))
    name: Mapped[str] = mapped_column(String(120))
    #: "#rrggbb".
    colour: Mapped[str] = mapped_column(String(7), default="#ffd966")
    #: Definition with inclusion and exclusion criteria (Markdown).
    description: Mapped[str] = mapped_column(Text, default="")
    example: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inquiry = relationship("Inquiry")
    author = relationship("User")
    parent: Mapped[Code | None] = relationship(remote_side=[id])


class Excerpt(db.Model):
    """A span of a note tagged with codes; ``text`` is the exact quote used to re-anchor it."""

    __tablename__ = "excerpts"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    #: Character offsets in the note body, end excluded.
    start: Mapped[int]
    end: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    coder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: Coded in blind mode: hidden from the other coders of the note while they code it blind.
    blind: Mapped[bool] = mapped_column(default=False)
    #: The quoted text was not found after an edit of the note: a human must re-anchor it.
    stale: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inquiry = relationship("Inquiry")
    note = relationship("Note")
    coder = relationship("User")
    codes: Mapped[list[Code]] = relationship(secondary=excerpt_codes, order_by="Code.name")


class BlindCoding(db.Model):
    """A coder coding a note blind: they do not see the others' excerpts on it."""

    __tablename__ = "blind_codings"
    __table_args__ = (UniqueConstraint("note_id", "user_id", name="uq_blind_codings_note_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    note_id: Mapped[int] = mapped_column(ForeignKey("notes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Memo(db.Model):
    """An analytic memo on a code, an excerpt, or the whole inquiry (neither set)."""

    __tablename__ = "memos"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    code_id: Mapped[int | None] = mapped_column(ForeignKey("codes.id", ondelete="CASCADE"), index=True)
    excerpt_id: Mapped[int | None] = mapped_column(ForeignKey("excerpts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inquiry = relationship("Inquiry")
    author = relationship("User")
    code = relationship("Code")
    excerpt = relationship("Excerpt")
