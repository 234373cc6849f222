"""User accounts and the single-use tokens that let people in."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    #: "fr" or "en"; None follows the browser.
    locale: Mapped[str | None] = mapped_column(String(5))
    #: Site administrator (programme staff); grants no access to inquiry content.
    is_admin: Mapped[bool] = mapped_column(default=False)
    #: Bumped at logout and at a password or email change: every older session cookie stops working.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    memberships: Mapped[list[Membership]] = relationship(  # noqa: F821
        "Membership", back_populates="user", cascade="all, delete-orphan"
    )

    def get_id(self) -> str:
        # Flask-Login stores this in the session: the version makes old cookies invalid.
        return f"{self.id}:{self.session_version}"

    @property
    def initials(self) -> str:
        """Up to two letters for an avatar: the first letter of each word of the name."""
        return "".join(word[0] for word in self.name.split())[:2].upper()

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class Invitation(db.Model):
    """A single-use link that brings a person into one inquiry with one role."""

    __tablename__ = "invitations"
    # One pending invitation per inquiry and address: a passed proposal executed twice (or two
    # proposals) cannot send a second link.
    __table_args__ = (
        Index(
            "uq_invitations_pending",
            "inquiry_id",
            "email",
            unique=True,
            sqlite_where=text("accepted_at IS NULL"),
            postgresql_where=text("accepted_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiries.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(16))
    #: sha256 of the token sent by email; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    inquiry = relationship("Inquiry")
    invited_by = relationship(User, foreign_keys=[invited_by_id])

    @property
    def is_usable(self) -> bool:
        return self.accepted_at is None and self.expires_at > utcnow()


class PasswordResetToken(db.Model):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > utcnow()


class ApiToken(db.Model):
    """A personal access token for the JSON API; only its sha256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    #: sha256 of the token; the token itself is shown once at creation and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the token, so the owner can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: None: never expires.
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    #: Only safe methods (GET, HEAD, OPTIONS) are allowed with it.
    read_only: Mapped[bool] = mapped_column(default=False)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class EmailChange(db.Model):
    """A requested change of address, applied only when the link sent to the new address is opened."""

    __tablename__ = "email_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    new_email: Mapped[str] = mapped_column(String(254))
    #: sha256 of the token sent to the new address; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    #: Set when confirmed, and also when voided (a newer request, a password change, cancelling).
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def is_usable(self) -> bool:
        return self.used_at is None and self.expires_at > utcnow()


class LoginFailure(db.Model):
    """Failed logins for one address typed in the form, from one client address.

    Keyed by digests of the normalised email and of the client address, so an unknown email
    is counted exactly like a known one and the table names nobody.
    """

    __tablename__ = "login_failures"
    __table_args__ = (UniqueConstraint("account_key", "client_key", name="uq_login_failures_account_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_key: Mapped[str] = mapped_column(String(64))
    client_key: Mapped[str] = mapped_column(String(64))
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime]
    #: This client may not try this account again before then (None: no wait).
    wait_until: Mapped[datetime | None]
