"""The OpenAPI document and a page to read it, both public (the document holds no data)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

docs_bp = Blueprint("api_docs", __name__, url_prefix="/api/v1")

#: Swagger UI sets style attributes and tags at run time; scripts stay 'self' only.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)


@docs_bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3.1 document, generated from the API's code."""
    return jsonify(current_app.extensions["inquiry_hub_api"].spec.to_dict())


@docs_bp.get("/docs")
def page():
    """The API reference, rendered by the vendored Swagger UI."""
    response = current_app.make_response(render_template("api/docs.html"))
    response.headers["Content-Security-Policy"] = DOCS_CSP
    return response
