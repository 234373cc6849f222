"""Meetings: agenda, minutes with revisions, attendance and the rotating roles."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db


class MeetingKind(enum.StrEnum):
    TEAM = "team"
    WITH_TUTOR = "with_tutor"
    JOINT = "joint"


class MeetingRole(enum.StrEnum):
    """Coordination duties that rotate between students; they carry no permission."""

    FACILITATOR = "facilitator"
    SECRETARY = "secretary"
    TIMEKEEPER = "timekeeper"


meeting_attendees = Table(
    "meeting_attendees",
    db.Model.metadata,
    Column("meeting_id", ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


@dataclass(frozen=True)
class PublishedMinutes:
    """The minutes as an object of the policy: the partner reads them once published."""

    inquiry: object
    visible_to_partner: bool


class Meeting(db.Model):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    held_at: Mapped[datetime]
    #: A room, an address or a video-call link.
    place: Mapped[str] = mapped_column(String(300), default="")
    #: One of MeetingKind; only joint meetings are seen by the partner.
    kind: Mapped[str] = mapped_column(String(12), default=MeetingKind.TEAM)
    minutes: Mapped[str] = mapped_column(Text, default="")
    #: Bumped on every save of the minutes; a save from an older version is a conflict.
    minutes_version: Mapped[int] = mapped_column(default=0)
    #: The version of the minutes the team published to the partner (None: not published); a later
    #: edit reaches the partner only once the team publishes it in turn.
    published_version: Mapped[int | None]
    #: Set while the disclosure gate withholds the published minutes (a name or consent changed
    #: since); cleared when they pass again.
    minutes_withheld_at: Mapped[datetime | None]
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    secretary_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    timekeeper_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Action item text → id of the task made from it, so one click makes one task.
    action_tasks: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    inquiry = relationship("Inquiry")
    facilitator = relationship("User", foreign_keys=[facilitator_id])
    secretary = relationship("User", foreign_keys=[secretary_id])
    timekeeper = relationship("User", foreign_keys=[timekeeper_id])
    attendees = relationship("User", secondary=meeting_attendees, order_by="User.name")
    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position"
    )
    comments: Mapped[list[MeetingComment]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingComment.id"
    )
    revisions: Mapped[list[MinutesRevision]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MinutesRevision.version.desc()"
    )

    @property
    def visible_to_partner(self) -> bool:
        return self.kind == MeetingKind.JOINT

    @property
    def published(self) -> bool:
        return self.published_version is not None

    @property
    def published_minutes(self) -> PublishedMinutes:
        return PublishedMinutes(self.inquiry, self.visible_to_partner and self.published)

    def minutes_at(self, version: int | None) -> str | None:
        """The text of the minutes as saved at ``version`` (None if there is no such version)."""
        if version is None:
            return None
        if version == self.minutes_version:
            return self.minutes
        return next((r.body for r in self.revisions if r.version == version), None)

    def holder_of(self, role: str):
        return getattr(self, str(role))

    def role_ids(self) -> dict[str, int | None]:
        return {str(r): getattr(self, f"{r}_id") for r in MeetingRole}


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")


class MinutesRevision(db.Model):
    """One saved state of the minutes."""

    __tablename__ = "minutes_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="revisions")
    author = relationship("User", lazy="joined")


class MeetingComment(db.Model):
    """A remark on a meeting (students and tutors)."""

    __tablename__ = "meeting_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="comments")
    author = relationship("User", lazy="joined")

    @property
    def inquiry(self):
        return self.meeting.inquiry
