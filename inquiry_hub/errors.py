"""Error pages in the user's language; JSON errors under /api."""

from __future__ import annotations

import contextlib

from flask import current_app, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from inquiry_hub.extensions import db
from inquiry_hub.filecheck import Refused
from inquiry_hub.storage import StorageFull

#: Seconds a client should wait before trying again when the database is unreachable.
RETRY_AFTER = 30

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
    507: _l("The server has no room left to store this file: nothing was saved. Please try again later."),
}
UNAVAILABLE = _l("The database cannot be reached for a moment. Nothing was lost; please try again shortly.")

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
    507: "insufficient_storage",
}


def _render(status: int, message=None):
    message = message or MESSAGES.get(status, MESSAGES[500])
    if request.path.startswith("/api/"):
        body = {"error": {"code": CODES.get(status, "error"), "message": str(message)}}
        return jsonify(body), status
    return render_template("errors/page.html", status=status, message=message), status


#: SQLite reports a bad query as OperationalError too: only these mean "cannot reach it now".
SQLITE_UNAVAILABLE = ("unable to open database", "database is locked", "disk i/o error", "readonly database")


def database_unreachable(error: BaseException) -> bool:
    """True for a lost, refused or busy database connection (not for a bad query)."""
    if isinstance(error, PoolTimeout):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    if type(error.orig).__module__.startswith("sqlite3"):
        return any(text in str(error.orig).lower() for text in SQLITE_UNAVAILABLE)
    return True


def _unavailable():
    """503 that needs no database: no user loaded, a page that extends nothing."""
    with contextlib.suppress(Exception):  # the connection is gone; the pool replaces it
        db.session.rollback()
    # Flask-Login would reload the user (a query) for the locale of the page.
    g._login_user = current_app.login_manager.anonymous_user()
    if request.path.startswith("/api/"):
        response = jsonify({"error": {"code": CODES[503], "message": str(UNAVAILABLE)}})
    else:
        response = current_app.make_response(render_template("errors/unavailable.html", message=UNAVAILABLE))
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER)
    return response


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _render(
            400, _l("The form expired or was not sent from this site. Reload the page and try again.")
        )

    @app.errorhandler(HTTPException)
    def http_error(error):
        # An outage met after the view (the commit of the unit of work, an after_request hook)
        # reaches Flask's last resort as an InternalServerError that wraps the database error.
        original = getattr(error, "original_exception", None)
        if original is not None and database_unreachable(original):
            app.logger.warning("database unreachable: %s", original)
            return _unavailable()
        return _render(error.code or 500)

    @app.errorhandler(Refused)
    def file_refused(error):
        # A refused file is the sender's to fix: say why, store nothing.
        db.session.rollback()
        return _render(error.status, str(error))

    @app.errorhandler(StorageFull)
    def storage_full(error):
        db.session.rollback()
        app.logger.error("file storage full: %s", error)
        return _render(507)

    @app.errorhandler(Exception)
    def unexpected(error):
        if database_unreachable(error):
            app.logger.warning("database unreachable: %s", error.orig if hasattr(error, "orig") else error)
            return _unavailable()
        db.session.rollback()
        app.logger.exception("unhandled error")
        return _render(500)
