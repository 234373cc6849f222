"""The logbook: shared entries and one's own personal ones, comments on shared entries."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from inquiry_hub import policy
from inquiry_hub.db import utcnow
from inquiry_hub.governance import logbook_bp as bp
from inquiry_hub.governance.forms import CommentForm, LogbookForm
from inquiry_hub.governance.models import LogbookEntry
from inquiry_hub.governance.services import logbook
from inquiry_hub.scope import scope_blueprint

scope_blueprint(bp)


@bp.get("/")
def index():
    """Shared entries and the reader's personal ones, newest first."""
    policy.require(current_user, "logbook.view", g.inquiry)
    entries = logbook.entries_for(g.inquiry, current_user)
    return render_template("governance/logbook/index.html", inquiry=g.inquiry, entries=entries)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Write an entry, personal or shared with the team and tutors."""
    policy.require(current_user, "logbook.write", g.inquiry)
    form = LogbookForm()
    if not form.is_submitted():
        form.written_on.data = utcnow().date()
    if form.validate_on_submit():
        entry = logbook.write_entry(
            g.inquiry,
            current_user,
            written_on=form.written_on.data,
            title=form.title.data,
            body=form.body.data,
            personal=form.personal.data,
        )
        flash(_("Entry saved."), "success")
        return redirect(url_for("logbook.entry", entry_id=entry.id))
    status = 422 if form.is_submitted() else 200
    return render_template("governance/logbook/form.html", inquiry=g.inquiry, form=form), status


@bp.get("/<id:entry_id>")
def entry(entry_id: int):
    """One entry with its comments."""
    item = policy.load(current_user, LogbookEntry, g.inquiry, entry_id, "logbook.view")
    return render_template(
        "governance/logbook/entry.html", inquiry=g.inquiry, entry=item, form=CommentForm(formdata=None)
    )


@bp.route("/<id:entry_id>/edit", methods=["GET", "POST"])
def edit(entry_id: int):
    """Its author changes an entry."""
    item = policy.load(current_user, LogbookEntry, g.inquiry, entry_id, "logbook.write")
    if item.author_id != current_user.id:
        abort(403)
    form = LogbookForm(obj=item, personal=item.is_personal)
    if form.validate_on_submit():
        logbook.update_entry(
            item,
            current_user,
            written_on=form.written_on.data,
            title=form.title.data,
            body=form.body.data,
            personal=form.personal.data,
        )
        return redirect(url_for("logbook.entry", entry_id=item.id))
    status = 422 if form.is_submitted() else 200
    return render_template("governance/logbook/form.html", inquiry=g.inquiry, form=form, entry=item), status


@bp.post("/<id:entry_id>/comments")
def comment(entry_id: int):
    """Comment on an entry (tutors and students)."""
    item = policy.load(current_user, LogbookEntry, g.inquiry, entry_id, "logbook.comment")
    form = CommentForm()
    if not form.validate_on_submit():
        return render_template("governance/logbook/entry.html", inquiry=g.inquiry, entry=item, form=form), 422
    logbook.add_comment(item, current_user, form.body.data)
    return redirect(url_for("logbook.entry", entry_id=item.id, _anchor="comments"))
