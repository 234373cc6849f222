"""Full-text search over field material, behind one interface.

``search_notes`` picks the backend from the database dialect: SQLite FTS5 (``unicode61
remove_diacritics 2``, prefix matching) or PostgreSQL full-text search with the
``french_unaccent`` configuration (``unaccent`` then the French stemmer). The index itself
is kept by the database: FTS5 triggers, or a GIN expression index (migration 0004).

This module names no room's table: the fieldwork room registers what it indexes
(``register_documents``), and the backends write their SQL from that description.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape
from sqlalchemy import bindparam, text

from inquiry_hub.extensions import db

#: Rare characters that mark matches inside snippets before they are escaped to HTML.
OPEN, CLOSE = "\u27e6", "\u27e7"
_TERM = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Filters:
    interview_id: int | None = None
    author_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class Documents:
    """What a room gives to index: its table, the FTS5 table its triggers keep, the text columns,
    and the columns the ``Filters`` fields compare with (``date`` for date_from and date_to)."""

    table: str
    fts_table: str
    title: str
    body: str
    interview: str
    author: str
    date: str


_documents: list[Documents] = []


def register_documents(documents: Documents) -> None:
    """The room that owns the searched material says what to index (once, at import)."""
    _documents[:] = [documents]


def documents() -> Documents:
    """The registered description; the fieldwork room registers it when it is imported."""
    if not _documents:
        raise RuntimeError("No documents registered for search: import inquiry_hub.fieldwork first.")
    return _documents[0]


@dataclass(frozen=True)
class Hit:
    note_id: int
    #: Safe HTML: the escaped text around the matches, each match in ``<mark>``.
    snippet: Markup
    rank: float


def terms(query: str) -> list[str]:
    """The words of a query; punctuation and operators are dropped, so any input is safe."""
    return _TERM.findall(query or "")[:12]


#: Letters and the accented forms they stand for: "energie" also finds "énergie", "ÉNERGIE".
_VARIANTS = {
    "a": "aàâäáã",
    "c": "cç",
    "e": "eéèêë",
    "i": "iîïí",
    "n": "nñ",
    "o": "oôöóõ",
    "u": "uùûüú",
    "y": "yÿ",
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _word_pattern(words: list[str]) -> re.Pattern:
    """Words as accent- and case-insensitive prefixes of whole words."""
    parts = []
    for word in words:
        parts.append("".join(f"[{_VARIANTS[c]}]" if c in _VARIANTS else re.escape(c) for c in _fold(word)))
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")\w*", re.IGNORECASE)


def make_snippet(text: str, words: list[str], width: int = 240) -> str:
    """About ``width`` characters around the first match, matches between OPEN and CLOSE."""
    pattern = _word_pattern(words)
    first = pattern.search(text)
    start = 0 if first is None else max(0, first.start() - width // 3)
    end = min(len(text), start + width)
    if start > 0:
        start = text.find(" ", start) + 1 or start  # start on a word
    if end < len(text):
        end = text.rfind(" ", start, end) if text.rfind(" ", start, end) > start else end
    window = text[start:end]
    marked = pattern.sub(lambda m: OPEN + m.group() + CLOSE, window)
    return ("…" if start > 0 else "") + marked + ("…" if end < len(text) else "")


def highlight(raw: str) -> Markup:
    """Escape a snippet and turn the backend's match markers into ``<mark>``."""
    html = str(escape(raw or ""))
    return Markup(html.replace(OPEN, "<mark>").replace(CLOSE, "</mark>"))


def _filter_sql(docs: Documents, filters: Filters, params: dict) -> str:
    sql = ""
    if filters.interview_id is not None:
        sql += f" AND n.{docs.interview} = :interview_id"
        params["interview_id"] = filters.interview_id
    if filters.author_id is not None:
        sql += f" AND n.{docs.author} = :author_id"
        params["author_id"] = filters.author_id
    if filters.date_from is not None:
        sql += f" AND n.{docs.date} >= :date_from"
        params["date_from"] = filters.date_from
    if filters.date_to is not None:
        sql += f" AND n.{docs.date} <= :date_to"
        params["date_to"] = filters.date_to
    return sql


def search_notes(inquiry_id: int, query: str, filters: Filters = Filters(), limit: int = 50) -> list[Hit]:
    """Notes of the inquiry matching every word of ``query`` (as prefixes), best first."""
    words = terms(query)
    if not words:
        return []
    docs = documents()
    params: dict = {"inquiry_id": inquiry_id, "limit": limit}
    where = _filter_sql(docs, filters, params)
    if db.engine.dialect.name == "postgresql":
        from inquiry_hub.search import postgres as backend
    else:
        from inquiry_hub.search import sqlite as backend
    rows = backend.search(docs, words, where, params)
    missing = [r[0] for r in rows if r[1] is None]
    if missing:
        # Snippets the backend left to us, from the bodies of the few hits only.
        bodies = dict(
            db.session.execute(
                text(f"SELECT id, {docs.body} FROM {docs.table} WHERE id IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                ),
                {"ids": missing},
            ).all()
        )
        rows = [
            (r[0], r[1] if r[1] is not None else make_snippet(bodies.get(r[0], ""), words), r[2])
            for r in rows
        ]
    return [Hit(note_id=r[0], snippet=highlight(r[1]), rank=float(r[2] or 0)) for r in rows]
