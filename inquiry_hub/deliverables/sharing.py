"""Withholding a shared version the disclosure gate no longer passes, and restoring it.

The gate's verdict is stored on the version (``withheld_at``), so that what the partner
reaches — pages, downloads, the API, lists, the portal — asks one column, not the gate.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from inquiry_hub import policy
from inquiry_hub.activity import services as activity
from inquiry_hub.activity.models import Notification, OutboxMessage
from inquiry_hub.db import utcnow
from inquiry_hub.deliverables.models import Version
from inquiry_hub.extensions import db
from inquiry_hub.urls import path_for


def version_url(version: Version) -> str:
    """The version page's path (as in notifications)."""
    return path_for(
        "deliverables.version",
        inquiry_id=version.inquiry_id,
        deliverable_id=version.deliverable_id,
        version_id=version.id,
    )


def _students(inquiry) -> list:
    return policy.members_who_can(inquiry, "deliverables.edit")


def _sync_deliverable(version: Version) -> None:
    deliverable = version.deliverable
    db.session.flush()
    db.session.expire(deliverable, ["versions"])
    deliverable.shared_with_partner = any(v.visible_to_partner for v in deliverable.versions)


def _forget_notices(version: Version) -> None:
    """Notices pointing to the version, for those who may no longer read it, and their unsent emails."""
    url = version_url(version)
    rows = db.session.scalars(
        select(Notification).where(Notification.inquiry_id == version.inquiry_id, Notification.url == url)
    ).all()
    from inquiry_hub.accounts.models import User

    for notification in rows:
        user = db.session.get(User, notification.user_id)
        if user is not None and not policy.can(user, "deliverables.view", version):
            db.session.delete(notification)
            db.session.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.to_addr == user.email,
                    OutboxMessage.sent_at.is_(None),
                    OutboxMessage.body.contains(url),
                )
            )


def withhold(version: Version, reasons: list[str]) -> None:
    """The partner stops seeing the version at once; the students are told why (no real name)."""
    version.withheld_at = utcnow()
    version.withheld_reason = "\n".join(reasons)[:4000]
    _sync_deliverable(version)
    _forget_notices(version)
    title = version.deliverable.title
    # The title itself may be what failed: the log names the version only.
    label = f"#{version.deliverable_id} v{version.number}"
    activity.record(version.inquiry, None, "deliverables.withheld", version, summary=label)
    activity.notify(
        _students(version.inquiry),
        "deliverable.withheld",
        version.inquiry,
        url=version_url(version),
        title=title,
    )
    db.session.flush()


def release(version: Version) -> None:
    """The version passes the gate again: the partner sees it again."""
    version.withheld_at = None
    version.withheld_reason = ""
    _sync_deliverable(version)
    title = version.deliverable.title
    label = f"#{version.deliverable_id} v{version.number}"
    activity.record(version.inquiry, None, "deliverables.released", version, summary=label)
    activity.notify(
        _students(version.inquiry),
        "deliverable.released",
        version.inquiry,
        url=version_url(version),
        title=title,
    )
    db.session.flush()


activity.register_verbs(
    {
        "deliverables.withheld": _l("withheld a shared version from the partner (disclosure check)"),
        "deliverables.released": _l("showed a withheld version to the partner again (disclosure check)"),
    }
)
activity.register_notifications(
    {
        "deliverable.withheld": _l(
            "A shared version of %(title)s no longer passes the disclosure check: the partner cannot see it"
        ),
        "deliverable.released": _l("A withheld version of %(title)s passes the disclosure check again"),
    }
)
