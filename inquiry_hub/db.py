"""Declarative base, naming convention and engine tweaks shared by every room."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import MetaData, event, select, update
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


def lock_row(session, model, ident):
    """Hold ``model``'s row ``ident`` against other writers until commit; returns it re-read.

    PostgreSQL locks the row (``SELECT ... FOR UPDATE``). SQLite has no row locks: a write
    takes the database's write lock, which the driver holds until commit, and every read
    after it sees all earlier commits. Either way, what the caller reads next is current and
    stays so until its transaction ends.
    """
    pk = model.__mapper__.primary_key[0]
    query = select(model).where(pk == ident).execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "sqlite":
        no_op = update(model).where(pk == ident).values({pk.key: pk})
        session.execute(no_op.execution_options(synchronize_session=False))
    else:
        query = query.with_for_update(of=model)
    return session.scalars(query).one_or_none()


def insert_once(session, model, **values) -> bool:
    """Insert a row unless one with the same unique key exists; True when this call inserted it.

    ``INSERT ... ON CONFLICT DO NOTHING``: of two jobs doing the same thing at once, exactly
    one gets True (on PostgreSQL the second waits for the first to commit), and none fails.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = model.__table__
    statement = insert(table).values(**values).on_conflict_do_nothing()
    return session.execute(statement.returning(*table.primary_key.columns)).first() is not None


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


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_inside_a_transaction(conn, name):
    """pysqlite sends no BEGIN before a SAVEPOINT, so releasing the first savepoint of a request
    would commit everything written so far; an explicit BEGIN keeps it inside the transaction."""
    dbapi_connection = conn.connection.dbapi_connection
    if type(dbapi_connection).__module__.startswith("sqlite3") and not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")
