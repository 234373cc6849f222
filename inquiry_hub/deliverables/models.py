"""Deliverables, their versions (an uploaded file or a Markdown text), reviews and comments."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.storage import refers_to_files


class Kind(enum.StrEnum):
    FRAMING_NOTE = "framing_note"
    INTERIM_SYNTHESIS = "interim_synthesis"
    FINAL_REPORT = "final_report"
    RESTITUTION_SLIDES = "restitution_slides"
    MEMBERS_SUMMARY = "members_summary"
    OTHER = "other"


class Status(enum.StrEnum):
    DRAFT = "draft"
    INTERNAL_REVIEW = "internal_review"
    SHARED = "shared"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"


#: The pipeline, in order; the last two are alternative outcomes of the partner's review.
PIPELINE = (Status.DRAFT, Status.INTERNAL_REVIEW, Status.SHARED, Status.CHANGES_REQUESTED, Status.APPROVED)


class Channel(enum.StrEnum):
    #: The tutor's feedback, kept inside the team.
    INTERNAL = "internal"
    #: The partner's review of a shared version.
    EXTERNAL = "external"


class Verdict(enum.StrEnum):
    COMMENT = "comment"
    READY = "ready"
    NEEDS_WORK = "needs_work"
    APPROVE = "approve"
    CHANGES = "changes"


class Deliverable(db.Model):
    __tablename__ = "deliverables"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), default=Kind.OTHER)
    due_on: Mapped[date | None]
    #: A phase key of the inquiry (see inquiries.phase_label), or "".
    phase: Mapped[str] = mapped_column(String(30), default="")
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT)
    #: True once one of its versions was shared: the partner may then see it.
    shared_with_partner: Mapped[bool] = mapped_column(default=False)
    #: The research question of the brief this serves, if any.
    research_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("research_questions.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Last write on the deliverable, its versions or reviews (the overview's "last activity").
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    inquiry = relationship("Inquiry")
    research_question = relationship("ResearchQuestion")
    versions: Mapped[list[Version]] = relationship(
        back_populates="deliverable", cascade="all, delete-orphan", order_by="Version.number"
    )

    @property
    def visible_to_partner(self) -> bool:
        return self.shared_with_partner


class Version(db.Model):
    __tablename__ = "deliverable_versions"
    __table_args__ = (
        UniqueConstraint("deliverable_id", "number", name="uq_deliverable_versions_deliverable_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    deliverable_id: Mapped[int] = mapped_column(ForeignKey("deliverables.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    #: Markdown written in the app; empty for an uploaded file.
    body: Mapped[str] = mapped_column(Text, default="")
    #: The stored file (sha256 in the storage), or None for a text version.
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    #: The sanitised name of the upload, only ever used as a download name.
    filename: Mapped[str] = mapped_column(String(200), default="")
    #: The type sniffed from the content, never the one the browser claimed.
    mimetype: Mapped[str] = mapped_column(String(100), default="text/markdown")
    size: Mapped[int] = mapped_column(default=0)
    changelog: Mapped[str] = mapped_column(String(300), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    shared_at: Mapped[datetime | None]
    #: Set when the disclosure gate stopped passing the shared version (a vault name, public
    #: name or consent changed): the partner no longer sees it, until it passes again.
    withheld_at: Mapped[datetime | None]
    #: The gate's findings at that moment (team only; never a real name).
    withheld_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    inquiry = relationship("Inquiry")
    deliverable: Mapped[Deliverable] = relationship(back_populates="versions")
    author = relationship("User")

    @property
    def is_text(self) -> bool:
        return self.sha256 is None

    @property
    def visible_to_partner(self) -> bool:
        return self.shared_at is not None and self.withheld_at is None

    @property
    def previewable(self) -> str:
        """ "pdf", "image" or "" : how the page shows the file inline."""
        if self.mimetype == "application/pdf":
            return "pdf"
        return "image" if self.mimetype.startswith("image/") else ""


class Review(db.Model):
    """Feedback on a version in one channel: the tutor's (internal) or the partner's."""

    __tablename__ = "deliverable_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("deliverable_versions.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(10))
    verdict: Mapped[str] = mapped_column(String(20), default=Verdict.COMMENT)
    body: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inquiry = relationship("Inquiry")
    version: Mapped[Version] = relationship()
    author = relationship("User")

    @property
    def visible_to_partner(self) -> bool:
        return self.channel == Channel.EXTERNAL and self.version.visible_to_partner


class ReviewComment(db.Model):
    """A comment on a passage or a page of a version, or an answer to one; internal only."""

    __tablename__ = "deliverable_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("deliverable_versions.id", ondelete="CASCADE"), index=True
    )
    #: The comment answered, for a reply.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("deliverable_comments.id", ondelete="CASCADE"))
    #: The quoted passage (text versions) or "p. 3" (files); empty for a reply.
    anchor: Mapped[str] = mapped_column(String(500), default="")
    page: Mapped[int | None]
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    inquiry = relationship("Inquiry")
    author = relationship("User", foreign_keys=[author_id])
    replies: Mapped[list[ReviewComment]] = relationship(order_by="ReviewComment.id")

    #: Internal feedback: never shown to the partner.
    visible_to_partner = False


# Stored bytes are shared by content with other rooms: they go only when no row refers to them.
refers_to_files(Version.sha256)
