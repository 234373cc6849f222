"""The inquiry's activity log and each person's notifications."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select, update

from inquiry_hub import policy
from inquiry_hub.activity import bp
from inquiry_hub.activity.models import Activity, Notification
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.scope import scope_blueprint
from inquiry_hub.urls import int_arg

inquiry_bp = Blueprint("activity_log", __name__, url_prefix="/inquiries/<id:inquiry_id>/activity")
scope_blueprint(inquiry_bp)

#: Filterable rooms and their labels, in the order of the room navigation.
ROOMS = {
    "inquiry": _l("Overview"),
    "tasks": _l("Tasks"),
    "fieldwork": _l("Fieldwork"),
    "deliverables": _l("Deliverables"),
    "meetings": _l("Meetings"),
    "commission": _l("Commission"),
    "decisions": _l("Decisions"),
    "governance": _l("Governance rule"),
    "logbook": _l("Logbook"),
    "members": _l("Members"),
}
PER_PAGE = 50


@inquiry_bp.get("/")
def index():
    """Everything that happened in the inquiry, newest first, filterable by room."""
    policy.require(current_user, "activity.view", g.inquiry)
    room = request.args.get("room", "")
    query = (
        select(Activity)
        .where(Activity.inquiry_id == g.inquiry.id)
        .options(db.joinedload(Activity.actor))
        .order_by(Activity.created_at.desc(), Activity.id.desc())
    )
    if room in ROOMS:
        query = query.where(Activity.room == room)
    filters = _person_and_dates(request.args)
    query = _apply(query, filters)
    page = db.paginate(query, page=int_arg("page", 1, clamp=True), per_page=PER_PAGE, error_out=False)
    people = policy.members_who_can(g.inquiry)
    return render_template(
        "activity/index.html", inquiry=g.inquiry, page=page, room=room, rooms=ROOMS, people=people, **filters
    )


def _person_and_dates(args) -> dict:
    """The person and date-range filters as read from the URL; bad values are ignored."""

    def day(name):
        try:
            return date.fromisoformat(args.get(name, ""))
        except ValueError:
            return None

    return {"person": int_arg("person", args=args), "since": day("since"), "until": day("until")}


def _apply(query, filters: dict):
    if filters["person"] is not None:
        query = query.where(Activity.actor_id == filters["person"])
    if filters["since"] is not None:
        query = query.where(Activity.created_at >= datetime.combine(filters["since"], time.min))
    if filters["until"] is not None:
        query = query.where(
            Activity.created_at < datetime.combine(filters["until"] + timedelta(days=1), time.min)
        )
    return query


@bp.get("/notifications/")
@login_required
def notifications():
    """My notifications, unread first."""
    query = (
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .options(db.joinedload(Notification.inquiry))
        .order_by(Notification.read_at.is_not(None), Notification.created_at.desc())
    )
    page = db.paginate(query, page=int_arg("page", 1, clamp=True), per_page=PER_PAGE, error_out=False)
    return render_template("activity/notifications.html", page=page)


@bp.post("/notifications/read")
@login_required
def mark_read():
    """Mark all my notifications as read."""
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return redirect(url_for("activity.notifications"))


@bp.get("/notifications/<id:notification_id>")
@login_required
def open_notification(notification_id: int):
    """Mark one notification read and follow it."""
    item = db.session.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == current_user.id
        )
    )
    if item is None:
        return redirect(url_for("activity.notifications"))
    item.read_at = item.read_at or utcnow()
    target = item.url if item.url.startswith("/") and not item.url.startswith("//") else ""
    return redirect(target or url_for("activity.notifications"))
