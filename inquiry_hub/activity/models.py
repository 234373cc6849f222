"""What happened (activity), who must know (notifications), what to email (outbox)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db


class Activity(db.Model):
    """One write: who did what to which object. Never holds identity data."""

    __tablename__ = "activities"
    __table_args__ = (Index("ix_activities_inquiry_created", "inquiry_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Room the object belongs to ("members", "decisions", "tasks"...), used by the filters.
    room: Mapped[str] = mapped_column(String(20))
    #: "<room>.<event>", e.g. "members.invited"; the page renders a sentence from it.
    verb: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[int | None]
    #: A short label of the object (a title, a pseudonym), never a real name.
    summary: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor = relationship("User")


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"))
    #: Kind of event ("proposal.opened", "member.added"...): the message is rendered in the
    #: reader's language at display time from the kind and ``params``.
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    inquiry = relationship("Inquiry")


class OutboxMessage(db.Model):
    """An email written in the transaction that caused it, delivered later by ``run-due``."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_addr: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None]
    #: Set when the last attempt is used up; the message stays for an operator to read.
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: The delivery run that took the message (a random token), so no other run sends it too.
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    #: When it was taken; a claim older than the lease is taken over (the run died mid-send).
    claimed_at: Mapped[datetime | None]
