"""Deliverables and their versions: list, read, download, add a version (a file or Markdown).

A partner sees only the deliverables and versions shared with them (404 for the others), as
on the web. Uploads go through the same service as the web form: the type is sniffed from
the content, Office archives are checked for zip bombs, anything over ``MAX_UPLOAD_MB`` is
refused with 413 before it is read; nothing is stored when a version is refused.

A deliverable's ``ETag`` names its latest version (for those who add versions); a new
version sent with a stale ``If-Match`` is refused with 412, so nobody publishes a version
built on an older one without knowing. Without ``If-Match`` the version is simply added.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import marshmallow as ma
from flask import request, send_file
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from flask_smorest import abort as smorest_abort

from inquiry_hub import policy
from inquiry_hub.api.common import (
    ID_PATH,
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
    load_inquiry,
    not_blank,
    paginate,
    require,
    user,
)
from inquiry_hub.deliverables import face as deliverables_face
from inquiry_hub.deliverables import files
from inquiry_hub.deliverables import services as deliverables
from inquiry_hub.deliverables.face import Deliverable, Version
from inquiry_hub.extensions import db
from inquiry_hub.filecheck import send_stored

bp = Blueprint(
    "deliverables",
    __name__,
    description="Deliverables and their versions (a partner: the shared ones only).",
)

#: The longest changelog a version keeps.
CHANGELOG_MAX = 300
#: The longest Markdown text version (as on the web form).
BODY_MAX = 500_000


class DeliverableVersionSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    inquiry_id = ma.fields.Integer(required=True)
    deliverable_id = ma.fields.Integer(required=True)
    number = ma.fields.Integer(required=True)
    format = ma.fields.Function(
        lambda v: "text" if v.is_text else "file",
        required=True,
        metadata={"description": "`text` (Markdown written in the app) or `file` (an upload)."},
    )
    filename = ma.fields.String(required=True, metadata={"description": "Download name; empty for text."})
    mimetype = ma.fields.String(required=True, metadata={"description": "Sniffed from the content."})
    size = ma.fields.Function(
        lambda v: len(v.body.encode("utf-8")) if v.is_text else v.size,
        required=True,
        metadata={"description": "Bytes of the content."},
    )
    changelog = ma.fields.String(required=True)
    author_id = ma.fields.Integer(allow_none=True, required=True)
    created_at = UtcDateTime(required=True)
    shared_at = UtcDateTime(
        allow_none=True, required=True, metadata={"description": "When it was shared with the partner."}
    )
    withheld_at = UtcDateTime(
        allow_none=True,
        required=True,
        metadata={
            "description": "Since when the partner no longer sees this shared version: the disclosure "
            "check stopped passing it (a vault name, public name or consent changed)."
        },
    )


class DeliverableSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    inquiry_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    due_on = ma.fields.Date(allow_none=True, required=True)
    phase = ma.fields.String(required=True)
    status = ma.fields.String(required=True)
    shared_with_partner = ma.fields.Boolean(required=True)
    research_question_id = ma.fields.Integer(allow_none=True, required=True)
    created_at = UtcDateTime(required=True)
    updated_at = UtcDateTime(required=True)


class DeliverableDetailSchema(DeliverableSchema):
    versions = ma.fields.List(
        ma.fields.Nested(DeliverableVersionSchema),
        required=True,
        metadata={"description": "The versions the caller may see, newest first."},
    )


class TextVersionSchema(StrictSchema):
    body = Text(required=True, validate=[ma.validate.Length(1, BODY_MAX), not_blank])
    changelog = Text(load_default="", validate=ma.validate.Length(max=CHANGELOG_MAX))


class UploadFormSchema(StrictSchema):
    """The text fields of a multipart upload (the file itself is read apart)."""

    changelog = Text(load_default="", validate=ma.validate.Length(max=CHANGELOG_MAX))


UPLOAD_BODY = {
    "required": True,
    "description": "A file (multipart) or a Markdown text (JSON).",
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "PDF, ODT, DOCX, PPTX, ODP, an image or Markdown; "
                        "the type is read from the content.",
                    },
                    "changelog": {"type": "string", "maxLength": CHANGELOG_MAX},
                },
            }
        },
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["body"],
                "additionalProperties": False,
                "properties": {
                    "body": {"type": "string", "minLength": 1, "maxLength": BODY_MAX},
                    "changelog": {"type": "string", "maxLength": CHANGELOG_MAX},
                },
            }
        },
    },
}

LATEST_ETAG = {
    "ETag": {
        "description": "The latest version's number, for those who add versions: send it as If-Match "
        "when adding one, to be refused (412) if someone added another in the meantime.",
        "schema": {"type": "string"},
    }
}

CONTENT_RESPONSE = {
    "200": {
        "description": "The version's content, always as an attachment, with its sniffed type.",
        "content": {
            mimetype: {"schema": {"type": "string", "format": "binary"}} for mimetype in files.ACCEPTED
        },
    }
}


@dataclass(frozen=True)
class _Unshared:
    """Stands for any deliverable or version not shared, to ask the policy about all of them."""

    inquiry: object
    visible_to_partner: bool = False


def _sees_unshared(inquiry) -> bool:
    return policy.can(user(), "deliverables.view", _Unshared(inquiry))


def _latest_number(deliverable: Deliverable) -> int:
    """The number of the deliverable's latest version (0 without any): its ETag."""
    return max((v.number for v in deliverable.versions), default=0)


def _deliverable(deliverable_id: int, action: str = "deliverables.view") -> Deliverable:
    deliverable = load_in_inquiry(Deliverable, deliverable_id)
    require("deliverables.view", deliverable)  # a partner: shared ones only
    require(action, deliverable)
    return deliverable


def _version(version_id: int, action: str = "deliverables.view") -> Version:
    version = load_in_inquiry(Version, version_id)
    require("deliverables.view", version.deliverable)
    require("deliverables.view", version)  # a partner: shared versions only
    require(action, version)
    return version


@bp.route(f"/inquiries/<{ID_PATH}:inquiry_id>/deliverables", tags=[bp.name])
class InquiryDeliverables(MethodView):
    @bp.arguments(PageQuery, location="query")
    @bp.response(200, DeliverableSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args, inquiry_id):
        """The deliverables the caller may see, by due date (undated last)."""
        inquiry = load_inquiry(inquiry_id)
        require("deliverables.view", inquiry)
        query = deliverables_face.deliverables_query(inquiry, shared_only=not _sees_unshared(inquiry))
        items, headers = paginate(query, args)
        return items, 200, headers


@bp.route(f"/deliverables/<{ID_PATH}:deliverable_id>", tags=[bp.name])
class DeliverableItem(MethodView):
    @bp.response(200, DeliverableDetailSchema, headers=LATEST_ETAG)
    def get(self, deliverable_id):
        """One deliverable with the metadata of the versions the caller may see."""
        deliverable = _deliverable(deliverable_id)
        result = {c: getattr(deliverable, c) for c in DeliverableSchema._declared_fields}
        result["versions"] = deliverables.visible_versions(deliverable, user())
        # Only for those who add versions: a partner must not learn that unshared ones exist.
        editor = policy.can(user(), "deliverables.edit", deliverable)
        return result, 200, {"ETag": etag_of(_latest_number(deliverable))} if editor else {}


@bp.route(f"/deliverables/<{ID_PATH}:deliverable_id>/versions", tags=[bp.name])
class DeliverableVersions(MethodView):
    @bp.arguments(PageQuery, location="query")
    @bp.response(200, DeliverableVersionSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args, deliverable_id):
        """The versions of a deliverable the caller may see, newest first."""
        deliverable = _deliverable(deliverable_id)
        shared_only = not _sees_unshared(deliverable.inquiry)
        items, headers = paginate(
            deliverables_face.versions_query(deliverable, shared_only=shared_only), args
        )
        return items, 200, headers

    @bp.doc(requestBody=UPLOAD_BODY)
    @bp.response(201, DeliverableVersionSchema)
    @bp.alt_response(409, schema=ErrorSchema, description="Someone added a version at the same moment.")
    @bp.alt_response(
        412, schema=ErrorSchema, description="If-Match names another latest version than the current one."
    )
    @bp.alt_response(413, schema=ErrorSchema, description="The upload is larger than the limit.")
    @bp.alt_response(415, schema=ErrorSchema, description="Neither multipart/form-data nor JSON.")
    @bp.alt_response(422, schema=ErrorSchema, description="A missing or refused file, or an invalid field.")
    def post(self, deliverable_id):
        """Add a version: an uploaded file (multipart `file`, `changelog`) or Markdown (JSON `body`)."""
        deliverable = _deliverable(deliverable_id, "deliverables.edit")
        check_if_match(_latest_number(deliverable))
        try:
            if request.mimetype == "multipart/form-data":
                version = _add_file(deliverable)
            elif request.is_json:
                version = _add_text(deliverable)
            else:
                fail(415, _("Send the file as multipart/form-data, or a text version as JSON."))
        except deliverables.VersionConflict:
            db.session.rollback()
            fail(
                409, _("Someone added a version at the same moment. Nothing was saved: please send it again.")
            )
        return version, 201


def _invalid(location: str, errors: dict) -> None:
    """422 with field details under ``location`` (field names as strings, whatever was sent)."""
    details = {location: {str(name): messages for name, messages in errors.items()}}
    smorest_abort(422, message=_("Some fields are not valid."), errors=details)


def _load_or_422(schema: ma.Schema, data, location: str) -> dict:
    try:
        return schema.load(data)
    except ma.ValidationError as exc:
        _invalid(location, exc.normalized_messages())


def _add_text(deliverable: Deliverable) -> Version:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        fail(400, _("The body must be a JSON object."))
    data = _load_or_422(TextVersionSchema(), payload, "json")
    return deliverables.add_text_version(deliverable, user(), data["body"], data["changelog"])


def _add_file(deliverable: Deliverable) -> Version:
    # Reading the form enforces MAX_CONTENT_LENGTH (413) before anything is stored.
    form = {k: v for k, v in request.form.items()}
    data = _load_or_422(UploadFormSchema(), form, "form")
    uploads = request.files.getlist("file")
    if len(uploads) != 1 or set(request.files) - {"file"}:
        _invalid("form", {"file": [_("Send exactly one file, in the field “file”.")]})
    upload = uploads[0]
    try:
        return deliverables.add_file_version(
            deliverable, user(), upload.read(), upload.filename or "", data["changelog"]
        )
    except (files.Refused, UnicodeDecodeError) as exc:
        db.session.rollback()
        message = str(exc) if isinstance(exc, files.Refused) else _("This text file is not valid UTF-8.")
        _invalid("form", {"file": [message]})


@bp.route(f"/versions/<{ID_PATH}:version_id>", tags=[bp.name])
class VersionItem(MethodView):
    @bp.response(200, DeliverableVersionSchema)
    def get(self, version_id):
        """A version's metadata."""
        return _version(version_id)


@bp.route(f"/versions/<{ID_PATH}:version_id>/content", tags=[bp.name])
class VersionContent(MethodView):
    @bp.doc(responses=CONTENT_RESPONSE)
    def get(self, version_id):
        """Download a version (as on the web: an attachment with its sniffed type; logged)."""
        version = _version(version_id, "deliverables.download")
        deliverables.record_download(version, user())
        if version.is_text:
            response = send_file(
                io.BytesIO(version.body.encode("utf-8")),
                mimetype="text/markdown; charset=utf-8",
                as_attachment=True,
                download_name=f"v{version.number}.md",
            )
        else:
            with deliverables.storage_open(version) as handle:
                response = send_stored(handle.read(), version.filename)
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
