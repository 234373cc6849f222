"""The commission: the partner's brief, one row per accepted version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db

#: The parts of a brief, in the order they are shown.
COMMISSION_FIELDS = ("research_questions", "scope", "schedule", "deliverables")


class CommissionVersion(db.Model):
    """An accepted version of the brief; the newest is what the team and the partner see."""

    __tablename__ = "commission_versions"
    __table_args__ = (UniqueConstraint("inquiry_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    research_questions: Mapped[str] = mapped_column(Text, default="")
    scope: Mapped[str] = mapped_column(Text, default="")
    schedule: Mapped[str] = mapped_column(Text, default="")
    #: Expected deliverables, in Markdown.
    deliverables: Mapped[str] = mapped_column(Text, default="")
    #: Why it changed, from the amendment that made it.
    note: Mapped[str] = mapped_column(Text, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inquiry = relationship("Inquiry")
    proposed_by = relationship("User")
