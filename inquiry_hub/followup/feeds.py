"""The Atom feed of a person's inquiries' activity, at a secret and revocable address."""

from __future__ import annotations

import hashlib
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from inquiry_hub import policy
from inquiry_hub.activity import services as activity
from inquiry_hub.activity.models import Activity
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.followup.models import ActivityFeed
from inquiry_hub.inquiries.models import Inquiry

ENTRIES = 50


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feed(user) -> ActivityFeed | None:
    """The person's working feed, if any."""
    return db.session.scalar(
        select(ActivityFeed).where(ActivityFeed.user_id == user.id, ActivityFeed.revoked_at.is_(None))
    )


def revoke_feeds(user) -> None:
    """Every activity feed address the person had stops working."""
    db.session.execute(
        update(ActivityFeed)
        .where(ActivityFeed.user_id == user.id, ActivityFeed.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.flush()


def create_feed(user) -> str:
    """A new address (the old one stops working); the token is returned once, never stored."""
    revoke_feeds(user)
    token = secrets.token_urlsafe(32)
    db.session.add(ActivityFeed(user_id=user.id, token_hash=_hash(token)))
    activity.record(None, user, "followup.feed_created")
    db.session.flush()
    return token


def feed_for_token(token: str) -> ActivityFeed | None:
    """The working feed behind a token; None for an unknown or revoked one."""
    return db.session.scalar(
        select(ActivityFeed).where(ActivityFeed.token_hash == _hash(token), ActivityFeed.revoked_at.is_(None))
    )


def entries(user) -> list[Activity]:
    """The latest activity of the inquiries whose activity log the person may read."""
    ids = policy.inquiry_ids_of(user)
    inquiries = db.session.scalars(select(Inquiry).where(Inquiry.id.in_(ids))).all() if ids else []
    readable = [i.id for i in inquiries if policy.can(user, "activity.view", i)]
    if not readable:
        return []
    return db.session.scalars(
        select(Activity)
        .where(Activity.inquiry_id.in_(readable))
        .options(db.joinedload(Activity.actor))
        .order_by(Activity.created_at.desc(), Activity.id.desc())
        .limit(ENTRIES)
    ).all()


activity.register_verbs({"followup.feed_created": _l("made a new activity feed address")})
