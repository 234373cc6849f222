"""The personal calendar feed: its settings page and the secret .ics address itself."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from inquiry_hub.extensions import limiter
from inquiry_hub.inquiries.services import phase_label
from inquiry_hub.tasks import services as tasks

feed_bp = Blueprint("calendar_feed", __name__, url_prefix="/calendar")


def _feed_url(token: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for("calendar_feed.ics", token=token)


@feed_bp.get("/")
@login_required
def settings():
    """Whether my feed is on, with buttons to make a new address or stop it."""
    return render_template("tasks/feed.html", feed=tasks.active_feed(current_user), url=None)


@feed_bp.post("/feed")
@login_required
def create():
    """A new secret address, shown once; the previous one stops working."""
    _, token = tasks.create_feed(current_user)
    return render_template("tasks/feed.html", feed=tasks.active_feed(current_user), url=_feed_url(token))


@feed_bp.post("/feed/revoke")
@login_required
def revoke():
    """Stop the feed: calendar apps subscribed to it get nothing more."""
    tasks.revoke_feeds(current_user)
    flash(_("Your calendar feed is stopped."), "success")
    return redirect(url_for("calendar_feed.settings"))


@feed_bp.get("/<token>.ics")
@limiter.limit("60 per minute")
def ics(token: str):
    """The feed itself, for calendar apps: no session, the secret address is the key."""
    feed = tasks.feed_for_token(token)
    if feed is None:
        abort(404)
    body = tasks.feed_calendar(feed.user, current_app.config["BASE_URL"].rstrip("/"), phase_label)
    response = current_app.response_class(body, mimetype="text/calendar")
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Content-Disposition"] = 'inline; filename="inquiry_hub.ics"'
    return response
