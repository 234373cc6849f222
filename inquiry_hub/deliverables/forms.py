"""Forms of the deliverables room: a deliverable, a version, a review, a comment."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from inquiry_hub.deliverables.models import Kind, Verdict
from inquiry_hub.inquiries.models import DEFAULT_PHASES
from inquiry_hub.inquiries.services import PHASE_LABELS

KIND_LABELS = {
    Kind.FRAMING_NOTE: _l("Framing note"),
    Kind.INTERIM_SYNTHESIS: _l("Interim synthesis"),
    Kind.FINAL_REPORT: _l("Final report"),
    Kind.RESTITUTION_SLIDES: _l("Restitution slides"),
    Kind.MEMBERS_SUMMARY: _l("Summary for the members"),
    Kind.OTHER: _l("Other"),
}

STATUS_LABELS = {
    "draft": _l("Draft"),
    "internal_review": _l("Internal review"),
    "shared": _l("Shared with the partner"),
    "changes_requested": _l("Changes requested"),
    "approved": _l("Approved"),
}

VERDICT_LABELS = {
    Verdict.COMMENT: _l("Comment only"),
    Verdict.READY: _l("Ready to share"),
    Verdict.NEEDS_WORK: _l("Needs work"),
    Verdict.APPROVE: _l("Approve"),
    Verdict.CHANGES: _l("Request changes"),
}


def _int_or_none(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class DeliverableForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()), validators=[InputRequired()])
    due_on = DateField(_l("Due date"), validators=[Optional()])
    phase = SelectField(
        _l("Phase"),
        choices=[("", "—")] + [(k, PHASE_LABELS[k]) for k in DEFAULT_PHASES],
        validators=[Optional()],
    )
    #: Choices filled by the route: the inquiry's active research questions.
    research_question_id = SelectField(_l("Research question"), coerce=_int_or_none, validators=[Optional()])


class TextVersionForm(FlaskForm):
    body = TextAreaField(
        _l("Text (Markdown; cite an excerpt with [[excerpt:123]])"),
        validators=[DataRequired(), Length(max=500000)],
    )
    # Both version forms share a page: distinct ids keep each label on its own field.
    changelog = StringField(
        _l("What changed"), id="text-changelog", validators=[DataRequired(), Length(max=300)]
    )


class FileVersionForm(FlaskForm):
    file = FileField(_l("File (PDF, ODT, DOCX, PPTX, ODP, image or Markdown)"), validators=[DataRequired()])
    changelog = StringField(
        _l("What changed"), id="file-changelog", validators=[DataRequired(), Length(max=300)]
    )


class TutorReviewForm(FlaskForm):
    verdict = RadioField(
        _l("Verdict"),
        choices=[(v, VERDICT_LABELS[v]) for v in (Verdict.READY, Verdict.NEEDS_WORK, Verdict.COMMENT)],
        default=Verdict.COMMENT,
        validators=[InputRequired()],
    )
    body = TextAreaField(_l("General comment"), validators=[Length(max=20000)])


class PartnerReviewForm(FlaskForm):
    verdict = RadioField(
        _l("Your review"),
        choices=[(v, VERDICT_LABELS[v]) for v in (Verdict.COMMENT, Verdict.APPROVE, Verdict.CHANGES)],
        default=Verdict.COMMENT,
        validators=[InputRequired()],
    )
    body = TextAreaField(_l("Comment"), validators=[Length(max=20000)])

    def validate_body(self, field):
        if self.verdict.data == Verdict.CHANGES and not (field.data or "").strip():
            raise ValidationError(_l("Say which changes you request."))
        if self.verdict.data == Verdict.COMMENT and not (field.data or "").strip():
            raise ValidationError(_l("Write a comment."))


class CommentForm(FlaskForm):
    anchor = StringField(_l("Passage commented (copy it here)"), validators=[Length(max=500)])
    page = IntegerField(_l("Page"), validators=[Optional(), NumberRange(min=1, max=10000)])
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=20000)])


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=20000)])
