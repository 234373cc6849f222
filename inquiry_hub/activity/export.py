"""What the activity room forgets when a person closes their account (``privacy`` composes)."""

from __future__ import annotations

from sqlalchemy import delete

from inquiry_hub.activity.models import Activity, Notification
from inquiry_hub.export_rows import rows_naming
from inquiry_hub.extensions import db

#: Models whose rows name a person (actor, recipient); the email outbox stays out.
PERSONAL_MODELS = (Activity, Notification)


def forget(user) -> None:
    """Delete the person's notifications; the team's activity log keeps its lines."""
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))


def personal_rows(user) -> dict[str, list[dict]]:
    """table name → this room's rows that name the person, secrets left out."""
    return rows_naming(user, PERSONAL_MODELS)
