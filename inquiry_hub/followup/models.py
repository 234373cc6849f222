"""Per-person notification settings, digest and reminder bookkeeping, activity feeds."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db

#: How a notification kind also reaches a person by email.
EMAIL_NEVER, EMAIL_IMMEDIATE, EMAIL_DIGEST = "never", "immediate", "digest"
EMAIL_CHOICES = (EMAIL_NEVER, EMAIL_IMMEDIATE, EMAIL_DIGEST)


class NotificationPreference(db.Model):
    """Whether one kind of notification also goes by email; no row means in the app only."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("user_id", "kind", name="uq_notification_preferences_user_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    #: A kind registered with activity.services.register_notifications.
    kind: Mapped[str] = mapped_column(String(40))
    #: One of EMAIL_CHOICES.
    email: Mapped[str] = mapped_column(String(10), default=EMAIL_NEVER)


class DigestState(db.Model):
    """When a person's last daily digest was composed: the next one starts there."""

    __tablename__ = "digest_states"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    last_sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class DueReminder(db.Model):
    """A "due tomorrow" notification already sent, so run-due sends it once."""

    __tablename__ = "due_reminders"
    __table_args__ = (
        UniqueConstraint("task_id", "user_id", "due_on", name="uq_due_reminders_task_user_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The due date reminded of: moving the date sends a new reminder.
    due_on: Mapped[date]


class ActivityFeed(db.Model):
    """A secret address where a feed reader follows the activity of the person's inquiries."""

    __tablename__ = "activity_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: sha256 of the token in the address; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
