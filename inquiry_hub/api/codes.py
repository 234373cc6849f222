"""The codebook of an inquiry: list, create, read, edit or move, merge, delete.

A code's ``parent_id`` makes the tree. Deleting or merging a code that others used is a
collective action, exactly as on the web (``coding.delete_code``/``merge_codes``): 204 or 200
when done at once, 202 with the proposal the team decides on. Codes have no version: the
``ETag`` is a digest of their fields, required in ``If-Match`` on a PATCH (428, 412 when stale).
Fieldwork is confidential: a partner gets 404 here.
"""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from inquiry_hub.api.common import (
    ETAG_HEADER,
    ID_PATH,
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
from inquiry_hub.fieldwork.face import Code
from inquiry_hub.fieldwork.services import coding
from inquiry_hub.fieldwork.services.coding import CodingError

bp = Blueprint("codes", __name__, description="The codebook (field material; never for partners).")

COLOUR = ma.validate.Regexp(r"^#[0-9a-fA-F]{6}\Z", error="A colour like #ffd966.")


class CodeSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    inquiry_id = ma.fields.Integer(required=True)
    parent_id = ma.fields.Integer(allow_none=True, required=True)
    name = ma.fields.String(required=True)
    colour = ma.fields.String(required=True, metadata={"description": "#rrggbb"})
    description = ma.fields.String(required=True, metadata={"description": "Markdown: inclusion, exclusion."})
    example = ma.fields.String(required=True)
    position = ma.fields.Integer(required=True)
    excerpt_count = ma.fields.Integer(required=True, metadata={"description": "Excerpts tagged with it."})
    author_id = ma.fields.Integer(allow_none=True, required=True)
    created_at = UtcDateTime(required=True)


class CodeCreateSchema(StrictSchema):
    name = Text(required=True, validate=[ma.validate.Length(1, 120), not_blank])
    colour = ma.fields.String(load_default="#ffd966", validate=COLOUR)
    description = Text(load_default="", validate=ma.validate.Length(max=5000))
    example = Text(load_default="", validate=ma.validate.Length(max=2000))
    parent_id = Id(allow_none=True, metadata={"description": "A code of the same inquiry; none: top level."})


class CodePatchSchema(StrictSchema):
    name = Text(validate=[ma.validate.Length(1, 120), not_blank])
    colour = ma.fields.String(validate=COLOUR)
    description = Text(validate=ma.validate.Length(max=5000))
    example = Text(validate=ma.validate.Length(max=2000))
    parent_id = Id(allow_none=True, metadata={"description": "null to move the code to the top level."})


class MergeSchema(StrictSchema):
    target_id = Id(required=True, metadata={"description": "The code that takes over the excerpts."})


def code_etag(code: Code) -> str:
    return content_etag(
        {k: getattr(code, k) for k in ("name", "colour", "description", "example", "parent_id", "position")}
    )


def _counted(inquiry, codes: list[Code]) -> list[Code]:
    """Codes with their ``excerpt_count`` (one query whatever their number)."""
    usage = coding.usage(inquiry)
    for code in codes:
        code.excerpt_count = usage.get(code.id, 0)
    return codes


def _one(code: Code):
    _counted(code.inquiry, [code])
    return code, 200, {"ETag": code_etag(code)}


def _parent(inquiry, code_id: int | None, field: str = "parent_id") -> Code | None:
    """The code of this inquiry named in a body (422 otherwise); None for None."""
    if code_id is None:
        return None
    code = fieldwork_face.code_in_inquiry(inquiry, code_id)
    if code is None:
        fail(422, _("Some fields are not valid."), **{field: [_("No such code in this inquiry.")]})
    return code


def _load(code_id: int, action: str) -> Code:
    code = load_in_inquiry(Code, code_id)
    require("fieldwork.view", code)
    require(action, code)
    return code


@bp.route(f"/inquiries/<{ID_PATH}:inquiry_id>/codes", tags=[bp.name])
class InquiryCodes(MethodView):
    @bp.arguments(PageQuery, location="query")
    @bp.response(200, CodeSchema(many=True), headers=PAGINATION_HEADERS)
    def get(self, args, inquiry_id):
        """The codebook, by position then name; ``parent_id`` gives the tree."""
        inquiry = load_inquiry(inquiry_id)
        require("fieldwork.view", inquiry)
        items, headers = paginate(fieldwork_face.codes_query(inquiry), args)
        return _counted(inquiry, items), 200, headers

    @bp.arguments(CodeCreateSchema)
    @bp.response(201, CodeSchema, headers=ETAG_HEADER)
    def post(self, data, inquiry_id):
        """Add a code to the codebook, at the top level or under a parent."""
        inquiry = load_inquiry(inquiry_id)
        require("fieldwork.view", inquiry)
        require("fieldwork.edit", inquiry)
        parent = _parent(inquiry, data.pop("parent_id", None))
        try:
            code = coding.create_code(inquiry, user(), **data, parent=parent)
        except CodingError as exc:
            db.session.rollback()
            fail(422, _("Some fields are not valid."), name=[str(exc)])
        _counted(inquiry, [code])
        return code, 201, {"ETag": code_etag(code)}


@bp.route(f"/codes/<{ID_PATH}:code_id>", tags=[bp.name])
class CodeItem(MethodView):
    @bp.response(200, CodeSchema, headers=ETAG_HEADER)
    def get(self, code_id):
        """One code, with its ETag."""
        return _one(_load(code_id, "fieldwork.view"))

    @bp.arguments(CodePatchSchema)
    @bp.response(200, CodeSchema, headers=ETAG_HEADER)
    @bp.alt_response(412, schema=ErrorSchema, description="The code changed since you read it.")
    @bp.alt_response(428, schema=ErrorSchema, description="If-Match was not sent.")
    def patch(self, data, code_id):
        """Rename, recolour, redefine or move a code in the tree; send its ETag in If-Match."""
        code = _load(code_id, "fieldwork.edit")
        require_if_match(code_etag(code))
        parent = _parent(code.inquiry, data["parent_id"]) if "parent_id" in data else code.parent
        fields = {k: data.get(k, getattr(code, k)) for k in ("name", "colour", "description", "example")}
        try:
            coding.update_code(code, user(), **fields, parent=parent)
        except CodingError as exc:
            db.session.rollback()
            fail(422, _("Some fields are not valid."), parent_id=[str(exc)])
        return _one(code)

    @bp.response(204)
    @bp.alt_response(202, schema=CollectiveSchema, description="Others used the code: proposed to the team.")
    @bp.alt_response(409, schema=ErrorSchema, description="The deletion cannot be started.")
    @bp.alt_response(412, schema=ErrorSchema, description="The code changed since you read it.")
    def delete(self, code_id):
        """Delete a code; excerpts left without a code go with it. Collective when others used it."""
        code = _load(code_id, "fieldwork.edit")
        check_etag(code_etag(code))
        proposal = run_collective(lambda: coding.delete_code(code, user()))
        return started(proposal) if proposal is not None else ""


@bp.route(f"/codes/<{ID_PATH}:code_id>/merge", tags=[bp.name])
class CodeMerge(MethodView):
    @bp.arguments(MergeSchema)
    @bp.response(200, CodeSchema, headers=ETAG_HEADER, description="Merged: the target code.")
    @bp.alt_response(202, schema=CollectiveSchema, description="Others used a code: proposed to the team.")
    @bp.alt_response(409, schema=ErrorSchema, description="The merge cannot be started.")
    def post(self, data, code_id):
        """Merge this code into another: its excerpts, children and memos follow."""
        code = _load(code_id, "fieldwork.edit")
        target = _parent(code.inquiry, data["target_id"], "target_id")
        if target.id == code.id:
            fail(422, _("Some fields are not valid."), target_id=[_("Choose two different codes.")])
        proposal = run_collective(lambda: coding.merge_codes(code, target, user()))
        return started(proposal) if proposal is not None else _one(target)
