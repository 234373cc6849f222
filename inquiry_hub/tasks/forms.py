"""Forms of the tasks room: a task, a move, a checklist item, a comment, the list filters."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from inquiry_hub.governance.services import commission
from inquiry_hub.inquiries.services import phase_label
from inquiry_hub.tasks import services as tasks


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class TaskForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description (Markdown)"), validators=[Length(max=20000)])
    column_id = SelectField(_l("Status"), coerce=int, validators=[InputRequired()])
    phase_id = SelectField(_l("Phase"), coerce=_int_or_none, validators=[Optional()])
    due_on = DateField(_l("Due date"), validators=[Optional()])
    assignee_ids = SelectMultipleField(_l("Assignees"), coerce=int, validators=[Optional()])
    label_names = StringField(_l("Labels (separated by commas)"), validators=[Length(max=300)])
    research_question_id = SelectField(_l("Research question"), coerce=_int_or_none, validators=[Optional()])
    version = HiddenField()

    def fill_choices(self, inquiry, columns, members) -> None:
        """Choices come from this inquiry only: an id from another one is refused."""
        self.column_id.choices = [(c.id, tasks.column_label(c)) for c in columns]
        self.phase_id.choices = [("", _l("No phase"))] + [(p.id, phase_label(p)) for p in inquiry.phases]
        self.assignee_ids.choices = [(u.id, u.name) for u in members]

    def fill_questions(self, inquiry, linked: int | None = None) -> None:
        """The inquiry's active research questions (and the one already linked, even retired)."""
        self.research_question_id.choices = commission.question_choices(inquiry, linked)

    def load(self, task) -> None:
        """Show the task's current assignees and labels (GET only)."""
        self.assignee_ids.data = [u.id for u in task.assignees]
        self.label_names.data = ", ".join(label.name for label in task.labels)


class MoveForm(FlaskForm):
    """A move by drag and drop (column and position) or by a keyboard button (direction)."""

    version = IntegerField(validators=[InputRequired()])
    column_id = IntegerField(validators=[Optional()])
    position = IntegerField(validators=[Optional(), NumberRange(min=0)])
    direction = SelectField(choices=[(d, d) for d in tasks.DIRECTIONS], validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        return bool(self.direction.data) or self.column_id.data is not None


class BulkForm(FlaskForm):
    """The list view's bulk actions; the button pressed names the action."""

    task_ids = SelectMultipleField(coerce=int, validate_choice=False)
    action = SelectField(choices=[(a, a) for a in tasks.BULK_ACTIONS], validators=[InputRequired()])
    column_id = SelectField(_l("Move to"), coerce=_int_or_none, validators=[Optional()])
    assignee_id = SelectField(_l("Assign to"), coerce=_int_or_none, validators=[Optional()])
    phase_id = SelectField(_l("Set the phase"), coerce=_int_or_none, validators=[Optional()])
    confirm = HiddenField()
    #: The list's query string, to come back to the same filters.
    back = HiddenField()

    def fill_choices(self, inquiry, columns, members) -> None:
        self.column_id.choices = [("", "—")] + [(c.id, tasks.column_label(c)) for c in columns]
        self.assignee_id.choices = [("", "—")] + [(u.id, u.name) for u in members]
        self.phase_id.choices = [("", _l("No phase"))] + [(p.id, phase_label(p)) for p in inquiry.phases]

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        needs = {"move": self.column_id, "assign": self.assignee_id}.get(self.action.data)
        if needs is not None and needs.data is None:
            needs.errors = [*needs.errors, _l("Choose a value.")]
            return False
        return True


class ColumnForm(FlaskForm):
    name = StringField(_l("Column name"), validators=[Length(max=80)])


class NewColumnForm(FlaskForm):
    name = StringField(_l("New column"), validators=[DataRequired(), Length(max=80)])


class ChecklistItemForm(FlaskForm):
    text = StringField(_l("New checklist item"), validators=[DataRequired(), Length(max=300)])


class ChecklistTickForm(FlaskForm):
    done = BooleanField(_l("Done"))


class ChecklistAssignForm(FlaskForm):
    """Who takes a checklist step: a member who may be assigned tasks, or nobody."""

    assignee_id = SelectField(_l("Assigned to"), coerce=_int_or_none)

    def fill_choices(self, members) -> None:
        """Choices come from this inquiry's assignable members only."""
        self.assignee_id.choices = [("", _l("Nobody"))] + [(u.id, u.name) for u in members]

    def validate_assignee_id(self, field) -> None:
        # "Nobody" is an explicit choice: a form without the field must not unassign.
        if not field.raw_data:
            raise ValidationError(_l("Choose someone, or nobody."))


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Comment (Markdown; @name notifies a member)"), validators=[DataRequired(), Length(max=10000)]
    )


class ShareForm(FlaskForm):
    shared = BooleanField(_l("Shared with the partner"))


class FilterForm(FlaskForm):
    """The list view's filters: a GET form, so they live in the URL."""

    class Meta:
        csrf = False

    q = SearchField(_l("Title contains"), validators=[Optional(), Length(max=200)])
    mine = BooleanField(_l("Assigned to me"))
    assignee = SelectField(_l("Assignee"), coerce=_int_or_none, validators=[Optional()])
    phase = SelectField(_l("Phase"), coerce=_int_or_none, validators=[Optional()])
    label = SelectField(_l("Label"), coerce=_int_or_none, validators=[Optional()])
    column = SelectField(_l("Status"), coerce=_int_or_none, validators=[Optional()])
    question = SelectField(_l("Research question"), coerce=_int_or_none, validators=[Optional()])
    due = SelectField(
        _l("Due"),
        choices=[("", _l("Any time")), ("overdue", _l("Overdue")), ("week", _l("Due this week"))],
        validators=[Optional()],
    )
    sort = SelectField(
        _l("Sort by"),
        choices=[("position", _l("Board order")), ("due", _l("Due date")), ("updated", _l("Last update"))],
        validators=[Optional()],
    )

    def fill_choices(self, inquiry, columns, members, labels) -> None:
        anyone = [("", _l("Any"))]
        self.assignee.choices = anyone + [(u.id, u.name) for u in members]
        self.phase.choices = anyone + [(p.id, phase_label(p)) for p in inquiry.phases]
        self.label.choices = anyone + [(lb.id, lb.name) for lb in labels]
        self.column.choices = anyone + [(c.id, tasks.column_label(c)) for c in columns]
        questions = commission.questions(inquiry, include_retired=True)
        self.question.choices = anyone + [(q.id, commission.question_title(q, 60)) for q in questions]

    def filters(self) -> tasks.Filters:
        """The filters to apply; an invalid value is ignored rather than an error."""
        valid = self.validate()
        errors = self.errors if not valid else {}

        def value(field):
            return None if field.name in errors else field.data

        return tasks.Filters(
            text=(value(self.q) or "").strip(),
            mine=bool(value(self.mine)),
            assignee_id=value(self.assignee),
            phase_id=value(self.phase),
            label_id=value(self.label),
            column_id=value(self.column),
            question_id=value(self.question),
            due=value(self.due) or "",
            sort=value(self.sort) or "position",
        )
