"""The Atom feed of a person's inquiries' activity, at a secret and revocable address."""

from __future__ import annotations

import hashlib
import re
import secrets
from xml.etree import ElementTree

from flask import url_for
from flask_babel import gettext as _
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
ATOM_NS = "http://www.w3.org/2005/Atom"
#: Characters XML 1.0 cannot carry at all, even escaped: dropped from titles and names.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


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


def _stamp(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _child(parent, tag: str, text: str | None = None, **attrs) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


def atom(feed: ActivityFeed, items: list[Activity], now) -> bytes:
    """The Atom document, built as XML elements: titles and names are text, never markup."""
    ElementTree.register_namespace("", ATOM_NS)
    root = ElementTree.Element(f"{{{ATOM_NS}}}feed")
    _child(root, "title", _("inquiry_hub — activity"))
    _child(root, "id", f"urn:inquiry-hub:activity-feed:{feed.id}")
    _child(root, "updated", _stamp(items[0].created_at if items else now))
    _child(root, "link", rel="alternate", href=url_for("followup.me", _external=True))
    for item in items:
        entry = _child(root, "entry")
        who = item.actor.name if item.actor else _("Someone")
        title = f"{who} {activity.describe_verb(item.verb)}" + (f": {item.summary}" if item.summary else "")
        _child(entry, "id", f"urn:inquiry-hub:activity:{item.id}")
        _child(entry, "title", title)
        _child(entry, "updated", _stamp(item.created_at))
        href = url_for("activity_log.index", inquiry_id=item.inquiry_id, _external=True)
        _child(entry, "link", rel="alternate", href=href)
        if item.actor:
            _child(_child(entry, "author"), "name", item.actor.name)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


activity.register_verbs({"followup.feed_created": _l("made a new activity feed address")})
