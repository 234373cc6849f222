"""SQLite FTS5 backend: an FTS5 table with external content on the documents' table (for
notes: ``notes_fts`` on ``notes``), kept by triggers."""

from __future__ import annotations

from sqlalchemy import text

from inquiry_hub.extensions import db


def match_expression(words: list[str]) -> str:
    """Every word as a quoted prefix: ``"entrepr"* "energie"*`` (implicit AND)."""
    return " ".join('"{}"*'.format(w.replace('"', "")) for w in words)


def search(docs, words: list[str], where: str, params: dict):
    """(note id, None, rank) best first: snippets are cut from the few hits' bodies afterwards.

    FTS5's snippet() would run for every matching row before the sort; ranking alone is cheap.
    """
    params = {**params, "match": match_expression(words)}
    fts, table = docs.fts_table, docs.table
    sql = (
        f"SELECT n.id, NULL, bm25({fts}, 5.0, 1.0) AS rank "
        f"FROM {fts} JOIN {table} n ON n.id = {fts}.rowid "
        f"WHERE {fts} MATCH :match AND n.inquiry_id = :inquiry_id"
        # One index holds every inquiry's documents: bounding the rowids to this inquiry's lets
        # FTS5 skip (and not rank) the matches of the others, a cost that grows with them.
        f" AND {fts}.rowid BETWEEN (SELECT min(id) FROM {table} WHERE inquiry_id = :inquiry_id)"
        f" AND (SELECT max(id) FROM {table} WHERE inquiry_id = :inquiry_id)"
        + where
        + " ORDER BY rank LIMIT :limit"
    )
    return db.session.execute(text(sql), params).all()
