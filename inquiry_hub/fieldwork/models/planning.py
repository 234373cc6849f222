"""The interview guide (versioned) and the sampling targets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db


class InterviewGuide(db.Model):
    """One version of the inquiry's interview guide: Markdown, questions grouped by theme."""

    __tablename__ = "interview_guides"
    __table_args__ = (UniqueConstraint("inquiry_id", "version", name="uq_interview_guides_inquiry_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text, default="")
    changelog: Mapped[str] = mapped_column(String(300), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inquiry = relationship("Inquiry")
    author = relationship("User")


class SamplingTarget(db.Model):
    """How many interviews the team wants for one value of a profile attribute."""

    __tablename__ = "sampling_targets"
    __table_args__ = (UniqueConstraint("attribute_id", "value", name="uq_sampling_targets_attribute_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    attribute_id: Mapped[int] = mapped_column(ForeignKey("fieldwork_attributes.id", ondelete="CASCADE"))
    value: Mapped[str] = mapped_column(String(80))
    target: Mapped[int] = mapped_column(default=0)

    inquiry = relationship("Inquiry")
