"""The commission: the current brief, its versions, and amendments (partner or team)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from inquiry_hub import policy
from inquiry_hub.extensions import db
from inquiry_hub.governance import commission_bp as bp
from inquiry_hub.governance import engine
from inquiry_hub.governance.forms import CommissionForm
from inquiry_hub.governance.services import commission
from inquiry_hub.inquiries.scope import scope_blueprint

scope_blueprint(bp)


@bp.app_template_global()
def current_commission(inquiry):
    """The accepted brief of an inquiry (for the inquiry home)."""
    return commission.current(inquiry)


@bp.app_template_global()
def research_question_title(question) -> str:
    """A linked research question as "Q2 — text"."""
    return commission.question_title(question)


@bp.app_template_global()
def question_coverage(inquiry):
    """Per active research question, what serves it so far (for the inquiry home)."""
    return commission.coverage(inquiry, current_user)


@bp.get("/")
def index():
    """The accepted brief, the amendments waiting for the team, earlier versions."""
    policy.require(current_user, "inquiry.view", g.inquiry)
    return render_template(
        "governance/commission/index.html",
        inquiry=g.inquiry,
        current=commission.current(g.inquiry),
        questions=commission.questions(g.inquiry, include_retired=True),
        versions=commission.history(g.inquiry),
        pending=commission.pending(g.inquiry),
    )


@bp.route("/amend", methods=["GET", "POST"])
def amend():
    """Propose an amended brief; the team decides by its governance rule."""
    policy.require(current_user, "commission.amend", g.inquiry)
    current = commission.current(g.inquiry)
    form = CommissionForm(obj=current)
    if current is None and not form.is_submitted():
        form.research_questions.data = g.inquiry.question
    if form.validate_on_submit():
        try:
            proposal = commission.propose_amendment(g.inquiry, current_user, form.data, form.note.data)
        except engine.ActionFailed as exc:
            form.note.errors.append(str(exc))
        else:
            db.session.commit()
            flash(
                _("Amendment proposed: the team decides.")
                if proposal and proposal.is_open
                else _("Commission updated."),
                "success",
            )
            return redirect(url_for("commission.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("governance/commission/amend.html", inquiry=g.inquiry, form=form), status
