"""Interviews: list, creation, page, consent terms, identity (reveal), withdrawal, deletion."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from inquiry_hub import policy
from inquiry_hub.activity import services as activity
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import bp
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.forms import (
    AttachmentForm,
    ConfirmForm,
    ConsentForm,
    IdentityForm,
    ImportForm,
    InterviewForm,
    NewInterviewForm,
    interview_form,
)
from inquiry_hub.fieldwork.models import Interview, InterviewFile
from inquiry_hub.filecheck import send_stored
from inquiry_hub.governance.services import commission
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.engine import ActionFailed
from inquiry_hub.storage import get_storage


def _closed(interview: Interview):
    """A redirect when consent was withdrawn: nothing more may be recorded about that person."""
    if not interview.withdrawn:
        return None
    flash(_("Consent was withdrawn: nothing can be recorded for this interview any more."), "error")
    return redirect(url_for(".interview", interview_id=interview.id))


def _form(form_class, linked_question: int | None = None, **kwargs):
    form = interview_form(
        form_class,
        fieldwork.attributes_of(g.inquiry),
        fieldwork.guides_of(g.inquiry),
        fieldwork.interviewer_choices(g.inquiry),
        **kwargs,
    )
    form.research_question_id.choices = commission.question_choices(g.inquiry, linked_question)
    return form


def _values(form) -> dict:
    """Service arguments from a validated interview form; ids were checked against the inquiry."""
    chosen = set(form.interviewer_ids.data or [])
    return {
        "pseudonym": form.pseudonym.data,
        "status": form.status.data,
        "planned_on": form.planned_on.data,
        "conducted_on": form.conducted_on.data,
        "place": form.place.data or "",
        "duration_minutes": form.duration_minutes.data,
        "interviewers": [u for u in fieldwork.interviewer_choices(g.inquiry) if u.id in chosen],
        "guide": next((x for x in fieldwork.guides_of(g.inquiry) if x.id == form.guide_id.data), None),
        "profile": {f.name.removeprefix("attr_"): f.data for f in form.attribute_fields},
        "research_question_id": form.research_question_id.data,
    }


def _page(interview: Interview, identity=None, status: int = 200, identity_form=None, attachment_form=None):
    return render_template(
        "fieldwork/interview.html",
        inquiry=g.inquiry,
        interview=interview,
        identity=identity,
        has_identity=fieldwork.has_identity(interview),
        identity_form=identity_form or IdentityForm.for_identity(identity),
        import_form=ImportForm(formdata=None),
        attachment_form=attachment_form or AttachmentForm(formdata=None),
        withdrawal=fieldwork.pending_withdrawal(interview),
        notes=fieldwork.notes_of(g.inquiry, interview),
        reveals=fieldwork.reveals_of(interview),
        attributes=fieldwork.attributes_of(g.inquiry),
        confirm_form=ConfirmForm(),
    ), status


@bp.get("/")
def index():
    """Interviews of the inquiry and the free field notes."""
    return render_template(
        "fieldwork/index.html",
        inquiry=g.inquiry,
        interviews=fieldwork.interviews_of(g.inquiry),
        notes=fieldwork.notes_of(g.inquiry, free_only=True),
    )


@bp.route("/interviews/new", methods=["GET", "POST"])
def new_interview():
    """Plan an interview; students may also record the identity behind the pseudonym."""
    policy.require(current_user, "fieldwork.edit", g.inquiry)
    form = _form(NewInterviewForm)
    if form.validate_on_submit():
        try:
            interview = fieldwork.create_interview(g.inquiry, current_user, _values(form))
        except fieldwork.DuplicatePseudonym:
            form.pseudonym.errors.append(_("Another interview of this inquiry already uses this pseudonym."))
        else:
            named = form.has_name() and policy.can(current_user, "fieldwork.reveal_identity", interview)
            if named:
                fieldwork.set_identity(
                    interview, current_user, form.full_name.data, form.contact.data, form.aliases.data
                )
            flash(_("Interview %(pseudonym)s added.", pseudonym=interview.pseudonym), "success")
            if named and not fieldwork.plan_for(g.inquiry).empty:
                # Field notes written before the interview was recorded may already name the person.
                return redirect(url_for(".repseudonymise"))
            return redirect(url_for(".interview", interview_id=interview.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "fieldwork/interview_form.html", inquiry=g.inquiry, form=form, interview=None
    ), status


@bp.get("/interviews/<id:interview_id>")
def interview(interview_id: int):
    """The interview: details, consent terms, notes, who revealed the identity."""
    return _page(policy.load(current_user, Interview, g.inquiry, interview_id, "fieldwork.view"))


@bp.route("/interviews/<id:interview_id>/edit", methods=["GET", "POST"])
def edit_interview(interview_id: int):
    """Change the interview's details and profile."""
    interview = policy.load(current_user, Interview, g.inquiry, interview_id, "fieldwork.edit")
    if closed := _closed(interview):
        return closed
    data = {"interviewer_ids": [u.id for u in interview.interviewers], "guide_id": interview.guide_id}
    data.update({f"attr_{k}": v for k, v in (interview.profile or {}).items()})
    form = _form(InterviewForm, interview.research_question_id, obj=interview, data=data)
    if form.validate_on_submit():
        try:
            fieldwork.update_interview(interview, current_user, _values(form))
        except fieldwork.DuplicatePseudonym:
            form.pseudonym.errors.append(_("Another interview of this inquiry already uses this pseudonym."))
        else:
            flash(_("Interview saved."), "success")
            return redirect(url_for(".interview", interview_id=interview.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "fieldwork/interview_form.html", inquiry=g.inquiry, form=form, interview=interview
    ), status


@bp.post("/interviews/<id:interview_id>/reveal")
def reveal(interview_id: int):
    """Show the identity behind the pseudonym to a student, and log that they saw it."""
    interview = policy.load(current_user, Interview, g.inquiry, interview_id, "fieldwork.reveal_identity")
    identity = fieldwork.reveal(interview, current_user)
    return _page(interview, identity=identity)


@bp.post("/interviews/<id:interview_id>/identity")
def save_identity(interview_id: int):
    """Record or replace the identity behind the pseudonym (encrypted)."""
    interview = policy.load(current_user, Interview, g.inquiry, interview_id, "fieldwork.reveal_identity")
    if closed := _closed(interview):
        return closed
    form = IdentityForm()
    if not form.validate_on_submit() or not form.has_name():
        if not form.errors:
            form.full_name.errors.append(_("Give at least a real name or another name."))
        # The typed values come back to the student who typed them (who may reveal anyway).
        return _page(interview, status=422, identity_form=form)
    fieldwork.set_identity(interview, current_user, form.full_name.data, form.contact.data, form.aliases.data)
    flash(_("Identity key saved."), "success")
    if not fieldwork.plan_for(g.inquiry).empty:
        # Notes written before these names were in the vault still hold them: offer to replace them.
        return redirect(url_for(".repseudonymise"))
    return redirect(url_for(".interview", interview_id=interview.id))


@bp.route("/interviews/<id:interview_id>/consent", methods=["GET", "POST"])
def consent(interview_id: int):
    """The interviewee's consent and terms, and the signed form."""
    interview = policy.load(current_user, Interview, g.inquiry, interview_id, "fieldwork.edit")
    if closed := _closed(interview):
        return closed
    form = ConsentForm(obj=fieldwork.consent_of(interview))
    if form.validate_on_submit():
        fieldwork.update_consent(interview, current_user, form.terms(), form.signed_form.data or None)
        flash(_("Consent terms saved."), "success")
        return redirect(url_for(".interview", interview_id=interview.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "fieldwork/consent.html", inquiry=g.inquiry, interview=interview, form=form
    ), status


@bp.get("/interviews/<id:interview_id>/files/<id:file_id>")
def download(interview_id: int, file_id: int):
    """A file of the interview; the signed consent form only for those who may reveal identities."""
    interview = policy.load(current_user, Interview, g.inquiry, interview_id, "fieldwork.view")
    row = policy.get_in_inquiry_or_404(InterviewFile, g.inquiry, file_id)
    if row.interview_id != interview.id or not get_storage().exists(row.sha256):
        abort(404)
    if row.confidential:
        policy.require(current_user, "fieldwork.reveal_identity", interview)
    if row.kind == "consent_form":
        # A signed form names the person: its download is a sensitive read, listed on the audit page.
        activity.sensitive_read(
            g.inquiry, current_user, "consent_form", f"{interview.pseudonym} — {row.filename}"
        )
    with get_storage().open(row.sha256) as handle:
        return send_stored(handle.read(), row.filename)


@bp.post("/interviews/<id:interview_id>/files")
def upload(interview_id: int):
    """Attach a file to the interview (notes on paper, photos of the place…)."""
    interview = policy.load(current_user, Interview, g.inquiry, interview_id, "fieldwork.edit")
    if closed := _closed(interview):
        return closed
    form = AttachmentForm()
    if not form.validate_on_submit():
        flash(_("Choose a file to attach."), "error")
        return redirect(url_for(".interview", interview_id=interview.id))
    try:
        fieldwork.add_file(interview, current_user, form.attachment.data)
    except fieldwork.RecordingRefused as refused:
        db.session.rollback()
        form.attachment.errors = [str(refused)]
        return _page(interview, status=422, attachment_form=form)
    flash(_("File attached."), "success")
    return redirect(url_for(".interview", interview_id=interview.id))


@bp.route("/interviews/<id:interview_id>/withdraw", methods=["GET", "POST"])
def withdraw(interview_id: int):
    """Confirm, then record a withdrawal: the material is hidden now, deleted after the delay."""
    interview = policy.load(current_user, Interview, g.inquiry, interview_id, "fieldwork.edit")
    form = ConfirmForm()
    if form.validate_on_submit() and not interview.withdrawn:
        fieldwork.withdraw_consent(interview, current_user)
        flash(
            _(
                "Withdrawal recorded: the material of %(pseudonym)s is hidden from everyone and will be "
                "deleted in 7 days unless another student marks this as a mistake.",
                pseudonym=interview.pseudonym,
            ),
            "success",
        )
        return redirect(url_for(".interview", interview_id=interview.id))
    return render_template(
        "fieldwork/withdraw.html",
        inquiry=g.inquiry,
        interview=interview,
        form=form,
        notes=fieldwork.notes_of(g.inquiry, interview),
        delay_days=fieldwork.WITHDRAWAL_DELAY.days,
        withdrawal=fieldwork.pending_withdrawal(interview),
    )


@bp.post("/interviews/<id:interview_id>/withdrawal/mistake")
def withdrawal_mistake(interview_id: int):
    """Another student marks the recorded withdrawal as a mistake: the material is visible again."""
    interview = policy.load(current_user, Interview, g.inquiry, interview_id, "fieldwork.view")
    withdrawal = fieldwork.pending_withdrawal(interview)
    if withdrawal is None:
        abort(404)
    policy.require(current_user, "fieldwork.mark_withdrawal_mistake", withdrawal)
    try:
        fieldwork.mark_mistake(withdrawal, current_user)
    except fieldwork.WithdrawalError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _page(interview, status=409)
    flash(
        _("Marked as a mistake: the material of %(pseudonym)s is back.", pseudonym=interview.pseudonym),
        "success",
    )
    return redirect(url_for(".interview", interview_id=interview.id))


@bp.post("/interviews/<id:interview_id>/delete")
def delete_interview(interview_id: int):
    """Delete the interview and its material, through the inquiry's governance rule."""
    interview = policy.load(current_user, Interview, g.inquiry, interview_id, "fieldwork.delete")
    try:
        proposal = engine.start(
            g.inquiry, current_user, "fieldwork.delete", fieldwork.delete_payload(interview)
        )
    except ActionFailed as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".index"))
    if proposal is not None:
        flash(_("Deletion proposed to the team."), "success")
        return redirect(url_for("governance.proposal", proposal_id=proposal.id))
    flash(_("Interview deleted."), "success")
    return redirect(url_for(".index"))
