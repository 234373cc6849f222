"""The identity vault: who is behind a pseudonym, encrypted at rest, and every reveal."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db


class IdentityKey(db.Model):
    """Real name, contact and aliases of an interviewee; each column holds a Fernet token."""

    __tablename__ = "identity_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), unique=True)
    full_name_token: Mapped[str] = mapped_column(Text, default="")
    contact_token: Mapped[str] = mapped_column(Text, default="")
    #: Other names the person goes by, one per line, encrypted together.
    aliases_token: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    inquiry = relationship("Inquiry")
    interview = relationship("Interview")


class IdentityReveal(db.Model):
    """Someone saw the identity behind a pseudonym (who, when); shown on the interview page."""

    __tablename__ = "identity_reveals"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"), index=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revealed_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User")
