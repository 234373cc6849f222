"""SQLite FTS5 backend: ``notes_fts`` (external content on ``notes``), kept by triggers."""

from __future__ import annotations

from sqlalchemy import text

from inquiry_hub.extensions import db


def match_expression(words: list[str]) -> str:
    """Every word as a quoted prefix: ``"entrepr"* "energie"*`` (implicit AND)."""
    return " ".join('"{}"*'.format(w.replace('"', "")) for w in words)


def search(words: list[str], where: str, params: dict):
    """(note id, None, rank) best first: snippets are cut from the few hits' bodies afterwards.

    FTS5's snippet() would run for every matching row before the sort; ranking alone is cheap.
    """
    params = {**params, "match": match_expression(words)}
    sql = (
        "SELECT n.id, NULL, bm25(notes_fts, 5.0, 1.0) AS rank "
        "FROM notes_fts JOIN notes n ON n.id = notes_fts.rowid "
        "WHERE notes_fts MATCH :match AND n.inquiry_id = :inquiry_id"
        # One index holds every inquiry's notes: bounding the rowids to this inquiry's lets
        # FTS5 skip (and not rank) the matches of the others, a cost that grows with them.
        " AND notes_fts.rowid BETWEEN (SELECT min(id) FROM notes WHERE inquiry_id = :inquiry_id)"
        " AND (SELECT max(id) FROM notes WHERE inquiry_id = :inquiry_id)"
        + where
        + " ORDER BY rank LIMIT :limit"
    )
    return db.session.execute(text(sql), params).all()
