"""The deliverables room's face: the only functions other rooms call (they never read its tables).

Follow-up (tutor's view, portal, my work), governance (commission coverage) and the calendar ask
these; the work itself stays in the room's services.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from inquiry_hub.deliverables import services
from inquiry_hub.deliverables.models import Deliverable
from inquiry_hub.extensions import db


def statuses_for(inquiry_ids) -> dict[int, list[tuple[str, str]]]:
    """inquiry id → its deliverables' (title, status) by due date, in one query (tutor's view)."""
    return services.statuses_for(inquiry_ids)


def waiting_for_review(user, inquiry_ids) -> list:
    """Versions waiting for the user's review, and reviewers' comments waiting for the team."""
    return list(services.waiting_for_review(user, inquiry_ids))


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
