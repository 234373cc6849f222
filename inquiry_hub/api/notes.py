"""Notes: an interview's notes (list, create), one note (read, edit, delete); texts are pseudonymised.

An edit carries the note's version (``If-Match`` or ``version``): a stale one gets 412 or 409.
A deletion goes through the inquiry's governance rule like the web's: 204 when done at once,
202 with the proposal the team decides on.
"""

from __future__ import annotations

import marshmallow as ma
from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from flask_smorest import abort as smorest_abort

from inquiry_hub.api.common import (
    ETAG_HEADER,
    ID_PATH,
    MAX_ID,
    PAGINATION_HEADERS,
    ErrorSchema,
    PageQuery,
    StrictSchema,
    Text,
    UtcDateTime,
    check_if_match,
    etag_of,
    fail,
    load_in_inquiry,
    not_blank,
    paginate,
    require,
    user,
)
from inquiry_hub.api.fieldwork_common import CollectiveSchema, run_collective, started
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import face as fieldwork_face
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.face import Interview, Note
from inquiry_hub.inquiries import engine

bp = Blueprint("notes", __name__, description="Notes of an interview (field material; never for partners).")


class NoteSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    inquiry_id = ma.fields.Integer(required=True)
    interview_id = ma.fields.Integer(allow_none=True, required=True)
    kind = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    body = ma.fields.String(required=True, metadata={"description": "Markdown, pseudonyms only."})
    written_on = ma.fields.Date(required=True)
    version = ma.fields.Integer(required=True)
    author_id = ma.fields.Integer(allow_none=True, required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class NoteCreateSchema(StrictSchema):
    title = Text(required=True, validate=[ma.validate.Length(1, 200), not_blank])
    body = Text(load_default="", validate=ma.validate.Length(max=500_000))


class NotePatchSchema(StrictSchema):
    version = ma.fields.Integer(
        strict=True,
        validate=ma.validate.Range(1, MAX_ID),
        metadata={"description": "The version you read; required unless If-Match is sent."},
    )
    title = Text(validate=[ma.validate.Length(1, 200), not_blank])
    body = Text(validate=ma.validate.Length(max=500_000))


def _interview(interview_id: int) -> Interview:
    interview = load_in_inquiry(Interview, interview_id)
    require("fieldwork.view", interview)
    return interview


@bp.route(f"/interviews/<{ID_PATH}:interview_id>/notes", tags=[bp.name])
class InterviewNotes(MethodView):
    @bp.arguments(PageQuery, location="query")
    @bp.response(200, NoteSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args, interview_id):
        """Notes and transcripts of the interview, newest first."""
        interview = _interview(interview_id)
        items, headers = paginate(fieldwork_face.notes_query(interview), args)
        return items, 200, headers

    @bp.arguments(NoteCreateSchema)
    @bp.response(201, NoteSchema)
    @bp.alt_response(
        409, schema=ErrorSchema, description="Consent was withdrawn: nothing more may be recorded."
    )
    def post(self, data, interview_id):
        """Write a note on the interview; names from the identity vault are replaced by pseudonyms."""
        interview = _interview(interview_id)
        require("fieldwork.edit", interview)
        if interview.withdrawn:
            fail(409, _("Consent was withdrawn: nothing can be recorded for this interview any more."))
        note = fieldwork.create_note(
            interview.inquiry,
            user(),
            title=data["title"],
            body=data["body"],
            kind="interview_notes",
            interview=interview,
        )
        return note, 201


def _note(note_id: int, action: str) -> Note:
    note = load_in_inquiry(Note, note_id)
    require("fieldwork.view", note)
    require(action, note)
    return note


@bp.route(f"/notes/<{ID_PATH}:note_id>", tags=[bp.name])
class NoteItem(MethodView):
    @bp.response(200, NoteSchema, headers=ETAG_HEADER)
    def get(self, note_id):
        """One note, with its version as ETag."""
        note = _note(note_id, "fieldwork.view")
        return note, 200, {"ETag": etag_of(note.version)}

    @bp.arguments(NotePatchSchema)
    @bp.response(200, NoteSchema, headers=ETAG_HEADER)
    @bp.alt_response(409, schema=ErrorSchema, description="The version sent is not the current one.")
    @bp.alt_response(
        412, schema=ErrorSchema, description="If-Match names another version than the current one."
    )
    @bp.alt_response(428, schema=ErrorSchema, description="Neither If-Match nor version was sent.")
    def patch(self, data, note_id):
        """Save a new text of the note; it gets a new revision and version."""
        note = _note(note_id, "fieldwork.edit")
        check_if_match(note.version)
        version = data.get("version")
        if version is None:
            if "If-Match" not in request.headers:
                smorest_abort(428, message=_("Send If-Match or the version you read."))
            version = note.version
        try:
            note = fieldwork.save_note(
                note,
                user(),
                title=data.get("title", note.title),
                body=data.get("body", note.body),
                base_version=version,
            )
        except fieldwork.Conflict:
            db.session.rollback()
            smorest_abort(409, message=_("Someone changed this note in the meantime."))
        return note, 200, {"ETag": etag_of(note.version)}

    @bp.response(204)
    @bp.alt_response(202, schema=CollectiveSchema, description="The deletion was proposed to the team.")
    @bp.alt_response(409, schema=ErrorSchema, description="The deletion cannot be started.")
    @bp.alt_response(
        412, schema=ErrorSchema, description="If-Match names another version than the current one."
    )
    def delete(self, note_id):
        """Delete the note, through the inquiry's governance rule (as on the web)."""
        note = _note(note_id, "fieldwork.delete")
        check_if_match(note.version)
        inquiry = note.inquiry
        proposal = run_collective(
            lambda: engine.start(inquiry, user(), "fieldwork.delete", fieldwork.delete_payload(note))
        )
        return started(proposal) if proposal is not None else ""
