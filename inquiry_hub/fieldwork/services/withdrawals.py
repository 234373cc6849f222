"""Withdrawal of consent: hidden at once, deleted after a delay unless another student objects.

One student alone must not be able to empty an interview (by error or otherwise): recording a
withdrawal hides the interview's notes, excerpts and files from everyone (models/hiding.py),
and ``run-due`` deletes them ``DELAY`` later unless another student marked it as a mistake.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from inquiry_hub import policy
from inquiry_hub.activity import services as activity
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import disclosure
from inquiry_hub.fieldwork.models import ConsentStatus, ConsentWithdrawal, Interview
from inquiry_hub.fieldwork.services import interviews
from inquiry_hub.urls import path_for

#: How long the material stays hidden before it is deleted.
DELAY = timedelta(days=7)

activity.register_verbs(
    {
        "fieldwork.withdrawal_mistake": _l("marked a recorded withdrawal of consent as a mistake"),
        "fieldwork.withdrawal_carried_out": _l("deleted the material of a withdrawn interview"),
    }
)
activity.register_notifications(
    {
        "fieldwork.withdrawal_recorded": _l(
            "Consent withdrawn for %(pseudonym)s: its material is hidden and will be deleted on %(date)s."
        ),
        "fieldwork.withdrawal_mistake": _l(
            "The withdrawal of consent recorded for %(pseudonym)s was marked as a mistake: its material is back."
        ),
    }
)


class WithdrawalError(ValueError):
    """The withdrawal cannot be recorded or undone in its current state."""


def pending_withdrawal(interview: Interview) -> ConsentWithdrawal | None:
    """The withdrawal of this interview waiting for its delay, if any."""
    return db.session.scalar(
        select(ConsentWithdrawal)
        .where(
            ConsentWithdrawal.interview_id == interview.id,
            ConsentWithdrawal.mistake_at.is_(None),
            ConsentWithdrawal.deleted_at.is_(None),
        )
        .options(db.selectinload(ConsentWithdrawal.recorded_by))
    )


def _tell_team(interview: Interview, actor, kind: str, **params) -> None:
    others = [u for u in policy.members_who_can(interview.inquiry, "fieldwork.edit") if u.id != actor.id]
    url = path_for("fieldwork.interview", inquiry_id=interview.inquiry_id, interview_id=interview.id)
    activity.notify(others, kind, interview.inquiry, url=url, pseudonym=interview.pseudonym, **params)


def withdraw_consent(interview: Interview, actor) -> ConsentWithdrawal:
    """Record a withdrawal: the material is hidden now and deleted after ``DELAY``."""
    if interview.withdrawn:
        raise WithdrawalError(str(_l("A withdrawal of consent is already recorded for this interview.")))
    consent = interviews.consent_of(interview)
    now = utcnow()
    withdrawal = ConsentWithdrawal(
        inquiry_id=interview.inquiry_id,
        interview_id=interview.id,
        recorded_by_id=actor.id,
        recorded_at=now,
        delete_after=now + DELAY,
        previous_status=consent.status,
    )
    db.session.add(withdrawal)
    consent.status = ConsentStatus.WITHDRAWN
    db.session.flush()
    # The log line names no person, not even the pseudonym (the tombstone outlives the material).
    activity.record(interview.inquiry, actor, "fieldwork.consent_withdrawn", interview)
    _tell_team(
        interview, actor, "fieldwork.withdrawal_recorded", date=withdrawal.delete_after.date().isoformat()
    )
    disclosure.material_changed(interview.inquiry)
    return withdrawal


def _settle(withdrawal: ConsentWithdrawal, **values) -> bool:
    """Mark a pending withdrawal as settled, once: False when a concurrent request settled it first."""
    claimed = db.session.execute(
        update(ConsentWithdrawal)
        .where(
            ConsentWithdrawal.id == withdrawal.id,
            ConsentWithdrawal.mistake_at.is_(None),
            ConsentWithdrawal.deleted_at.is_(None),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(withdrawal)
    return claimed.rowcount == 1


def mark_mistake(withdrawal: ConsentWithdrawal, actor) -> None:
    """Another student says the withdrawal was recorded by mistake: the material is visible again."""
    if withdrawal.recorded_by_id == actor.id:
        raise WithdrawalError(str(_l("Another student must confirm that this was a mistake.")))
    if not _settle(withdrawal, mistake_at=utcnow(), mistake_by_id=actor.id):
        raise WithdrawalError(str(_l("This withdrawal was already settled.")))
    interview = withdrawal.interview
    interviews.consent_of(interview).status = withdrawal.previous_status or ConsentStatus.NOT_ASKED
    db.session.flush()
    activity.record(
        interview.inquiry, actor, "fieldwork.withdrawal_mistake", interview, summary=interview.pseudonym
    )
    _tell_team(interview, actor, "fieldwork.withdrawal_mistake")
    disclosure.material_changed(interview.inquiry)


def delete_due(now=None) -> int:
    """Delete the material of withdrawals whose delay has passed (``run-due``); returns how many."""
    now = now or utcnow()
    due = list(
        db.session.scalars(
            select(ConsentWithdrawal)
            .where(
                ConsentWithdrawal.mistake_at.is_(None),
                ConsentWithdrawal.deleted_at.is_(None),
                ConsentWithdrawal.delete_after <= now,
            )
            .order_by(ConsentWithdrawal.id)
        )
    )
    done = []
    for withdrawal in due:
        # Claimed first: an overlapping run-due, or a mistake marked meanwhile, wins cleanly.
        if not _settle(withdrawal, deleted_at=now):
            continue
        interview = withdrawal.interview
        interviews.purge_material(interview)
        interview.profile, interview.place, interview.purged_at = {}, "", now
        db.session.flush()
        activity.record(interview.inquiry, None, "fieldwork.withdrawal_carried_out", interview)
        done.append(withdrawal)
    for inquiry in {w.inquiry for w in done}:
        disclosure.material_changed(inquiry)
    return len(done)
