"""Forms of the admin area."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from inquiry_hub.inquiries.models import LEGAL_FORMS

LEGAL_FORM_LABELS = {
    "association": _l("Association"),
    "scop": _l("SCOP (workers' cooperative)"),
    "scic": _l("SCIC (multi-stakeholder cooperative)"),
    "mutuelle": _l("Mutual (mutuelle)"),
    "syndicat": _l("Union (syndicat)"),
    "other": _l("Other"),
}

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_emails(text: str) -> list[str]:
    return [e.strip().lower() for e in re.split(r"[\s,;]+", text or "") if e.strip()]


class EmailList:
    def __call__(self, form, field):
        bad = [e for e in parse_emails(field.data) if not EMAIL_RE.match(e) or len(e) > 254]
        if bad:
            raise ValidationError(_l("Not an email address: %(emails)s", emails=", ".join(bad[:5])))


class CohortForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    starts_on = DateField(_l("Start"), validators=[DataRequired()])
    ends_on = DateField(_l("End"), validators=[DataRequired()])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data <= self.starts_on.data:
            raise ValidationError(_l("The end comes before the start."))


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    legal_form = SelectField(_l("Legal form"), choices=[(f, LEGAL_FORM_LABELS[f]) for f in LEGAL_FORMS])
    sector = StringField(_l("Sector"), validators=[Optional(), Length(max=120)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120)])


class InquiryCreateForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    question = TextAreaField(_l("Commission and research question"), validators=[Length(max=20000)])
    organisation_id = SelectField(_l("Partner organisation"), coerce=int, validators=[DataRequired()])
    cohort_id = SelectField(_l("Cohort"), coerce=int, validators=[DataRequired()])
    starts_on = DateField(_l("Start"), validators=[DataRequired()])
    ends_on = DateField(_l("End"), validators=[DataRequired()])
    students = TextAreaField(_l("Students' emails"), validators=[EmailList()])
    tutors = TextAreaField(_l("Tutors' emails"), validators=[EmailList()])
    partners = TextAreaField(_l("Partners' emails"), validators=[EmailList()])

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data <= self.starts_on.data:
            raise ValidationError(_l("The end comes before the start."))
