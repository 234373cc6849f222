"""The board's columns: rename, add, reorder and delete them (same blueprint as the task routes)."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from inquiry_hub import policy
from inquiry_hub.tasks import bp
from inquiry_hub.tasks import services as tasks
from inquiry_hub.tasks.forms import ColumnForm, NewColumnForm
from inquiry_hub.tasks.models import TaskColumn


def _columns_page(new_form=None, status: int = 200):
    columns = tasks.columns_of(g.inquiry)
    forms = {c.id: ColumnForm(formdata=None, prefix=f"column-{c.id}", name=c.name) for c in columns}
    for column in columns:
        forms[column.id].name.label.text = _("Name of the column “%(name)s”", name=tasks.column_label(column))
    page = render_template(
        "tasks/columns.html",
        inquiry=g.inquiry,
        columns=columns,
        forms=forms,
        new_form=new_form or NewColumnForm(formdata=None),
    )
    return page, status


@bp.route("/columns", methods=["GET", "POST"])
def columns():
    """Rename, add, reorder and delete the board's columns."""
    policy.require(current_user, "tasks.edit", g.inquiry)
    if request.method == "GET":
        return _columns_page()
    form = NewColumnForm()
    if not form.validate_on_submit():
        return _columns_page(form, 422)
    tasks.add_column(g.inquiry, form.name.data, current_user)
    flash(_("Column added."), "success")
    return redirect(url_for("tasks.columns"))


@bp.post("/columns/<id:column_id>")
def edit_column(column_id: int):
    """Rename a column, move it left or right, or delete it when empty."""
    policy.require(current_user, "tasks.edit", g.inquiry)
    column = policy.get_in_inquiry_or_404(TaskColumn, g.inquiry, column_id)
    form = ColumnForm(prefix=f"column-{column.id}")
    action = request.form.get("action", "rename")
    if action in ("left", "right"):
        tasks.move_column(column, action, current_user)
    elif action == "delete":
        try:
            tasks.delete_column(column, current_user)
        except tasks.ColumnNotEmpty:
            flash(_("Only an empty column can be deleted, and the board keeps at least one."), "error")
            return redirect(url_for("tasks.columns"))
    elif form.validate_on_submit():
        tasks.rename_column(column, form.name.data or "", current_user)
    else:
        flash(_("A column name has at most 80 characters."), "error")
        return redirect(url_for("tasks.columns"))
    return redirect(url_for("tasks.columns"))
