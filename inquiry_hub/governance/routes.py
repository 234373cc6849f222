"""Proposals: the pending list and one proposal with its positions."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from inquiry_hub import policy
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.governance import bp, engine
from inquiry_hub.governance.forms import PositionForm
from inquiry_hub.governance.models import Position, Proposal, ProposalStatus
from inquiry_hub.inquiries.scope import scope_blueprint

scope_blueprint(bp)


@bp.get("/")
def index():
    """Open proposals first, then the closed ones."""
    policy.require(current_user, "decisions.view", g.inquiry)
    proposals = db.session.scalars(
        select(Proposal)
        .where(Proposal.inquiry_id == g.inquiry.id)
        .options(db.selectinload(Proposal.positions), db.joinedload(Proposal.author))
        .order_by(Proposal.created_at.desc())
    ).all()
    open_ = [p for p in proposals if p.status == ProposalStatus.OPEN]
    closed = [p for p in proposals if p.status != ProposalStatus.OPEN]
    return render_template(
        "governance/index.html", inquiry=g.inquiry, open_proposals=open_, closed=closed, now=utcnow()
    )


def _proposal_page(proposal, form, status=200):
    people = engine.voters(g.inquiry)
    by_user = {p.user_id: p for p in proposal.positions}
    return (
        render_template(
            "governance/proposal.html",
            inquiry=g.inquiry,
            proposal=proposal,
            voters=people,
            positions=by_user,
            form=form,
            now=utcnow(),
        ),
        status,
    )


@bp.get("/<int:proposal_id>")
def proposal(proposal_id: int):
    """A proposal, every student's position, who has not answered, the time left."""
    policy.require(current_user, "decisions.view", g.inquiry)
    item = policy.get_in_inquiry_or_404(Proposal, g.inquiry, proposal_id)
    mine = db.session.scalar(
        select(Position).where(Position.proposal_id == item.id, Position.user_id == current_user.id)
    )
    form = PositionForm(obj=mine)
    return _proposal_page(item, form)


@bp.post("/<int:proposal_id>/position")
def take_position(proposal_id: int):
    """Agree, abstain, disagree or block (the last two with a reason)."""
    policy.require(current_user, "decisions.take_position", g.inquiry)
    item = policy.get_in_inquiry_or_404(Proposal, g.inquiry, proposal_id)
    form = PositionForm()
    if form.validate_on_submit():
        try:
            engine.take_position(item, current_user, form.stance.data, form.reason.data or "")
        except engine.ActionFailed as exc:
            form.reason.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Your position is recorded."), "success")
            return redirect(url_for("governance.proposal", proposal_id=item.id))
    return _proposal_page(item, form, 422)


@bp.post("/<int:proposal_id>/withdraw")
def withdraw(proposal_id: int):
    """The author withdraws an open proposal."""
    policy.require(current_user, "decisions.propose", g.inquiry)
    item = policy.get_in_inquiry_or_404(Proposal, g.inquiry, proposal_id)
    if item.author_id != current_user.id or not item.is_open:
        flash(_("Only its author can withdraw an open proposal."), "error")
        return redirect(url_for("governance.proposal", proposal_id=item.id))
    engine.withdraw(item, current_user)
    db.session.commit()
    flash(_("Proposal withdrawn."), "info")
    return redirect(url_for("governance.index"))
