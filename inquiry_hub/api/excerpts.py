"""Coded excerpts: list (by code, by interview), code a passage of a note, read, edit, delete.

Blind coding is respected as on the web: while someone codes a note blind, the others'
excerpts on it do not exist for them (absent from lists, 404 by id); the queries are the
coding service's. A passage is given by offsets (``start``, ``end``), by paragraph number,
or by quoting it; codes must belong to the note's inquiry. Excerpts have no version: the
``ETag`` is a digest of their fields, required in ``If-Match`` on a PATCH (428, 412 when stale).
Fieldwork is confidential: a partner gets 404 here.
"""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from flask_smorest import abort as smorest_abort

from inquiry_hub import policy
from inquiry_hub.api.common import (
    ETAG_HEADER,
    ID_PATH,
    MAX_ID,
    PAGINATION_HEADERS,
    ErrorSchema,
    Id,
    PageQuery,
    StrictSchema,
    Text,
    UtcDateTime,
    check_etag,
    fail,
    load_in_inquiry,
    load_inquiry,
    paginate,
    require,
    require_if_match,
    user,
)
from inquiry_hub.api.fieldwork_common import content_etag
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork.face import Code, Excerpt, Interview, Note
from inquiry_hub.fieldwork.services import coding
from inquiry_hub.fieldwork.services.coding import CodingError, UnknownCode

bp = Blueprint(
    "excerpts", __name__, description="Coded excerpts of notes (field material; never for partners)."
)

#: Offsets are character positions in a note body (at most 500 000 characters).
OFFSET = ma.validate.Range(0, 500_000)


class ExcerptSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    inquiry_id = ma.fields.Integer(required=True)
    note_id = ma.fields.Integer(required=True)
    interview_id = ma.fields.Function(lambda e: e.note.interview_id, allow_none=True, required=True)
    start = ma.fields.Integer(required=True, metadata={"description": "Offset in the note body."})
    end = ma.fields.Integer(required=True, metadata={"description": "Offset in the note body, excluded."})
    text = ma.fields.String(required=True, metadata={"description": "The quoted passage."})
    code_ids = ma.fields.Function(lambda e: [c.id for c in e.codes], required=True)
    coder_id = ma.fields.Integer(allow_none=True, required=True)
    blind = ma.fields.Boolean(required=True, metadata={"description": "Coded in blind mode."})
    stale = ma.fields.Boolean(
        required=True, metadata={"description": "Its quote was lost by an edit of the note."}
    )
    created_at = UtcDateTime(required=True)


class ExcerptQuery(PageQuery):
    code = ma.fields.Integer(
        validate=ma.validate.Range(1, MAX_ID),
        metadata={"description": "Only excerpts tagged with this code."},
    )
    interview = ma.fields.Integer(
        validate=ma.validate.Range(1, MAX_ID),
        metadata={"description": "Only excerpts of this interview's notes."},
    )


def _code_ids(**kwargs):
    return ma.fields.List(Id(), validate=ma.validate.Length(1, 50), **kwargs)


class ExcerptCreateSchema(StrictSchema):
    code_ids = _code_ids(required=True, metadata={"description": "Codes of the note's inquiry."})
    start = ma.fields.Integer(strict=True, validate=OFFSET)
    end = ma.fields.Integer(strict=True, validate=OFFSET)
    paragraph = ma.fields.Integer(
        strict=True, validate=ma.validate.Range(1, 100_000), metadata={"description": "Numbered from 1."}
    )
    quote = Text(
        validate=ma.validate.Length(1, 20_000),
        metadata={"description": "The exact passage; it must occur once in the note."},
    )

    @ma.validates_schema
    def one_way(self, data, **kwargs):
        ways = [w for w in ("start", "paragraph", "quote") if w in data]
        if ("start" in data) != ("end" in data):
            raise ma.ValidationError(_("Send both start and end."), "end" if "start" in data else "start")
        if len(ways) != 1:
            raise ma.ValidationError(
                _("Give the passage once: start and end, paragraph, or quote."), "_schema"
            )


class ExcerptPatchSchema(StrictSchema):
    code_ids = _code_ids()
    start = ma.fields.Integer(strict=True, validate=OFFSET)
    end = ma.fields.Integer(strict=True, validate=OFFSET)


def excerpt_etag(excerpt: Excerpt) -> str:
    return content_etag(
        {
            "start": excerpt.start,
            "end": excerpt.end,
            "text": excerpt.text,
            "stale": excerpt.stale,
            "code_ids": sorted(c.id for c in excerpt.codes),
        }
    )


def _invalid(field: str, message) -> None:
    fail(422, _("Some fields are not valid."), **{field: [str(message)]})


def _in_inquiry(model, inquiry, object_id):
    """A filter's object, only within this inquiry: 404 otherwise, as the web's query arguments."""
    return policy.get_in_inquiry_or_404(model, inquiry, object_id) if object_id is not None else None


def _visible(excerpt_id: int, action: str) -> Excerpt:
    """An excerpt the caller may see: others' excerpts on a note they code blind are 404."""
    excerpt = load_in_inquiry(Excerpt, excerpt_id)
    require("fieldwork.view", excerpt)
    if not coding.hide_blind([excerpt], user()):
        smorest_abort(404)
    require(action, excerpt)
    return excerpt


def _with_etag(excerpt: Excerpt, status: int = 200):
    return excerpt, status, {"ETag": excerpt_etag(excerpt)}


@bp.route(f"/inquiries/<{ID_PATH}:inquiry_id>/excerpts", tags=[bp.name])
class InquiryExcerpts(MethodView):
    @bp.arguments(ExcerptQuery, location="query")
    @bp.response(200, ExcerptSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args, inquiry_id):
        """Excerpts the caller may see (blind coding respected), by note and position."""
        inquiry = load_inquiry(inquiry_id)
        require("fieldwork.view", inquiry)
        code = _in_inquiry(Code, inquiry, args.get("code"))
        interview = _in_inquiry(Interview, inquiry, args.get("interview"))
        query = coding.visible_excerpts(inquiry, user(), code=code, interview=interview)
        items, headers = paginate(query, args)
        return items, 200, headers


@bp.route(f"/notes/<{ID_PATH}:note_id>/excerpts", tags=[bp.name])
class NoteExcerpts(MethodView):
    @bp.arguments(ExcerptCreateSchema)
    @bp.response(201, ExcerptSchema, headers=ETAG_HEADER)
    def post(self, data, note_id):
        """Tag a passage of the note with codes: by offsets, paragraph number or quote."""
        note = load_in_inquiry(Note, note_id)
        require("fieldwork.view", note)
        require("fieldwork.edit", note)
        field = next(w for w in ("start", "paragraph", "quote") if w in data)
        try:
            if "paragraph" in data:
                excerpt = coding.code_paragraph(note, user(), data["paragraph"], data["code_ids"])
            else:
                start, end = _span(note, data)
                excerpt = coding.code_span(note, user(), start, end, data["code_ids"])
        except CodingError as exc:
            db.session.rollback()
            _invalid("code_ids" if isinstance(exc, UnknownCode) else field, exc)
        return _with_etag(excerpt, 201)


def _span(note: Note, data: dict) -> tuple[int, int]:
    if "quote" not in data:
        return data["start"], data["end"]
    quote = data["quote"]
    count = note.body.count(quote)
    if count == 0:
        _invalid("quote", _("This passage is not in the note."))
    if count > 1:
        _invalid("quote", _("This passage occurs several times in the note: send start and end."))
    start = note.body.index(quote)
    return start, start + len(quote)


@bp.route(f"/excerpts/<{ID_PATH}:excerpt_id>", tags=[bp.name])
class ExcerptItem(MethodView):
    @bp.response(200, ExcerptSchema, headers=ETAG_HEADER)
    def get(self, excerpt_id):
        """One excerpt, with its ETag."""
        return _with_etag(_visible(excerpt_id, "fieldwork.view"))

    @bp.arguments(ExcerptPatchSchema)
    @bp.response(200, ExcerptSchema, headers=ETAG_HEADER)
    @bp.alt_response(412, schema=ErrorSchema, description="The excerpt changed since you read it.")
    @bp.alt_response(428, schema=ErrorSchema, description="If-Match was not sent.")
    def patch(self, data, excerpt_id):
        """Re-anchor an excerpt in its note and/or change its codes; send its ETag in If-Match."""
        excerpt = _visible(excerpt_id, "fieldwork.edit")
        require_if_match(excerpt_etag(excerpt))
        start, end = data.get("start", excerpt.start), data.get("end", excerpt.end)
        code_ids = data.get("code_ids", [c.id for c in excerpt.codes])
        try:
            coding.update_excerpt(excerpt, user(), start=start, end=end, code_ids=code_ids)
        except CodingError as exc:
            db.session.rollback()
            _invalid("code_ids" if isinstance(exc, UnknownCode) else "start", exc)
        return _with_etag(excerpt)

    @bp.response(204)
    @bp.alt_response(412, schema=ErrorSchema, description="The excerpt changed since you read it.")
    def delete(self, excerpt_id):
        """Remove an excerpt; the text stays in the note (as on the web)."""
        excerpt = _visible(excerpt_id, "fieldwork.edit")
        check_etag(excerpt_etag(excerpt))
        coding.delete_excerpt(excerpt, user())
        return ""
