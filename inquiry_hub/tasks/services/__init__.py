"""Tasks services, one module per concern; import them from here: ``services.create_task``.

Services flush but never commit: the route or CLI command owns the transaction. Every
write is recorded in the activity log in the same transaction.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from inquiry_hub.activity import services as activity
from inquiry_hub.tasks.services.columns import (
    COLUMN_LABELS,
    ColumnNotEmpty,
    add_column,
    assignable_members,
    column_label,
    columns_of,
    delete_column,
    labels_from_text,
    labels_of,
    members_of,
    move_column,
    rename_column,
)
from inquiry_hub.tasks.services.feeds import (
    active_feed,
    create_feed,
    feed_calendar,
    feed_for_token,
    revoke_feeds,
)
from inquiry_hub.tasks.services.queries import (
    DONE_ON_BOARD,
    PER_PAGE,
    Counts,
    Filters,
    board,
    column_totals,
    counts_for,
    deliverables_by_day,
    due_between,
    end_of_week,
    list_page,
    list_query,
    meetings_by_day,
    month_weeks,
    sees_unshared,
    task_history,
    tasks_by_ids,
)
from inquiry_hub.tasks.services.sharing import share_action, share_payload
from inquiry_hub.tasks.services.writes import (
    BULK_ACTIONS,
    DIRECTIONS,
    Conflict,
    add_checklist_item,
    add_comment,
    assign_checklist_item,
    bulk_apply,
    checklist_item,
    checklist_of,
    create_task,
    delete_task,
    mentioned_members,
    move_task,
    set_checklist_item,
    step_target,
    task_url,
    update_task,
)

__all__ = [
    "active_feed",
    "create_feed",
    "feed_calendar",
    "feed_for_token",
    "revoke_feeds",
    "BULK_ACTIONS",
    "COLUMN_LABELS",
    "DIRECTIONS",
    "DONE_ON_BOARD",
    "PER_PAGE",
    "ColumnNotEmpty",
    "Conflict",
    "Counts",
    "Filters",
    "add_checklist_item",
    "add_column",
    "add_comment",
    "assignable_members",
    "assign_checklist_item",
    "board",
    "bulk_apply",
    "checklist_item",
    "checklist_of",
    "column_label",
    "column_totals",
    "columns_of",
    "counts_for",
    "create_task",
    "delete_column",
    "delete_task",
    "due_between",
    "end_of_week",
    "labels_from_text",
    "labels_of",
    "list_page",
    "list_query",
    "members_of",
    "mentioned_members",
    "move_column",
    "meetings_by_day",
    "deliverables_by_day",
    "month_weeks",
    "move_task",
    "rename_column",
    "sees_unshared",
    "set_checklist_item",
    "share_action",
    "share_payload",
    "step_target",
    "task_history",
    "task_url",
    "tasks_by_ids",
    "update_task",
]

activity.register_verbs(
    {
        "tasks.created": _l("created a task"),
        "tasks.edited": _l("edited a task"),
        "tasks.moved": _l("moved a task"),
        "tasks.deleted": _l("deleted a task"),
        "tasks.commented": _l("commented on a task"),
        "tasks.checklist_added": _l("added a checklist item"),
        "tasks.checklist_ticked": _l("ticked a checklist item"),
        "tasks.checklist_unticked": _l("unticked a checklist item"),
        "tasks.checklist_assigned": _l("assigned a checklist item"),
        "tasks.shared": _l("shared a task with the partner"),
        "tasks.unshared": _l("stopped sharing a task with the partner"),
        "tasks.column_added": _l("added a column to the board"),
        "tasks.column_renamed": _l("renamed a column of the board"),
        "tasks.column_moved": _l("reordered the columns of the board"),
        "tasks.column_deleted": _l("deleted a column of the board"),
        "tasks.feed_created": _l("made a new calendar feed address"),
        "tasks.feed_revoked": _l("stopped a calendar feed"),
    }
)

activity.register_notifications(
    {
        "task.assigned": _l("%(actor)s assigned you the task: %(title)s"),
        "task.mentioned": _l("%(actor)s mentioned you on the task: %(title)s"),
        "task.checklist_assigned": _l("%(actor)s gave you a step of the task %(title)s: %(item)s"),
    }
)
