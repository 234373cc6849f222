"""My inquiries, the inquiry home, members and phases."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from inquiry_hub import policy
from inquiry_hub.accounts import services as accounts
from inquiry_hub.accounts.forms import AcceptInvitationForm
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.inquiries import bp, engine
from inquiry_hub.inquiries import services as inquiries
from inquiry_hub.inquiries.engine import ActionFailed
from inquiry_hub.inquiries.forms import GovernanceForm, InquiryForm, InviteForm, PhaseForm
from inquiry_hub.inquiries.models import Inquiry, Phase, Proposal, ProposalStatus
from inquiry_hub.scope import scope_blueprint

scope_blueprint(bp)


@bp.get("/inquiries/")
@login_required
def mine():
    """The inquiries I am a member of: where people land after login."""
    ids = policy.inquiry_ids_of(current_user)
    rows = (
        db.session.scalars(
            select(Inquiry)
            .where(Inquiry.id.in_(ids))
            .options(db.selectinload(Inquiry.phases), db.joinedload(Inquiry.organisation))
            .order_by(Inquiry.title)
        ).all()
        if ids
        else []
    )
    if len(rows) == 1 and policy.can(current_user, "followup.partner_portal", rows[0]):
        return redirect(url_for("followup.partner", inquiry_id=rows[0].id))
    if len(rows) == 1:
        return redirect(url_for("inquiries.home", inquiry_id=rows[0].id))
    if not rows and policy.can(current_user, "admin.access"):
        return redirect(url_for("admin.index"))
    return render_template(
        "inquiries/mine.html",
        inquiries=rows,
        counts=inquiries.member_counts([i.id for i in rows]),
        today=utcnow().date(),
    )


@bp.get("/inquiries/<id:inquiry_id>/")
def home():
    """The inquiry home: question, partner, timeline, members."""
    inquiry = g.inquiry
    policy.require(current_user, "inquiry.view", inquiry)
    open_proposals = []
    if policy.can(current_user, "decisions.view", inquiry):
        open_proposals = db.session.scalars(
            select(Proposal)
            .where(Proposal.inquiry_id == inquiry.id, Proposal.status == ProposalStatus.OPEN)
            .order_by(Proposal.deadline)
        ).all()
    return render_template(
        "inquiries/home.html",
        inquiry=inquiry,
        members=inquiries.members_by_role(inquiry),
        today=utcnow().date(),
        open_proposals=open_proposals,
        phase_forms={p.id: PhaseForm(obj=p, prefix=f"phase-{p.id}") for p in inquiry.phases},
    )


@bp.route("/inquiries/<id:inquiry_id>/edit", methods=["GET", "POST"])
def edit():
    """Edit the title and the commissioned question."""
    inquiry = g.inquiry
    policy.require(current_user, "inquiry.edit", inquiry)
    form = InquiryForm(obj=inquiry)
    if form.validate_on_submit():
        inquiries.update_inquiry(
            inquiry, title=form.title.data, question=form.question.data, actor=current_user
        )
        flash(_("Saved."), "success")
        return redirect(url_for("inquiries.home"))
    return render_template("inquiries/edit.html", inquiry=inquiry, form=form)


@bp.post("/inquiries/<id:inquiry_id>/phases/<id:phase_id>")
def edit_phase(phase_id: int):
    """Change the dates of one phase."""
    inquiry = g.inquiry
    policy.require(current_user, "inquiry.edit", inquiry)
    phase = policy.get_in_inquiry_or_404(Phase, inquiry, phase_id)
    form = PhaseForm(prefix=f"phase-{phase.id}")
    if form.validate_on_submit():
        inquiries.update_phases(inquiry, {phase.id: (form.starts_on.data, form.ends_on.data)}, current_user)
        flash(_("Phase dates saved."), "success")
        return redirect(url_for("inquiries.home"))
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")
    return redirect(url_for("inquiries.home"))


@bp.get("/inquiries/<id:inquiry_id>/members/")
def members():
    """Members by role, with the collective actions on membership."""
    inquiry = g.inquiry
    policy.require(current_user, "members.view", inquiry)
    return _members_page(InviteForm(), _governance_form(inquiry))


def _governance_form(inquiry, formdata=None):
    form = GovernanceForm(formdata=formdata, prefix="gov")
    if formdata is None:
        form.rule.data = inquiry.governance_rule
        form.consent_delay_hours.data = inquiry.consent_delay_hours
    return form


def _members_page(invite_form, governance_form, status: int = 200):
    inquiry = g.inquiry
    pending = (
        db.session.scalars(
            select(Proposal).where(
                Proposal.inquiry_id == inquiry.id,
                Proposal.status == ProposalStatus.OPEN,
                Proposal.action.like("members.%") | Proposal.action.like("governance.%"),
            )
        ).all()
        if policy.can(current_user, "decisions.view", inquiry)
        else []
    )
    return (
        render_template(
            "inquiries/members.html",
            inquiry=inquiry,
            members=inquiries.members_by_role(inquiry),
            contributions=inquiries.contributions(inquiry, utcnow())
            if policy.can(current_user, "members.contributions", inquiry)
            else [],
            invite_form=invite_form,
            governance_form=governance_form,
            pending=pending,
        ),
        status,
    )


def _started(proposal, done_message: str):
    if proposal is None:
        flash(done_message, "success")
        return redirect(url_for("inquiries.members"))
    if proposal.is_open:
        flash(
            _("Proposal opened: the team decides by %(rule)s.", rule=inquiries.rule_label(proposal.kind)),
            "info",
        )
    else:
        flash(proposal.outcome, "info")
    return redirect(url_for("governance.proposal", proposal_id=proposal.id))


@bp.post("/inquiries/<id:inquiry_id>/members/invite")
def invite():
    """Invite a person: a collective action under the governance rule."""
    inquiry = g.inquiry
    policy.require(current_user, "members.invite", inquiry)
    form = InviteForm()
    if form.validate_on_submit():
        payload = {"email": form.email.data.strip().lower(), "role": form.role.data}
        try:
            proposal = engine.start(inquiry, current_user, "members.invite", payload)
        except ActionFailed as exc:
            form.email.errors.append(str(exc))
        else:
            return _started(proposal, _("Invitation sent."))
    return _members_page(form, _governance_form(inquiry), 422)


@bp.post("/inquiries/<id:inquiry_id>/members/<id:user_id>/remove")
def remove(user_id: int):
    """Propose removing a member: a collective action under the governance rule."""
    inquiry = g.inquiry
    policy.require(current_user, "members.remove", inquiry)
    membership = inquiries.membership_of(inquiry, user_id)
    if membership is None:
        abort(404)
    payload = {"user_id": user_id, "name": membership.user.name}
    try:
        proposal = engine.start(inquiry, current_user, "members.remove", payload)
    except ActionFailed as exc:
        flash(str(exc), "error")
        return redirect(url_for("inquiries.members"))
    return _started(proposal, _("Member removed."))


@bp.post("/inquiries/<id:inquiry_id>/members/governance")
def change_rule():
    """Propose another governance rule: itself a collective action."""
    inquiry = g.inquiry
    policy.require(current_user, "governance.change_rule", inquiry)
    form = GovernanceForm(prefix="gov")
    if form.validate_on_submit():
        payload = {"rule": form.rule.data, "consent_delay_hours": form.consent_delay_hours.data}
        try:
            proposal = engine.start(inquiry, current_user, "governance.change_rule", payload)
        except ActionFailed as exc:
            form.rule.errors.append(str(exc))
        else:
            return _started(proposal, _("Governance rule changed."))
    return _members_page(InviteForm(), form, 422)


@bp.route("/auth/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Join an inquiry through its single-use link: as the signed-in account, or a new one made here."""
    invitation = accounts.find_invitation(token)
    if invitation is None or not invitation.is_usable:
        return render_template("auth/invitation_invalid.html"), 410
    if current_user.is_authenticated:
        # Whoever holds the link and is signed in joins; the invited address chooses nobody.
        if request.method == "POST":
            try:
                joined = inquiries.accept_invitation(invitation, current_user)
            except inquiries.InvitationUsed:
                db.session.rollback()
                return render_template("auth/invitation_invalid.html"), 410
            if joined:
                flash(_("Welcome! You joined %(title)s.", title=invitation.inquiry.title), "success")
            else:
                flash(_("You are already a member; the invitation stays unused for its addressee."), "info")
            return redirect(url_for("inquiries.home", inquiry_id=invitation.inquiry_id))
        return render_template("auth/invitation_join.html", invitation=invitation)
    if accounts.find_user(invitation.email) is not None:
        # The link reached this mailbox, so saying that it has an account discloses nothing.
        flash(_("Log in as %(email)s to accept this invitation.", email=invitation.email), "info")
        return redirect(url_for("accounts.login", next=request.path))
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(invitation.email, form.name.data, form.password.data)
            inquiries.accept_invitation(invitation, user)
            db.session.flush()
        except (inquiries.InvitationUsed, IntegrityError):  # a second submit of the same form
            db.session.rollback()
            return render_template("auth/invitation_invalid.html"), 410
        accounts.start_session(user)
        flash(_("Welcome! You joined %(title)s.", title=invitation.inquiry.title), "success")
        return redirect(url_for("inquiries.home", inquiry_id=invitation.inquiry_id))
    return render_template("auth/invitation_accept.html", form=form, invitation=invitation)
