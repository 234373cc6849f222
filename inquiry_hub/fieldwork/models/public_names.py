"""Names the team decided are public (a mayor, a federation's president): the gate lets them pass."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db


class PublicName(db.Model):
    """A person's name the disclosure gate does not flag in this inquiry (decided collectively)."""

    __tablename__ = "disclosure_public_names"
    __table_args__ = (
        UniqueConstraint("inquiry_id", "folded", name="uq_disclosure_public_names_inquiry_folded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: The name as the gate compares it (no case, accents or hyphens).
    folded: Mapped[str] = mapped_column(String(120))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
