"""What every resource shares: error shape, safe fields, pagination, loading through the policy."""

from __future__ import annotations

from datetime import UTC
from urllib.parse import urlencode

import marshmallow as ma
from flask import g, jsonify, request
from flask_babel import gettext as _
from flask_smorest import abort
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from inquiry_hub import policy
from inquiry_hub.errors import CODES, MESSAGES
from inquiry_hub.extensions import db
from inquiry_hub.urls import MAX_ID  # noqa: F401 - re-exported for the resources

#: URL converter for object ids: positive and within the databases' integer range (the web's rule).
ID_PATH = "id"

#: The app's error codes, and those only the API uses.
API_CODES = {**CODES, 415: "unsupported_media_type", 428: "precondition_required"}

# --- schemas ----------------------------------------------------------------------------


class ErrorBody(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "Stable error code."})
    message = ma.fields.String(required=True, metadata={"description": "Human-readable message."})
    details = ma.fields.Dict(metadata={"description": "Field errors by location and field, on 400 and 422."})


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorBody, required=True)


class Text(ma.fields.String):
    """A string that both databases can store: no NUL, no lone surrogate."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ma.ValidationError(_("Text cannot contain NUL characters."))
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ma.ValidationError(_("Text must be valid Unicode.")) from None
        return text


def not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError(_("This field cannot be blank."))


class UtcDateTime(ma.fields.DateTime):
    """Naive UTC datetimes from the database, written with their offset (RFC 3339)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return value.replace(tzinfo=UTC).isoformat()


def Id(**kwargs) -> ma.fields.Integer:  # noqa: N802 - reads like a field class
    return ma.fields.Integer(strict=True, validate=ma.validate.Range(1, MAX_ID), **kwargs)


class StrictSchema(ma.Schema):
    """Request bodies: an unknown field is a 422, not silently ignored."""

    class Meta:
        unknown = ma.RAISE


class PageQuery(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(1, 100_000))
    per_page = ma.fields.Integer(load_default=20, validate=ma.validate.Range(1, 100))


# --- errors -----------------------------------------------------------------------------


def _message(error: HTTPException) -> str:
    data = getattr(error, "data", None) or {}
    if data.get("message"):
        return str(data["message"])
    if error.description and error.description != type(error).description:
        return str(error.description)
    return str(MESSAGES.get(error.code, error.description or error.name))


def error_response(error: HTTPException):
    """``{"error": {"code", "message", "details"?}}`` with the error's status."""
    data = getattr(error, "data", None) or {}
    body = {"code": API_CODES.get(error.code, "error"), "message": _message(error)}
    details = data.get("errors") or data.get("messages")
    if details:
        body["details"] = details
    response = jsonify({"error": body})
    response.status_code = error.code or 500
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if error.code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="inquiry_hub"'
    if error.code == 429 and hasattr(error, "get_headers"):
        for name, value in error.get_headers():
            if name.lower() == "retry-after":
                response.headers[name] = value
    return response


def register_error_handler(blueprint) -> None:
    blueprint.register_error_handler(HTTPException, error_response)


def fail(status: int, message: str, **errors) -> None:
    """Abort with a JSON error; keyword arguments become field ``details`` of the body."""
    abort(status, message=message, errors={"json": errors} if errors else None)


# --- loading through the policy ---------------------------------------------------------


def check_question(inquiry, question_id: int | None, current_id: int | None = None) -> None:
    """422 unless the id names an active research question of this inquiry (or the one already linked)."""
    from inquiry_hub.governance.services import commission

    if question_id is None:
        return
    if question_id not in {value for value, _label in commission.question_choices(inquiry, current_id)}:
        fail(
            422,
            _("Some fields are not valid."),
            research_question_id=[_("No such research question in this inquiry.")],
        )


def QuestionId() -> ma.fields.Integer:  # noqa: N802 - reads like a field class
    return ma.fields.Integer(
        strict=True,
        allow_none=True,
        validate=ma.validate.Range(1, MAX_ID),
        metadata={"description": "An active research question of the inquiry's brief (null: none)."},
    )


def user():
    return g.api_user


def load_inquiry(inquiry_id: int):
    """The inquiry for a member (404 otherwise), its due collective actions settled first."""
    from inquiry_hub.inquiries.engine import settle_due

    inquiry = policy.get_inquiry_or_404(user(), inquiry_id)
    settle_due(inquiry)  # in the request's unit of work, committed with it
    return inquiry


def load_in_inquiry(model, object_id: int):
    """An inquiry-scoped object by id, loaded through its inquiry: 404 for non-members."""
    inquiry_id = db.session.scalar(select(model.inquiry_id).where(model.id == object_id))
    if inquiry_id is None:
        abort(404)
    return policy.get_in_inquiry_or_404(model, load_inquiry(inquiry_id), object_id)


def require(action: str, obj) -> None:
    policy.require(user(), action, obj)


# --- pagination ------------------------------------------------------------------------


def paginate(query, args: dict):
    """(items, headers): one page of ``query`` with RFC 8288 ``Link`` and ``X-Total-Count``."""
    page, per_page = args["page"], args["per_page"]
    pagination = db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
    last = max(pagination.pages, 1)

    def link(number: int, rel: str) -> str:
        params = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
        params.update(page=number, per_page=per_page)
        return f'<{request.base_url}?{urlencode(params)}>; rel="{rel}"'

    links = [link(1, "first"), link(last, "last")]
    if page > 1:
        links.append(link(min(page - 1, last), "prev"))
    if page < last:
        links.append(link(page + 1, "next"))
    headers = {"Link": ", ".join(links), "X-Total-Count": str(pagination.total or 0)}
    return list(pagination.items), headers


PAGINATION_HEADERS = {
    "Link": {"description": "RFC 8288 links: first, last, prev, next.", "schema": {"type": "string"}},
    "X-Total-Count": {"description": "Number of items on all pages.", "schema": {"type": "string"}},
}


# --- versioned writes ------------------------------------------------------------------


#: The response header of every read or write of a versioned object, for the OpenAPI document.
ETAG_HEADER = {"ETag": {"schema": {"type": "string"}}}


def etag_of(version: int) -> str:
    return f'"v{version}"'


def check_if_match(version: int) -> None:
    """412 when an ``If-Match`` header names another version than the current one."""
    check_etag(etag_of(version))


def check_etag(etag: str) -> None:
    """412 when an ``If-Match`` header is sent and does not name ``etag``, the current state.

    ``*`` is not accepted: it would let a client write over a state it never read.
    """
    if_match = request.headers.get("If-Match")
    if if_match is None:
        return
    candidates = {v.strip().removeprefix("W/") for v in if_match.split(",") if v.strip()}
    if etag not in candidates:
        abort(412, message=_("This object changed since you read it: read it again, then retry."))


def require_if_match(etag: str) -> None:
    """428 without ``If-Match``, 412 when it names another state than the current one."""
    if "If-Match" not in request.headers:
        abort(428, message=_("Send If-Match with the ETag you read."))
    check_etag(etag)
