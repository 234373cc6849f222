"""The collective-actions engine.

A collective action (inviting or removing a member, changing the governance rule,
sharing with the partner...) is a service registered here by name. Starting one either
executes it at once (rule ``any_member``) or opens a Proposal that carries the action's
name and payload; the proposal executes when the inquiry's rule is met. Web, API, CLI
and ``run-due`` all go through ``start`` and ``settle``, so they make the same write.

Rules:
- ``consent``: passes early once every student has agreed (or abstained); otherwise when
  its deadline passes with no block. Any block rejects it at once. A "disagree" is
  recorded and shown but, as in sociocratic consent, does not stop it.
- ``majority``: passes once more than half of the students agree; rejected when that can
  no longer happen or at the deadline.
- ``advice``: never executes anything; closes at its deadline.

Co-decision: an action registered with a ``CoDecision`` (a student's amendment of the partner's
brief) also needs the members holding ``decisions.take_position_as_partner``: it passes only when
the team's rule is met AND one of them agreed; a block of theirs rejects it; under ``any_member``
the author's act meets the team's part and the proposal waits for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from inquiry_hub import policy, scope
from inquiry_hub.activity import services as activity
from inquiry_hub.db import lock_row, utcnow
from inquiry_hub.extensions import db
from inquiry_hub.inquiries.models import Position, Proposal, ProposalStatus, Stance

MAJORITY_DEFAULT_DELAY_HOURS = 7 * 24
#: What co-deciders hold (the partner): a position on the proposals that need them, nothing else.
CO_DECIDE = "decisions.take_position_as_partner"


class ActionFailed(Exception):
    """The action could not be carried out; the message says why (shown to users)."""


class ProposalClosed(ActionFailed):
    """The proposal closed meanwhile (the API answers 409)."""


@dataclass(frozen=True)
class CoDecision:
    """When people outside the team must also agree, and where they answer."""

    needed: Callable  # (inquiry, author) -> bool
    page: Callable  # (inquiry) -> str, the URL where co-deciders read and answer


@dataclass(frozen=True)
class CollectiveAction:
    name: str
    execute: Callable  # (inquiry, payload, actor) -> None
    describe: Callable  # (payload) -> str, a title for the proposal
    validate: Callable | None = None  # (inquiry, payload) -> None or raise ActionFailed
    co_decision: CoDecision | None = None


REGISTRY: dict[str, CollectiveAction] = {}


def collective_action(
    name: str, describe: Callable, validate: Callable | None = None, co_decision: CoDecision | None = None
):
    """Register a service as the collective action ``name``."""

    def decorator(func):
        REGISTRY[name] = CollectiveAction(name, func, describe, validate, co_decision)
        policy.register_collective_action(name)
        return func

    return decorator


def co_deciders(inquiry) -> list:
    """Members who co-decide the proposals that need them (the inquiry's partners)."""
    return policy.members_who_can(inquiry, CO_DECIDE)


def _needs_co_deciders(spec: CollectiveAction, inquiry, actor) -> bool:
    # Nobody to ask (no partner account yet): the team decides by its rule alone.
    return bool(spec.co_decision and spec.co_decision.needed(inquiry, actor) and co_deciders(inquiry))


def voters(inquiry) -> list:
    """Members who take positions: those whose role holds ``decisions.take_position``."""
    return policy.members_who_can(inquiry, "decisions.take_position")


def start(inquiry, actor, action: str, payload: dict, now: datetime | None = None):
    """Start a collective action under the inquiry's rule; returns the Proposal or None.

    Raises ActionFailed when the payload is not acceptable right now.
    """
    spec = REGISTRY[action]
    if spec.validate is not None:
        spec.validate(inquiry, payload)
    now = now or utcnow()
    rule = inquiry.governance_rule
    voter = actor is not None and policy.can(actor, "decisions.take_position", inquiry)
    co_decided = _needs_co_deciders(spec, inquiry, actor)
    if rule == "any_member" and not voter and actor is not None:
        # "Any member" means any student: a request from someone who cannot take a
        # position (the partner amending the commission) still waits for the team.
        rule = "consent"
    if rule == "any_member" and not co_decided:
        _execute(spec, inquiry, payload, actor)
        activity.record(inquiry, actor, "decisions.executed", summary=str(spec.describe(payload)))
        return None
    delay = inquiry.consent_delay_hours if rule == "consent" else MAJORITY_DEFAULT_DELAY_HOURS
    proposal = Proposal(
        inquiry_id=inquiry.id,
        author_id=actor.id if actor else None,
        title=str(spec.describe(payload))[:200],
        kind=rule,
        action=action,
        payload=payload,
        deadline=now + timedelta(hours=delay),
        co_decided=co_decided,
    )
    db.session.add(proposal)
    db.session.flush()
    activity.record(inquiry, actor, "decisions.proposed", proposal, summary=proposal.title)
    others = [u for u in voters(inquiry) if actor is None or u.id != actor.id]
    activity.notify(
        others,
        "proposal.opened",
        inquiry,
        url=f"/inquiries/{inquiry.id}/decisions/{proposal.id}",
        actor=actor.name if actor else "",
        title=proposal.title,
    )
    if co_decided:
        url = spec.co_decision.page(inquiry)
        activity.notify(
            co_deciders(inquiry),
            "proposal.co_decision",
            inquiry,
            url=url,
            actor=actor.name if actor else "",
            title=proposal.title,
        )
    if voter:
        # Proposing is agreeing.
        take_position(proposal, actor, Stance.AGREE, "", now=now)
    else:
        settle(proposal, now)
    return proposal


def title_of(proposal) -> str:
    """A collective action's title in the reader's language; a free proposal's own title."""
    spec = REGISTRY.get(proposal.action or "")
    if spec is None:
        return proposal.title
    try:
        return str(spec.describe(proposal.payload))
    except (KeyError, TypeError, ValueError):
        return proposal.title


def open_free_proposal(inquiry, author, title: str, body: str, kind: str, deadline: datetime):
    """A proposal that executes nothing: the team records a decision."""
    proposal = Proposal(
        inquiry_id=inquiry.id,
        author_id=author.id,
        title=title,
        body=body,
        kind=kind,
        action=None,
        payload={},
        deadline=deadline,
    )
    db.session.add(proposal)
    db.session.flush()
    activity.record(inquiry, author, "decisions.proposed", proposal, summary=title)
    activity.notify(
        [u for u in voters(inquiry) if u.id != author.id],
        "proposal.opened",
        inquiry,
        url=f"/inquiries/{inquiry.id}/decisions/{proposal.id}",
        actor=author.name,
        title=title,
    )
    return proposal


def _lock(proposal) -> None:
    """Serialise writers of this proposal and re-read it and its positions (see db.lock_row).

    Without it, two positions sent at once each see the proposal open and execute its action,
    or each sees only its own position and nobody settles it.
    """
    db.session.flush()
    lock_row(db.session, Proposal, proposal.id)
    db.session.expire(proposal, ["positions"])


def take_position(proposal, user, stance: str, reason: str = "", now=None) -> Position:
    """Record or change the user's position, then settle the proposal."""
    _lock(proposal)
    if not proposal.is_open:
        raise ProposalClosed(str(_l("This proposal is closed.")))
    stance = Stance(stance)
    if stance in (Stance.BLOCK, Stance.DISAGREE) and not reason.strip():
        raise ActionFailed(str(_l("A disagreement or a block needs a reason.")))
    position = next((p for p in proposal.positions if p.user_id == user.id), None)
    if position is None:
        position = Position(proposal=proposal, user_id=user.id, stance=stance, reason=reason)
        db.session.add(position)
    else:
        position.stance = stance
        position.reason = reason
    db.session.flush()
    inquiry = proposal.inquiry
    activity.record(inquiry, user, "decisions.position", proposal, summary=proposal.title)
    if stance is Stance.BLOCK:
        activity.notify(
            [u for u in voters(inquiry) if u.id != user.id],
            "proposal.blocked",
            inquiry,
            url=f"/inquiries/{inquiry.id}/decisions/{proposal.id}",
            actor=user.name,
            title=proposal.title,
        )
    settle(proposal, now)
    return position


def withdraw(proposal, user) -> None:
    """The author withdraws an open proposal."""
    _lock(proposal)
    if not _close(proposal, ProposalStatus.WITHDRAWN, utcnow()):
        raise ProposalClosed(str(_l("This proposal is closed.")))
    activity.record(proposal.inquiry, user, "decisions.withdrawn", proposal, summary=proposal.title)


def verdict(proposal, voter_ids: list[int], now: datetime) -> str | None:
    """ "passed", "rejected" or None (still open), from the positions of current voters."""
    stances = {p.user_id: p.stance for p in proposal.positions if p.user_id in voter_ids}
    expired = now >= proposal.deadline
    if proposal.kind == "consent":
        if Stance.BLOCK in stances.values():
            return ProposalStatus.REJECTED
        everyone_agrees = len(stances) == len(voter_ids) and all(
            s in (Stance.AGREE, Stance.ABSTAIN) for s in stances.values()
        )
        return ProposalStatus.PASSED if everyone_agrees or expired else None
    if proposal.kind == "majority":
        agree = sum(1 for s in stances.values() if s == Stance.AGREE)
        undecided = len(voter_ids) - len(stances)
        if agree * 2 > len(voter_ids):
            return ProposalStatus.PASSED
        if expired or (agree + undecided) * 2 <= len(voter_ids):
            return ProposalStatus.REJECTED
        return None
    if proposal.kind == "any_member":
        # Only a co-decided action waits under this rule: the author's act met the team's part.
        return ProposalStatus.REJECTED if Stance.BLOCK in stances.values() else ProposalStatus.PASSED
    # advice and sense check: nothing to execute, they simply close at the deadline.
    return ProposalStatus.PASSED if expired else None


def co_verdict(proposal, team_result: str | None, co_ids: list[int], now: datetime) -> str | None:
    """The team's verdict joined with the co-deciders': one block rejects; passing needs one agree."""
    stances = [p.stance for p in proposal.positions if p.user_id in co_ids]
    if Stance.BLOCK in stances:
        return ProposalStatus.REJECTED
    if team_result != ProposalStatus.PASSED:
        return team_result
    if Stance.AGREE in stances:
        return ProposalStatus.PASSED
    # Silence is not agreement: at the deadline, without one, it fails.
    return ProposalStatus.REJECTED if now >= proposal.deadline else None


def _close(proposal, status: str, now: datetime) -> bool:
    """The one transition out of "open": True for the single caller that made it."""
    closed = db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, Proposal.status == ProposalStatus.OPEN)
        .values(status=status, closed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(proposal, ["status", "closed_at"])
    return closed.rowcount == 1


def settle(proposal, now: datetime | None = None) -> bool:
    """Close the proposal if its rule is met; execute its action. True when it closed."""
    _lock(proposal)
    if not proposal.is_open:
        return False
    now = now or utcnow()
    inquiry = proposal.inquiry
    people = voters(inquiry)
    result = team_result = verdict(proposal, [u.id for u in people], now)
    if proposal.co_decided:
        result = co_verdict(proposal, team_result, [u.id for u in co_deciders(inquiry)], now)
    if result is None or not _close(proposal, result, now):
        return False
    # Advice and sense checks inform; they never carry out an action.
    if (
        result == ProposalStatus.PASSED
        and proposal.action
        and proposal.kind in ("consent", "majority", "any_member")
    ):
        spec = REGISTRY.get(proposal.action)
        try:
            if spec is None:
                raise ActionFailed(f"unknown action {proposal.action}")
            _execute(spec, inquiry, proposal.payload, proposal.author)
            proposal.outcome = str(_l("Passed and carried out."))
        except ActionFailed as exc:
            proposal.outcome = str(_l("Passed, but could not be carried out: %(why)s", why=exc))
    elif result == ProposalStatus.PASSED:
        proposal.outcome = str(_l("Passed."))
    elif team_result != ProposalStatus.REJECTED and proposal.co_decided:
        blocked = any(
            p.stance == Stance.BLOCK for p in proposal.positions if p.user_id not in {u.id for u in people}
        )
        proposal.outcome = str(
            _l("Rejected: the partner blocked it.")
            if blocked
            else _l("Rejected: the partner did not agree before the deadline.")
        )
    else:
        proposal.outcome = str(_l("Rejected."))
    verb = "decisions.passed" if result == ProposalStatus.PASSED else "decisions.rejected"
    activity.record(inquiry, None, verb, proposal, summary=proposal.title)
    kind = "proposal.passed" if result == ProposalStatus.PASSED else "proposal.rejected"
    url = f"/inquiries/{inquiry.id}/decisions/{proposal.id}"
    activity.notify(people, kind, inquiry, url=url, title=proposal.title)
    author = proposal.author
    if author is not None and author.id not in {u.id for u in people}:
        # An author who is not a voter (the partner amending the commission) learns the result
        # where they can read it.
        if not policy.can(author, "decisions.view", inquiry):
            url = f"/inquiries/{inquiry.id}/"
        activity.notify([author], kind, inquiry, url=url, title=proposal.title)
    spec = REGISTRY.get(proposal.action or "")
    if proposal.co_decided and spec is not None and spec.co_decision is not None:
        outside = [u for u in co_deciders(inquiry) if author is None or u.id != author.id]
        activity.notify(outside, kind, inquiry, url=spec.co_decision.page(inquiry), title=proposal.title)
    db.session.flush()
    return True


def _execute(spec: CollectiveAction, inquiry, payload: dict, actor) -> None:
    # A savepoint: a failing action leaves no half-written rows behind. The action is
    # validated again: what was true when it was proposed may not be any more.
    try:
        with db.session.begin_nested():
            if spec.validate is not None:
                spec.validate(inquiry, payload)
            spec.execute(inquiry, payload, actor)
    except IntegrityError as exc:
        # A unique constraint says it is already done (an invitation already pending...).
        raise ActionFailed(str(_l("it was already done"))) from exc


def settle_due(inquiry=None, now: datetime | None = None) -> int:
    """Settle open proposals whose deadline has passed (one inquiry, or all for run-due)."""
    now = now or utcnow()
    query = select(Proposal).where(Proposal.status == ProposalStatus.OPEN, Proposal.deadline <= now)
    if inquiry is not None:
        query = query.where(Proposal.inquiry_id == inquiry.id)
    closed = 0
    for proposal in db.session.scalars(query).all():
        closed += settle(proposal, now)
    return closed


# Scoped pages settle their inquiry's due proposals before anything is read (the lazy half of run-due).
scope.on_inquiry_loaded(settle_due)


def due_proposal_ids(now: datetime | None = None) -> list[int]:
    """Open proposals whose deadline has passed, for run-due to settle one by one."""
    query = select(Proposal.id).where(
        Proposal.status == ProposalStatus.OPEN, Proposal.deadline <= (now or utcnow())
    )
    return list(db.session.scalars(query.order_by(Proposal.id)))


activity.register_notifications({"proposal.co_decision": _l("%(actor)s asks for your agreement: %(title)s")})
