"""Forms of the inquiries room (members, governance rule, phases, inquiry text)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange

from inquiry_hub import policy
from inquiry_hub.inquiries.models import GovernanceRule
from inquiry_hub.inquiries.services import role_label, rule_label


def role_choices():
    return [(str(role), role_label(role)) for role in policy.Role]


class InviteForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=role_choices, validators=[DataRequired()])


class GovernanceForm(FlaskForm):
    rule = SelectField(
        _l("Decide by"),
        choices=lambda: [(str(r), rule_label(r)) for r in GovernanceRule],
        validators=[DataRequired()],
    )
    consent_delay_hours = IntegerField(
        _l("Consent delay (hours)"), default=48, validators=[DataRequired(), NumberRange(1, 720)]
    )


class InquiryForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    question = TextAreaField(_l("Commission and research question"), validators=[Length(max=20000)])


class PhaseForm(FlaskForm):
    starts_on = DateField(_l("Start"), validators=[DataRequired()])
    ends_on = DateField(_l("End"), validators=[DataRequired()])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("The end comes before the start."))
