"""deliverables: deliverables, versions, reviews and comments

Revision ID: 0007_deliverables
Revises: 0006_coding
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_deliverables"
down_revision = "0006_coding"
branch_labels = None
depends_on = None


def _fk(table, column, target, ondelete):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _index(table, *columns):
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade():
    op.create_table(
        "deliverables",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("phase", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("shared_with_partner", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _fk("deliverables", "inquiry_id", "inquiries", "CASCADE"),
        _fk("deliverables", "created_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliverables")),
    )
    _index("deliverables", "inquiry_id")
    op.create_table(
        "deliverable_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("deliverable_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("mimetype", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("changelog", sa.String(length=300), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("shared_at", sa.DateTime(), nullable=True),
        _fk("deliverable_versions", "inquiry_id", "inquiries", "CASCADE"),
        _fk("deliverable_versions", "deliverable_id", "deliverables", "CASCADE"),
        _fk("deliverable_versions", "author_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliverable_versions")),
        sa.UniqueConstraint("deliverable_id", "number", name="uq_deliverable_versions_deliverable_number"),
    )
    _index("deliverable_versions", "inquiry_id", "deliverable_id", "sha256")
    op.create_table(
        "deliverable_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _fk("deliverable_reviews", "inquiry_id", "inquiries", "CASCADE"),
        _fk("deliverable_reviews", "version_id", "deliverable_versions", "CASCADE"),
        _fk("deliverable_reviews", "author_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliverable_reviews")),
    )
    _index("deliverable_reviews", "inquiry_id", "version_id")
    op.create_table(
        "deliverable_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("anchor", sa.String(length=500), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        _fk("deliverable_comments", "inquiry_id", "inquiries", "CASCADE"),
        _fk("deliverable_comments", "version_id", "deliverable_versions", "CASCADE"),
        _fk("deliverable_comments", "parent_id", "deliverable_comments", "CASCADE"),
        _fk("deliverable_comments", "author_id", "users", "SET NULL"),
        _fk("deliverable_comments", "resolved_by_id", "users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliverable_comments")),
    )
    _index("deliverable_comments", "inquiry_id", "version_id")


def downgrade():
    op.drop_table("deliverable_comments")
    op.drop_table("deliverable_reviews")
    op.drop_table("deliverable_versions")
    op.drop_table("deliverables")
