"""URLs that also work outside a request (``run-due``, services rendering for emails or exports)."""

from __future__ import annotations

from flask import current_app, has_request_context, request, url_for
from werkzeug.routing import IntegerConverter

#: Ids are 32-bit integers in both databases: anything larger cannot exist.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<id:name>``: a positive integer within the databases' range; anything else is a 404."""

    def __init__(self, map, **kwargs):  # noqa: A002 - werkzeug's signature
        super().__init__(map, min=1, max=MAX_ID)


def parse_id(raw: str, *, clamp: bool = False) -> int | None:
    """``raw`` as an id the database can hold (ASCII digits, 1..MAX_ID), else None.

    With ``clamp``, digits beyond the range give MAX_ID (a page number past the end).
    """
    raw = (raw or "").strip()
    if not raw.isascii() or not raw.isdigit():
        return None
    if len(raw) > 10 or int(raw) > MAX_ID:
        return MAX_ID if clamp else None
    value = int(raw)
    return value if value >= 1 else None


def int_arg(name: str, default: int | None = None, *, args=None, clamp: bool = False) -> int | None:
    """A query argument as an id-sized integer: ``default`` when absent, malformed or out of range.

    Filters and page numbers are hints: a value that cannot name anything is ignored (or, with
    ``clamp``, brought into range) rather than sent to the database, where it would overflow.
    """
    value = parse_id((args if args is not None else request.args).get(name, ""), clamp=clamp)
    return default if value is None else value


def path_for(endpoint: str, **values) -> str:
    """``url_for`` inside a request; the same path built from the URL map outside one."""
    if has_request_context():
        return url_for(endpoint, **values)
    return current_app.url_map.bind("localhost").build(endpoint, values)


def absolute_url(endpoint: str, **values) -> str:
    """A link for an email or a feed, on the configured BASE_URL."""
    return current_app.config["BASE_URL"].rstrip("/") + path_for(endpoint, **values)
