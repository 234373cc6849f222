"""Meetings: the list with the rotation table, a meeting, its minutes, roles and attendance."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user

from inquiry_hub import policy
from inquiry_hub.extensions import db
from inquiry_hub.governance import meetings_bp as bp
from inquiry_hub.governance.forms import (
    MEETING_KIND_LABELS,
    ROLE_LABELS,
    ActionItemForm,
    AttendanceForm,
    CommentForm,
    MeetingForm,
    MinutesForm,
    RolesForm,
)
from inquiry_hub.governance.models import Meeting
from inquiry_hub.governance.services import meetings
from inquiry_hub.inquiries import engine
from inquiry_hub.inquiries.services import members_by_role
from inquiry_hub.scope import scope_blueprint

scope_blueprint(bp)


@bp.app_template_global()
def meeting_kind_label(kind: str) -> str:
    """A meeting kind in the reader's language."""
    return str(MEETING_KIND_LABELS.get(kind, kind))


@bp.app_template_global()
def minutes_for(meeting) -> str | None:
    """The minutes the reader may see: current for the team, the published version for the partner."""
    return meetings.minutes_for(meeting, current_user)


@bp.app_template_global()
def role_label_of(role: str) -> str:
    """A coordination role (facilitator, secretary, timekeeper) in the reader's language."""
    return str(ROLE_LABELS.get(role, role))


def _load(meeting_id: int, action: str = "meetings.view") -> Meeting:
    policy.require(current_user, "meetings.view", g.inquiry)
    meeting = policy.get_in_inquiry_or_404(Meeting, g.inquiry, meeting_id)
    policy.require(current_user, "meetings.view", meeting)  # a partner: joint meetings only
    policy.require(current_user, action, meeting)
    return meeting


@bp.get("/")
def index():
    """Meetings the reader may see, newest first, and the rotation history."""
    policy.require(current_user, "meetings.view", g.inquiry)
    rows = meetings.meetings_of(g.inquiry, lambda m: policy.can(current_user, "meetings.view", m))
    students, counts = meetings.rotation(g.inquiry)
    return render_template(
        "governance/meetings/index.html",
        inquiry=g.inquiry,
        meetings=rows,
        students=students,
        counts=counts,
        roles=meetings.ROLES,
    )


def _agenda_lines(form) -> list[str]:
    return (form.agenda.data or "").splitlines()


def _flash_if_joint_waits(meeting, wanted: str) -> None:
    if wanted == "joint" and not meeting.visible_to_partner:
        flash(_("The partner will see this meeting once the team agrees: a proposal is open."), "info")


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Plan a meeting; the fair rotation proposes who holds each role."""
    policy.require(current_user, "meetings.edit", g.inquiry)
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            meeting = meetings.create_meeting(
                g.inquiry,
                current_user,
                title=form.title.data,
                held_at=to_utc(form.held_at.data),
                place=form.place.data,
                kind=form.kind.data,
                agenda=_agenda_lines(form),
            )
        except engine.ActionFailed as exc:  # what the partner would read does not pass the gate
            db.session.rollback()
            form.agenda.errors.append(str(exc))
            return render_template("governance/meetings/form.html", inquiry=g.inquiry, form=form), 422
        flash(_("Meeting planned; the roles follow the rotation, the team can swap them."), "success")
        _flash_if_joint_waits(meeting, form.kind.data)
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    status = 422 if form.is_submitted() else 200
    return render_template("governance/meetings/form.html", inquiry=g.inquiry, form=form), status


@bp.route("/<id:meeting_id>/edit", methods=["GET", "POST"])
def edit(meeting_id: int):
    """Change a meeting's date, place, kind and agenda."""
    meeting = _load(meeting_id, "meetings.edit")
    form = MeetingForm(obj=meeting)
    if request.method == "GET":
        form.agenda.data = "\n".join(item.title for item in meeting.agenda)
        form.held_at.data = to_user_timezone(meeting.held_at).replace(tzinfo=None)
    if form.validate_on_submit():
        try:
            meetings.update_meeting(
                meeting,
                current_user,
                title=form.title.data,
                held_at=to_utc(form.held_at.data),
                place=form.place.data,
                kind=form.kind.data,
                agenda=_agenda_lines(form),
            )
        except engine.ActionFailed as exc:  # what the partner would read does not pass the gate
            db.session.rollback()
            form.agenda.errors.append(str(exc))
            return (
                render_template(
                    "governance/meetings/form.html", inquiry=g.inquiry, form=form, meeting=meeting
                ),
                422,
            )
        _flash_if_joint_waits(meeting, form.kind.data)
        return redirect(url_for("meetings.meeting", meeting_id=meeting.id))
    status = 422 if form.is_submitted() else 200
    return (
        render_template("governance/meetings/form.html", inquiry=g.inquiry, form=form, meeting=meeting),
        status,
    )


def _roles_form(meeting, formdata=None) -> RolesForm:
    form = RolesForm(formdata=formdata)
    choices = [(0, "—")] + [(u.id, u.name) for u in engine.voters(g.inquiry)]
    for role in meetings.ROLES:
        form[role].choices = choices
        if formdata is None:
            form[role].data = meeting.role_ids()[role] or 0
    return form


def _attendance_form(meeting, formdata=None) -> AttendanceForm:
    form = AttendanceForm(formdata=formdata)
    people = [m.user for rows in members_by_role(g.inquiry).values() for m in rows]
    form.present.choices = [(u.id, u.name) for u in people]
    if formdata is None:
        form.present.data = [u.id for u in meeting.attendees]
    return form


def _meeting_page(item, comment_form=None, status=200):
    return (
        render_template(
            "governance/meetings/meeting.html",
            inquiry=g.inquiry,
            meeting=item,
            roles_form=_roles_form(item),
            attendance_form=_attendance_form(item),
            action_items=meetings.action_items(item),
            comment_form=comment_form or CommentForm(formdata=None),
            pending_joint=meetings.pending_proposal(item, meetings.MAKE_JOINT),
            pending_publish=meetings.pending_proposal(item, meetings.PUBLISH),
            withheld_because=meetings.withheld_because(item)
            if item.minutes_withheld_at and policy.can(current_user, "meetings.edit", item)
            else [],
        ),
        status,
    )


@bp.get("/<id:meeting_id>")
def meeting(meeting_id: int):
    """A meeting: facts, agenda, roles, attendance, minutes (published ones for the partner)."""
    return _meeting_page(_load(meeting_id))


@bp.post("/<id:meeting_id>/comments")
def comment(meeting_id: int):
    """A student or a tutor comments on a meeting."""
    item = _load(meeting_id, "meetings.comment")
    form = CommentForm()
    if not form.validate_on_submit():
        return _meeting_page(item, comment_form=form, status=422)
    meetings.add_comment(item, current_user, form.body.data)
    return redirect(url_for("meetings.meeting", meeting_id=item.id, _anchor="comments"))


@bp.route("/<id:meeting_id>/minutes", methods=["GET", "POST"])
def minutes(meeting_id: int):
    """Edit the minutes; a save from an older version shows both texts and saves nothing."""
    item = _load(meeting_id, "meetings.edit")
    form = MinutesForm(obj=item) if request.method == "GET" else MinutesForm()
    if request.method == "GET":
        form.version.data = item.minutes_version
    if form.validate_on_submit():
        try:
            meetings.save_minutes(item, current_user, form.minutes.data or "", form.version.data)
        except meetings.MinutesConflict:
            return (
                render_template(
                    "governance/meetings/conflict.html",
                    inquiry=g.inquiry,
                    meeting=item,
                    attempted=form.minutes.data,
                ),
                409,
            )
        flash(_("Minutes saved."), "success")
        return redirect(url_for("meetings.meeting", meeting_id=item.id))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "governance/meetings/minutes.html", inquiry=g.inquiry, meeting=item, form=form
    ), status


@bp.post("/<id:meeting_id>/roles")
def roles(meeting_id: int):
    """The team swaps who facilitates, takes the minutes and keeps the time."""
    item = _load(meeting_id, "meetings.edit")
    form = _roles_form(item, request.form)
    if form.validate():
        meetings.swap_roles(item, current_user, {r: form[r].data or None for r in meetings.ROLES})
        flash(_("Roles updated."), "success")
    else:
        flash(_("Choose the roles among the students."), "error")
    return redirect(url_for("meetings.meeting", meeting_id=item.id))


@bp.post("/<id:meeting_id>/attendance")
def attendance(meeting_id: int):
    """Record who was present."""
    item = _load(meeting_id, "meetings.edit")
    form = _attendance_form(item, request.form)
    if form.validate():
        meetings.set_attendance(item, current_user, form.present.data or [])
        flash(_("Attendance recorded."), "success")
    else:
        flash(_("Choose people among the members."), "error")
    return redirect(url_for("meetings.meeting", meeting_id=item.id))


@bp.post("/<id:meeting_id>/publish")
def publish(meeting_id: int):
    """Publish the minutes of a joint meeting to the partner, or withdraw them."""
    item = _load(meeting_id, "meetings.edit")
    if not item.visible_to_partner:
        abort(400)
    if request.form.get("published") != "1":
        meetings.withdraw_minutes(item, current_user)
        flash(_("Minutes withdrawn."), "info")
        return redirect(url_for("meetings.meeting", meeting_id=item.id))
    policy.require(current_user, "meetings.publish_minutes", item)
    try:
        proposal = meetings.request_publish(item, current_user)
    except engine.ActionFailed as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _meeting_page(item, status=422)
    flash(
        _("Publication proposed: the team decides.") if proposal else _("Minutes published to the partner."),
        "info",
    )
    return redirect(url_for("meetings.meeting", meeting_id=item.id))


@bp.post("/<id:meeting_id>/tasks")
def action_to_task(meeting_id: int):
    """Turn an action item of the minutes into a task, in one click."""
    item = _load(meeting_id, "meetings.edit")
    policy.require(current_user, "tasks.create", g.inquiry)
    form = ActionItemForm()
    if not form.validate() or form.text.data not in meetings.action_items(item):
        abort(400)
    task = meetings.action_to_task(item, current_user, form.text.data)
    flash(_("Task created.") if task else _("This action item is already a task."), "success")
    return redirect(url_for("meetings.meeting", meeting_id=item.id, _anchor="actions"))
