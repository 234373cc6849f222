"""Interviews, their profile attributes, consent terms and attached files."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.storage import refers_to_files


class InterviewStatus(enum.StrEnum):
    PLANNED = "planned"
    CONDUCTED = "conducted"
    TRANSCRIBED = "transcribed"
    CODED = "coded"


class ConsentStatus(enum.StrEnum):
    NOT_ASKED = "not_asked"
    ORAL = "oral"
    WRITTEN = "written"
    WITHDRAWN = "withdrawn"


class Quotation(enum.StrEnum):
    NAMED = "named"
    ANONYMISED = "anonymised"
    FORBIDDEN = "forbidden"


class ProfileAttribute(db.Model):
    """A dimension of the sample defined by the team, e.g. "age range" with its categories."""

    __tablename__ = "fieldwork_attributes"
    __table_args__ = (UniqueConstraint("inquiry_id", "name", name="uq_fieldwork_attributes_inquiry_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    #: Allowed values: categories or ranges ("18-30"), never exact birth dates.
    values: Mapped[list] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)

    inquiry = relationship("Inquiry")


interviewers = Table(
    "interview_interviewers",
    db.metadata,
    Column("interview_id", ForeignKey("interviews.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class Interview(db.Model):
    __tablename__ = "interviews"
    __table_args__ = (UniqueConstraint("inquiry_id", "pseudonym", name="uq_interviews_inquiry_pseudonym"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    #: The only name the team writes, e.g. "E07"; unique in the inquiry.
    pseudonym: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default=InterviewStatus.PLANNED)
    planned_on: Mapped[date | None]
    conducted_on: Mapped[date | None]
    place: Mapped[str] = mapped_column(String(200), default="")
    duration_minutes: Mapped[int | None]
    #: attribute id (as text) → chosen value.
    profile: Mapped[dict] = mapped_column(JSON, default=dict)
    guide_id: Mapped[int | None] = mapped_column(ForeignKey("interview_guides.id", ondelete="SET NULL"))
    #: The research question of the brief this serves, if any.
    research_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("research_questions.id", ondelete="SET NULL"), index=True
    )
    #: Set when consent was withdrawn and the material purged; the row stays as a tombstone.
    purged_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inquiry = relationship("Inquiry")
    interviewers = relationship("User", secondary=interviewers, order_by="User.name")
    guide = relationship("InterviewGuide")
    research_question = relationship("ResearchQuestion")
    consent: Mapped[Consent | None] = relationship(
        back_populates="interview", cascade="all, delete-orphan", uselist=False
    )
    files: Mapped[list[InterviewFile]] = relationship(
        back_populates="interview", cascade="all, delete-orphan", order_by="InterviewFile.id"
    )

    @property
    def withdrawn(self) -> bool:
        """Consent withdrawn (material hidden until its deletion), or material already purged."""
        if self.purged_at is not None:
            return True
        return self.consent is not None and self.consent.status == ConsentStatus.WITHDRAWN


class Consent(db.Model):
    """The interviewee's consent and terms; they drive what the team may do with the material."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=ConsentStatus.NOT_ASKED)
    given_on: Mapped[date | None]
    #: Version of the information notice the person was given, e.g. "v2".
    notice_version: Mapped[str] = mapped_column(String(40), default="")
    recording_allowed: Mapped[bool] = mapped_column(default=False)
    quotation: Mapped[str] = mapped_column(String(16), default=Quotation.ANONYMISED)
    archiving_allowed: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    interview: Mapped[Interview] = relationship(back_populates="consent")


class InterviewFile(db.Model):
    """A file of an interview (the signed consent form), stored content-addressed."""

    __tablename__ = "interview_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    #: "consent_form" or "attachment".
    kind: Mapped[str] = mapped_column(String(20), default="attachment")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    size: Mapped[int] = mapped_column(default=0)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    interview: Mapped[Interview] = relationship(back_populates="files")
    inquiry = relationship("Inquiry")

    @property
    def confidential(self) -> bool:
        # A signed form carries the real name: only those who may reveal identities see it.
        return self.kind == "consent_form"


# Stored bytes are shared by content with other rooms: they go only when no row refers to them.
refers_to_files(InterviewFile.sha256)
