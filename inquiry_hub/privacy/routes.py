"""Pages of the privacy room: my data, closing an account, retention, archive, audit, admin."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from inquiry_hub import policy, uow
from inquiry_hub.accounts.passwords import verify_password
from inquiry_hub.extensions import db
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.engine import ActionFailed
from inquiry_hub.privacy import bp
from inquiry_hub.privacy.forms import ArchiveForm, CloseAccountForm, RetentionForm
from inquiry_hub.privacy.models import ArchiveJob
from inquiry_hub.privacy.services import archive_jobs, audit, personal, record, retention


@bp.get("/privacy")
@login_required
def processing_record():
    """The processing record: what the tool holds, why, how long, who sees it."""
    locale = str(get_locale() or "fr")[:2]
    return render_template("privacy/record.html", record_markdown=record.processing_record(locale))


@bp.get("/me/data.zip")
@login_required
def my_data():
    """Everything about the signed-in person, as JSON plus the files they uploaded."""
    data = personal.personal_zip(current_user)
    return Response(
        data,
        mimetype="application/zip",
        headers={"Content-Disposition": "attachment; filename=my-data.zip", "Cache-Control": "no-store"},
    )


@bp.route("/me/close", methods=["GET", "POST"])
@login_required
def close_account():
    """Confirm with the password, then remove the person's personal data."""
    form = CloseAccountForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.password.data):
            personal.close_account(current_user)
            logout_user()
            flash(_("Your account is closed and your personal data removed."), "success")
            return redirect(url_for("accounts.login"))
        form.password.errors.append(_("This is not your password."))
    return render_template("privacy/close.html", form=form), 422 if form.errors else 200


@bp.route("/inquiries/<id:inquiry_id>/retention", methods=["GET", "POST"])
@login_required
def inquiry_retention(inquiry_id: int):
    """The retention date and archive choice; students change them through the governance rule."""
    inquiry = policy.get_inquiry_or_404(current_user, inquiry_id)
    archive_notes = retention.archives_notes(inquiry)
    form = RetentionForm(until=inquiry.retention_until, archive_notes=archive_notes)
    if form.validate_on_submit():
        policy.require(current_user, "inquiry.set_retention", inquiry)
        payload = {"until": form.until.data.isoformat(), "archive_notes": form.archive_notes.data}
        try:
            proposal = engine.start(inquiry, current_user, "inquiry.set_retention", payload)
        except ActionFailed as exc:
            form.until.errors.append(str(exc))
        else:
            flash(_("Proposal opened.") if proposal else _("Retention date changed."), "success")
            return redirect(url_for("privacy.inquiry_retention", inquiry_id=inquiry.id))
    return render_template("privacy/retention.html", inquiry=inquiry, archive_notes=archive_notes, form=form)


def _exportable(inquiry_id: int):
    """The inquiry, if the signed-in person may export it (404 for non-members, 403 otherwise)."""
    inquiry = policy.get_inquiry_or_404(current_user, inquiry_id)
    policy.require(current_user, "inquiry.export", inquiry)
    return inquiry


@bp.get("/inquiries/<id:inquiry_id>/archive/")
@login_required
def archive_page(inquiry_id: int):
    """Explain the archive, offer to build it, show the build's progress and the download."""
    inquiry = _exportable(inquiry_id)
    return render_template(
        "privacy/archive.html",
        inquiry=inquiry,
        form=ArchiveForm(),
        job=archive_jobs.latest_job(inquiry),
        ready=archive_jobs.latest_ready(inquiry),
    )


@bp.post("/inquiries/<id:inquiry_id>/archive/")
@login_required
def archive_build(inquiry_id: int):
    """Start building the archive in the background (or follow the build already under way)."""
    inquiry = _exportable(inquiry_id)
    if ArchiveForm().validate_on_submit():
        job = archive_jobs.start(inquiry, current_user)
        # The worker reads the job's row: it starts once the request has committed it.
        uow.after_commit(lambda: archive_jobs.launch(job))
    return redirect(url_for("privacy.archive_page", inquiry_id=inquiry.id))


@bp.get("/inquiries/<id:inquiry_id>/archive/<id:job_id>")
@login_required
def archive_progress(inquiry_id: int, job_id: int):
    """The progress of one build, as the fragment the archive page polls."""
    inquiry = _exportable(inquiry_id)
    job = policy.get_in_inquiry_or_404(ArchiveJob, inquiry, job_id)
    ready = archive_jobs.latest_ready(inquiry)
    return render_template("privacy/_archive_job.html", inquiry=inquiry, job=job, ready=ready)


@bp.get("/inquiries/<id:inquiry_id>/archive/<id:job_id>.zip")
@login_required
def archive_download(inquiry_id: int, job_id: int):
    """A finished archive; the download is recorded in the audit of sensitive reads."""
    inquiry = _exportable(inquiry_id)
    job = policy.get_in_inquiry_or_404(ArchiveJob, inquiry, job_id)
    path = archive_jobs.file_of(job)
    if path is None:
        abort(404)
    audit.record_read(inquiry, current_user, "archive")
    return send_file(
        path, mimetype="application/zip", as_attachment=True, download_name=f"inquiry-{inquiry.id}.zip"
    )


@bp.get("/inquiries/<id:inquiry_id>/audit/")
@login_required
def audit_page(inquiry_id: int):
    """Identity reveals, consent form downloads and exports of the inquiry."""
    inquiry = policy.get_inquiry_or_404(current_user, inquiry_id)
    policy.require(current_user, "audit.view", inquiry)
    return render_template("privacy/audit.html", inquiry=inquiry, lines=audit.audit_lines(inquiry))


@bp.get("/admin/privacy/")
@login_required
def admin_purges():
    """Admins: purges of the next 30 days, and the log of past ones (counts only)."""
    policy.require(current_user, "admin.access")
    today = date.today()
    return render_template(
        "privacy/admin.html",
        upcoming=retention.upcoming(today),
        logs=retention.purge_logs(),
        today=today,
        days=retention.WARNING_DAYS,
    )


@bp.route("/admin/privacy/<id:inquiry_id>", methods=["GET", "POST"])
@login_required
def admin_retention(inquiry_id: int):
    """Admins: change an inquiry's retention date and archive choice directly."""
    from inquiry_hub.inquiries.models import Inquiry

    policy.require(current_user, "admin.access")
    inquiry = db.get_or_404(Inquiry, inquiry_id)
    form = RetentionForm(until=inquiry.retention_until, archive_notes=retention.archives_notes(inquiry))
    if form.validate_on_submit():
        retention.set_retention(inquiry, current_user, form.until.data, form.archive_notes.data)
        flash(_("Retention date changed."), "success")
        return redirect(url_for("privacy.admin_purges"))
    return render_template("privacy/admin_retention.html", inquiry=inquiry, form=form)
