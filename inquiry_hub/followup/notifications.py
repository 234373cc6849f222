"""Notification settings, email now or in a daily digest, and the reminders run-due sends."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from inquiry_hub.activity import services as activity
from inquiry_hub.activity.models import Notification
from inquiry_hub.db import insert_once, utcnow
from inquiry_hub.extensions import db
from inquiry_hub.followup.models import (
    EMAIL_CHOICES,
    EMAIL_DIGEST,
    EMAIL_IMMEDIATE,
    EMAIL_NEVER,
    DigestState,
    DueReminder,
    NotificationPreference,
)
from inquiry_hub.urls import path_for

#: Where a person chooses what reaches them by email (linked from every digest).
SETTINGS_PATH = "/me/notifications"

activity.register_notifications({"task.due_soon": _l("Due on %(due)s: %(title)s")})


#: What each kind is about, for the settings page; a kind without a label shows its name.
KIND_LABELS = {
    "task.assigned": _l("A task is assigned to me"),
    "task.checklist_assigned": _l("A checklist step is assigned to me"),
    "task.mentioned": _l("Someone mentions me"),
    "task.due_soon": _l("A task of mine is due soon"),
    "proposal.opened": _l("A proposal is opened"),
    "proposal.reminder": _l("A proposal closes soon and awaits my position"),
    "proposal.blocked": _l("Someone blocks a proposal"),
    "proposal.passed": _l("A proposal passed"),
    "proposal.rejected": _l("A proposal was rejected"),
    "proposal.co_decision": _l("The team asks for my agreement on my brief"),
    "meetings.withheld": _l("Published minutes are withheld from the partner"),
    "member.added": _l("I am added to an inquiry"),
    "review.requested": _l("My review is requested"),
    "review.answered": _l("A review is answered"),
    "deliverable.shared": _l("A deliverable is shared with me"),
    "deliverable.approved": _l("A deliverable is approved"),
    "privacy.purge_soon": _l("Identity keys will soon be deleted"),
}


def kind_label(kind: str) -> str:
    """A readable name of a notification kind."""
    return str(KIND_LABELS.get(kind, kind))


#: Kinds no longer sent (kept registered so that old notifications still read well).
RETIRED_KINDS = frozenset({"deliverable.reviewed"})


def kinds() -> list[str]:
    """Every notification kind the rooms registered and still send, in a stable order."""
    return sorted(set(activity.NOTIFICATIONS) - RETIRED_KINDS)


def preferences(user) -> dict[str, str]:
    """kind → email choice for every kind (in the app only when never set)."""
    rows = db.session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user.id))
    chosen = {row.kind: row.email for row in rows}
    return {kind: chosen.get(kind, EMAIL_NEVER) for kind in kinds()}


def save_preferences(user, choices: dict[str, str]) -> None:
    """Store the person's choices; unknown kinds and values are ignored."""
    rows = {
        row.kind: row
        for row in db.session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    for kind in kinds():
        value = choices.get(kind, EMAIL_NEVER)
        if value not in EMAIL_CHOICES:
            continue
        if kind in rows:
            rows[kind].email = value
        elif value != EMAIL_NEVER:
            db.session.add(NotificationPreference(user_id=user.id, kind=kind, email=value))
    db.session.flush()


# --- email at once: every new notification whose kind the person asked by email -----------


def _email_immediately(new: list[Notification]) -> None:
    """Queue an email (an outbox row, sent by run-due once committed) for each wanted one."""
    if not new:
        return
    with db.session.no_autoflush:
        wanted = set(
            db.session.execute(
                select(NotificationPreference.user_id, NotificationPreference.kind).where(
                    NotificationPreference.user_id.in_({n.user_id for n in new}),
                    NotificationPreference.email == EMAIL_IMMEDIATE,
                )
            ).all()
        )
        for notification in new:
            if (notification.user_id, notification.kind) in wanted:
                _email_one(notification)


activity.on_notify(_email_immediately)


def _link(url: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url if url.startswith("/") else url


def _email_one(notification: Notification) -> None:
    from inquiry_hub.accounts.models import User

    user = db.session.get(User, notification.user_id)
    with force_locale(user.locale or current_app.config["DEFAULT_LOCALE"]):
        text = activity.describe_notification(notification)
    activity.email_user(user, "notification", text, text=text, link=_link(notification.url))


# --- run-due: reminders and digests ---------------------------------------------------------


def _reminded(task_id, user_id, due):
    """EXISTS: this assignee was already reminded of this task for this due date."""
    return (
        select(DueReminder.id)
        .where(DueReminder.task_id == task_id, DueReminder.user_id == user_id, DueReminder.due_on == due)
        .exists()
    )


def notify_due_soon(today: date) -> int:
    """Notify assignees of open tasks due in DUE_REMINDER_DAYS days (1: the day before), once."""
    from inquiry_hub.tasks import face as tasks_face

    due = today + timedelta(days=current_app.config.get("DUE_REMINDER_DAYS", 1))
    rows = tasks_face.due_on_for_reminders(due, _reminded)
    from inquiry_hub.accounts.models import User

    sent = 0
    for task, user_id in rows:
        # The unique (task, user, date) key decides: of two overlapping run-due, one notifies.
        if not insert_once(db.session, DueReminder, task_id=task.id, user_id=user_id, due_on=due):
            continue
        sent += 1
        url = path_for("tasks.task", inquiry_id=task.inquiry_id, task_id=task.id)
        activity.notify(
            [db.session.get(User, user_id)],
            "task.due_soon",
            task.inquiry,
            url=url,
            title=task.title,
            due=due.isoformat(),
        )
    db.session.flush()
    return sent


def send_digests(now: datetime | None = None) -> int:
    """One email per person who chose digests and has news since the last one, grouped by inquiry."""
    from inquiry_hub.accounts.models import User

    now = now or utcnow()
    digest_kinds: dict[int, set[str]] = defaultdict(set)
    for user_id, kind in db.session.execute(
        select(NotificationPreference.user_id, NotificationPreference.kind).where(
            NotificationPreference.email == EMAIL_DIGEST
        )
    ):
        digest_kinds[user_id].add(kind)
    if not digest_kinds:
        return 0
    states = {
        s.user_id: s
        for s in db.session.scalars(select(DigestState).where(DigestState.user_id.in_(digest_kinds)))
    }
    sent = 0
    for user_id, wanted in digest_kinds.items():
        state = states.get(user_id)
        if state is not None and state.last_sent_at.date() >= now.date():
            continue  # one digest a day
        since = state.last_sent_at if state is not None else now - timedelta(days=1)
        items = db.session.scalars(
            select(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.kind.in_(wanted),
                Notification.created_at > since,
                Notification.created_at <= now,
            )
            .options(db.joinedload(Notification.inquiry))
            .order_by(Notification.created_at)
        ).all()
        if not _claim_digest(user_id, state, now):
            continue  # another run-due composed it meanwhile
        if items:
            _email_digest(db.session.get(User, user_id), items)
            sent += 1
    db.session.flush()
    return sent


def _claim_digest(user_id: int, state, now: datetime) -> bool:
    """Move the user's digest mark to ``now`` unless another run did first (a conditional write)."""
    if state is None:
        return insert_once(db.session, DigestState, user_id=user_id, last_sent_at=now)
    moved = db.session.execute(
        update(DigestState)
        .where(DigestState.user_id == user_id, DigestState.last_sent_at == state.last_sent_at)
        .values(last_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return moved.rowcount == 1


def _email_digest(user, items) -> None:
    """Compose the digest in the person's language, one section per inquiry."""
    groups: dict[str, list] = defaultdict(list)
    with force_locale(user.locale or current_app.config["DEFAULT_LOCALE"]):
        for item in items:
            title = item.inquiry.title if item.inquiry is not None else ""
            groups[title].append((activity.describe_notification(item), _link(item.url)))
        subject = _l("Your daily summary (%(num)d)", num=len(items))
        activity.email_user(user, "digest", str(subject), groups=dict(groups), settings=_link(SETTINGS_PATH))
