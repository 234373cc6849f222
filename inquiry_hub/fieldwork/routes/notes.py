"""Notes and transcripts: editor with pseudonymisation preview, import, history, diff, conflicts."""

from __future__ import annotations

from collections import Counter

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from inquiry_hub import policy
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import bp
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.forms import CommentForm, ConfirmForm, ImportForm, NoteForm
from inquiry_hub.fieldwork.models import Interview, Note, NoteRevision
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.engine import ActionFailed
from inquiry_hub.markdown import render as markdown
from inquiry_hub.urls import int_arg, parse_id


def _interview_arg(value) -> Interview | None:
    """The interview named by a form or query value, only within this inquiry."""
    if value in (None, ""):
        return None
    interview_id = parse_id(str(value))
    if interview_id is None:
        abort(404)
    interview = policy.get_in_inquiry_or_404(Interview, g.inquiry, interview_id)
    if interview.withdrawn:
        abort(409)
    return interview


def _editor(form, note=None, check=None, status: int = 200):
    """The editor page; with ``check``, the preview of the pseudonymised text and the warnings."""
    return render_template(
        "fieldwork/note_form.html",
        inquiry=g.inquiry,
        form=form,
        note=note,
        interview=_interview_arg(form.interview_id.data) if note is None else note.interview,
        check=check,
        preview=markdown(form.body.data) if check is not None else None,
    ), status


def _review(form):
    """Pseudonymise title and body in the form; the check result when the writer must look first."""
    title = fieldwork.check_text(g.inquiry, form.title.data)
    body = fieldwork.check_text(g.inquiry, form.body.data)
    form.title.data, form.body.data = title.text, body.text
    body.replaced = Counter(body.replaced) + title.replaced
    body.warnings = list(dict.fromkeys(title.warnings + body.warnings))
    wants_preview = request.form.get("action") == "preview"
    if wants_preview or body.changed or (body.warnings and not form.reviewed.data):
        form.reviewed.data = "1"
        return body
    return None


@bp.route("/notes/new", methods=["GET", "POST"])
def new_note():
    """Write a note: of an interview (``?interview_id=``) or free field notes."""
    policy.require(current_user, "fieldwork.edit", g.inquiry)
    form = NoteForm(interview_id=request.args.get("interview_id", ""))
    interview = _interview_arg(form.interview_id.data)
    if not form.is_submitted():
        form.kind.data = "interview_notes" if interview else "field_notes"
    if form.validate_on_submit():
        check = _review(form)
        if check is not None:
            return _editor(form, check=check)
        note = fieldwork.create_note(
            g.inquiry,
            current_user,
            title=form.title.data,
            body=form.body.data,
            kind=form.kind.data,
            interview=interview,
            written_on=form.written_on.data,
        )
        flash(_("Note saved."), "success")
        return redirect(url_for(".note", note_id=note.id))
    return _editor(form, status=422 if form.is_submitted() else 200)


@bp.post("/notes/import")
def import_note():
    """Read a transcript file and open it in the editor, pseudonymised, before anything is stored."""
    policy.require(current_user, "fieldwork.edit", g.inquiry)
    interview = _interview_arg(request.args.get("interview_id"))
    form = ImportForm()
    if not form.validate_on_submit():
        flash(_("Choose a .txt, .md, .docx or .odt file."), "error")
        return redirect(url_for(".interview", interview_id=interview.id) if interview else url_for(".index"))
    upload = form.transcript.data
    # An unreadable, too large or zip-bomb file raises filecheck.Refused: a 413/422 page saying why.
    check = fieldwork.import_text(g.inquiry, upload.filename, upload.read())
    note_form = NoteForm(
        formdata=None, interview_id=interview.id if interview else "", kind="transcript", reviewed="1"
    )
    note_form.title.data = (
        _("Transcript %(pseudonym)s", pseudonym=interview.pseudonym) if interview else upload.filename
    )
    note_form.body.data = check.text
    return _editor(note_form, check=check)


def _note_page(note: Note, comment_form=None, status: int = 200):
    return render_template(
        "fieldwork/note.html",
        inquiry=g.inquiry,
        note=note,
        comments=fieldwork.comments_of(note),
        comment_form=comment_form or CommentForm(formdata=None),
        confirm_form=ConfirmForm(),
    ), status


@bp.get("/notes/<id:note_id>")
def note(note_id: int):
    """A note, rendered, with its comments."""
    return _note_page(policy.load(current_user, Note, g.inquiry, note_id, "fieldwork.view"))


@bp.post("/notes/<id:note_id>/comments")
def comment(note_id: int):
    """Comment on a note (tutors give feedback here)."""
    note = policy.load(current_user, Note, g.inquiry, note_id, "fieldwork.comment")
    form = CommentForm()
    if not form.validate_on_submit():
        return _note_page(note, comment_form=form, status=422)
    fieldwork.add_comment(note, current_user, form.body.data)
    return redirect(url_for(".note", note_id=note.id, _anchor="comments"))


@bp.route("/notes/<id:note_id>/edit", methods=["GET", "POST"])
def edit_note(note_id: int):
    """Edit a note; a save based on an older version shows the conflict page instead."""
    note = policy.load(current_user, Note, g.inquiry, note_id, "fieldwork.edit")
    form = NoteForm(obj=note, data={"version": note.version})
    if form.validate_on_submit():
        check = _review(form)
        if check is not None:
            return _editor(form, note=note, check=check)
        try:
            fieldwork.save_note(
                note,
                current_user,
                title=form.title.data,
                body=form.body.data,
                base_version=int(form.version.data or 0),
                written_on=form.written_on.data,
            )
        except fieldwork.Conflict as conflict:
            return _conflict(conflict.note, form)
        flash(_("Note saved."), "success")
        return redirect(url_for(".note", note_id=note.id))
    return _editor(form, note=note, status=422 if form.is_submitted() else 200)


def _conflict(current: Note, attempted: NoteForm):
    """Both texts side by side; the writer merges and saves again on top of the current version."""
    db.session.rollback()
    merge = NoteForm(formdata=None, obj=current, data={"version": current.version, "reviewed": "1"})
    merge.body.data = attempted.body.data
    merge.title.data = attempted.title.data
    page = render_template(
        "fieldwork/conflict.html", inquiry=g.inquiry, note=current, form=merge, attempted=attempted.body.data
    )
    return page, 409


@bp.get("/notes/<id:note_id>/history")
def history(note_id: int):
    """Every revision of a note, and the diff between any two (``?a=&b=``)."""
    note = policy.load(current_user, Note, g.inquiry, note_id, "fieldwork.view")
    revisions = fieldwork.revisions_of(note)
    by_number = {r.number: r for r in revisions}
    a, b = int_arg("a"), int_arg("b")
    if a is None and len(revisions) > 1:
        a, b = revisions[1].number, revisions[0].number
    if (a is not None and a not in by_number) or (b is not None and b not in by_number):
        abort(404)
    lines = fieldwork.diff(by_number[a], by_number[b]) if a and b else None
    return render_template(
        "fieldwork/history.html", inquiry=g.inquiry, note=note, revisions=revisions, a=a, b=b, lines=lines
    )


@bp.get("/notes/<id:note_id>/revisions/<id:number>")
def revision(note_id: int, number: int):
    """One revision of a note as it was saved."""
    note = policy.load(current_user, Note, g.inquiry, note_id, "fieldwork.view")
    rev = db.session.scalar(
        db.select(NoteRevision).where(NoteRevision.note_id == note.id, NoteRevision.number == number)
    )
    if rev is None:
        abort(404)
    return render_template("fieldwork/revision.html", inquiry=g.inquiry, note=note, revision=rev)


@bp.post("/notes/<id:note_id>/delete")
def delete_note(note_id: int):
    """Delete a note, through the inquiry's governance rule."""
    note = policy.load(current_user, Note, g.inquiry, note_id, "fieldwork.delete")
    back = url_for(".interview", interview_id=note.interview_id) if note.interview_id else url_for(".index")
    try:
        proposal = engine.start(g.inquiry, current_user, "fieldwork.delete", fieldwork.delete_payload(note))
    except ActionFailed as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    if proposal is not None:
        flash(_("Deletion proposed to the team."), "success")
        return redirect(url_for("governance.proposal", proposal_id=proposal.id))
    flash(_("Note deleted."), "success")
    return redirect(back)
