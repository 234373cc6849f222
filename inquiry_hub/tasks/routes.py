"""The board, the list, task pages and every write on tasks."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qsl, urlencode

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from inquiry_hub import policy
from inquiry_hub.db import utcnow
from inquiry_hub.extensions import db
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.engine import ActionFailed
from inquiry_hub.inquiries.services import rule_label
from inquiry_hub.scope import scope_blueprint
from inquiry_hub.tasks import bp
from inquiry_hub.tasks import services as tasks
from inquiry_hub.tasks.forms import (
    BulkForm,
    ChecklistAssignForm,
    ChecklistItemForm,
    ChecklistTickForm,
    CommentForm,
    FilterForm,
    MoveForm,
    ShareForm,
    TaskForm,
)
from inquiry_hub.tasks.models import Task, TaskColumn
from inquiry_hub.urls import int_arg

scope_blueprint(bp)


@bp.context_processor
def _helpers():
    return {"column_label": tasks.column_label, "today": utcnow().date()}


# --- helpers ----------------------------------------------------------------------------


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _wants_json() -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def _task_form(columns, members, **kwargs) -> TaskForm:
    form = TaskForm(**kwargs)
    form.fill_choices(g.inquiry, columns, members)
    return form


def _values(form: TaskForm, columns, members) -> dict:
    """Service arguments from a validated task form; every id was checked against this inquiry."""
    chosen = set(form.assignee_ids.data or [])
    return {
        "title": form.title.data,
        "description": form.description.data,
        "column": next(c for c in columns if c.id == form.column_id.data),
        "phase": next((p for p in g.inquiry.phases if p.id == form.phase_id.data), None),
        "due_on": form.due_on.data,
        "assignees": [u for u in members if u.id in chosen],
        "labels": tasks.labels_from_text(g.inquiry, form.label_names.data),
        "research_question_id": form.research_question_id.data,
    }


def _conflict(task: Task, attempted: dict | None = None):
    """The current state of the task, and what the writer tried: nothing was overwritten."""
    db.session.rollback()
    if _wants_json():
        body = {"error": {"code": "conflict", "message": _("Someone changed this task in the meantime.")}}
        body["task"] = {"id": task.id, "version": task.version, "column_id": task.column_id}
        return jsonify(body), 409
    page = render_template("tasks/conflict.html", inquiry=g.inquiry, task=task, attempted=attempted or {})
    return page, 409


def _task_page(task: Task, comment_form=None, checklist_form=None, status: int = 200, assign_error=None):
    editable = policy.can(current_user, "tasks.edit", task)
    return (
        render_template(
            "tasks/task.html",
            inquiry=g.inquiry,
            task=task,
            comment_form=comment_form or CommentForm(formdata=None),
            checklist_form=checklist_form or ChecklistItemForm(formdata=None),
            checklist=tasks.checklist_of(task),
            assignable=tasks.assignable_members(g.inquiry) if editable else [],
            assign_error=assign_error,
            history=tasks.task_history(task) if policy.can(current_user, "activity.view", g.inquiry) else [],
            columns_for_move=tasks.columns_of(g.inquiry)
            if policy.can(current_user, "tasks.move", task)
            else [],
        ),
        status,
    )


# --- pages ------------------------------------------------------------------------------


@bp.get("/")
def board():
    """Columns with their cards; drag and drop or keyboard buttons to move them."""
    policy.require(current_user, "tasks.view", g.inquiry)
    columns, cards = tasks.board(g.inquiry, current_user)
    form = _task_form(columns, [], formdata=None)
    ids = [t.id for column in cards.values() for t in column]
    page = render_template(
        "tasks/board.html",
        inquiry=g.inquiry,
        columns=columns,
        cards=cards,
        totals=tasks.column_totals(g.inquiry, current_user),
        counts=tasks.counts_for(ids),
        form=form,
        # url_for runs once with this id, then each card puts its own in (url_for is slow).
        placeholder=2147483647,
    )
    return page


@bp.get("/list", endpoint="list")
def task_list():
    """Every task as a table, with filters and sorting kept in the URL."""
    policy.require(current_user, "tasks.view", g.inquiry)
    columns = tasks.columns_of(g.inquiry)
    labels = tasks.labels_of(g.inquiry) if tasks.sees_unshared(g.inquiry, current_user) else []
    members = tasks.assignable_members(g.inquiry)
    form = FilterForm(request.args)
    form.fill_choices(g.inquiry, columns, members, labels)
    query = tasks.list_query(g.inquiry, current_user, form.filters(), utcnow().date())
    page = tasks.list_page(query, int_arg("page", 1, clamp=True))
    args = {k: v for k, v in request.args.items() if k != "page"}
    bulk_form = BulkForm(formdata=None, back=request.query_string.decode())
    bulk_form.fill_choices(g.inquiry, columns, members)
    html = render_template(
        "tasks/list.html",
        inquiry=g.inquiry,
        form=form,
        bulk_form=bulk_form,
        page=page,
        args=args,
        counts=page.counts,
    )
    return html


def _month(value: str | None, today: date) -> date:
    """The first day of the month asked for as YYYY-MM; this month when absent or invalid."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


@bp.get("/calendar")
def month():
    """A month of due dates, meetings and phase dates."""
    policy.require(current_user, "tasks.view", g.inquiry)
    first = _month(request.args.get("month"), utcnow().date())
    weeks = tasks.month_weeks(first.year, first.month)
    return render_template(
        "tasks/calendar.html",
        inquiry=g.inquiry,
        first=first,
        weeks=weeks,
        due=tasks.due_between(g.inquiry, current_user, weeks[0][0], weeks[-1][-1]),
        meetings=tasks.meetings_by_day(g.inquiry, current_user, weeks[0][0], weeks[-1][-1]),
        deliverables=tasks.deliverables_by_day(g.inquiry, current_user, weeks[0][0], weeks[-1][-1]),
        previous=(first - timedelta(days=1)).strftime("%Y-%m"),
        following=(first + timedelta(days=32)).strftime("%Y-%m"),
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Create a task, from the board's one-line form or this full page."""
    policy.require(current_user, "tasks.create", g.inquiry)
    columns, members = tasks.columns_of(g.inquiry), tasks.assignable_members(g.inquiry)
    form = _task_form(columns, members)
    form.fill_questions(g.inquiry)
    if request.method == "GET":
        form.column_id.data = int_arg("column") or columns[0].id
    if form.validate_on_submit():
        task = tasks.create_task(g.inquiry, actor=current_user, **_values(form, columns, members))
        flash(_("Task created."), "success")
        if request.form.get("return_to") == "board":
            return redirect(url_for("tasks.board", _anchor=f"task-{task.id}"))
        return redirect(url_for("tasks.task", task_id=task.id))
    status = 422 if request.method == "POST" else 200
    return render_template("tasks/form.html", inquiry=g.inquiry, form=form, task=None), status


@bp.get("/<id:task_id>")
def task(task_id: int):
    """A task with all its fields, checklist, comments and history."""
    return _task_page(policy.load(current_user, Task, g.inquiry, task_id, "tasks.view"))


@bp.route("/<id:task_id>/edit", methods=["GET", "POST"])
def edit(task_id: int):
    """Edit a task; a stale version shows the conflict page instead of overwriting."""
    item = policy.load(current_user, Task, g.inquiry, task_id, "tasks.edit")
    columns, members = tasks.columns_of(g.inquiry), tasks.assignable_members(g.inquiry)
    form = _task_form(columns, members, obj=item)
    form.fill_questions(g.inquiry, item.research_question_id)
    if request.method == "GET":
        form.load(item)
    if form.validate_on_submit():
        version = _int(form.version.data)
        try:
            tasks.update_task(item, version=version, actor=current_user, **_values(form, columns, members))
        except tasks.Conflict:
            return _conflict(item, {"title": form.title.data, "description": form.description.data})
        flash(_("Task saved."), "success")
        return redirect(url_for("tasks.task", task_id=item.id))
    status = 422 if request.method == "POST" else 200
    return render_template("tasks/form.html", inquiry=g.inquiry, form=form, task=item), status


@bp.post("/<id:task_id>/move")
def move(task_id: int):
    """Move a card to a column and position, or one step with a keyboard button."""
    item = policy.load(current_user, Task, g.inquiry, task_id, "tasks.move")
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    if form.direction.data:
        target = tasks.step_target(item, form.direction.data)
        if target is None:
            flash(_("The task cannot go further that way."), "info")
            return redirect(url_for("tasks.board", _anchor=f"task-{item.id}"))
        column, position = target
    else:
        column = policy.get_in_inquiry_or_404(TaskColumn, g.inquiry, form.column_id.data)
        position = form.position.data or 0
    try:
        tasks.move_task(item, column, position, form.version.data, current_user)
    except tasks.Conflict:
        return _conflict(item)
    if _wants_json():
        return jsonify({"id": item.id, "version": item.version, "column_id": column.id})
    return redirect(url_for("tasks.board", _anchor=f"task-{item.id}"))


@bp.post("/<id:task_id>/checklist")
def add_checklist_item(task_id: int):
    """Add an item at the end of the checklist."""
    item = policy.load(current_user, Task, g.inquiry, task_id, "tasks.edit")
    form = ChecklistItemForm()
    if not form.validate_on_submit():
        return _task_page(item, checklist_form=form, status=422)
    tasks.add_checklist_item(item, form.text.data, current_user)
    return redirect(url_for("tasks.task", task_id=item.id, _anchor="checklist"))


@bp.post("/<id:task_id>/checklist/<id:item_id>")
def tick(task_id: int, item_id: int):
    """Tick or untick one checklist item."""
    item = policy.load(current_user, Task, g.inquiry, task_id, "tasks.edit")
    entry = tasks.checklist_item(item, item_id)
    if entry is None:
        abort(404)
    form = ChecklistTickForm()
    tasks.set_checklist_item(entry, bool(form.done.data), current_user)
    return redirect(url_for("tasks.task", task_id=item.id, _anchor="checklist"))


@bp.post("/<id:task_id>/checklist/<id:item_id>/assign")
def assign_checklist_item(task_id: int, item_id: int):
    """Give a checklist step to a member who may be assigned tasks, or to nobody."""
    item = policy.load(current_user, Task, g.inquiry, task_id, "tasks.edit")
    entry = tasks.checklist_item(item, item_id)
    if entry is None:
        abort(404)
    members = tasks.assignable_members(g.inquiry)
    form = ChecklistAssignForm()
    form.fill_choices(members)
    if not form.validate_on_submit():
        errors = [str(e) for e in form.assignee_id.errors] or [_("Choose someone of the team.")]
        return _task_page(item, assign_error=(entry.id, " ".join(errors)), status=422)
    person = next((u for u in members if u.id == form.assignee_id.data), None)
    tasks.assign_checklist_item(entry, person, current_user)
    return redirect(url_for("tasks.task", task_id=item.id, _anchor=f"item-{entry.id}"))


@bp.post("/<id:task_id>/comments")
def comment(task_id: int):
    """Comment in Markdown; the members mentioned with @name are notified."""
    item = policy.load(current_user, Task, g.inquiry, task_id, "tasks.comment")
    form = CommentForm()
    if not form.validate_on_submit():
        return _task_page(item, comment_form=form, status=422)
    tasks.add_comment(item, form.body.data, current_user)
    flash(_("Comment posted."), "success")
    return redirect(url_for("tasks.task", task_id=item.id, _anchor="comments"))


@bp.post("/<id:task_id>/share")
def share(task_id: int):
    """Share the task with the partner, or stop: a collective action under the governance rule."""
    item = policy.load(current_user, Task, g.inquiry, task_id, "tasks.share")
    form = ShareForm()
    try:
        proposal = engine.start(
            g.inquiry, current_user, "tasks.share", tasks.share_payload(item, form.shared.data)
        )
    except ActionFailed as exc:
        flash(str(exc), "error")
        return redirect(url_for("tasks.task", task_id=item.id))
    if proposal is None:
        flash(_("Sharing updated."), "success")
        return redirect(url_for("tasks.task", task_id=item.id))
    flash(_("Proposal opened: the team decides by %(rule)s.", rule=rule_label(proposal.kind)), "info")
    return redirect(url_for("governance.proposal", proposal_id=proposal.id))


@bp.route("/<id:task_id>/delete", methods=["GET", "POST"])
def delete(task_id: int):
    """Ask for confirmation, then delete the task."""
    item = policy.load(current_user, Task, g.inquiry, task_id, "tasks.delete")
    if request.method == "GET":
        return render_template("tasks/delete.html", inquiry=g.inquiry, task=item)
    tasks.delete_task(item, current_user)
    flash(_("Task deleted."), "success")
    return redirect(url_for("tasks.board"))


@bp.post("/bulk")
def bulk():
    """Move, assign, set the phase of or delete the tasks ticked in the list."""
    policy.require(current_user, "tasks.edit", g.inquiry)
    columns, members = tasks.columns_of(g.inquiry), tasks.assignable_members(g.inquiry)
    form = BulkForm()
    form.fill_choices(g.inquiry, columns, members)
    query = urlencode(parse_qsl(form.back.data or ""))
    back = url_for("tasks.list") + (f"?{query}" if query else "")
    items = tasks.tasks_by_ids(g.inquiry, form.task_ids.data or [])
    if not form.validate_on_submit() or not items:
        flash(_("Tick at least one task and choose what to do."), "error")
        return redirect(back)
    action = "tasks.delete" if form.action.data == "delete" else "tasks.edit"
    for item in items:
        policy.require(current_user, action, item)
    if form.action.data == "delete" and not form.confirm.data:
        return render_template("tasks/bulk_delete.html", inquiry=g.inquiry, items=items, form=form)
    changed = tasks.bulk_apply(
        items,
        form.action.data,
        current_user,
        column=next((c for c in columns if c.id == form.column_id.data), None),
        user=next((u for u in members if u.id == form.assignee_id.data), None),
        phase=next((p for p in g.inquiry.phases if p.id == form.phase_id.data), None),
    )
    flash(ngettext("%(num)d task changed.", "%(num)d tasks changed.", changed), "success")
    return redirect(back)
