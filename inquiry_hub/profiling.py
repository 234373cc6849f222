"""Benchmark instrumentation: an ``X-Query-Count`` header when QUERY_COUNT_HEADER is set.

Off by default; ``bench/run.py`` turns it on to report SQL queries per page.
"""

from __future__ import annotations

from flask import g
from sqlalchemy import event

from inquiry_hub.extensions import db


def register(app) -> None:
    if not app.config.get("QUERY_COUNT_HEADER"):
        return

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany):
        if g:
            g.query_count = g.get("query_count", 0) + 1

    @app.after_request
    def _header(response):
        response.headers["X-Query-Count"] = str(g.get("query_count", 0))
        return response
