"""Tasks of an inquiry: list, create, read, edit or move, delete.

Writes carry the task's version: ``ETag``/``If-Match`` (412 when stale) and the ``version``
field of a PATCH (409 when stale). One of the two is required, so nothing is overwritten blindly.
"""

from __future__ import annotations

import marshmallow as ma
from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from flask_smorest import abort as smorest_abort

from inquiry_hub.api.common import (
    ETAG_HEADER,
    ID_PATH,
    MAX_ID,
    PAGINATION_HEADERS,
    ErrorSchema,
    Id,
    PageQuery,
    QuestionId,
    StrictSchema,
    Text,
    UtcDateTime,
    check_if_match,
    check_question,
    etag_of,
    fail,
    load_in_inquiry,
    load_inquiry,
    not_blank,
    paginate,
    require,
    user,
)
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.tasks import face as tasks_face
from inquiry_hub.tasks import services as tasks
from inquiry_hub.tasks.face import Task

bp = Blueprint("tasks", __name__, description="Tasks of an inquiry's board.")


class TaskSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    inquiry_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True, metadata={"description": "Markdown."})
    column_id = ma.fields.Integer(required=True)
    column = ma.fields.Function(lambda t: tasks.column_label(t.column), required=True)
    position = ma.fields.Integer(required=True)
    due_on = ma.fields.Date(allow_none=True, required=True)
    version = ma.fields.Integer(required=True)
    shared_with_partner = ma.fields.Boolean(required=True)
    assignee_ids = ma.fields.Function(lambda t: [u.id for u in t.assignees], required=True)
    research_question_id = ma.fields.Integer(allow_none=True, required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class TaskCreateSchema(StrictSchema):
    title = Text(required=True, validate=[ma.validate.Length(1, 200), not_blank])
    description = Text(load_default="", validate=ma.validate.Length(max=20_000))
    column_id = Id(metadata={"description": "Defaults to the first column."})
    due_on = ma.fields.Date(allow_none=True)
    assignee_ids = ma.fields.List(Id(), validate=ma.validate.Length(max=50))
    research_question_id = QuestionId()


class TaskPatchSchema(StrictSchema):
    version = ma.fields.Integer(
        strict=True,
        validate=ma.validate.Range(1, MAX_ID),
        metadata={"description": "The version you read; required unless If-Match is sent."},
    )
    title = Text(validate=[ma.validate.Length(1, 200), not_blank])
    description = Text(validate=ma.validate.Length(max=20_000))
    column_id = Id()
    position = ma.fields.Integer(strict=True, validate=ma.validate.Range(0, 100_000))
    due_on = ma.fields.Date(allow_none=True)
    assignee_ids = ma.fields.List(Id(), validate=ma.validate.Length(max=50))
    research_question_id = QuestionId()


def _column(inquiry, column_id):
    columns = tasks.columns_of(inquiry)
    if column_id is None:
        return columns[0]
    column = next((c for c in columns if c.id == column_id), None)
    if column is None:
        fail(422, _("Some fields are not valid."), column_id=[_("No such column in this inquiry.")])
    return column


def _assignees(inquiry, ids):
    members = {u.id: u for u in tasks.assignable_members(inquiry)}
    unknown = [i for i in ids if i not in members]
    if unknown:
        fail(422, _("Some fields are not valid."), assignee_ids=[_("Not a member who may edit tasks.")])
    return [members[i] for i in dict.fromkeys(ids)]


def _question(inquiry, data: dict, current_id: int | None = None):
    """The research question sent (checked), or the current one when the field was not sent."""
    if "research_question_id" not in data:
        return current_id
    check_question(inquiry, data["research_question_id"], current_id)
    return data["research_question_id"]


def _with_etag(task: Task):
    return task, 200, {"ETag": etag_of(task.version)}


def _load(task_id: int, action: str) -> Task:
    task = load_in_inquiry(Task, task_id)
    require("tasks.view", task)
    require(action, task)
    return task


@bp.route(f"/inquiries/<{ID_PATH}:inquiry_id>/tasks", tags=[bp.name])
class InquiryTasks(MethodView):
    @bp.arguments(PageQuery, location="query")
    @bp.response(200, TaskSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args, inquiry_id):
        """The tasks the token's owner may see (a partner: shared ones), in board order."""
        inquiry = load_inquiry(inquiry_id)
        require("tasks.view", inquiry)
        query = tasks_face.api_list_query(inquiry, user(), utcnow().date())
        items, headers = paginate(query, args)
        return items, 200, headers

    @bp.arguments(TaskCreateSchema)
    @bp.response(201, TaskSchema, headers=ETAG_HEADER)
    def post(self, data, inquiry_id):
        """Create a task at the bottom of a column."""
        inquiry = load_inquiry(inquiry_id)
        require("tasks.create", inquiry)
        task = tasks.create_task(
            inquiry,
            title=data["title"],
            description=data["description"],
            column=_column(inquiry, data.get("column_id")),
            due_on=data.get("due_on"),
            assignees=_assignees(inquiry, data.get("assignee_ids", [])),
            actor=user(),
            research_question_id=_question(inquiry, data),
        )
        return task, 201, {"ETag": etag_of(task.version)}


@bp.route(f"/tasks/<{ID_PATH}:task_id>", tags=[bp.name])
class TaskItem(MethodView):
    @bp.response(200, TaskSchema, headers=ETAG_HEADER)
    def get(self, task_id):
        """One task, with its version as ETag."""
        return _with_etag(_load(task_id, "tasks.view"))

    @bp.arguments(TaskPatchSchema)
    @bp.response(200, TaskSchema, headers=ETAG_HEADER)
    @bp.alt_response(409, schema=ErrorSchema, description="The version sent is not the current one.")
    @bp.alt_response(
        412, schema=ErrorSchema, description="If-Match names another version than the current one."
    )
    @bp.alt_response(428, schema=ErrorSchema, description="Neither If-Match nor version was sent.")
    def patch(self, data, task_id):
        """Edit or move a task; the version you read must still be current."""
        task = _load(task_id, "tasks.edit")
        check_if_match(task.version)
        version = data.pop("version", None)
        if version is None:
            if "If-Match" not in request.headers:
                smorest_abort(428, message=_("Send If-Match or the version you read."))
            version = task.version
        if version != task.version:
            smorest_abort(409, message=_("Someone changed this task in the meantime."))
        try:
            task = _apply(task, data, version)
        except tasks.Conflict:
            db.session.rollback()
            smorest_abort(409, message=_("Someone changed this task in the meantime."))
        return _with_etag(task)

    @bp.response(204)
    @bp.alt_response(
        412, schema=ErrorSchema, description="If-Match names another version than the current one."
    )
    def delete(self, task_id):
        """Delete a task with its checklist and comments."""
        task = _load(task_id, "tasks.delete")
        check_if_match(task.version)
        tasks.delete_task(task, user())
        return ""


def _apply(task: Task, data: dict, version: int) -> Task:
    """Field edits through ``update_task``, then a move through ``move_task`` (each bumps the version)."""
    inquiry = task.inquiry
    moving = "position" in data
    edits = {k: v for k, v in data.items() if k != "position"}
    target = _column(inquiry, edits.pop("column_id")) if moving and "column_id" in edits else task.column
    if edits:
        require("tasks.edit", task)
        tasks.update_task(
            task,
            version=version,
            title=edits.get("title", task.title),
            description=edits.get("description", task.description),
            column=_column(inquiry, edits["column_id"]) if "column_id" in edits else task.column,
            phase=task.phase,
            due_on=edits.get("due_on", task.due_on),
            assignees=_assignees(inquiry, edits["assignee_ids"])
            if "assignee_ids" in edits
            else task.assignees,
            labels=task.labels,
            actor=user(),
            research_question_id=_question(inquiry, edits, task.research_question_id),
        )
        version = task.version
    if moving:
        require("tasks.move", task)
        tasks.move_task(task, target, data["position"], version, user())
    return task
