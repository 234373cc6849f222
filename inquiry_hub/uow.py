"""One unit of work per request, per CLI command, per job step: the only place that commits.

A request's writes (the handler's, and the settling of due proposals done while loading the
inquiry) form one transaction, committed once after the view returned a response whose status
is below 400, and rolled back otherwise: on a 4xx or 5xx answer, and on any exception. A
handler never commits; services flush. The rare 4xx answer that must still persist what it
wrote (a wrong current password, counted by the login throttle) says so with
``commit_even_on_error()``. What must see the committed rows (the archive worker's thread)
is registered with ``after_commit(callback)``.

Outside requests (CLI commands, run-due steps, tests), ``with unit_of_work():`` commits the
block's writes when it ends normally and rolls them back when it raises. Units do not nest: an
inner one commits everything written before it, which is what a job that must record each step
at once wants (the outbox claims a message before sending it, an archive build its progress).

Emails are outbox rows written in the same transaction (``activity.services.queue_email``):
they exist only if the work committed, and ``run-due`` delivers them afterwards.
"""

from __future__ import annotations

import contextlib

from flask import Flask, g

from inquiry_hub.extensions import db


@contextlib.contextmanager
def unit_of_work():
    """Commit what the block wrote when it ends normally; roll it back when it raises."""
    try:
        yield db.session
    except BaseException:
        _rollback()
        raise
    _commit()


def after_commit(callback) -> None:
    """Call ``callback()`` once the current unit of work has committed; never if it rolls back.

    For what must see the committed rows, e.g. a background thread that reads them.
    """
    db.session().info.setdefault("uow_after_commit", []).append(callback)


def _commit() -> None:
    db.session.commit()
    for callback in db.session().info.pop("uow_after_commit", []):
        callback()


def _rollback() -> None:
    db.session().info.pop("uow_after_commit", None)
    db.session.rollback()


def commit_even_on_error() -> None:
    """Keep this request's writes although its answer is an error (e.g. a counted login failure)."""
    g.uow_commit_on_error = True


def _finish(response):
    """Commit the request's transaction if its answer is a success or a redirect, else roll back."""
    if response.status_code < 400 or g.pop("uow_commit_on_error", False):
        _commit()
    else:
        _rollback()
    return response


def register(app: Flask) -> None:
    """Install the request wrapper: registered first, so it runs after every other after_request."""
    app.after_request(_finish)
