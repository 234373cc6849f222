"""Deliverables: the overview, a deliverable and its versions, reviews, comments and sharing."""

from __future__ import annotations

import io

from flask import abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from inquiry_hub import policy
from inquiry_hub.deliverables import bp, checks, citations, files
from inquiry_hub.deliverables import services as deliverables
from inquiry_hub.deliverables.forms import (
    KIND_LABELS,
    STATUS_LABELS,
    VERDICT_LABELS,
    CommentForm,
    DeliverableForm,
    FileVersionForm,
    PartnerReviewForm,
    ReplyForm,
    TextVersionForm,
    TutorReviewForm,
)
from inquiry_hub.deliverables.models import PIPELINE, Channel, Deliverable, ReviewComment, Version
from inquiry_hub.extensions import db
from inquiry_hub.filecheck import send_stored
from inquiry_hub.governance.services import commission
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.engine import ActionFailed
from inquiry_hub.inquiries.services import rule_label
from inquiry_hub.scope import scope_blueprint

scope_blueprint(bp)


@bp.app_template_global()
def deliverable_kind_label(kind: str) -> str:
    """A deliverable kind in the reader's language."""
    return str(KIND_LABELS.get(kind, kind))


@bp.app_template_global()
def deliverable_status_label(status: str) -> str:
    """A deliverable status in the reader's language (the tutor's view shows dozens: once each)."""
    labels = g.setdefault("deliverable_status_labels", {})
    key = (status, str(get_locale()))
    if key not in labels:
        labels[key] = str(STATUS_LABELS.get(status, status))
    return labels[key]


@bp.app_template_global()
def review_verdict_label(verdict: str) -> str:
    """A review verdict in the reader's language."""
    return str(VERDICT_LABELS.get(verdict, verdict))


@bp.app_template_global()
def deliverable_status_summary(inquiry) -> dict[str, int]:
    """status → count of the deliverables the reader sees (the inquiry home)."""
    return deliverables.status_counts(inquiry, current_user)


def _internal() -> bool:
    """The internal channel belongs to those who read the team's internal material."""
    return policy.can(current_user, "fieldwork.view", g.inquiry)


def _version(deliverable_id: int, version_id: int, action: str = "deliverables.view") -> Version:
    deliverable = policy.load(current_user, Deliverable, g.inquiry, deliverable_id, "deliverables.view")
    version = policy.get_in_inquiry_or_404(Version, g.inquiry, version_id)
    if version.deliverable_id != deliverable.id:
        abort(404)
    policy.require(current_user, "deliverables.view", version)  # a partner: shared versions only
    policy.require(current_user, action, version)
    return version


@bp.get("/")
def index():
    """All deliverables with their due date, status and last activity."""
    policy.require(current_user, "deliverables.view", g.inquiry)
    rows = deliverables.deliverables_of(g.inquiry, current_user)
    return render_template("deliverables/index.html", inquiry=g.inquiry, deliverables=rows)


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Create a deliverable (in draft)."""
    policy.require(current_user, "deliverables.edit", g.inquiry)
    form = DeliverableForm()
    form.research_question_id.choices = commission.question_choices(g.inquiry)
    if form.validate_on_submit():
        deliverable = deliverables.create_deliverable(
            g.inquiry,
            current_user,
            title=form.title.data,
            kind=form.kind.data,
            due_on=form.due_on.data,
            phase=form.phase.data,
            research_question_id=form.research_question_id.data,
        )
        return redirect(url_for(".deliverable", deliverable_id=deliverable.id))
    status = 422 if form.is_submitted() else 200
    return render_template("deliverables/form.html", inquiry=g.inquiry, form=form, deliverable=None), status


@bp.route("/<id:deliverable_id>/edit", methods=["GET", "POST"])
def edit(deliverable_id: int):
    """Change a deliverable's title, kind, due date or phase."""
    deliverable = policy.load(current_user, Deliverable, g.inquiry, deliverable_id, "deliverables.edit")
    form = DeliverableForm(obj=deliverable)
    form.research_question_id.choices = commission.question_choices(
        g.inquiry, deliverable.research_question_id
    )
    if form.validate_on_submit():
        deliverables.update_deliverable(
            deliverable,
            current_user,
            title=form.title.data,
            kind=form.kind.data,
            due_on=form.due_on.data,
            phase=form.phase.data,
            research_question_id=form.research_question_id.data,
        )
        return redirect(url_for(".deliverable", deliverable_id=deliverable.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "deliverables/form.html", inquiry=g.inquiry, form=form, deliverable=deliverable
    ), status


def _deliverable_page(deliverable, text_form=None, file_form=None, status=200):
    return render_template(
        "deliverables/deliverable.html",
        inquiry=g.inquiry,
        deliverable=deliverable,
        versions=deliverables.visible_versions(deliverable, current_user),
        pipeline=PIPELINE,
        text_form=text_form or TextVersionForm(formdata=None),
        file_form=file_form or FileVersionForm(formdata=None),
    ), status


@bp.get("/<id:deliverable_id>")
def deliverable(deliverable_id: int):
    """A deliverable: its pipeline, its versions and the forms to add one."""
    return _deliverable_page(
        policy.load(current_user, Deliverable, g.inquiry, deliverable_id, "deliverables.view")
    )


@bp.errorhandler(deliverables.VersionConflict)
def version_conflict(exc):
    """Two versions submitted at the same moment: nothing saved, the person tries again."""
    db.session.rollback()
    message = _("Someone added a version at the same moment. Nothing was saved: please send it again.")
    return render_template("errors/page.html", status=409, message=message), 409


@bp.post("/<id:deliverable_id>/versions/text")
def add_text(deliverable_id: int):
    """Add a version written in Markdown."""
    deliverable = policy.load(current_user, Deliverable, g.inquiry, deliverable_id, "deliverables.edit")
    form = TextVersionForm()
    if not form.validate_on_submit():
        return _deliverable_page(deliverable, text_form=form, status=422)
    try:
        version = deliverables.add_text_version(
            deliverable, current_user, form.body.data, form.changelog.data
        )
    except files.Refused as exc:  # the text stays in the form
        db.session.rollback()
        form.body.errors = [str(exc)]
        return _deliverable_page(deliverable, text_form=form, status=422)
    return redirect(url_for(".version", deliverable_id=deliverable.id, version_id=version.id))


@bp.post("/<id:deliverable_id>/versions/file")
def add_file(deliverable_id: int):
    """Add an uploaded version; its type is read from its content."""
    deliverable = policy.load(current_user, Deliverable, g.inquiry, deliverable_id, "deliverables.edit")
    form = FileVersionForm()
    if not form.validate_on_submit():
        return _deliverable_page(deliverable, file_form=form, status=422)
    upload = form.file.data
    try:
        version = deliverables.add_file_version(
            deliverable, current_user, upload.read(), upload.filename or "", form.changelog.data
        )
    except files.Refused as exc:
        db.session.rollback()
        form.file.errors = [str(exc)]
        return _deliverable_page(deliverable, file_form=form, status=422)
    return redirect(url_for(".version", deliverable_id=deliverable.id, version_id=version.id))


@bp.get("/<id:deliverable_id>/versions/<id:version_id>")
def version(deliverable_id: int, version_id: int):
    """A version: its text or preview, the reviews the reader may see, comments, sharing."""
    version = _version(deliverable_id, version_id)
    internal = _internal()
    return render_template(
        "deliverables/version.html",
        inquiry=g.inquiry,
        deliverable=version.deliverable,
        version=version,
        html=(
            citations.render(g.inquiry, version.body, for_team=internal, viewer=current_user)
            if version.is_text
            else None
        ),
        previous=deliverables.previous_text(version) if version.is_text else None,
        reviews=deliverables.reviews_of(version, current_user),
        comments=deliverables.comments_of(version) if internal else [],
        internal=internal,
        latest_shared=deliverables.latest_shared(version.deliverable),
        pending=deliverables.pending_share(version) if internal else None,
        review_form=TutorReviewForm(formdata=None) if internal else PartnerReviewForm(formdata=None),
        comment_form=CommentForm(formdata=None),
        reply_form=ReplyForm(formdata=None),
    )


@bp.get("/<id:deliverable_id>/versions/<id:version_id>/diff")
def diff(deliverable_id: int, version_id: int):
    """What changed since the previous text version."""
    version = _version(deliverable_id, version_id)
    previous = deliverables.previous_text(version) if version.is_text else None
    if previous is None or not policy.can(current_user, "deliverables.view", previous):
        abort(404)
    lines = deliverables.diff(previous, version)
    return render_template(
        "deliverables/diff.html", inquiry=g.inquiry, version=version, previous=previous, lines=lines
    )


@bp.get("/<id:deliverable_id>/versions/<id:version_id>/evidence")
def evidence(deliverable_id: int, version_id: int):
    """Every citation of a version and its source interview (field material: the team only)."""
    version = _version(deliverable_id, version_id)
    policy.require(current_user, "fieldwork.view", g.inquiry)
    rows = citations.citations_in(g.inquiry, version.body, current_user) if version.is_text else []
    return render_template(
        "deliverables/evidence.html",
        inquiry=g.inquiry,
        version=version,
        citations=rows,
    )


def _send(version: Version, as_attachment: bool):
    if version.is_text:
        data = version.body.encode("utf-8")
        response = send_file(
            io.BytesIO(data),
            mimetype="text/markdown; charset=utf-8",
            as_attachment=True,
            download_name=f"v{version.number}.md",
        )
        return response
    with deliverables.storage_open(version) as handle:
        return send_stored(handle.read(), version.filename, inline=not as_attachment)


@bp.get("/<id:deliverable_id>/versions/<id:version_id>/download")
def download(deliverable_id: int, version_id: int):
    """The version as a file, always as an attachment with its sniffed type; logged."""
    version = _version(deliverable_id, version_id, "deliverables.download")
    deliverables.record_download(version, current_user)
    response = _send(version, as_attachment=True)
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@bp.get("/<id:deliverable_id>/versions/<id:version_id>/inline")
def inline(deliverable_id: int, version_id: int):
    """A PDF or image shown in the page, sandboxed; nothing else is ever served inline."""
    version = _version(deliverable_id, version_id)
    if not version.previewable:
        abort(404)
    response = _send(version, as_attachment=False)
    response.headers["Content-Security-Policy"] = "sandbox"
    # The version page frames it (same origin); nobody else may.
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.post("/<id:deliverable_id>/versions/<id:version_id>/reviews")
def review(deliverable_id: int, version_id: int):
    """Feedback: the tutor's (internal channel) or the partner's (shared versions only)."""
    version = _version(deliverable_id, version_id, "deliverables.review")
    internal = _internal()
    form = TutorReviewForm() if internal else PartnerReviewForm()
    if form.validate_on_submit():
        channel = Channel.INTERNAL if internal else Channel.EXTERNAL
        try:
            deliverables.add_review(version, current_user, channel, form.verdict.data, form.body.data or "")
        except ValueError as exc:
            flash(str(exc), "error")
            return redirect(url_for(".version", deliverable_id=deliverable_id, version_id=version.id))
        flash(_("Your review was saved."), "success")
    else:
        for errors in form.errors.values():
            flash(" ".join(str(e) for e in errors), "error")
    return redirect(url_for(".version", deliverable_id=deliverable_id, version_id=version.id))


@bp.post("/<id:deliverable_id>/versions/<id:version_id>/comments")
def comment(deliverable_id: int, version_id: int):
    """A comment on a passage (text) or a page (file): internal feedback."""
    version = _version(deliverable_id, version_id)
    if not _internal():
        abort(404)
    if not (
        policy.can(current_user, "deliverables.review", version)
        or policy.can(current_user, "deliverables.edit", version)
    ):
        abort(403)
    form = CommentForm()
    if form.validate_on_submit():
        deliverables.add_comment(version, current_user, form.body.data, form.anchor.data, form.page.data)
    else:
        flash(_("A comment needs a text."), "error")
    return redirect(url_for(".version", deliverable_id=deliverable_id, version_id=version.id) + "#comments")


def _comment(deliverable_id: int, comment_id: int) -> ReviewComment:
    deliverable = policy.load(current_user, Deliverable, g.inquiry, deliverable_id, "deliverables.view")
    comment = policy.get_in_inquiry_or_404(ReviewComment, g.inquiry, comment_id)
    policy.require(current_user, "deliverables.view", comment)  # never the partner
    version = db.session.get(Version, comment.version_id)
    if version.deliverable_id != deliverable.id:
        abort(404)
    return comment


@bp.post("/<id:deliverable_id>/comments/<id:comment_id>/reply")
def reply(deliverable_id: int, comment_id: int):
    """Answer a comment."""
    comment = _comment(deliverable_id, comment_id)
    version = db.session.get(Version, comment.version_id)
    if not (
        policy.can(current_user, "deliverables.review", version)
        or policy.can(current_user, "deliverables.edit", version)
    ):
        abort(403)
    form = ReplyForm()
    if form.validate_on_submit():
        deliverables.add_comment(version, current_user, form.body.data, parent=comment)
    return redirect(url_for(".version", deliverable_id=deliverable_id, version_id=version.id) + "#comments")


@bp.post("/<id:deliverable_id>/comments/<id:comment_id>/resolve")
def resolve(deliverable_id: int, comment_id: int):
    """Mark a comment as dealt with (the students)."""
    comment = _comment(deliverable_id, comment_id)
    policy.require(current_user, "deliverables.edit", comment)
    deliverables.resolve_comment(comment, current_user)
    return redirect(
        url_for(".version", deliverable_id=deliverable_id, version_id=comment.version_id) + "#comments"
    )


@bp.route("/<id:deliverable_id>/versions/<id:version_id>/share", methods=["GET", "POST"])
def share(deliverable_id: int, version_id: int):
    """The pre-share check, then sharing through the inquiry's governance rule."""
    version = _version(deliverable_id, version_id, "deliverables.share")
    result = checks.run(g.inquiry, version)
    if request.method == "GET" or not result.ok:
        status = 200 if request.method == "GET" else 422
        return render_template(
            "deliverables/share.html",
            inquiry=g.inquiry,
            version=version,
            check=result,
            rule=rule_label(g.inquiry.governance_rule),
        ), status
    try:
        proposal = engine.start(
            g.inquiry, current_user, "deliverables.share", deliverables.share_payload(version, result)
        )
    except ActionFailed as exc:
        flash(str(exc), "error")
        return redirect(url_for(".version", deliverable_id=deliverable_id, version_id=version.id))
    if proposal is None:
        flash(_("The version is shared with the partner."), "success")
        return redirect(url_for(".version", deliverable_id=deliverable_id, version_id=version.id))
    flash(_("Proposal opened: the team decides by %(rule)s.", rule=rule_label(proposal.kind)), "info")
    return redirect(url_for("governance.proposal", proposal_id=proposal.id))
