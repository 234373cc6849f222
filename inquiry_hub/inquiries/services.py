"""Creating inquiries, managing members and phases; the collective actions on members."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from inquiry_hub import policy
from inquiry_hub.accounts import services as accounts
from inquiry_hub.accounts.models import Invitation, User
from inquiry_hub.activity import services as activity
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.inquiries.engine import ActionFailed, collective_action
from inquiry_hub.inquiries.models import (
    DEFAULT_PHASES,
    GovernanceRule,
    Inquiry,
    Membership,
    Phase,
    Proposal,
    ProposalStatus,
)

# --- the policy's directory -------------------------------------------------------------


def _roles_of(user_id: int) -> dict[int, str]:
    rows = db.session.execute(
        select(Membership.inquiry_id, Membership.role).where(Membership.user_id == user_id)
    )
    return dict(rows.all())


def _members(inquiry_id: int, roles: list[str] | None) -> list[User]:
    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.inquiry_id == inquiry_id)
    )
    if roles is not None:
        query = query.where(Membership.role.in_(roles))
    return list(db.session.scalars(query.order_by(User.name)))


policy.use_directory(
    policy.Directory(
        roles_of=_roles_of, members=_members, inquiry=lambda inquiry_id: db.session.get(Inquiry, inquiry_id)
    )
)


@event.listens_for(Session, "after_flush")
def _forget_roles_on_membership_change(session, flush_context):
    if any(isinstance(o, Membership) for o in (*session.new, *session.dirty, *session.deleted)):
        policy.forget_roles()


def default_phases(starts_on: date, ends_on: date) -> list[Phase]:
    """Four phases splitting the inquiry's span: framing, fieldwork, analysis, restitution."""
    total = max((ends_on - starts_on).days, len(DEFAULT_PHASES))
    # Fieldwork and analysis take most of the year.
    shares = (0.15, 0.4, 0.3, 0.15)
    phases, cursor = [], starts_on
    for position, (kind, share) in enumerate(zip(DEFAULT_PHASES, shares, strict=True)):
        last = position == len(DEFAULT_PHASES) - 1
        end = ends_on if last else cursor + timedelta(days=max(int(total * share), 1) - 1)
        phases.append(Phase(kind=kind, position=position, starts_on=cursor, ends_on=end))
        cursor = end + timedelta(days=1)
    return phases


def default_retention(cohort_ends_on: date) -> date:
    """The end of the cohort year plus one year (29 February falls back to 28 February)."""
    try:
        return cohort_ends_on.replace(year=cohort_ends_on.year + 1)
    except ValueError:
        return cohort_ends_on.replace(year=cohort_ends_on.year + 1, day=28)


def create_inquiry(*, title, question, organisation, cohort, starts_on, ends_on, actor=None):
    inquiry = Inquiry(
        title=title.strip(),
        question=question or "",
        organisation=organisation,
        cohort=cohort,
        starts_on=starts_on,
        ends_on=ends_on,
        retention_until=default_retention(cohort.ends_on),
    )
    inquiry.phases = default_phases(starts_on, ends_on)
    db.session.add(inquiry)
    db.session.flush()
    activity.record(inquiry, actor, "inquiry.created", inquiry, summary=inquiry.title)
    return inquiry


def membership_of(inquiry, user_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.inquiry_id == inquiry.id, Membership.user_id == user_id)
    )


def add_member(inquiry, user, role, actor=None, joined: bool = False) -> Membership:
    """Add the user (or change nothing if already a member)."""
    membership = membership_of(inquiry, user.id)
    if membership is not None:
        return membership
    membership = Membership(inquiry_id=inquiry.id, user_id=user.id, role=str(policy.Role(role)))
    db.session.add(membership)
    db.session.flush()
    verb = "members.joined" if joined else "members.added"
    activity.record(inquiry, actor, verb, membership, summary=user.name)
    if not joined:
        activity.notify([user], "member.added", inquiry, url=f"/inquiries/{inquiry.id}/", title=inquiry.title)
    return membership


def invite(inquiry, email: str, role, actor=None) -> None:
    """Email a single-use invitation link, also to an address that has an account.

    Nobody joins because an account holds the address: only whoever opens the link, signed
    in or creating an account there, joins (see accept_invitation).
    """
    invitation, token = accounts.create_invitation(inquiry, email, role, invited_by=actor)
    accounts.send_invitation(invitation, token)
    activity.record(inquiry, actor, "members.invited", invitation, summary=str(role))


class InvitationUsed(Exception):
    """Someone else used the link first (two submits at once)."""


def accept_invitation(invitation: Invitation, user: User) -> bool:
    """Use the invitation: the user joins its inquiry with its role; False if already a member.

    A member who opens a link meant for someone else leaves it unused for that person.
    """
    if membership_of(invitation.inquiry, user.id) is not None:
        return False
    # One conditional UPDATE: of two concurrent submits, only one uses the link.
    used = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=utcnow(), accepted_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        raise InvitationUsed()
    db.session.refresh(invitation)
    add_member(invitation.inquiry, user, invitation.role, actor=user, joined=True)
    return True


def members_by_role(inquiry) -> dict[str, list[Membership]]:
    """Memberships grouped by role value, students first."""
    rows = db.session.scalars(
        select(Membership).where(Membership.inquiry_id == inquiry.id).options(db.joinedload(Membership.user))
    ).all()
    grouped: dict[str, list[Membership]] = {str(role): [] for role in policy.Role}
    for membership in sorted(rows, key=lambda m: m.user.name.lower()):
        grouped[membership.role].append(membership)
    return grouped


#: Who did what in the team, shown on the members page: the follow-up room registers its counter
#: (``register_contributions``) so that the base room imports no room above it.
_contributions: list = []


def register_contributions(counter) -> None:
    """Register ``counter(inquiry, now) -> rows`` for the members page (one counter)."""
    _contributions[:] = [counter]


def contributions(inquiry, now) -> list:
    """Per student, what they contributed (empty when no room counts it)."""
    return _contributions[0](inquiry, now) if _contributions else []


def member_counts(inquiry_ids: list[int]) -> dict[int, dict[str, int]]:
    """inquiry id → role → count, in one query."""
    counts: dict[int, dict[str, int]] = {i: {} for i in inquiry_ids}
    rows = db.session.execute(
        select(Membership.inquiry_id, Membership.role, func.count())
        .where(Membership.inquiry_id.in_(inquiry_ids))
        .group_by(Membership.inquiry_id, Membership.role)
    )
    for inquiry_id, role, count in rows:
        counts[inquiry_id][role] = count
    return counts


def update_phases(inquiry, dates: dict[int, tuple[date, date]], actor) -> None:
    for phase in inquiry.phases:
        if phase.id in dates:
            phase.starts_on, phase.ends_on = dates[phase.id]
    activity.record(inquiry, actor, "inquiry.phases_edited", inquiry, summary=inquiry.title)


def update_inquiry(inquiry, *, title, question, actor) -> None:
    inquiry.title = title.strip()
    inquiry.question = question
    activity.record(inquiry, actor, "inquiry.edited", inquiry, summary=inquiry.title)


# --- collective actions -----------------------------------------------------------------


def _validate_invite(inquiry, payload):
    email = accounts.normalise_email(payload["email"])
    user = accounts.find_user(email)
    if user is not None and membership_of(inquiry, user.id) is not None:
        raise ActionFailed(str(_l("This person is already a member.")))
    pending_invitation = db.session.scalar(
        select(Invitation.id).where(
            Invitation.inquiry_id == inquiry.id,
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
    )
    open_proposals = db.session.scalars(
        select(Proposal).where(
            Proposal.inquiry_id == inquiry.id,
            Proposal.status == ProposalStatus.OPEN,
            Proposal.action == "members.invite",
        )
    )
    if pending_invitation or any(p.payload.get("email") == email for p in open_proposals):
        raise ActionFailed(str(_l("This person is already invited.")))
    policy.Role(payload["role"])


@collective_action(
    "members.invite",
    describe=lambda p: _l("Invite %(email)s as %(role)s", email=p["email"], role=role_label(p["role"])),
    validate=_validate_invite,
)
def invite_action(inquiry, payload, actor):
    invite(inquiry, payload["email"], payload["role"], actor=actor)


def _validate_remove(inquiry, payload):
    membership = membership_of(inquiry, payload["user_id"])
    if membership is None:
        raise ActionFailed(str(_l("This person is not a member any more.")))
    deciders = [str(r) for r in policy.roles_with("decisions.take_position")]
    if membership.role in deciders:
        remaining = db.session.scalar(
            select(func.count(Membership.id)).where(
                Membership.inquiry_id == inquiry.id,
                Membership.role.in_(deciders),
                Membership.id != membership.id,
            )
        )
        if remaining == 0:
            raise ActionFailed(str(_l("The last student of an inquiry cannot be removed.")))


@collective_action(
    "members.remove",
    describe=lambda p: _l("Remove %(name)s from the inquiry", name=p.get("name", "")),
    validate=_validate_remove,
)
def remove_action(inquiry, payload, actor):
    _validate_remove(inquiry, payload)
    user = db.session.get(User, payload["user_id"])
    membership = membership_of(inquiry, user.id)
    db.session.delete(membership)
    activity.record(inquiry, actor, "members.removed", inquiry, summary=user.name)


def _validate_rule(inquiry, payload):
    GovernanceRule(payload["rule"])
    hours = int(payload.get("consent_delay_hours", inquiry.consent_delay_hours))
    if not 1 <= hours <= 24 * 30:
        raise ActionFailed(str(_l("The delay must be between 1 hour and 30 days.")))


@collective_action(
    "governance.change_rule",
    describe=lambda p: _l("Decide by: %(rule)s", rule=rule_label(p["rule"])),
    validate=_validate_rule,
)
def change_rule_action(inquiry, payload, actor):
    inquiry.governance_rule = str(GovernanceRule(payload["rule"]))
    inquiry.consent_delay_hours = int(payload.get("consent_delay_hours", inquiry.consent_delay_hours))
    activity.record(inquiry, actor, "governance.rule_changed", inquiry, summary=inquiry.governance_rule)


# --- labels -----------------------------------------------------------------------------

ROLE_LABELS = {
    policy.Role.STUDENT: _l("student"),
    policy.Role.TUTOR: _l("tutor"),
    policy.Role.PARTNER: _l("partner"),
}
RULE_LABELS = {
    GovernanceRule.ANY_MEMBER: _l("any member acts"),
    GovernanceRule.CONSENT: _l("consent"),
    GovernanceRule.MAJORITY: _l("majority"),
}
PHASE_LABELS = {
    "framing": _l("Framing"),
    "fieldwork": _l("Fieldwork"),
    "analysis": _l("Analysis"),
    "restitution": _l("Restitution"),
}


def role_label(role) -> str:
    return str(ROLE_LABELS.get(role, role))


def rule_label(rule) -> str:
    return str(RULE_LABELS.get(rule, rule))


def phase_label(phase) -> str:
    return phase.title or str(PHASE_LABELS.get(phase.kind, phase.kind))
