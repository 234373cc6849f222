"""What the privacy room stores: retention choices, the purge log, the sensitive-read log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db


class RetentionSetting(db.Model):
    """An inquiry's choices about the end of its data (one row per inquiry, made on demand)."""

    __tablename__ = "retention_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), unique=True)
    #: Keep the pseudonymised notes after the purge (identity keys and files always go).
    archive_notes: Mapped[bool] = mapped_column(default=False)
    #: The retention date members were warned about (a new date warns again).
    notified_for: Mapped[date | None]
    purged_at: Mapped[datetime | None]


class PurgeLog(db.Model):
    """What one purge deleted, in counts only: no names, no titles."""

    __tablename__ = "purge_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Kept as a plain number: the log outlives the inquiry.
    inquiry_ref: Mapped[int]
    retention_until: Mapped[date]
    ran_at: Mapped[datetime] = mapped_column(default=utcnow)
    identity_keys: Mapped[int] = mapped_column(default=0)
    consent_forms: Mapped[int] = mapped_column(default=0)
    other_files: Mapped[int] = mapped_column(default=0)
    notes: Mapped[int] = mapped_column(default=0)


class SensitiveRead(db.Model):
    """A read that the audit page lists: a consent form download or an export."""

    __tablename__ = "sensitive_reads"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: "consent_form" or "archive".
    kind: Mapped[str] = mapped_column(String(20))
    #: A pseudonym or a file name already pseudonymised; never a real name.
    summary: Mapped[str] = mapped_column(String(200), default="")
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArchiveJob(db.Model):
    """One build of the inquiry archive, run in the background; its progress is shown as it goes."""

    __tablename__ = "archive_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: "queued", "running", "done" or "failed".
    status: Mapped[str] = mapped_column(String(10), default="queued")
    #: Steps of the build (one per room, then the index page) finished, out of ``total_steps``.
    done_steps: Mapped[int] = mapped_column(default=0)
    total_steps: Mapped[int] = mapped_column(default=0)
    #: Name of the finished ZIP in the archive folder; set only once the file is complete.
    file_name: Mapped[str | None] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(default=0)
    #: Why the build failed, in general terms: never a name or a piece of the material.
    error: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    #: Last sign of life of the worker: a "running" job silent for long died with its process.
    updated_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")

    @property
    def percent(self) -> int:
        return round(100 * self.done_steps / self.total_steps) if self.total_steps else 0
