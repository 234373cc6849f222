"""Error pages in the user's language; JSON errors under /api."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from inquiry_hub.extensions import db

MESSAGES = {
    400: _l("The request could not be understood. If you sent a form, reload the page and try again."),
    403: _l("You do not have permission to do this."),
    404: _l("This page does not exist, or you cannot see it."),
    405: _l("This action is not allowed here."),
    409: _l("Someone changed this in the meantime."),
    413: _l("The file is too large."),
    429: _l("Too many attempts. Please wait a moment before trying again."),
    500: _l("Something went wrong on our side. Nothing you did caused it; please try again."),
    503: _l("The service is unavailable for a moment."),
}

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    422: "unprocessable",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


def _render(status: int, message=None):
    message = message or MESSAGES.get(status, MESSAGES[500])
    if request.path.startswith("/api/"):
        body = {"error": {"code": CODES.get(status, "error"), "message": str(message)}}
        return jsonify(body), status
    return render_template("errors/page.html", status=status, message=message), status


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(
            400, _l("The form expired or was not sent from this site. Reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error):
        return _render(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected(error):
        db.session.rollback()
        app.logger.exception("unhandled error")
        return _render(500)
