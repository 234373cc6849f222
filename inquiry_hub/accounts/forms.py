"""Forms of the accounts room."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, NumberRange, Optional, ValidationError

from inquiry_hub.accounts.passwords import MAX_LENGTH, password_problem


class StrongPassword:
    """Length and common-password checks (no composition rules)."""

    def __init__(self, email_field: str | None = None):
        self.email_field = email_field

    def __call__(self, form, field):
        email = form[self.email_field].data if self.email_field else ""
        problem = password_problem(field.data or "", email or "")
        if problem:
            raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])


class AcceptInvitationForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    password = PasswordField(_l("Choose a password"), validators=[DataRequired(), StrongPassword()])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), StrongPassword()])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    locale = SelectField(
        _l("Language"),
        choices=[("", _l("Same as my browser")), ("fr", "Français"), ("en", "English")],
    )


class EmailChangeForm(FlaskForm):
    email = EmailField(_l("New email address"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    password = PasswordField(_l("New password"), validators=[DataRequired(), StrongPassword()])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ApiTokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=80)])
    expires_in_days = IntegerField(
        _l("Expires after (days)"), validators=[Optional(), NumberRange(min=1, max=3650)]
    )
    read_only = BooleanField(_l("Read-only (no changes through the API)"))
