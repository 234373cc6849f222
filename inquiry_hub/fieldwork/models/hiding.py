"""Material of an interview whose consent withdrawal is pending is hidden from every query.

Recording a withdrawal must hide the notes, excerpts and files of that interview "from
everyone at once": every page, the API, search, exports, citations. Rather than trusting
each of those queries to remember a filter, one ORM hook adds the criteria to every SELECT
(SQLAlchemy's documented "global filter" pattern). The deletion itself, and the purge,
opt out with ``execution_options(include_withdrawn=True)`` (``SEE_WITHDRAWN``).
"""

from __future__ import annotations

from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session, with_loader_criteria

from inquiry_hub.fieldwork.models.coding import Excerpt
from inquiry_hub.fieldwork.models.interviews import InterviewFile
from inquiry_hub.fieldwork.models.notes import Note
from inquiry_hub.fieldwork.models.withdrawals import ConsentWithdrawal

#: Execution options of a query that must see hidden material (deletion, purge, counts of it).
SEE_WITHDRAWN = {"include_withdrawn": True}

# Core tables, not ORM entities, inside the criteria: the criteria must not filter themselves.
_withdrawals = ConsentWithdrawal.__table__
_notes = Note.__table__


def _hidden_interviews():
    """Interviews with a withdrawal not marked as a mistake (pending, or carried out)."""
    return select(_withdrawals.c.interview_id).where(_withdrawals.c.mistake_at.is_(None))


def _note_visible(cls):
    return or_(cls.interview_id.is_(None), cls.interview_id.not_in(_hidden_interviews()))


def _file_visible(cls):
    return cls.interview_id.not_in(_hidden_interviews())


def _excerpt_visible(cls):
    return cls.note_id.not_in(select(_notes.c.id).where(_notes.c.interview_id.in_(_hidden_interviews())))


@event.listens_for(Session, "do_orm_execute")
def _hide_withdrawn_material(state) -> None:
    if not state.is_select or state.execution_options.get("include_withdrawn"):
        return
    state.statement = state.statement.options(
        with_loader_criteria(Note, _note_visible, include_aliases=True),
        with_loader_criteria(InterviewFile, _file_visible, include_aliases=True),
        with_loader_criteria(Excerpt, _excerpt_visible, include_aliases=True),
    )
