"""Interviews of an inquiry: list, create, read, edit, delete; the identity only on an explicit, logged reveal.

Fieldwork is confidential: a partner gets 404 on every endpoint here. Identity keys are
returned only to a role that may reveal them, only with ``?reveal=1``, and each reveal is
recorded by the same service as on the web (who, when), before the response is sent.

Interviews have no version column: their ``ETag`` is a digest of their fields, and a PATCH
must send it in ``If-Match`` (428 without, 412 when stale). A DELETE goes through the
inquiry's governance rule like the web's: 204 when done at once, 202 with the proposal.
"""

from __future__ import annotations

import marshmallow as ma
from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from inquiry_hub.api.common import (
    ETAG_HEADER,
    ID_PATH,
    MAX_ID,
    PAGINATION_HEADERS,
    ErrorSchema,
    PageQuery,
    QuestionId,
    StrictSchema,
    Text,
    UtcDateTime,
    check_etag,
    check_question,
    fail,
    load_in_inquiry,
    load_inquiry,
    not_blank,
    paginate,
    require,
    require_if_match,
    user,
)
from inquiry_hub.api.fieldwork_common import (
    CollectiveSchema,
    content_etag,
    run_collective,
    started,
)
from inquiry_hub.extensions import db
from inquiry_hub.fieldwork import face as fieldwork_face
from inquiry_hub.fieldwork import services as fieldwork
from inquiry_hub.fieldwork.face import Interview, InterviewStatus
from inquiry_hub.fieldwork.pseudonymise import pseudonym_error
from inquiry_hub.inquiries import engine

bp = Blueprint("interviews", __name__, description="Interviews (field material; never for partners).")


class IdentitySchema(ma.Schema):
    full_name = ma.fields.String(required=True)
    contact = ma.fields.String(required=True)
    aliases = ma.fields.List(ma.fields.String(), required=True)


class InterviewSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    inquiry_id = ma.fields.Integer(required=True)
    pseudonym = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    planned_on = ma.fields.Date(allow_none=True, required=True)
    conducted_on = ma.fields.Date(allow_none=True, required=True)
    place = ma.fields.String(required=True)
    duration_minutes = ma.fields.Integer(allow_none=True, required=True)
    withdrawn = ma.fields.Boolean(
        required=True, metadata={"description": "Consent withdrawn, material purged."}
    )
    interviewer_ids = ma.fields.Function(lambda i: [u.id for u in i.interviewers], required=True)
    guide_id = ma.fields.Integer(allow_none=True, required=True)
    research_question_id = ma.fields.Integer(allow_none=True, required=True)
    profile = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        required=True,
        metadata={"description": "Profile attribute id → value."},
    )
    created_at = UtcDateTime(required=True)


class InterviewDetailSchema(InterviewSchema):
    identity = ma.fields.Nested(
        IdentitySchema,
        allow_none=True,
        metadata={"description": "Only with ?reveal=1, for those who may reveal identities; logged."},
    )


class IdentityInSchema(StrictSchema):
    full_name = Text(required=True, validate=[ma.validate.Length(1, 200), not_blank])
    contact = Text(load_default="", validate=ma.validate.Length(max=300))
    aliases = Text(load_default="", validate=ma.validate.Length(max=1000))


def _pseudonym(value: str) -> None:
    """The web form's pseudonym rule (pseudonymise.pseudonym_error)."""
    if problem := pseudonym_error(value):
        raise ma.ValidationError(problem)


class InterviewCreateSchema(StrictSchema):
    pseudonym = Text(required=True, validate=_pseudonym)
    status = ma.fields.String(validate=ma.validate.OneOf([s.value for s in InterviewStatus]))
    planned_on = ma.fields.Date(allow_none=True)
    conducted_on = ma.fields.Date(allow_none=True)
    place = Text(load_default="", validate=ma.validate.Length(max=200))
    identity = ma.fields.Nested(
        IdentityInSchema, metadata={"description": "Stored encrypted; only those who may reveal identities."}
    )


class InterviewPatchSchema(StrictSchema):
    pseudonym = Text(validate=_pseudonym)
    status = ma.fields.String(validate=ma.validate.OneOf([s.value for s in InterviewStatus]))
    planned_on = ma.fields.Date(allow_none=True)
    conducted_on = ma.fields.Date(allow_none=True)
    place = Text(validate=ma.validate.Length(max=200))
    duration_minutes = ma.fields.Integer(strict=True, allow_none=True, validate=ma.validate.Range(1, 24 * 60))
    interviewer_ids = ma.fields.List(
        ma.fields.Integer(strict=True, validate=ma.validate.Range(1, MAX_ID)),
        validate=ma.validate.Length(max=50),
        metadata={"description": "Members who may edit field material."},
    )
    guide_id = ma.fields.Integer(strict=True, allow_none=True, validate=ma.validate.Range(1, MAX_ID))
    research_question_id = QuestionId()
    profile = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.Length(1, 12)),
        values=Text(allow_none=True, validate=ma.validate.Length(max=80)),
        validate=ma.validate.Length(max=100),
        metadata={"description": "Attribute id → one of its values, or null to clear it."},
    )


def interview_etag(interview: Interview) -> str:
    return content_etag(
        {
            "pseudonym": interview.pseudonym,
            "status": interview.status,
            "planned_on": interview.planned_on,
            "conducted_on": interview.conducted_on,
            "place": interview.place,
            "duration_minutes": interview.duration_minutes,
            "interviewer_ids": [u.id for u in interview.interviewers],
            "guide_id": interview.guide_id,
            "research_question_id": interview.research_question_id,
            "profile": interview.profile or {},
            "withdrawn": interview.withdrawn,
        }
    )


def _invalid(**errors):
    fail(422, _("Some fields are not valid."), **errors)


def _values(interview: Interview, data: dict) -> dict:
    """Service arguments from a PATCH body; ids and values are checked against the inquiry as the web does."""
    inquiry = interview.inquiry
    values = {k: v for k, v in data.items() if k not in ("interviewer_ids", "guide_id", "profile")}
    if "interviewer_ids" in data:
        members = {u.id: u for u in fieldwork.interviewer_choices(inquiry)}
        if any(i not in members for i in data["interviewer_ids"]):
            _invalid(interviewer_ids=[_("Not a member who may conduct interviews.")])
        values["interviewers"] = [members[i] for i in dict.fromkeys(data["interviewer_ids"])]
    if "guide_id" in data:
        guide = None
        if data["guide_id"] is not None:
            guide = next((x for x in fieldwork.guides_of(inquiry) if x.id == data["guide_id"]), None)
            if guide is None:
                _invalid(guide_id=[_("No such interview guide in this inquiry.")])
        values["guide"] = guide
    if "research_question_id" in data:
        check_question(inquiry, data["research_question_id"], interview.research_question_id)
    if "profile" in data:
        attributes = {str(a.id): a for a in fieldwork.attributes_of(inquiry)}
        profile = dict(interview.profile or {})
        for key, value in data["profile"].items():
            if key not in attributes:
                _invalid(profile=[_("No such profile attribute in this inquiry.")])
            if value in (None, ""):
                profile.pop(key, None)
            elif value not in attributes[key].values:
                _invalid(profile=[_("Not one of the attribute's values.")])
            else:
                profile[key] = value
        values["profile"] = profile
    return values


class _Detail:
    """An interview as the detail schema reads it, with the revealed identity when asked."""

    def __init__(self, interview: Interview):
        self._interview = interview

    def __getattr__(self, name):
        return getattr(self._interview, name)


class RevealQuery(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    reveal = ma.fields.Boolean(
        load_default=False, metadata={"description": "1 to reveal the identity (logged)."}
    )


@bp.route(f"/inquiries/<{ID_PATH}:inquiry_id>/interviews", tags=[bp.name])
class InquiryInterviews(MethodView):
    @bp.arguments(PageQuery, location="query")
    @bp.response(200, InterviewSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args, inquiry_id):
        """Interviews of the inquiry by pseudonym; never any identity."""
        inquiry = load_inquiry(inquiry_id)
        require("fieldwork.view", inquiry)
        items, headers = paginate(fieldwork_face.interviews_query(inquiry), args)
        return items, 200, headers

    @bp.arguments(InterviewCreateSchema)
    @bp.response(201, InterviewSchema)
    @bp.alt_response(
        409, schema=ErrorSchema, description="Another interview of the inquiry uses this pseudonym."
    )
    def post(self, data, inquiry_id):
        """Add an interview, with its identity key if given (encrypted)."""
        inquiry = load_inquiry(inquiry_id)
        require("fieldwork.view", inquiry)
        require("fieldwork.edit", inquiry)
        identity = data.pop("identity", None)
        if identity is not None:
            require("fieldwork.reveal_identity", inquiry)
        if data.get("conducted_on") and "status" not in data:
            data["status"] = InterviewStatus.CONDUCTED.value
        try:
            interview = fieldwork.create_interview(inquiry, user(), data)
        except fieldwork.DuplicatePseudonym:
            db.session.rollback()
            fail(409, _("Another interview of this inquiry uses this pseudonym."))
        if identity is not None:
            fieldwork.set_identity(
                interview, user(), identity["full_name"], identity["contact"], identity["aliases"]
            )
        return interview, 201


@bp.route(f"/interviews/<{ID_PATH}:interview_id>", tags=[bp.name])
class InterviewItem(MethodView):
    @bp.arguments(RevealQuery, location="query")
    @bp.response(200, InterviewDetailSchema, headers=ETAG_HEADER)
    def get(self, args, interview_id):
        """One interview, its ETag; with `?reveal=1` and the right, its identity (the reveal is logged)."""
        interview = load_in_inquiry(Interview, interview_id)
        require("fieldwork.view", interview)
        result = _Detail(interview)
        if args["reveal"]:
            require("fieldwork.reveal_identity", interview)
            identity = fieldwork.reveal(interview, user())
            result.identity = (
                {"full_name": identity.full_name, "contact": identity.contact, "aliases": identity.aliases}
                if identity is not None
                else None
            )
        return result, 200, {"ETag": interview_etag(interview)}

    @bp.arguments(InterviewPatchSchema)
    @bp.response(200, InterviewSchema, headers=ETAG_HEADER)
    @bp.alt_response(
        409,
        schema=ErrorSchema,
        description="Another interview uses this pseudonym, or consent was withdrawn.",
    )
    @bp.alt_response(412, schema=ErrorSchema, description="The interview changed since you read it.")
    @bp.alt_response(428, schema=ErrorSchema, description="If-Match was not sent.")
    def patch(self, data, interview_id):
        """Edit the interview's details and profile, as the web form does; send the ETag in If-Match."""
        interview = load_in_inquiry(Interview, interview_id)
        require("fieldwork.view", interview)
        require("fieldwork.edit", interview)
        require_if_match(interview_etag(interview))
        if interview.withdrawn:
            fail(409, _("Consent was withdrawn: nothing can be recorded for this interview any more."))
        try:
            fieldwork.update_interview(interview, user(), _values(interview, data))
        except fieldwork.DuplicatePseudonym:
            db.session.rollback()
            fail(409, _("Another interview of this inquiry uses this pseudonym."))
        return interview, 200, {"ETag": interview_etag(interview)}

    @bp.response(204)
    @bp.alt_response(202, schema=CollectiveSchema, description="The deletion was proposed to the team.")
    @bp.alt_response(409, schema=ErrorSchema, description="The deletion cannot be started.")
    @bp.alt_response(412, schema=ErrorSchema, description="The interview changed since you read it.")
    def delete(self, interview_id):
        """Delete the interview and its material, through the inquiry's governance rule (as on the web)."""
        interview = load_in_inquiry(Interview, interview_id)
        require("fieldwork.view", interview)
        require("fieldwork.delete", interview)
        check_etag(interview_etag(interview))
        inquiry = interview.inquiry
        proposal = run_collective(
            lambda: engine.start(inquiry, user(), "fieldwork.delete", fieldwork.delete_payload(interview))
        )
        return started(proposal) if proposal is not None else ""


class InterviewFileSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    interview_id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "attachment"})
    filename = ma.fields.String(required=True, metadata={"description": "Names replaced by pseudonyms."})
    mimetype = ma.fields.String(required=True)
    size = ma.fields.Integer(required=True)
    uploaded_at = UtcDateTime(required=True)


FILE_BODY = {
    "required": True,
    "description": "One file (multipart, field `file`).",
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "Audio and video only when the interviewee's consent allows recording; "
                        "the type is read from the name, the declared type and the content.",
                    }
                },
            }
        }
    },
}


@bp.route(f"/interviews/<{ID_PATH}:interview_id>/files", tags=[bp.name])
class InterviewFiles(MethodView):
    @bp.doc(requestBody=FILE_BODY)
    @bp.response(201, InterviewFileSchema)
    @bp.alt_response(409, schema=ErrorSchema, description="Consent was withdrawn.")
    @bp.alt_response(413, schema=ErrorSchema, description="The upload is larger than the limit.")
    @bp.alt_response(415, schema=ErrorSchema, description="Not multipart/form-data.")
    @bp.alt_response(
        422, schema=ErrorSchema, description="No file, or a recording the consent does not allow."
    )
    def post(self, interview_id):
        """Attach a file to the interview, as the web form does; recordings only with consent to recording."""
        interview = load_in_inquiry(Interview, interview_id)
        require("fieldwork.view", interview)
        require("fieldwork.edit", interview)
        if interview.withdrawn:
            fail(409, _("Consent was withdrawn: nothing can be recorded for this interview any more."))
        if request.mimetype != "multipart/form-data":
            fail(415, _("Send the file as multipart/form-data, in the field “file”."))
        uploads = request.files.getlist("file")
        if len(uploads) != 1 or set(request.files) - {"file"}:
            fail(422, _("Send exactly one file, in the field “file”."))
        try:
            row = fieldwork.add_file(interview, user(), uploads[0])
        except fieldwork.RecordingRefused as exc:
            db.session.rollback()
            fail(422, str(exc))
        return row, 201
