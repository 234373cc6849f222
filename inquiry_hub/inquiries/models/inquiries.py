"""Cohorts, partner organisations, inquiries, their members and phases."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db


class GovernanceRule(enum.StrEnum):
    ANY_MEMBER = "any_member"
    CONSENT = "consent"
    MAJORITY = "majority"


LEGAL_FORMS = ("association", "scop", "scic", "mutuelle", "syndicat", "other")
DEFAULT_PHASES = ("framing", "fieldwork", "analysis", "restitution")


class Cohort(db.Model):
    """A school year of the programme, e.g. "2026-2027"."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]


class Organisation(db.Model):
    """The partner structure that commissions an inquiry."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), unique=True)
    #: One of LEGAL_FORMS.
    legal_form: Mapped[str] = mapped_column(String(20))
    sector: Mapped[str] = mapped_column(String(120), default="")
    city: Mapped[str] = mapped_column(String(120), default="")


class Inquiry(db.Model):
    __tablename__ = "inquiries"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    #: The commissioned question, in Markdown.
    question: Mapped[str] = mapped_column(Text, default="")
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    governance_rule: Mapped[str] = mapped_column(String(16), default=GovernanceRule.CONSENT)
    #: Hours a consent proposal waits for objections before it executes.
    consent_delay_hours: Mapped[int] = mapped_column(default=48)
    #: After this date identity keys and consent files are purged.
    retention_until: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    cohort: Mapped[Cohort] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="inquiry", cascade="all, delete-orphan"
    )
    phases: Mapped[list[Phase]] = relationship(
        back_populates="inquiry", cascade="all, delete-orphan", order_by="Phase.position"
    )

    @property
    def inquiry(self) -> Inquiry:
        # Lets the policy find the inquiry of any object, this one included.
        return self

    def current_phase(self, today: date) -> Phase | None:
        for phase in self.phases:
            if phase.starts_on <= today <= phase.ends_on:
                return phase
        return None


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("inquiry_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: One of policy.Role.
    role: Mapped[str] = mapped_column(String(16))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    inquiry: Mapped[Inquiry] = relationship(back_populates="memberships")
    user = relationship("User", back_populates="memberships")


class Phase(db.Model):
    """A stage of the inquiry on its timeline (framing, fieldwork, analysis, restitution)."""

    __tablename__ = "phases"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    #: One of DEFAULT_PHASES, or "custom" with its own title.
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(default=0)
    starts_on: Mapped[date]
    ends_on: Mapped[date]

    inquiry: Mapped[Inquiry] = relationship(back_populates="phases")
