"""Account services: authentication, throttling, invitations, password reset."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import attributes

from inquiry_hub.accounts.models import ApiToken, Invitation, PasswordResetToken, User
from inquiry_hub.accounts.passwords import hash_password, needs_rehash, verify_password
from inquiry_hub.activity import services as activity
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.urls import absolute_url

# Verifying against this keeps the timing of "no such account" close to a wrong password.
_DUMMY_HASH = None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _email_link(endpoint: str, **values) -> str:
    """An absolute link for an email, also outside a request (``run-due`` sends invitations)."""
    return absolute_url(endpoint, **values)


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email: str, name: str, password: str, locale: str | None = None) -> User:
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=hash_password(password),
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    return user


def is_locked_out(user: User, now=None) -> bool:
    """Too many failures in the current window: the account refuses logins for now."""
    config = current_app.config
    now = now or utcnow()
    window = timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"])
    return (
        user.failed_window_start is not None
        and user.failed_window_start > now - window
        and user.failed_logins >= config["LOGIN_MAX_FAILURES"]
    )


def record_failure(user: User, now=None) -> None:
    """Count a failure with one atomic UPDATE, so concurrent workers cannot lose increments."""
    now = now or utcnow()
    window_start = now - timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])
    stale = (User.failed_window_start.is_(None)) | (User.failed_window_start <= window_start)
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            failed_logins=case((stale, 1), else_=User.failed_logins + 1),
            failed_window_start=case((stale, now), else_=User.failed_window_start),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire(user, ["failed_logins", "failed_window_start"])


def authenticate(email: str, password: str) -> tuple[User | None, bool]:
    """(user, locked): the user when the password is right and the account not locked."""
    global _DUMMY_HASH
    user = find_user(email)
    if user is None:
        _DUMMY_HASH = _DUMMY_HASH or hash_password(secrets.token_hex(8))
        verify_password(_DUMMY_HASH, password)
        return None, False
    if is_locked_out(user):
        return None, True
    if not verify_password(user.password_hash, password):
        record_failure(user)
        return None, False
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.failed_window_start = None
    user.last_login_at = utcnow()
    return user, False


def end_all_sessions(user: User) -> None:
    """Every session cookie issued so far stops working."""
    user.session_version += 1


def change_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    end_all_sessions(user)


# --- invitations ------------------------------------------------------------------------


def create_invitation(inquiry, email: str, role: str, invited_by=None) -> tuple[Invitation, str]:
    """A single-use invitation; returns it with the clear token to email."""
    # An expired link gives way to the new one (one pending invitation per inquiry and address).
    db.session.execute(
        delete(Invitation).where(
            Invitation.inquiry_id == inquiry.id,
            Invitation.email == normalise_email(email),
            Invitation.accepted_at.is_(None),
            Invitation.expires_at <= utcnow(),
        )
    )
    token, digest = new_token()
    invitation = Invitation(
        inquiry_id=inquiry.id,
        email=normalise_email(email),
        role=str(role),
        token_hash=digest,
        invited_by_id=invited_by.id if invited_by else None,
        expires_at=utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"]),
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def send_invitation(invitation: Invitation, token: str) -> None:
    link = _email_link("accounts.accept_invitation", token=token)
    existing = find_user(invitation.email)
    activity.email_address(
        invitation.email,
        existing.locale if existing else None,
        "invitation",
        _l("Invitation to the inquiry %(title)s", title=invitation.inquiry.title),
        invitation=invitation,
        link=link,
    )


def pending_invitation_counts(inquiry_ids: list[int]) -> dict[int, int]:
    """inquiry id → invitations neither accepted nor expired, in one query."""
    rows = db.session.execute(
        select(Invitation.inquiry_id, func.count(Invitation.id))
        .where(
            Invitation.inquiry_id.in_(inquiry_ids),
            Invitation.accepted_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
        .group_by(Invitation.inquiry_id)
    )
    return dict(rows.all())


def find_invitation(token: str) -> Invitation | None:
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == token_hash(token)))


def accept_invitation(invitation: Invitation, user: User) -> None:
    """Use the invitation: the user joins its inquiry with its role."""
    from inquiry_hub.inquiries import services as inquiries

    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    inquiries.add_member(invitation.inquiry, user, invitation.role, actor=user, joined=True)


# --- password reset ---------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """Email a reset link when the address exists; say nothing either way."""
    user = find_user(email)
    if user is None:
        return
    token, digest = new_token()
    db.session.add(
        PasswordResetToken(
            user_id=user.id,
            token_hash=digest,
            expires_at=utcnow() + timedelta(hours=current_app.config["RESET_TOKEN_HOURS"]),
        )
    )
    link = _email_link("accounts.reset_password", token=token)
    activity.email_user(user, "password_reset", _l("Reset your inquiry_hub password"), link=link)


def find_reset_token(token: str) -> PasswordResetToken | None:
    return db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(token))
    )


def reset_password(reset: PasswordResetToken, new_password: str) -> None:
    reset.used_at = utcnow()
    change_password(reset.user, new_password)
    reset.user.failed_logins = 0
    reset.user.failed_window_start = None


# --- personal API tokens ----------------------------------------------------------------

#: Marks our tokens, so a leaked one is recognisable (secret scanners, logs).
API_TOKEN_PREFIX = "ih_"


def create_api_token(
    user: User, name: str, *, expires_at=None, read_only: bool = False
) -> tuple[ApiToken, str]:
    """A new personal API token; returns it with the clear token, to show once."""
    secret, _ = new_token()
    clear = API_TOKEN_PREFIX + secret
    token = ApiToken(
        user_id=user.id,
        name=(name or "").strip()[:80] or "API",
        token_hash=token_hash(clear),
        prefix=clear[:10],
        expires_at=expires_at,
        read_only=read_only,
    )
    db.session.add(token)
    db.session.flush()
    return token, clear


def api_tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included (they show as revoked)."""
    return list(
        db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc()))
    )


def revoke_api_token(token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()


def find_api_token(clear: str) -> ApiToken | None:
    """The token row behind a clear token, usable or not; None when unknown."""
    return db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(clear)))


def touch_api_token(token: ApiToken) -> None:
    """Record a use, with one UPDATE that does not load or lock anything else."""
    now = utcnow()
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token.id)
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    attributes.set_committed_value(token, "last_used_at", now)
