"""The JSON API at ``/api/v1``: bearer tokens, the same policy as the web, an OpenAPI document.

One module per resource (``me``, ``inquiries``, ``tasks``, ``interviews``, ``notes``,
``search``); each is a nested blueprint of the ``api`` blueprint, so one ``before_request``
authenticates every call and one error handler shapes every error.

Why flask-smorest (with apispec and marshmallow) for the OpenAPI document: it is the
maintained Flask option that fits an app built with ``create_app`` and plain blueprints
(flask-openapi3 wants its own ``OpenAPI`` app class, spectree's docs pages load from a CDN);
the same marshmallow schemas validate requests (webargs, 422 with field details), shape
responses and write the document, so the document cannot drift from the code; apispec emits
OpenAPI 3.1 (``"type": ["string", "null"]``). Its own HTTP error handler and doc pages are
turned off: errors keep the app's ``{"error": {"code", "message"}}`` shape and the docs page
serves our vendored Swagger UI.
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_smorest import Api
from flask_smorest import Blueprint as ApiBlueprint

from inquiry_hub.api import auth
from inquiry_hub.api.common import ErrorSchema, register_error_handler

bp = ApiBlueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(auth.authenticate)
bp.after_request(auth.no_store)
register_error_handler(bp)

from inquiry_hub.api import docs, inquiries, interviews, me, notes, search, tasks  # noqa: E402

RESOURCES = (me.bp, inquiries.bp, tasks.bp, interviews.bp, notes.bp, search.bp)

from inquiry_hub.api import decisions, deliverables  # noqa: E402

RESOURCES += (deliverables.bp, decisions.meetings_bp, decisions.bp)

from inquiry_hub.api import codes, excerpts  # noqa: E402

RESOURCES += (codes.bp, excerpts.bp)
for _resource in RESOURCES:
    bp.register_blueprint(_resource)


class InquiryApi(Api):
    """flask-smorest's Api without its app-wide error handler (errors.py keeps that role)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        pass


def _rate_limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def register(app: Flask) -> None:
    """Attach the API: document, blueprints, CSRF exemption (no cookies) and per-token limits."""
    from inquiry_hub.extensions import csrf, limiter
    from inquiry_hub.urls import MAX_ID, IdConverter

    app.config.setdefault("API_RATE_LIMIT", "300 per minute")
    app.config.update(
        API_TITLE="inquiry_hub",
        API_VERSION="1",
        OPENAPI_VERSION="3.1.0",
        API_SPEC_OPTIONS={
            "info": {"description": "The JSON API of inquiry_hub. Authenticate with a personal token."},
            "components": {
                "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            },
            "security": [{"bearerAuth": []}],
        },
    )
    api = InquiryApi(app)
    # The web's ``<id:...>`` converter, documented as the bounded integer it is.
    api.register_converter(IdConverter, lambda _c: {"type": "integer", "minimum": 1, "maximum": MAX_ID})
    # Not once per blueprint object: the blueprints are module-level, apps are many (tests).
    if not getattr(bp, "_inquiry_hub_limited", False):
        limiter.limit(_rate_limit, key_func=auth.rate_limit_key)(bp)
        bp._inquiry_hub_limited = True
    csrf.exempt(bp)
    for resource in RESOURCES:
        csrf.exempt(resource)
    api.register_blueprint(bp)
    # One tag per resource instead of the parent blueprint's empty one.
    api.spec._tags = [t for t in api.spec._tags if t["name"] != bp.name]
    for resource in RESOURCES:
        api.spec.tag({"name": resource.name, "description": resource.description})
    app.register_blueprint(docs.docs_bp)
    app.extensions["inquiry_hub_api"] = api
