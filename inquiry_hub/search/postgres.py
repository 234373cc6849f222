"""PostgreSQL backend: ``french_unaccent`` configuration and a GIN expression index on the
documents' table (for notes: migration 0004)."""

from __future__ import annotations

from sqlalchemy import text

from inquiry_hub.extensions import db


def document(docs) -> str:
    """The indexed expression; queries repeat it verbatim so the planner uses the index."""
    return f"to_tsvector('french_unaccent'::regconfig, n.{docs.title} || ' ' || n.{docs.body})"


def tsquery(words: list[str]) -> str:
    """``entreprise:* & energie:*``: every word, stemmed and unaccented by the configuration."""
    return " & ".join(f"{w}:*" for w in words)


def search(docs, words: list[str], where: str, params: dict):
    params = {**params, "tsq": tsquery(words)}
    indexed = document(docs)
    sql = (
        f"SELECT n.id, ts_headline('french_unaccent', n.{docs.body}, q, "
        "'StartSel=\u27e6, StopSel=\u27e7, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter= … '), "
        f"ts_rank({indexed}, q) AS rank "
        f"FROM {docs.table} n, to_tsquery('french_unaccent', :tsq) q "
        f"WHERE {indexed} @@ q AND n.inquiry_id = :inquiry_id" + where + " ORDER BY rank DESC LIMIT :limit"
    )
    return db.session.execute(text(sql), params).all()
