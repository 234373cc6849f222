"""Writing activity, notifications and outbox rows in the caller's transaction."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from inquiry_hub.activity.models import Activity, Notification, OutboxMessage
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.uow import unit_of_work

#: verb → sentence shown in the activity log; each room adds its own with ``register_verbs``.
VERBS: dict[str, object] = {}
#: notification kind → message; ``params`` fill it at display time in the reader's language.
NOTIFICATIONS: dict[str, object] = {}


def register_verbs(labels: dict[str, object]) -> None:
    VERBS.update(labels)


def register_notifications(labels: dict[str, object]) -> None:
    NOTIFICATIONS.update(labels)


#: Who keeps the audit of sensitive reads: the privacy room registers it (``register_audit``).
_audit: list = []


def register_audit(record) -> None:
    """``record(inquiry, user, kind, summary)`` logs a sensitive read; one keeper, the privacy room."""
    _audit[:] = [record]


def sensitive_read(inquiry, user, kind: str, summary: str = "") -> None:
    """A read that belongs in the inquiry's audit (a consent form downloaded); never dropped silently."""
    if not _audit:
        raise RuntimeError("No audit of sensitive reads registered (the privacy room).")
    _audit[0](inquiry, user, kind, summary)


def describe_verb(verb: str) -> str:
    return str(VERBS.get(verb, verb))


def describe_notification(notification: Notification) -> str:
    label = NOTIFICATIONS.get(notification.kind)
    if label is None:
        return notification.kind
    try:
        return str(label) % notification.params
    except (KeyError, TypeError, ValueError):
        return str(label)


def room_of(verb: str) -> str:
    return verb.split(".", 1)[0]


def record(inquiry, actor, verb: str, obj=None, summary: str = "") -> Activity:
    """Log one write. ``summary`` must never hold identity data."""
    activity = Activity(
        inquiry_id=inquiry.id if inquiry is not None else None,
        actor_id=actor.id if actor is not None else None,
        room=room_of(verb),
        verb=verb,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        summary=summary[:300],
    )
    db.session.add(activity)
    return activity


#: Called with the notifications ``notify`` just wrote, in the same unit of work: a room acts
#: on them there (followup queues the emails of people who want them at once).
NOTIFY_HOOKS: list = []


def on_notify(hook) -> None:
    """Register ``hook(notifications)``, called after each ``notify``."""
    if hook not in NOTIFY_HOOKS:
        NOTIFY_HOOKS.append(hook)


def notify(users: Iterable, kind: str, inquiry=None, url: str = "", **params) -> None:
    """One notification per person concerned."""
    rows = [
        Notification(
            user_id=user.id,
            inquiry_id=inquiry.id if inquiry is not None else None,
            kind=kind,
            params=params,
            url=url,
        )
        for user in users
    ]
    db.session.add_all(rows)
    for hook in NOTIFY_HOOKS:
        hook(rows)


def unread_count(user) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def queue_email(to_addr: str, subject: str, body: str) -> OutboxMessage:
    message = OutboxMessage(to_addr=to_addr, subject=subject[:300], body=body)
    db.session.add(message)
    return message


def email_address(to_addr: str, locale: str | None, template: str, subject, **context):
    """Compose ``templates/emails/<template>.txt`` in the recipient's language and queue it."""
    with force_locale(locale or current_app.config["DEFAULT_LOCALE"]):
        body = render_template(f"emails/{template}.txt", **context)
        return queue_email(to_addr, str(subject), body)


def email_user(user, template: str, subject, **context) -> OutboxMessage:
    return email_address(user.email, user.locale, template, subject, user=user, **context)


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off: 1, 2, 4... minutes, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


#: A claimed message not marked sent after this long is taken over (its run died mid-send).
CLAIM_LEASE = timedelta(minutes=15)


def _claim(token: str, now, limit: int) -> list[OutboxMessage]:
    """Take up to ``limit`` due messages for this run, committed before anything is sent.

    A conditional UPDATE makes the claim: on PostgreSQL the candidate rows are picked with
    ``FOR UPDATE SKIP LOCKED`` (a concurrent run skips them instead of sending them too); on
    SQLite the UPDATE holds the database's write lock, so runs claim one after the other.
    """
    candidates = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < now - CLAIM_LEASE),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    with unit_of_work():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(candidates.scalar_subquery()))
            .values(claimed_by=token, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.claimed_by == token).order_by(OutboxMessage.id)
        )
    )


def deliver_outbox(sender, now=None, limit: int = 100) -> tuple[int, int]:
    """Send due messages with ``sender(message)``; returns (sent, failed attempts).

    Each message is claimed before it is sent and marked after, one unit of work each: overlapping
    runs never send a message twice, and a crash mid-batch loses nothing already done.
    """
    now = now or utcnow()
    max_attempts = current_app.config["OUTBOX_MAX_ATTEMPTS"]
    token = secrets.token_hex(16)
    sent = failed = 0
    for message in _claim(token, now, limit):
        with unit_of_work():
            message.attempts += 1
            try:
                sender(message)
            except Exception as exc:  # any transport error: keep the message, try later
                failed += 1
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if message.attempts >= max_attempts:
                    message.failed_at = now
                else:
                    message.next_attempt_at = now + retry_delay(message.attempts)
            else:
                sent += 1
                message.sent_at = now
                message.last_error = ""
            message.claimed_by = None
            message.claimed_at = None
    return sent, failed


register_verbs(
    {
        "members.added": _l("added a member"),
        "members.invited": _l("sent an invitation"),
        "members.joined": _l("joined the inquiry"),
        "members.removed": _l("removed a member"),
        "governance.rule_changed": _l("changed the governance rule"),
        "decisions.proposed": _l("opened a proposal"),
        "decisions.position": _l("took a position"),
        "decisions.passed": _l("proposal passed"),
        "decisions.rejected": _l("proposal rejected"),
        "decisions.withdrawn": _l("withdrew a proposal"),
        "decisions.executed": _l("acted directly (rule: any member)"),
        "inquiry.created": _l("created the inquiry"),
        "inquiry.edited": _l("edited the inquiry"),
        "inquiry.phases_edited": _l("changed the phase dates"),
    }
)

register_notifications(
    {
        "proposal.opened": _l("%(actor)s proposes: %(title)s"),
        "proposal.passed": _l("Proposal passed: %(title)s"),
        "proposal.rejected": _l("Proposal rejected: %(title)s"),
        "proposal.blocked": _l("%(actor)s blocked: %(title)s"),
        "member.added": _l("You were added to %(title)s"),
    }
)
