"""Proposals: the list, a new free proposal, one proposal, positions, thread, outcome, log."""

from __future__ import annotations

from flask import Response, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import format_timedelta, to_utc
from flask_babel import gettext as _
from flask_login import current_user

from inquiry_hub import policy
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.governance import bp
from inquiry_hub.governance.forms import (
    KIND_LABELS,
    RULE_LABELS,
    CommentForm,
    OutcomeForm,
    PositionForm,
    ProposalForm,
)
from inquiry_hub.governance.services import decisions
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.models import Proposal
from inquiry_hub.scope import scope_blueprint

scope_blueprint(bp)


@bp.app_template_global()
def proposal_kind_label(kind: str) -> str:
    """A proposal kind in the reader's language."""
    return str(KIND_LABELS.get(kind) or RULE_LABELS.get(kind, kind))


@bp.app_template_global()
def status_label(status: str) -> str:
    """A proposal status in the reader's language."""
    return str(decisions.STATUS_LABELS.get(status, status))


@bp.get("/")
def index():
    """Free proposals and collective actions in one list, filtered by status."""
    policy.require(current_user, "decisions.view", g.inquiry)
    status = request.args.get("status", "")
    status = status if status in decisions.STATUSES else ""
    proposals = decisions.proposals_of(g.inquiry, status or None)
    return render_template(
        "governance/index.html", inquiry=g.inquiry, proposals=proposals, status=status, now=utcnow()
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Write a free proposal: text, kind, deadline, hidden positions or not."""
    policy.require(current_user, "decisions.propose", g.inquiry)
    form = ProposalForm()
    if form.validate_on_submit():
        proposal = decisions.open_proposal(
            g.inquiry,
            current_user,
            title=form.title.data,
            body=form.body.data,
            kind=form.kind.data,
            deadline=to_utc(form.deadline.data),  # typed in the reader's time zone
            hide_positions=form.hide_positions.data,
        )
        flash(_("Proposal opened."), "success")
        return redirect(url_for("governance.proposal", proposal_id=proposal.id))
    status = 422 if form.is_submitted() else 200
    return render_template("governance/new.html", inquiry=g.inquiry, form=form), status


def _load(proposal_id: int, action: str = "decisions.view") -> Proposal:
    policy.require(current_user, action, g.inquiry)
    return policy.get_in_inquiry_or_404(Proposal, g.inquiry, proposal_id)


def _proposal_page(proposal, form=None, comment_form=None, outcome_form=None, status=200):
    now = utcnow()
    voters = engine.voters(g.inquiry)
    views = decisions.positions_for(proposal, current_user, voters, now)
    return (
        render_template(
            "governance/proposal.html",
            inquiry=g.inquiry,
            proposal=proposal,
            views=views,
            unanswered=[v.user for v in views if not v.hidden and v.position is None],
            hidden=any(v.hidden for v in views),
            time_left=format_timedelta(proposal.deadline - now, add_direction=True)
            if proposal.is_open
            else "",
            form=form or _position_form(proposal),
            comment_form=comment_form or CommentForm(formdata=None),
            outcome_form=outcome_form or OutcomeForm(formdata=None, outcome=proposal.outcome),
            now=now,
        ),
        status,
    )


def _position_form(proposal) -> PositionForm:
    mine = next((p for p in proposal.positions if p.user_id == current_user.id), None)
    return PositionForm(formdata=None, obj=mine)


@bp.get("/<id:proposal_id>")
def proposal(proposal_id: int):
    """A proposal, every student's position, who has not answered, time left, the thread."""
    return _proposal_page(_load(proposal_id))


@bp.get("/<id:proposal_id>.json")
def proposal_json(proposal_id: int):
    """The positions as JSON, hidden ones hidden until the deadline."""
    item = _load(proposal_id)
    return jsonify(decisions.positions_json(item, current_user, engine.voters(g.inquiry)))


@bp.post("/<id:proposal_id>/position")
def take_position(proposal_id: int):
    """Agree, abstain, disagree or block (the last two with a reason)."""
    item = _load(proposal_id, "decisions.take_position")
    form = PositionForm()
    if form.validate_on_submit():
        try:
            engine.take_position(item, current_user, form.stance.data, form.reason.data or "")
        except engine.ActionFailed as exc:
            form.reason.errors.append(str(exc))
        else:
            flash(_("Your position is recorded."), "success")
            return redirect(url_for("governance.proposal", proposal_id=item.id))
    return _proposal_page(item, form=form, status=422)


@bp.post("/<id:proposal_id>/withdraw")
def withdraw(proposal_id: int):
    """The author withdraws an open proposal."""
    item = _load(proposal_id, "decisions.propose")
    if item.author_id != current_user.id or not item.is_open:
        flash(_("Only its author can withdraw an open proposal."), "error")
        return redirect(url_for("governance.proposal", proposal_id=item.id))
    try:
        engine.withdraw(item, current_user)
    except engine.ProposalClosed as exc:  # closed by a position sent at the same moment
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("governance.proposal", proposal_id=item.id))
    flash(_("Proposal withdrawn."), "info")
    return redirect(url_for("governance.index"))


@bp.post("/<id:proposal_id>/comments")
def comment(proposal_id: int):
    """Add a message to the proposal's discussion thread."""
    item = _load(proposal_id, "decisions.comment")
    form = CommentForm()
    if not form.validate_on_submit():
        return _proposal_page(item, comment_form=form, status=422)
    decisions.add_comment(item, current_user, form.body.data)
    return redirect(url_for("governance.proposal", proposal_id=item.id, _anchor="discussion"))


@bp.post("/<id:proposal_id>/outcome")
def outcome(proposal_id: int):
    """The author of a closed free proposal writes what was decided."""
    item = _load(proposal_id, "decisions.propose")
    if item.is_open or not item.is_free or item.author_id != current_user.id:
        abort(403)
    form = OutcomeForm()
    if not form.validate_on_submit():
        return _proposal_page(item, outcome_form=form, status=422)
    decisions.write_outcome(item, current_user, form.outcome.data)
    flash(_("Outcome recorded."), "success")
    return redirect(url_for("governance.proposal", proposal_id=item.id))


@bp.get("/log")
def log():
    """Closed proposals with their outcomes, searchable."""
    policy.require(current_user, "decisions.view", g.inquiry)
    q = request.args.get("q", "").strip()[:200]
    return render_template(
        "governance/log.html", inquiry=g.inquiry, q=q, proposals=decisions.decision_log(g.inquiry, q)
    )


@bp.get("/log.<any(md, csv):fmt>")
def export_log(fmt: str):
    """The decision log as Markdown or CSV, with the current search applied."""
    policy.require(current_user, "decisions.view", g.inquiry)
    proposals = decisions.decision_log(g.inquiry, request.args.get("q", "")[:200])
    if fmt == "csv":
        body, mimetype = decisions.log_as_csv(proposals), "text/csv"
    else:
        body, mimetype = decisions.log_as_markdown(g.inquiry, proposals), "text/markdown"
    name = f"decisions-{g.inquiry.id}.{fmt}"
    return Response(
        body,
        mimetype=f"{mimetype}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
