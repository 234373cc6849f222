"""Forms of the governance room: proposals, meetings, the logbook and the commission."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import to_utc
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from inquiry_hub.db import utcnow

STANCE_CHOICES = [
    ("agree", _l("Agree")),
    ("abstain", _l("Abstain")),
    ("disagree", _l("Disagree")),
    ("block", _l("Block")),
]

KIND_LABELS = {
    "consent": _l("Consent"),
    "majority": _l("Majority"),
    "advice": _l("Advice"),
    "sense_check": _l("Sense check"),
}

#: How a collective action that also waits for the partner is decided under the team's rule.
RULE_LABELS = {"any_member": _l("Any member (and the partner)")}

MEETING_KIND_LABELS = {
    "team": _l("Team meeting"),
    "with_tutor": _l("Meeting with the tutor"),
    "joint": _l("Joint meeting with the partner"),
}

ROLE_LABELS = {
    "facilitator": _l("Facilitator"),
    "secretary": _l("Secretary"),
    "timekeeper": _l("Timekeeper"),
}


class PositionForm(FlaskForm):
    stance = RadioField(_l("Your position"), choices=STANCE_CHOICES, validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (required to disagree or block)"), validators=[Length(max=5000)])


class PartnerPositionForm(FlaskForm):
    """The partner's answer to a student's amendment of its brief (no abstention)."""

    stance = RadioField(
        _l("Your answer"),
        choices=[c for c in STANCE_CHOICES if c[0] != "abstain"],
        validators=[DataRequired()],
    )
    reason = TextAreaField(_l("Reason (required to disagree or block)"), validators=[Length(max=5000)])


class ProposalForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Proposal (Markdown)"), validators=[Length(max=20000)])
    kind = RadioField(
        _l("How it is decided"),
        choices=list(KIND_LABELS.items()),
        default="consent",
        validators=[DataRequired()],
    )
    deadline = DateTimeLocalField(
        _l("Deadline"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[DataRequired()]
    )
    hide_positions = BooleanField(_l("Hide positions until the deadline"))

    def validate_deadline(self, field):
        if field.data and to_utc(field.data) <= utcnow():
            raise ValidationError(_l("The deadline must be in the future."))
        if field.data and to_utc(field.data) > utcnow() + timedelta(days=366):
            raise ValidationError(_l("The deadline must be within a year."))


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), validators=[DataRequired(), Length(max=5000)])


class OutcomeForm(FlaskForm):
    outcome = TextAreaField(_l("Outcome"), validators=[DataRequired(), Length(max=5000)])


class MeetingForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    held_at = DateTimeLocalField(
        _l("Date and time"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[DataRequired()]
    )
    place = StringField(_l("Place or link"), validators=[Optional(), Length(max=300)])
    kind = SelectField(_l("Kind"), choices=list(MEETING_KIND_LABELS.items()), default="team")
    agenda = TextAreaField(_l("Agenda (one item per line, in order)"), validators=[Length(max=5000)])


class MinutesForm(FlaskForm):
    minutes = TextAreaField(_l("Minutes (Markdown)"), validators=[Length(max=100000)])
    version = IntegerField(validators=[InputRequired()])


class RolesForm(FlaskForm):
    facilitator = SelectField(_l("Facilitator"), coerce=int)
    secretary = SelectField(_l("Secretary"), coerce=int)
    timekeeper = SelectField(_l("Timekeeper"), coerce=int)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AttendanceForm(FlaskForm):
    present = MultiCheckboxField(_l("Present"), coerce=int)


class ActionItemForm(FlaskForm):
    text = HiddenField(validators=[DataRequired(), Length(max=200)])


class LogbookForm(FlaskForm):
    written_on = DateField(_l("Date"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Entry (Markdown)"), validators=[Length(max=50000)])
    personal = BooleanField(_l("Personal: only I can read it"))


class CommissionForm(FlaskForm):
    research_questions = TextAreaField(
        _l("Research questions (one per line)"), validators=[Length(max=20000)]
    )
    scope = TextAreaField(_l("Scope"), validators=[Length(max=20000)])
    schedule = TextAreaField(_l("Schedule"), validators=[Length(max=20000)])
    deliverables = TextAreaField(_l("Expected deliverables"), validators=[Length(max=20000)])
    note = TextAreaField(_l("Why this change"), validators=[DataRequired(), Length(max=2000)])
