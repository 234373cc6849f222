"""Proposals and positions: how a team decides, and how collective actions wait for it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import false as sql_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db


class ProposalStatus(enum.StrEnum):
    OPEN = "open"
    PASSED = "passed"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class ProposalKind(enum.StrEnum):
    CONSENT = "consent"
    MAJORITY = "majority"
    ADVICE = "advice"
    SENSE_CHECK = "sense_check"


class Stance(enum.StrEnum):
    AGREE = "agree"
    ABSTAIN = "abstain"
    DISAGREE = "disagree"
    BLOCK = "block"


class Proposal(db.Model):
    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    #: How it is decided: one of ProposalKind ("consent", "majority", "advice", "sense_check").
    kind: Mapped[str] = mapped_column(String(16))
    #: Name of the registered collective action it executes once passed; None for a free proposal.
    action: Mapped[str | None] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default=ProposalStatus.OPEN, index=True)
    deadline: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    #: Why it closed as it did, written by the engine for collective actions.
    outcome: Mapped[str] = mapped_column(Text, default="")
    #: Positions of others stay hidden until the deadline, so nobody follows the first voice.
    hide_positions: Mapped[bool] = mapped_column(default=False)
    #: Also needs the agreement of a co-decider (the partner, on a student's amendment of its brief).
    co_decided: Mapped[bool] = mapped_column(default=False, server_default=sql_false())

    inquiry = relationship("Inquiry")
    author = relationship("User", lazy="joined")
    positions: Mapped[list[Position]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="Position.id"
    )
    comments: Mapped[list[ProposalComment]] = relationship(
        back_populates="proposal", cascade="all, delete-orphan", order_by="ProposalComment.id"
    )

    @property
    def is_open(self) -> bool:
        return self.status == ProposalStatus.OPEN

    @property
    def is_free(self) -> bool:
        """A proposal written by the team, not a collective action waiting for its rule."""
        return self.action is None

    @property
    def visible_to_partner(self) -> bool:
        """The partner reads (and answers) only the proposals it co-decides; the rest is internal."""
        return self.co_decided

    def positions_hidden_at(self, now: datetime) -> bool:
        """True while others' positions must not be shown."""
        return self.hide_positions and self.is_open and now < self.deadline


class Position(db.Model):
    __tablename__ = "positions"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: One of Stance.
    stance: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="positions")
    user = relationship("User")

    @property
    def inquiry(self):
        return self.proposal.inquiry


class ProposalComment(db.Model):
    """A message of the discussion thread under a proposal."""

    __tablename__ = "proposal_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    proposal: Mapped[Proposal] = relationship(back_populates="comments")
    author = relationship("User", lazy="joined")

    @property
    def inquiry(self):
        return self.proposal.inquiry


class ProposalReminder(db.Model):
    """A reminder sent to a voter who had not answered 24 h before the deadline (sent once)."""

    __tablename__ = "proposal_reminders"
    __table_args__ = (UniqueConstraint("proposal_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
