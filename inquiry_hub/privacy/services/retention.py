"""Retention dates, the 30-day warning and the purge of expired inquiries."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from inquiry_hub import policy
from inquiry_hub.activity import services as activity
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import face as fieldwork
from inquiry_hub.inquiries.engine import ActionFailed, collective_action
from inquiry_hub.inquiries.models import Inquiry
from inquiry_hub.privacy.models import PurgeLog, RetentionSetting
from inquiry_hub.urls import path_for

#: How many days ahead admins see, and members are warned of, a purge.
WARNING_DAYS = 30

activity.register_verbs(
    {
        "privacy.retention_changed": _l("changed the retention date"),
        "privacy.archive_exported": _l("exported the inquiry archive"),
    }
)
activity.register_notifications(
    {"privacy.purge_soon": _l("Identity keys and consent forms of %(title)s will be deleted on %(date)s.")}
)


def setting_of(inquiry) -> RetentionSetting:
    """The inquiry's retention settings, created with defaults on first use."""
    setting = db.session.scalar(select(RetentionSetting).where(RetentionSetting.inquiry_id == inquiry.id))
    if setting is None:
        setting = RetentionSetting(inquiry_id=inquiry.id)
        db.session.add(setting)
        db.session.flush()
    return setting


def archives_notes(inquiry) -> bool:
    """Whether the inquiry keeps its pseudonymised notes after the purge (read only)."""
    return bool(
        db.session.scalar(
            select(RetentionSetting.archive_notes).where(RetentionSetting.inquiry_id == inquiry.id)
        )
    )


def set_retention(inquiry, actor, until: date, archive_notes: bool) -> None:
    """Change the retention date and the archive choice (admins directly, students collectively)."""
    setting = setting_of(inquiry)
    if until != inquiry.retention_until:
        setting.purged_at = None
    inquiry.retention_until = until
    setting.archive_notes = archive_notes
    db.session.flush()
    activity.record(inquiry, actor, "privacy.retention_changed", inquiry, summary=until.isoformat())


def _validate(inquiry, payload: dict) -> None:
    try:
        date.fromisoformat(payload["until"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ActionFailed(str(_l("This is not a valid date."))) from exc


@collective_action(
    "inquiry.set_retention",
    describe=lambda p: _l("Keep the field data until %(date)s", date=p.get("until", "")),
    validate=_validate,
)
def set_retention_action(inquiry, payload: dict, actor) -> None:
    """The students' way to change the retention date: through the governance rule."""
    set_retention(inquiry, actor, date.fromisoformat(payload["until"]), bool(payload.get("archive_notes")))


def upcoming(today: date, days: int = WARNING_DAYS) -> list[Inquiry]:
    """Inquiries whose purge falls within ``days`` from ``today`` (or is overdue), soonest first."""
    return list(
        db.session.scalars(
            select(Inquiry)
            .where(Inquiry.retention_until <= today + timedelta(days=days))
            .order_by(Inquiry.retention_until, Inquiry.id)
        )
    )


def purge_logs(limit: int = 100) -> list[PurgeLog]:
    return list(db.session.scalars(select(PurgeLog).order_by(PurgeLog.ran_at.desc()).limit(limit)))


def notify_upcoming(today: date) -> int:
    """Warn every member once, 30 days before their inquiry's purge; returns inquiries warned."""

    warned = 0
    for inquiry in upcoming(today):
        setting = setting_of(inquiry)
        if inquiry.retention_until < today or setting.notified_for == inquiry.retention_until:
            continue
        members = policy.members_who_can(inquiry)
        activity.notify(
            members,
            "privacy.purge_soon",
            inquiry,
            url=path_for("privacy.inquiry_retention", inquiry_id=inquiry.id),
            title=inquiry.title,
            date=inquiry.retention_until.isoformat(),
        )
        setting.notified_for = inquiry.retention_until
        warned += 1
    db.session.flush()
    return warned


def _purge_inquiry(inquiry, setting: RetentionSetting) -> PurgeLog:
    counts = fieldwork.purge_identities(inquiry, keep_notes=setting.archive_notes)
    log = PurgeLog(
        inquiry_ref=inquiry.id,
        retention_until=inquiry.retention_until,
        identity_keys=counts.identity_keys,
        consent_forms=counts.consent_forms,
        other_files=counts.other_files,
        notes=counts.notes,
    )
    setting.purged_at = utcnow()
    db.session.add(log)
    db.session.flush()
    return log


def purge_expired(today: date) -> list[PurgeLog]:
    """Apply retention dates: for each expired inquiry not yet purged, delete its identity data."""
    logs = []
    for inquiry in db.session.scalars(
        select(Inquiry).where(Inquiry.retention_until < today).order_by(Inquiry.id)
    ):
        setting = setting_of(inquiry)
        if setting.purged_at is None:
            logs.append(_purge_inquiry(inquiry, setting))
    return logs
