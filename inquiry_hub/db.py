"""Declarative base, naming convention and engine tweaks shared by every room."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Named constraints make migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: Search structures made by raw SQL in migrations (FTS5 tables, the tsvector index):
#: autogenerate cannot describe them, so it must not try to drop them.
RAW_SQL_OBJECTS = ("notes_fts", "ix_notes_search")


def include_name(name, type_, parent_names) -> bool:
    """Alembic filter: leave the raw-SQL search objects out of model comparisons."""
    return not (name or "").startswith(RAW_SQL_OBJECTS)


def utcnow() -> datetime:
    """Naive UTC: what both databases store and return alike."""
    return datetime.now(UTC).replace(tzinfo=None)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Foreign keys on, WAL for concurrent readers, and wait instead of failing when busy."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
