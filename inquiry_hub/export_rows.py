"""Rows that name a person, for their personal data export: the generic part of every room's export.

A room lists its models whose rows point to a user (author, assignee, member...) and calls
``rows_naming``; the privacy room composes the rooms' answers into the person's ZIP.
"""

from __future__ import annotations

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
