"""Profile attributes, the interview guide, the sampling grid and search."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from inquiry_hub import policy, search
from inquiry_hub.fieldwork import bp
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.forms import AttributeForm, GuideForm, SearchForm
from inquiry_hub.fieldwork.models import ProfileAttribute
from inquiry_hub.urls import int_arg


@bp.route("/attributes", methods=["GET", "POST"])
def attributes():
    """Profile attributes of the sample (ranges and categories), and a form to add or change one."""
    editing = int_arg("edit")
    attribute = policy.get_in_inquiry_or_404(ProfileAttribute, g.inquiry, editing) if editing else None
    form = AttributeForm(obj=attribute, data={"values": "\n".join(attribute.values)} if attribute else None)
    if form.is_submitted():
        policy.require(current_user, "fieldwork.edit", g.inquiry)
    if form.validate_on_submit():
        fieldwork.save_attribute(g.inquiry, current_user, form.name.data, form.values.data, attribute)
        flash(_("Profile attribute saved."), "success")
        return redirect(url_for(".attributes"))
    status = 422 if form.is_submitted() else 200
    page = render_template(
        "fieldwork/attributes.html",
        inquiry=g.inquiry,
        attributes=fieldwork.attributes_of(g.inquiry),
        form=form,
        editing=attribute,
    )
    return page, status


@bp.route("/guide", methods=["GET", "POST"])
def guide():
    """The current interview guide, its versions, and a form to write the next one."""
    guides = fieldwork.guides_of(g.inquiry)
    shown = guides[0] if guides else None
    if "version" in request.args:
        shown = next((x for x in guides if x.version == int_arg("version")), None) or abort(404)
    form = GuideForm(data={"body": guides[0].body} if guides else None)
    if form.is_submitted():
        policy.require(current_user, "fieldwork.edit", g.inquiry)
    if form.validate_on_submit():
        saved = fieldwork.save_guide(g.inquiry, current_user, form.body.data, form.changelog.data)
        flash(_("Interview guide version %(n)d saved.", n=saved.version), "success")
        return redirect(url_for(".guide"))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "fieldwork/guide.html", inquiry=g.inquiry, guides=guides, shown=shown, form=form
    ), status


@bp.route("/sampling", methods=["GET", "POST"])
def sampling():
    """Targets per profile value against interviews planned and conducted: the gaps at a glance."""
    grid = fieldwork.sampling_grid(g.inquiry)
    if request.method == "POST":
        policy.require(current_user, "fieldwork.edit", g.inquiry)
        targets = {}
        for attribute, rows in grid:
            for index, row in enumerate(rows):
                raw = request.form.get(f"target-{attribute.id}-{index}", "")
                if raw.strip():
                    if not raw.strip().isdigit() or int(raw) > 10_000:
                        flash(_("Targets are whole numbers."), "error")
                        return render_template("fieldwork/sampling.html", inquiry=g.inquiry, grid=grid), 422
                    targets[(attribute.id, row.value)] = int(raw)
        fieldwork.set_targets(g.inquiry, current_user, targets)
        flash(_("Sampling targets saved."), "success")
        return redirect(url_for(".sampling"))
    return render_template("fieldwork/sampling.html", inquiry=g.inquiry, grid=grid)


@bp.get("/search")
def search_page():
    """Full-text search in the notes and transcripts, with filters; snippets highlight the words."""
    policy.require(current_user, "fieldwork.search", g.inquiry)
    form = SearchForm(request.args)
    form.interview.choices = [("", _("All interviews"))] + fieldwork.interview_choices(g.inquiry)
    authors = fieldwork.interviewer_choices(g.inquiry)
    form.author.choices = [("", _("All authors"))] + [(u.id, u.name) for u in authors]
    results = None
    if form.q.data and form.validate():
        filters = search.Filters(
            form.interview.data, form.author.data, form.date_from.data, form.date_to.data
        )
        results = fieldwork.search_notes(g.inquiry, form.q.data, filters)
    return render_template("fieldwork/search.html", inquiry=g.inquiry, form=form, results=results)
