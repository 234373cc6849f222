"""Forms of the fieldwork room."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SearchField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from inquiry_hub.fieldwork.models import ConsentStatus, InterviewStatus, Quotation
from inquiry_hub.fieldwork.models.notes import NOTE_KINDS
from inquiry_hub.fieldwork.pseudonymise import pseudonym_error

STATUS_LABELS = {
    InterviewStatus.PLANNED: _l("planned"),
    InterviewStatus.CONDUCTED: _l("conducted"),
    InterviewStatus.TRANSCRIBED: _l("transcribed"),
    InterviewStatus.CODED: _l("coded"),
}
CONSENT_LABELS = {
    ConsentStatus.NOT_ASKED: _l("not asked yet"),
    ConsentStatus.ORAL: _l("oral"),
    ConsentStatus.WRITTEN: _l("written"),
    ConsentStatus.WITHDRAWN: _l("withdrawn"),
}
QUOTATION_LABELS = {
    Quotation.NAMED: _l("may be quoted by name"),
    Quotation.ANONYMISED: _l("may be quoted anonymised"),
    Quotation.FORBIDDEN: _l("must not be quoted"),
}
KIND_LABELS = {
    "transcript": _l("Transcript"),
    "interview_notes": _l("Interview notes"),
    "field_notes": _l("Field notes"),
}


def _pseudonym(form, field):
    """The pseudonym rule shared with the API (pseudonymise.pseudonym_error)."""
    if problem := pseudonym_error(field.data):
        raise ValidationError(problem)


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class InterviewForm(FlaskForm):
    pseudonym = StringField(_l("Pseudonym"), validators=[DataRequired(), Length(max=40), _pseudonym])
    status = SelectField(_l("Status"), choices=list(STATUS_LABELS.items()))
    planned_on = DateField(_l("Planned date"), validators=[Optional()])
    conducted_on = DateField(_l("Date conducted"), validators=[Optional()])
    place = StringField(_l("Place"), validators=[Length(max=200)])
    duration_minutes = IntegerField(
        _l("Duration (minutes)"), validators=[Optional(), NumberRange(min=1, max=24 * 60)]
    )
    interviewer_ids = SelectMultipleField(_l("Interviewers"), coerce=int, validators=[Optional()])
    guide_id = SelectField(_l("Interview guide"), coerce=_int_or_none, validators=[Optional()])
    #: Choices filled by the route: the inquiry's active research questions.
    research_question_id = SelectField(_l("Research question"), coerce=_int_or_none, validators=[Optional()])


class IdentityForm(FlaskForm):
    full_name = StringField(_l("Real name"), validators=[Length(max=200)])
    contact = StringField(_l("Contact (email or phone)"), validators=[Length(max=200)])
    aliases = TextAreaField(
        _l("Other names (one per line): first name, nickname…"), validators=[Length(max=2000)]
    )

    def has_name(self) -> bool:
        return bool((self.full_name.data or "").strip() or (self.aliases.data or "").strip())

    @classmethod
    def for_identity(cls, identity):
        """The form filled with a revealed identity: aliases one per line, as they are typed."""
        if identity is None:
            return cls(formdata=None)
        data = {
            "full_name": identity.full_name,
            "contact": identity.contact,
            "aliases": identity.aliases_text,
        }
        return cls(formdata=None, data=data)


class NewInterviewForm(InterviewForm, IdentityForm):
    """An interview, and optionally the identity behind its pseudonym."""


def interview_form(form_class, attributes, guides, interviewers, **kwargs):
    """The form with one select per profile attribute of the inquiry, and the inquiry's choices."""

    class Bound(form_class):
        pass

    for attribute in attributes:
        choices = [("", "—")] + [(v, v) for v in attribute.values]
        setattr(
            Bound,
            f"attr_{attribute.id}",
            SelectField(attribute.name, choices=choices, validators=[Optional()]),
        )
    form = Bound(**kwargs)
    form.interviewer_ids.choices = [(u.id, u.name) for u in interviewers]
    form.guide_id.choices = [("", _l("none"))] + [(g.id, _l("version %(n)d", n=g.version)) for g in guides]
    form.attribute_fields = [form[f"attr_{a.id}"] for a in attributes]
    return form


class ConsentForm(FlaskForm):
    status = RadioField(_l("Consent"), choices=list(CONSENT_LABELS.items())[:3], validators=[InputRequired()])
    given_on = DateField(_l("Date of consent"), validators=[Optional()])
    notice_version = StringField(_l("Version of the information notice"), validators=[Length(max=40)])
    recording_allowed = BooleanField(_l("Recording allowed"))
    quotation = RadioField(
        _l("Quotation"), choices=list(QUOTATION_LABELS.items()), validators=[InputRequired()]
    )
    archiving_allowed = BooleanField(_l("Archiving allowed"))
    signed_form = FileField(_l("Signed consent form (PDF or image)"))

    def terms(self) -> dict:
        """The consent status and terms, as the service takes them."""
        names = (
            "status",
            "given_on",
            "notice_version",
            "recording_allowed",
            "quotation",
            "archiving_allowed",
        )
        return {name: self[name].data for name in names}


class AttributeForm(FlaskForm):
    name = StringField(_l("Attribute"), validators=[DataRequired(), Length(max=80)])
    values = TextAreaField(
        _l("Values (one per line): categories or ranges, never exact birth dates"),
        validators=[DataRequired(), Length(max=2000)],
    )


class NoteForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()))
    written_on = DateField(_l("Date"), validators=[Optional()])
    body = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=2_000_000)])
    interview_id = HiddenField()
    version = HiddenField()
    #: Set once the writer has seen the pseudonymisation preview.
    reviewed = HiddenField()


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=5000)])


class ImportForm(FlaskForm):
    transcript = FileField(_l("Transcript file (.txt, .md, .docx, .odt)"), validators=[FileRequired()])


class AttachmentForm(FlaskForm):
    attachment = FileField(_l("File"), validators=[FileRequired()])


class GuideForm(FlaskForm):
    body = TextAreaField(
        _l("Guide (Markdown: one heading per theme, its questions below)"), validators=[DataRequired()]
    )
    changelog = StringField(_l("What changed"), validators=[Length(max=300)])


class ConfirmForm(FlaskForm):
    """A POST with nothing but its CSRF token."""


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search the notes"), validators=[Optional(), Length(max=200)])
    interview = SelectField(_l("Interview"), coerce=_int_or_none, validators=[Optional()])
    author = SelectField(_l("Author"), coerce=_int_or_none, validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])


# --- coding -----------------------------------------------------------------------------


class CodeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    colour = StringField(
        _l("Colour"), default="#ffd966", validators=[DataRequired(), Regexp(r"^#[0-9a-fA-F]{6}$")]
    )
    parent_id = SelectField(_l("Parent code"), coerce=_int_or_none, validators=[Optional()])
    description = TextAreaField(
        _l("Definition: when to use it (inclusion) and when not (exclusion)"), validators=[Length(max=5000)]
    )
    example = TextAreaField(_l("Example"), validators=[Length(max=2000)])


class MergeForm(FlaskForm):
    target_id = SelectField(_l("Merge into"), coerce=_int_or_none, validators=[InputRequired()])


class SpanForm(FlaskForm):
    """The passage selected with the mouse or the keyboard, filled in by coding.js."""

    start = IntegerField(_l("Start offset"), validators=[InputRequired(), NumberRange(min=0)])
    end = IntegerField(_l("End offset"), validators=[InputRequired(), NumberRange(min=1)])
    codes = SelectMultipleField(_l("Codes"), coerce=int, validators=[DataRequired()])


class ParagraphForm(FlaskForm):
    """Coding a whole paragraph: works without JavaScript."""

    paragraph = IntegerField(_l("Paragraph number"), validators=[InputRequired(), NumberRange(min=1)])
    codes = SelectMultipleField(_l("Codes"), coerce=int, validators=[DataRequired()])


class MemoForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Memo (Markdown)"), validators=[Length(max=20000)])
    code_id = HiddenField()
    excerpt_id = HiddenField()


class CodebookImportForm(FlaskForm):
    codebook = FileField(_l("REFI-QDA codebook (.qdc)"), validators=[FileRequired()])


__all__ = [
    "AttachmentForm",
    "AttributeForm",
    "CodeForm",
    "CodebookImportForm",
    "CommentForm",
    "ConfirmForm",
    "ConsentForm",
    "GuideForm",
    "IdentityForm",
    "ImportForm",
    "InterviewForm",
    "MemoForm",
    "MergeForm",
    "NOTE_KINDS",
    "NewInterviewForm",
    "NoteForm",
    "ParagraphForm",
    "SearchForm",
    "SpanForm",
    "interview_form",
]
