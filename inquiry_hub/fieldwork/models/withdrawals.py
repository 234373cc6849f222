"""A recorded withdrawal of consent: the material is hidden at once and deleted after a delay.

One student records it; any other student may mark it as a mistake within the delay, which
restores the material. Rows stay as the history of what happened (no personal data).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db


class ConsentWithdrawal(db.Model):
    __tablename__ = "consent_withdrawals"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    #: Who recorded it: the one student who may not mark it as a mistake.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When ``run-due`` deletes the material, unless marked as a mistake before.
    delete_after: Mapped[datetime]
    #: The consent status before the withdrawal, given back if it was a mistake.
    previous_status: Mapped[str] = mapped_column(String(16), default="")
    mistake_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    mistake_at: Mapped[datetime | None]
    #: When the material was deleted.
    deleted_at: Mapped[datetime | None]

    inquiry = relationship("Inquiry")
    interview = relationship("Interview")
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])
    mistake_by = relationship("User", foreign_keys=[mistake_by_id])

    @property
    def pending(self) -> bool:
        """Recorded, not (yet) carried out nor marked as a mistake: the material is hidden."""
        return self.mistake_at is None and self.deleted_at is None
