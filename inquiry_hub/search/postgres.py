"""PostgreSQL backend: ``french_unaccent`` configuration and a GIN expression index on notes."""

from __future__ import annotations

from sqlalchemy import text

from inquiry_hub.extensions import db

#: The indexed expression; queries repeat it verbatim so the planner uses the index.
DOCUMENT = "to_tsvector('french_unaccent'::regconfig, n.title || ' ' || n.body)"


def tsquery(words: list[str]) -> str:
    """``entreprise:* & energie:*``: every word, stemmed and unaccented by the configuration."""
    return " & ".join(f"{w}:*" for w in words)


def search(words: list[str], where: str, params: dict):
    params = {**params, "tsq": tsquery(words)}
    sql = (
        "SELECT n.id, ts_headline('french_unaccent', n.body, q, "
        "'StartSel=\u27e6, StopSel=\u27e7, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter= … '), "
        f"ts_rank({DOCUMENT}, q) AS rank "
        "FROM notes n, to_tsquery('french_unaccent', :tsq) q "
        f"WHERE {DOCUMENT} @@ q AND n.inquiry_id = :inquiry_id" + where + " ORDER BY rank DESC LIMIT :limit"
    )
    return db.session.execute(text(sql), params).all()
