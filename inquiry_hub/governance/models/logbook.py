"""The logbook: dated reflexive entries, personal or shared with the team and tutors."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db


class LogbookEntry(db.Model):
    __tablename__ = "logbook_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    written_on: Mapped[date]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    #: Set for a personal entry: its author's alone (the policy reads it).
    private_to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    inquiry = relationship("Inquiry")
    author = relationship("User", foreign_keys=[author_id])
    comments: Mapped[list[LogbookComment]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="LogbookComment.id"
    )

    @property
    def is_personal(self) -> bool:
        return self.private_to_user_id is not None


class LogbookComment(db.Model):
    __tablename__ = "logbook_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("logbook_entries.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry: Mapped[LogbookEntry] = relationship(back_populates="comments")
    author = relationship("User", lazy="joined")
