"""Forms of the decisions room."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

STANCE_CHOICES = [
    ("agree", _l("Agree")),
    ("abstain", _l("Abstain")),
    ("disagree", _l("Disagree")),
    ("block", _l("Block")),
]


class PositionForm(FlaskForm):
    stance = RadioField(_l("Your position"), choices=STANCE_CHOICES, validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (required to disagree or block)"), validators=[Length(max=5000)])
