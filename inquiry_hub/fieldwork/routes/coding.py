"""Collective coding: codebook, coding a note, excerpts by code, memos, matrices, agreement, exchange."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from inquiry_hub import policy
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import bp
from inquiry_hub.fieldwork.forms import (
    CodebookImportForm,
    CodeForm,
    ConfirmForm,
    MemoForm,
    MergeForm,
    ParagraphForm,
    SpanForm,
)
from inquiry_hub.fieldwork.models import Code, Excerpt, Note, ProfileAttribute
from inquiry_hub.fieldwork.refi import RefiError
from inquiry_hub.fieldwork.services import agreement as agreement_service
from inquiry_hub.fieldwork.services import attributes_of, coding_analysis
from inquiry_hub.fieldwork.services import coding as coding_service
from inquiry_hub.fieldwork.services.coding import CodingError
from inquiry_hub.inquiries.engine import ActionFailed
from inquiry_hub.urls import int_arg, parse_id


def _arg(model, name: str):
    """The object named by a query argument, only within this inquiry; None when absent."""
    value = int_arg(name)
    return policy.get_in_inquiry_or_404(model, g.inquiry, value) if value is not None else None


def _code_choices(form_field, blank: str | None = None, exclude: Code | None = None) -> list[Code]:
    codes = coding_service.codes_of(g.inquiry)
    choices = [(c.id, c.name) for c in codes if exclude is None or c.id != exclude.id]
    form_field.choices = ([("", blank)] if blank is not None else []) + choices
    return codes


# --- codebook ---------------------------------------------------------------------------


def _codebook_page(form=None, status: int = 200):
    codes = coding_service.codes_of(g.inquiry)
    form = form or CodeForm(formdata=None)
    _code_choices(form.parent_id, _("(top level)"))
    return render_template(
        "fieldwork/codebook.html",
        inquiry=g.inquiry,
        tree=coding_service.tree(codes),
        usage=coding_service.usage(g.inquiry),
        form=form,
        import_form=CodebookImportForm(formdata=None),
    ), status


@bp.get("/codebook")
def codebook():
    """The codebook tree with how often each code is used."""
    return _codebook_page()


@bp.post("/codebook")
def new_code():
    """Add a code to the codebook."""
    policy.require(current_user, "fieldwork.edit", g.inquiry)
    form = CodeForm()
    _code_choices(form.parent_id, "")
    if not form.validate_on_submit():
        return _codebook_page(form, 422)
    parent = (
        policy.get_in_inquiry_or_404(Code, g.inquiry, form.parent_id.data) if form.parent_id.data else None
    )
    try:
        code = coding_service.create_code(g.inquiry, current_user, **_code_fields(form), parent=parent)
    except CodingError as exc:
        form.name.errors = [str(exc)]
        return _codebook_page(form, 422)
    flash(_("Code added."), "success")
    return redirect(url_for(".codebook", _anchor=f"code-{code.id}"))


def _code_fields(form) -> dict:
    return {k: getattr(form, k).data for k in ("name", "colour", "description", "example")}


@bp.route("/codes/<id:code_id>/edit", methods=["GET", "POST"])
def edit_code(code_id: int):
    """Rename, redefine or move a code."""
    code = policy.load(current_user, Code, g.inquiry, code_id, "fieldwork.edit")
    form = CodeForm(obj=code)
    _code_choices(form.parent_id, _("(top level)"), exclude=code)
    if form.validate_on_submit():
        parent = (
            policy.get_in_inquiry_or_404(Code, g.inquiry, form.parent_id.data)
            if form.parent_id.data
            else None
        )
        try:
            coding_service.update_code(code, current_user, **_code_fields(form), parent=parent)
        except CodingError as exc:
            db.session.rollback()
            form.parent_id.errors = [str(exc)]
        else:
            flash(_("Code saved."), "success")
            return redirect(url_for(".code", code_id=code.id))
    status = 422 if form.is_submitted() else 200
    return render_template("fieldwork/code_form.html", inquiry=g.inquiry, code=code, form=form), status


@bp.get("/codes/<id:code_id>")
def code(code_id: int):
    """A code: definition, its excerpts (optionally for one profile value), memos, merge."""
    code = policy.load(current_user, Code, g.inquiry, code_id, "fieldwork.view")
    attribute = _arg(ProfileAttribute, "attribute")
    value = request.args.get("value") if attribute else None
    excerpts = coding_service.excerpts_for(
        g.inquiry, code, attribute.id if attribute else None, value, viewer=current_user
    )
    merge_form = MergeForm(formdata=None)
    _code_choices(merge_form.target_id, exclude=code)
    return render_template(
        "fieldwork/code.html",
        inquiry=g.inquiry,
        code=code,
        excerpts=excerpts,
        attributes=attributes_of(g.inquiry),
        attribute=attribute,
        value=value,
        memos=coding_service.memos_of(g.inquiry, code=code, viewer=current_user),
        memo_form=MemoForm(formdata=None, code_id=code.id),
        merge_form=merge_form,
    )


@bp.post("/codes/<id:code_id>/merge")
def merge_code(code_id: int):
    """Merge this code into another; a collective action when others used either code."""
    code = policy.load(current_user, Code, g.inquiry, code_id, "fieldwork.edit")
    form = MergeForm()
    _code_choices(form.target_id, exclude=code)
    if not form.validate_on_submit():
        flash(_("Choose the code to merge into."), "error")
        return redirect(url_for(".code", code_id=code.id))
    target = policy.get_in_inquiry_or_404(Code, g.inquiry, form.target_id.data)
    return _collective(
        lambda: coding_service.merge_codes(code, target, current_user), target, _("Codes merged.")
    )


@bp.route("/codes/<id:code_id>/delete", methods=["GET", "POST"])
def delete_code(code_id: int):
    """Delete a code: at once when unused, else after a confirmation (and the team's rule if others used it)."""
    code = policy.load(current_user, Code, g.inquiry, code_id, "fieldwork.edit")
    used = coding_service.usage(g.inquiry).get(code.id, 0)
    form = ConfirmForm()
    if request.method == "GET" or (used and not request.form.get("confirmed")):
        return render_template(
            "fieldwork/code_delete.html", inquiry=g.inquiry, code=code, used=used, form=form
        )
    return _collective(lambda: coding_service.delete_code(code, current_user), None, _("Code deleted."))


def _collective(act, target: Code | None, done: str):
    """Run a codebook change that may become a proposal; commit and say what happened."""
    try:
        proposal = act()
    except ActionFailed as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".codebook"))
    if proposal is not None:
        flash(_("Others used this code: the change was proposed to the team."), "success")
        return redirect(url_for("governance.proposal", proposal_id=proposal.id))
    flash(done, "success")
    return redirect(url_for(".code", code_id=target.id) if target is not None else url_for(".codebook"))


# --- exchange ---------------------------------------------------------------------------


@bp.get("/codebook.qdc")
def export_codebook():
    """The codebook as a REFI-QDA file for NVivo, ATLAS.ti, MAXQDA or QualCoder."""
    data = coding_analysis.export_qdc(g.inquiry)
    headers = {"Content-Disposition": 'attachment; filename="codebook.qdc"'}
    return Response(data, mimetype="application/xml", headers=headers)


@bp.post("/codebook/import")
def import_codebook():
    """Add the codes of a REFI-QDA codebook file; a malformed file adds nothing."""
    policy.require(current_user, "fieldwork.edit", g.inquiry)
    form = CodebookImportForm()
    if not form.validate_on_submit():
        flash(_("Choose a .qdc file."), "error")
        return redirect(url_for(".codebook"))
    try:
        count = coding_analysis.import_qdc(g.inquiry, current_user, form.codebook.data.read())
    except RefiError as exc:
        db.session.rollback()
        flash(_("The codebook was not imported: %(reason)s", reason=str(exc)), "error")
        return redirect(url_for(".codebook"))
    flash(_("%(n)d codes imported.", n=count), "success")
    return redirect(url_for(".codebook"))


@bp.get("/codes/<id:code_id>/excerpts.<fmt>")
def export_excerpts(code_id: int, fmt: str):
    """A code's excerpts as CSV or Markdown (pseudonyms only)."""
    code = policy.load(current_user, Code, g.inquiry, code_id, "fieldwork.view")
    if fmt == "csv":
        body, mimetype = coding_analysis.excerpts_csv(g.inquiry, code, current_user), "text/csv"
    elif fmt == "md":
        body, mimetype = coding_analysis.excerpts_markdown(g.inquiry, code, current_user), "text/markdown"
    else:
        abort(404)
    headers = {"Content-Disposition": f'attachment; filename="code-{code.id}.{fmt}"'}
    return Response(body, mimetype=f"{mimetype}; charset=utf-8", headers=headers)


# --- coding a note ----------------------------------------------------------------------


def _coding_page(note: Note, span_form=None, paragraph_form=None, status: int = 200):
    span_form = span_form or SpanForm(formdata=None)
    paragraph_form = paragraph_form or ParagraphForm(formdata=None, prefix="par")
    codes = _code_choices(span_form.codes)
    paragraph_form.codes.choices = span_form.codes.choices
    excerpts = coding_service.excerpts_of_note(note, current_user)
    spans = coding_service.paragraphs(note.body)
    return render_template(
        "fieldwork/coding.html",
        inquiry=g.inquiry,
        note=note,
        codes=codes,
        paragraphs=[
            (n, a, note.body[a:b], [e for e in excerpts if e.start < b and a < e.end])
            for n, (a, b) in enumerate(spans, 1)
        ],
        stale=[e for e in excerpts if e.stale],
        blind=coding_service.is_blind(note, current_user),
        span_form=span_form,
        paragraph_form=paragraph_form,
        confirm_form=ConfirmForm(formdata=None),
    ), status


@bp.get("/notes/<id:note_id>/coding")
def coding(note_id: int):
    """A note with its coded spans in the margin, and the forms to code a passage."""
    return _coding_page(policy.load(current_user, Note, g.inquiry, note_id, "fieldwork.view"))


@bp.post("/notes/<id:note_id>/excerpts")
def code_passage(note_id: int):
    """Tag a selected passage or a whole paragraph with codes."""
    note = policy.load(current_user, Note, g.inquiry, note_id, "fieldwork.edit")
    by_paragraph = "par-paragraph" in request.form
    form = ParagraphForm(prefix="par") if by_paragraph else SpanForm()
    form.codes.choices = [(c.id, c.name) for c in coding_service.codes_of(g.inquiry)]
    if not form.validate_on_submit():
        return _coding_page(note, **{"paragraph_form" if by_paragraph else "span_form": form}, status=422)
    try:
        if by_paragraph:
            coding_service.code_paragraph(note, current_user, form.paragraph.data, form.codes.data)
        else:
            coding_service.code_span(note, current_user, form.start.data, form.end.data, form.codes.data)
    except CodingError as exc:
        db.session.rollback()
        (form.paragraph if by_paragraph else form.start).errors = [str(exc)]
        return _coding_page(note, **{"paragraph_form" if by_paragraph else "span_form": form}, status=422)
    flash(_("Passage coded."), "success")
    return redirect(url_for(".coding", note_id=note.id))


@bp.post("/notes/<id:note_id>/blind")
def blind(note_id: int):
    """Enter or leave blind mode on a note (for inter-coder agreement)."""
    note = policy.load(current_user, Note, g.inquiry, note_id, "fieldwork.edit")
    coding_service.set_blind(note, current_user, request.form.get("on") == "1")
    return redirect(url_for(".coding", note_id=note.id))


@bp.post("/excerpts/<id:excerpt_id>/delete")
def delete_excerpt(excerpt_id: int):
    """Remove an excerpt; the text stays in the note."""
    excerpt = policy.load(current_user, Excerpt, g.inquiry, excerpt_id, "fieldwork.edit")
    note_id = excerpt.note_id
    coding_service.delete_excerpt(excerpt, current_user)
    flash(_("Excerpt removed."), "success")
    return redirect(url_for(".coding", note_id=note_id))


# --- retrieval, memos, matrices, agreement ----------------------------------------------


@bp.get("/excerpts")
def retrieval():
    """Excerpts by combination: code A, and code B, for a profile attribute value."""
    code_a, code_b, attribute = _arg(Code, "a"), _arg(Code, "b"), _arg(ProfileAttribute, "attribute")
    value = request.args.get("value") or None
    excerpts = None
    if code_a is not None:
        excerpts = coding_service.retrieve(
            g.inquiry, code_a, code_b, attribute.id if attribute else None, value, viewer=current_user
        )
    return render_template(
        "fieldwork/retrieval.html",
        inquiry=g.inquiry,
        codes=coding_service.codes_of(g.inquiry),
        attributes=attributes_of(g.inquiry),
        code_a=code_a,
        code_b=code_b,
        attribute=attribute,
        value=value,
        excerpts=excerpts,
    )


def _optional(model, value):
    """The object named by a form value, only within this inquiry; None when blank."""
    object_id = parse_id(value or "")
    return policy.get_in_inquiry_or_404(model, g.inquiry, object_id) if object_id is not None else None


@bp.route("/memos", methods=["GET", "POST"])
def memos():
    """Analytic memos: list, search, write (on the inquiry, a code or an excerpt)."""
    form = MemoForm()
    if form.is_submitted():
        policy.require(current_user, "fieldwork.memo", g.inquiry)
        code, excerpt = _optional(Code, form.code_id.data), _optional(Excerpt, form.excerpt_id.data)
        if form.validate():
            fields = {"title": form.title.data, "body": form.body.data, "code": code, "excerpt": excerpt}
            coding_service.create_memo(g.inquiry, current_user, **fields)
            flash(_("Memo saved."), "success")
            return redirect(url_for(".code", code_id=code.id) if code else url_for(".memos"))
    query = request.args.get("q", "")
    listed = coding_service.memos_of(g.inquiry, query, viewer=current_user)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "fieldwork/memos.html", inquiry=g.inquiry, memos=listed, q=query, form=form
    ), status


@bp.get("/matrices")
def matrices():
    """Code × profile attribute value, code co-occurrence, codes by month of interview."""
    attributes = attributes_of(g.inquiry)
    attribute = _arg(ProfileAttribute, "attribute") or (attributes[0] if attributes else None)
    by_time = coding_analysis.codes_over_time(g.inquiry, viewer=current_user)
    return render_template(
        "fieldwork/matrices.html",
        inquiry=g.inquiry,
        codes=coding_service.codes_of(g.inquiry),
        attributes=attributes,
        attribute=attribute,
        by_attribute=(
            coding_analysis.attribute_matrix(g.inquiry, attribute, viewer=current_user) if attribute else {}
        ),
        cooccurrence=coding_analysis.cooccurrence(g.inquiry, viewer=current_user),
        by_time=by_time,
        months=sorted({month for _code, month in by_time}),
    )


@bp.get("/agreement")
def agreement():
    """Agreement between two coders per code (percentage and kappa), and their disagreements."""
    coders = coding_analysis.coders_of(g.inquiry)
    ids = {u.id: u for u in coders}
    a, b = ids.get(int_arg("a")), ids.get(int_arg("b"))
    table = disagreements = None
    if a is not None and b is not None and a.id != b.id:
        table, disagreements = agreement_service.agreement(g.inquiry, a, b)
        # Whoever still codes a note blind must not read the others' codes on it here either.
        hidden = coding_service.blind_note_ids(current_user)
        disagreements = [u for u in disagreements if u.note.id not in hidden]
    codes = {c.id: c for c in coding_service.codes_of(g.inquiry)}
    return render_template(
        "fieldwork/agreement.html",
        inquiry=g.inquiry,
        coders=coders,
        a=a,
        b=b,
        table=table,
        disagreements=disagreements,
        codes=codes,
    )
