"""fieldwork room: interviews, consent, identity vault, notes and revisions, guide, sampling, search

Revision ID: 0004_fieldwork
Revises: 0003_decisions
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_fieldwork"
down_revision = "0003_decisions"
branch_labels = None
depends_on = None


def _fk(column, table, target, ondelete):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _inquiry(table):
    return [
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        _fk("inquiry_id", table, "inquiries", "CASCADE"),
    ]


def _pk(table):
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


# Full-text search, kept by the database itself (see inquiry_hub/search/).
# SQLite: an FTS5 table with external content on notes, kept in step by triggers.
SQLITE_SCHEMA = [
    "CREATE VIRTUAL TABLE notes_fts USING fts5(title, body, content='notes', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN "
    "INSERT INTO notes_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN "
    "INSERT INTO notes_fts(notes_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER notes_fts_update AFTER UPDATE OF title, body ON notes BEGIN "
    "INSERT INTO notes_fts(notes_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO notes_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "INSERT INTO notes_fts(notes_fts) VALUES ('rebuild')",
]

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS notes_fts_update",
    "DROP TRIGGER IF EXISTS notes_fts_delete",
    "DROP TRIGGER IF EXISTS notes_fts_insert",
    "DROP TABLE IF EXISTS notes_fts",
]

# PostgreSQL: a text search configuration that drops accents before stemming, and a GIN
# index on the very expression inquiry_hub/search/postgres.py queries.
POSTGRES_SCHEMA = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french)",
    "ALTER TEXT SEARCH CONFIGURATION french_unaccent "
    "ALTER MAPPING FOR hword, hword_part, word, asciihword, asciiword, hword_asciipart "
    "WITH unaccent, french_stem",
    "CREATE INDEX ix_notes_search ON notes USING gin "
    "(to_tsvector('french_unaccent'::regconfig, title || ' ' || body))",
]

POSTGRES_DROP = [
    "DROP INDEX IF EXISTS ix_notes_search",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent",
]


def _is_postgres():
    return op.get_bind().dialect.name == "postgresql"


def upgrade():
    op.create_table(
        "fieldwork_attributes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        *_inquiry("fieldwork_attributes"),
        _pk("fieldwork_attributes"),
        sa.UniqueConstraint("inquiry_id", "name", name="uq_fieldwork_attributes_inquiry_name"),
    )
    op.create_index(op.f("ix_fieldwork_attributes_inquiry_id"), "fieldwork_attributes", ["inquiry_id"])

    op.create_table(
        "interview_guides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("changelog", sa.String(length=300), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        *_inquiry("interview_guides"),
        _fk("author_id", "interview_guides", "users", "SET NULL"),
        _pk("interview_guides"),
        sa.UniqueConstraint("inquiry_id", "version", name="uq_interview_guides_inquiry_version"),
    )
    op.create_index(op.f("ix_interview_guides_inquiry_id"), "interview_guides", ["inquiry_id"])

    op.create_table(
        "interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=True),
        sa.Column("conducted_on", sa.Date(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=True),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("guide_id", sa.Integer(), nullable=True),
        sa.Column("purged_at", sa.DateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        *_inquiry("interviews"),
        _fk("guide_id", "interviews", "interview_guides", "SET NULL"),
        _fk("created_by_id", "interviews", "users", "SET NULL"),
        _pk("interviews"),
        sa.UniqueConstraint("inquiry_id", "pseudonym", name="uq_interviews_inquiry_pseudonym"),
    )
    op.create_index(op.f("ix_interviews_inquiry_id"), "interviews", ["inquiry_id"])

    op.create_table(
        "interview_interviewers",
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _fk("interview_id", "interview_interviewers", "interviews", "CASCADE"),
        _fk("user_id", "interview_interviewers", "users", "CASCADE"),
        sa.PrimaryKeyConstraint("interview_id", "user_id", name=op.f("pk_interview_interviewers")),
    )

    op.create_table(
        "consents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=True),
        sa.Column("notice_version", sa.String(length=40), nullable=False),
        sa.Column("recording_allowed", sa.Boolean(), nullable=False),
        sa.Column("quotation", sa.String(length=16), nullable=False),
        sa.Column("archiving_allowed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _fk("interview_id", "consents", "interviews", "CASCADE"),
        _pk("consents"),
        sa.UniqueConstraint("interview_id", name=op.f("uq_consents_interview_id")),
    )

    op.create_table(
        "interview_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("mimetype", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        *_inquiry("interview_files"),
        _fk("interview_id", "interview_files", "interviews", "CASCADE"),
        _fk("uploaded_by_id", "interview_files", "users", "SET NULL"),
        _pk("interview_files"),
    )
    op.create_index(op.f("ix_interview_files_inquiry_id"), "interview_files", ["inquiry_id"])
    op.create_index(op.f("ix_interview_files_interview_id"), "interview_files", ["interview_id"])
    op.create_index(op.f("ix_interview_files_sha256"), "interview_files", ["sha256"])

    op.create_table(
        "identity_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("full_name_token", sa.Text(), nullable=False),
        sa.Column("contact_token", sa.Text(), nullable=False),
        sa.Column("aliases_token", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        *_inquiry("identity_keys"),
        _fk("interview_id", "identity_keys", "interviews", "CASCADE"),
        _pk("identity_keys"),
        sa.UniqueConstraint("interview_id", name=op.f("uq_identity_keys_interview_id")),
    )
    op.create_index(op.f("ix_identity_keys_inquiry_id"), "identity_keys", ["inquiry_id"])

    op.create_table(
        "identity_reveals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("revealed_at", sa.DateTime(), nullable=False),
        *_inquiry("identity_reveals"),
        _fk("interview_id", "identity_reveals", "interviews", "CASCADE"),
        _fk("user_id", "identity_reveals", "users", "SET NULL"),
        _pk("identity_reveals"),
    )
    op.create_index(op.f("ix_identity_reveals_inquiry_id"), "identity_reveals", ["inquiry_id"])
    op.create_index(op.f("ix_identity_reveals_interview_id"), "identity_reveals", ["interview_id"])

    op.create_table(
        "notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("written_on", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        *_inquiry("notes"),
        _fk("interview_id", "notes", "interviews", "CASCADE"),
        _fk("author_id", "notes", "users", "SET NULL"),
        _fk("updated_by_id", "notes", "users", "SET NULL"),
        _pk("notes"),
    )
    op.create_index(op.f("ix_notes_inquiry_id"), "notes", ["inquiry_id"])
    op.create_index(op.f("ix_notes_interview_id"), "notes", ["interview_id"])
    op.create_index(op.f("ix_notes_author_id"), "notes", ["author_id"])

    op.create_table(
        "note_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("note_id", "note_revisions", "notes", "CASCADE"),
        _fk("author_id", "note_revisions", "users", "SET NULL"),
        _pk("note_revisions"),
        sa.UniqueConstraint("note_id", "number", name="uq_note_revisions_note_number"),
    )
    op.create_index(op.f("ix_note_revisions_note_id"), "note_revisions", ["note_id"])

    op.create_table(
        "note_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        *_inquiry("note_comments"),
        _fk("note_id", "note_comments", "notes", "CASCADE"),
        _fk("author_id", "note_comments", "users", "SET NULL"),
        _pk("note_comments"),
    )
    op.create_index(op.f("ix_note_comments_inquiry_id"), "note_comments", ["inquiry_id"])
    op.create_index(op.f("ix_note_comments_note_id"), "note_comments", ["note_id"])

    op.create_table(
        "sampling_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attribute_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=80), nullable=False),
        sa.Column("target", sa.Integer(), nullable=False),
        *_inquiry("sampling_targets"),
        _fk("attribute_id", "sampling_targets", "fieldwork_attributes", "CASCADE"),
        _pk("sampling_targets"),
        sa.UniqueConstraint("attribute_id", "value", name="uq_sampling_targets_attribute_value"),
    )
    op.create_index(op.f("ix_sampling_targets_inquiry_id"), "sampling_targets", ["inquiry_id"])

    for statement in POSTGRES_SCHEMA if _is_postgres() else SQLITE_SCHEMA:
        op.execute(statement)


def downgrade():
    for statement in POSTGRES_DROP if _is_postgres() else SQLITE_DROP:
        op.execute(statement)
    for table in (
        "sampling_targets",
        "note_comments",
        "note_revisions",
        "notes",
        "identity_reveals",
        "identity_keys",
        "interview_files",
        "consents",
        "interview_interviewers",
        "interviews",
        "interview_guides",
        "fieldwork_attributes",
    ):
        op.drop_table(table)
