"""What every export shares: rows that name a person, and the one CSV writer.

A room lists its models whose rows point to a user (author, assignee, member...) and calls
``rows_naming``; the privacy room composes the rooms' answers into the person's ZIP. Every CSV
the app produces (downloads and archives) is written by ``csv_text``.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from sqlalchemy import or_, select

from inquiry_hub.extensions import db


def is_secret(column_name: str) -> bool:
    """Columns never exported, even to the person they are about."""
    return any(part in column_name for part in ("hash", "token", "password"))


def jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def user_columns(table):
    """Columns of ``table`` that point to a user (author, actor, member, assignee...)."""
    return [c for c in table.columns if any(fk.column.table.name == "users" for fk in c.foreign_keys)]


def rows_of_table(table, user) -> list[dict]:
    """The rows of ``table`` naming ``user`` in one of its user columns, secrets left out."""
    columns = user_columns(table)
    if not columns:
        return []
    query = select(table).where(or_(*(c == user.id for c in columns)))
    return [
        {c.name: jsonable(row._mapping[c]) for c in table.columns if not is_secret(c.name)}
        for row in db.session.execute(query)
    ]


def rows_naming(user, models) -> dict[str, list[dict]]:
    """table name → rows of these models that name the person (tables without any left out)."""
    result = {}
    for model in models:
        if rows := rows_of_table(model.__table__, user):
            result[model.__tablename__] = rows
    return result


# --- CSV ---------------------------------------------------------------------------------

#: A cell starting with one of these runs as a formula in a spreadsheet (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The cell as a spreadsheet reads it without running it: formula-like text quoted, the rest as is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(header: list[str], rows) -> str:
    """CSV text of a header and rows (lists), every cell through ``safe_cell``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return out.getvalue()
