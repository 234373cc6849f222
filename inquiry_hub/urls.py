"""URLs that also work outside a request (``run-due``, services rendering for emails or exports)."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for


def path_for(endpoint: str, **values) -> str:
    """``url_for`` inside a request; the same path built from the URL map outside one."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def absolute_url(endpoint: str, **values) -> str:
    """A link for an email or a feed, on the configured BASE_URL."""
    return current_app.config["BASE_URL"].rstrip("/") + path_for(endpoint, **values)
