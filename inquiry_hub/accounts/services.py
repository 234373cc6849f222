"""Account services: authentication, throttling, invitations, password reset."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from flask import current_app, session
from flask_babel import lazy_gettext as _l
from flask_login import login_user
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import attributes

from inquiry_hub.accounts import throttle
from inquiry_hub.accounts.models import ApiToken, EmailChange, Invitation, PasswordResetToken, User
from inquiry_hub.accounts.passwords import hash_password, needs_rehash, verify_password
from inquiry_hub.activity import services as activity
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.urls import absolute_url


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


@cache
def _dummy_hash(parameters: tuple) -> str:
    """A hash made with the current parameters, to verify against when no account matches."""
    return hash_password(secrets.token_hex(16))


def _current_parameters() -> tuple:
    return tuple(sorted((current_app.config.get("ARGON2_PARAMETERS") or {}).items()))


def authenticate(email: str, password: str, client: str) -> User | None:
    """The user when the password is right; the caller checked ``throttle.wait_seconds`` first.

    An unknown address costs the same argon2 verification as a wrong password, and its
    failures are counted the same way: the answer never tells whether an account exists.
    """
    user = find_user(email)
    stored = user.password_hash if user is not None else _dummy_hash(_current_parameters())
    if not verify_password(stored, password) or user is None:
        throttle.record_failure(email, client)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    throttle.forget(email, client)
    user.last_login_at = utcnow()
    return user


def end_all_sessions(user: User) -> None:
    """Every session cookie issued so far stops working."""
    user.session_version += 1


#: ``fn(user)`` of other rooms whose secrets of a person also end with a password or email
#: change (the calendar feed address); rooms register them, accounts imports none of them.
CREDENTIAL_ENDERS: list = []


def ends_with_credentials(fn):
    """Decorator: call ``fn(user)`` whenever a password or email change ends the account's credentials."""
    CREDENTIAL_ENDERS.append(fn)
    return fn


def end_other_credentials(user: User) -> None:
    """After a password or email change: sessions, API tokens, reset links and email changes end.

    The route that made the change signs its own browser in again with the new session version.
    """
    now = utcnow()
    end_all_sessions(user)
    for end in CREDENTIAL_ENDERS:
        end(user)
    for model, column in (
        (ApiToken, ApiToken.revoked_at),
        (PasswordResetToken, PasswordResetToken.used_at),
        (EmailChange, EmailChange.used_at),
    ):
        db.session.execute(
            update(model).where(model.user_id == user.id, column.is_(None)).values({column.key: now})
        )


def change_password(user: User, new_password: str) -> None:
    """Set a new password; every other session, token and emailed link of the account ends."""
    user.password_hash = hash_password(new_password)
    end_other_credentials(user)


def start_session(user) -> None:
    """Log the user in on a fresh session."""
    # A fresh session at login: nothing set before it (CSRF token included) survives.
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user)


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
    link = _email_link("inquiries.accept_invitation", token=token)
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
    """Use the link: new password, everything else ended, and no address waits to log in."""
    user = reset.user
    reset.used_at = utcnow()
    change_password(user, new_password)
    throttle.forget(user.email)


# --- email change -----------------------------------------------------------------------


class EmailTaken(Exception):
    """Another account uses the address by the time the change is confirmed."""


def request_email_change(user: User, new_email: str) -> EmailChange:
    """Email a confirmation link to the new address and a notice to the old one; change nothing yet.

    The answer is the same whether another account uses the address: confirming then fails.
    """
    new_email = normalise_email(new_email)
    cancel_email_change(user)
    token, digest = new_token()
    change = EmailChange(
        user_id=user.id,
        new_email=new_email,
        token_hash=digest,
        expires_at=utcnow() + timedelta(hours=current_app.config["EMAIL_CHANGE_HOURS"]),
    )
    db.session.add(change)
    db.session.flush()
    link = _email_link("accounts.confirm_email", token=token)
    activity.email_address(
        new_email,
        user.locale,
        "email_change_confirm",
        _l("Confirm your new inquiry_hub address"),
        user=user,
        link=link,
        hours=current_app.config["EMAIL_CHANGE_HOURS"],
    )
    activity.email_user(
        user, "email_change_notice", _l("A change of your inquiry_hub address was asked"), new_email=new_email
    )
    return change


def pending_email_change(user: User) -> EmailChange | None:
    """The change waiting for its confirmation link, if any."""
    return db.session.scalar(
        select(EmailChange)
        .where(
            EmailChange.user_id == user.id, EmailChange.used_at.is_(None), EmailChange.expires_at > utcnow()
        )
        .order_by(EmailChange.id.desc())
        .limit(1)
    )


def cancel_email_change(user: User) -> None:
    """Void every pending change of address: their links stop working."""
    db.session.execute(
        update(EmailChange)
        .where(EmailChange.user_id == user.id, EmailChange.used_at.is_(None))
        .values(used_at=utcnow())
    )


def find_email_change(token: str) -> EmailChange | None:
    return db.session.scalar(select(EmailChange).where(EmailChange.token_hash == token_hash(token)))


def confirm_email_change(change: EmailChange) -> None:
    """Apply the change from its link; sessions, tokens and links of the old address end."""
    user = change.user
    other = find_user(change.new_email)
    if other is not None and other.id != user.id:
        raise EmailTaken(change.new_email)
    old_email = user.email
    user.email = change.new_email
    end_other_credentials(user)  # also marks this change used
    change.used_at = change.used_at or utcnow()
    throttle.forget(old_email)
    db.session.flush()


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
