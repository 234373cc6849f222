"""Sharing a task with the partner: the collective action "tasks.share"."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from inquiry_hub.activity import services as activity
from inquiry_hub.extensions import db
from inquiry_hub.inquiries.engine import ActionFailed, collective_action
from inquiry_hub.tasks.models import (
    Task,
)


def _task_of(inquiry, payload) -> Task:
    task = db.session.scalar(
        select(Task).where(Task.id == payload.get("task_id"), Task.inquiry_id == inquiry.id)
    )
    if task is None:
        raise ActionFailed(str(_l("This task does not exist any more.")))
    return task


def _validate_share(inquiry, payload) -> None:
    task = _task_of(inquiry, payload)
    if task.shared_with_partner == bool(payload.get("shared", True)):
        raise ActionFailed(str(_l("Nothing to change: the task is already in that state.")))


def _describe_share(payload):
    if payload.get("shared", True):
        return _l("Share the task “%(title)s” with the partner", title=payload.get("title", ""))
    return _l("Stop sharing the task “%(title)s” with the partner", title=payload.get("title", ""))


@collective_action("tasks.share", describe=_describe_share, validate=_validate_share)
def share_action(inquiry, payload, actor):
    """Show the task to the partner (or hide it again), once the team agreed."""
    task = _task_of(inquiry, payload)
    task.shared_with_partner = bool(payload.get("shared", True))
    verb = "tasks.shared" if task.shared_with_partner else "tasks.unshared"
    activity.record(inquiry, actor, verb, task, summary=task.title)


def share_payload(task: Task, shared: bool) -> dict:
    """What a "tasks.share" proposal stores: the title keeps it readable after a deletion."""
    return {"task_id": task.id, "title": task.title, "shared": shared}
