"""Forms of the privacy room."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, PasswordField
from wtforms.validators import DataRequired, InputRequired, Length


class RetentionForm(FlaskForm):
    until = DateField(_l("Keep the identity data until"), validators=[InputRequired()])
    archive_notes = BooleanField(_l("Keep the pseudonymised notes after that date"))


class CloseAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=1024)])
    confirm = BooleanField(_l("I understand that my account cannot be reopened"), validators=[DataRequired()])


class ArchiveForm(FlaskForm):
    """Start building the inquiry archive: nothing to fill in but the CSRF token."""
