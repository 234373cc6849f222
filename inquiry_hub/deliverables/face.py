"""The deliverables room's face: the only functions other rooms call (they never read its tables).

Follow-up (tutor's view, portal, my work), governance (commission coverage) and the calendar ask
these; the work itself stays in the room's services.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from inquiry_hub.deliverables import services, waiting
from inquiry_hub.deliverables.models import Deliverable, Version

#: Published for other rooms to hold and load by id through the policy, never to query.
__all__ = [
    "Deliverable",
    "Version",
    "count_by_question",
    "deliverables_query",
    "due_between",
    "statuses_for",
    "versions_query",
    "waiting_for_review",
]
from inquiry_hub.extensions import db


def statuses_for(inquiry_ids) -> dict[int, list[tuple[str, str]]]:
    """inquiry id → its deliverables' (title, status) by due date, in one query (tutor's view)."""
    return services.statuses_for(inquiry_ids)


def waiting_for_review(user, inquiry_ids) -> list:
    """Versions waiting for the user's review, and reviewers' comments waiting for the team."""
    return list(waiting.waiting_for_review(user, inquiry_ids))


def due_between(inquiry_ids, user, start: date, end: date) -> list[Deliverable]:
    """Deliverables due in [start, end) that the user may see (calendars and feeds)."""
    return services.due_between(inquiry_ids, user, start, end)


def count_by_question(question_ids, *, shared_only: bool) -> dict[int, int]:
    """research question id → linked deliverables (only those shared with the partner if asked)."""
    query = select(Deliverable.research_question_id, func.count(Deliverable.id)).where(
        Deliverable.research_question_id.in_(question_ids)
    )
    if shared_only:
        query = query.where(Deliverable.shared_with_partner.is_(True))
    return dict(db.session.execute(query.group_by(Deliverable.research_question_id)).all())


def deliverables_query(inquiry, *, shared_only: bool):
    """The inquiry's deliverables by due date (undated last); only shared ones if asked (API)."""
    query = select(Deliverable).where(Deliverable.inquiry_id == inquiry.id)
    if shared_only:
        query = query.where(Deliverable.shared_with_partner.is_(True))
    return query.order_by(Deliverable.due_on.is_(None), Deliverable.due_on, Deliverable.id)


def versions_query(deliverable, *, shared_only: bool):
    """A deliverable's versions, newest first; only those shared and not withheld if asked (API)."""
    query = select(Version).where(
        Version.inquiry_id == deliverable.inquiry_id, Version.deliverable_id == deliverable.id
    )
    if shared_only:
        # Withheld by the disclosure gate since it was shared: as if never shared.
        query = query.where(Version.shared_at.is_not(None), Version.withheld_at.is_(None))
    return query.order_by(Version.number.desc())
