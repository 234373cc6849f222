"""The tutor's view and its drill-down, the partner's portal, and "my work"."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from inquiry_hub import policy
from inquiry_hub.accounts.models import User
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.followup import bp, charts, feeds, notifications
from inquiry_hub.followup import services as followup


@bp.get("/tutor/")
@login_required
def tutor():
    """Every team the tutor follows, side by side: team figures, no ranking of people."""
    inquiries = followup.tutored_inquiries(current_user)
    if not inquiries:
        abort(404)
    now = utcnow()
    rows = followup.team_figures(inquiries, now.date(), now)
    return render_template("followup/tutor.html", rows=rows)


@bp.get("/tutor/<id:inquiry_id>")
@login_required
def tutor_inquiry(inquiry_id: int):
    """One team over time: burn-up charts of tasks and interviews, with their data."""
    inquiry = policy.get_inquiry_or_404(current_user, inquiry_id)
    policy.require(current_user, "followup.tutor_view", inquiry)
    now = utcnow()
    row = followup.team_figures([inquiry], now.date(), now)[0]
    tasks = followup.burnup(inquiry, (_l("Created"), _l("Done")), followup.task_burnup(inquiry), now.date())
    interviews = followup.burnup(
        inquiry, (_l("Planned"), _l("Conducted")), followup.interview_burnup(inquiry), now.date()
    )
    return render_template(
        "followup/tutor_inquiry.html",
        inquiry=inquiry,
        row=row,
        charts=[
            (_l("Tasks over time"), charts.burnup_chart(tasks), tasks, charts.table_rows(tasks)),
            (
                _l("Interviews over time"),
                charts.burnup_chart(interviews),
                interviews,
                charts.table_rows(interviews),
            ),
        ],
    )


@bp.get("/partner/<id:inquiry_id>")
@login_required
def partner(inquiry_id: int):
    """The partner's portal: only what the team shared with them."""
    inquiry = policy.get_inquiry_or_404(current_user, inquiry_id)
    policy.require(current_user, "followup.partner_portal", inquiry)
    portal = followup.partner_portal(inquiry, current_user)
    return render_template(
        "followup/partner.html",
        inquiry=inquiry,
        portal=portal,
        portal_meetings=followup.PORTAL_MEETINGS,
        today=utcnow().date(),
    )


@bp.get("/me/")
@login_required
def me():
    """My work across my inquiries, and who does what this week in each team."""
    now = utcnow()
    return render_template("followup/me.html", work=followup.my_work(current_user, now), now=now)


@bp.route("/me/notifications", methods=["GET", "POST"])
@login_required
def notification_settings():
    """Which notifications also reach me by email, at once or in a daily digest."""
    if request.method == "POST":
        notifications.save_preferences(current_user, request.form.to_dict())
        flash(_l("Your notification settings are saved."), "success")
        return redirect(url_for("followup.notification_settings"))
    return render_template(
        "followup/notification_settings.html",
        preferences=notifications.preferences(current_user),
        kind_label=notifications.kind_label,
        feed=feeds.active_feed(current_user),
        token=session.pop("activity_feed_token", None),
    )


@bp.post("/me/feed")
@login_required
def create_feed():
    """A new secret address for my activity feed; the old one stops working."""
    session["activity_feed_token"] = feeds.create_feed(current_user)
    return redirect(url_for("followup.notification_settings", _anchor="feed"))


@bp.post("/me/feed/revoke")
@login_required
def revoke_feed():
    """My activity feed address stops working."""
    feeds.revoke_feeds(current_user)
    return redirect(url_for("followup.notification_settings", _anchor="feed"))


@bp.get("/feeds/activity/<token>.atom")
def activity_feed(token: str):
    """The Atom feed behind a secret address: the activity of the owner's inquiries."""
    feed = feeds.feed_for_token(token)
    if feed is None:
        abort(404)
    user = db.session.get(User, feed.user_id)
    with force_locale(user.locale or current_app.config["DEFAULT_LOCALE"]):
        body = feeds.atom(feed, feeds.entries(user), utcnow())
    return Response(body, mimetype="application/atom+xml")
