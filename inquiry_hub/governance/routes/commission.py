"""The commission: the current brief, its versions, amendments, and the partner's answers."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from inquiry_hub import policy
from inquiry_hub.governance import commission_bp as bp
from inquiry_hub.governance.forms import CommissionForm, PartnerPositionForm
from inquiry_hub.governance.services import commission
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.models import Proposal
from inquiry_hub.scope import scope_blueprint

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


@bp.app_template_global()
def partner_positions(proposal) -> list:
    """The partner's positions on an amendment of its brief (never the team's)."""
    return commission.partner_positions(proposal)


def _position_form(proposal_id: int, formdata=None, mine=None) -> PartnerPositionForm:
    # One form per amendment on the page: the prefix keeps their fields' ids apart.
    return PartnerPositionForm(formdata=formdata, obj=mine, prefix=f"a{proposal_id}")


def _index_page(submitted: tuple[int, PartnerPositionForm] | None = None, status=200):
    pending = commission.pending(g.inquiry)
    forms = {
        p.id: _position_form(p.id, mine=next((x for x in p.positions if x.user_id == current_user.id), None))
        for p in pending
        if policy.can(current_user, "decisions.take_position_as_partner", p)
    }
    if submitted is not None:
        forms[submitted[0]] = submitted[1]
    return (
        render_template(
            "governance/commission/index.html",
            inquiry=g.inquiry,
            current=commission.current(g.inquiry),
            questions=commission.questions(g.inquiry, include_retired=True),
            versions=commission.history(g.inquiry),
            pending=pending,
            position_forms=forms,
        ),
        status,
    )


@bp.get("/")
def index():
    """The accepted brief, the amendments waiting for a decision, earlier versions."""
    policy.require(current_user, "inquiry.view", g.inquiry)
    return _index_page()


@bp.post("/proposals/<id:proposal_id>/position")
def partner_position(proposal_id: int):
    """The partner agrees, disagrees or blocks (with a reason) a student's amendment of its brief."""
    proposal = policy.get_in_inquiry_or_404(Proposal, g.inquiry, proposal_id)
    policy.require(current_user, "decisions.take_position_as_partner", proposal)
    form = _position_form(proposal.id, request.form)
    if form.validate_on_submit():
        try:
            commission.partner_position(proposal, current_user, form.stance.data, form.reason.data or "")
        except engine.ActionFailed as exc:
            form.reason.errors.append(str(exc))
        else:
            flash(_("Your answer is recorded."), "success")
            return redirect(url_for("commission.index", _anchor=f"amendment-{proposal.id}"))
    return _index_page(submitted=(proposal.id, form), status=422)


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
            flash(
                _("Amendment proposed: the partner and the team decide.")
                if proposal and proposal.co_decided
                else _("Amendment proposed: the team decides.")
                if proposal and proposal.is_open
                else _("Commission updated."),
                "success",
            )
            return redirect(url_for("commission.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("governance/commission/amend.html", inquiry=g.inquiry, form=form), status
