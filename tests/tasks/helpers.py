"""Factories for the tasks tests."""

from __future__ import annotations

from inquiry_hub.extensions import db
from inquiry_hub.tasks import services as tasks


def column(inquiry, kind: str = "todo"):
    return next(c for c in tasks.columns_of(inquiry) if c.kind == kind)


def make_task(inquiry, actor, title: str = "Une tâche", kind: str = "todo", shared=False, **fields):
    """A task created through the service, committed."""
    task = tasks.create_task(inquiry, title=title, column=column(inquiry, kind), actor=actor, **fields)
    task.shared_with_partner = shared
    db.session.commit()
    return task


def url(task, suffix: str = "") -> str:
    return f"/inquiries/{task.inquiry_id}/tasks/{task.id}{suffix}"


def board_url(inquiry, suffix: str = "") -> str:
    return f"/inquiries/{inquiry.id}/tasks/{suffix}"
