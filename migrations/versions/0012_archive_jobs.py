"""privacy: archive builds with progress

Revision ID: 0012_archive_jobs
Revises: 0011_research_questions
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_archive_jobs"
down_revision = "0011_research_questions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "archive_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("done_steps", sa.Integer(), nullable=False),
        sa.Column("total_steps", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiries.id"],
            name=op.f("fk_archive_jobs_inquiry_id_inquiries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_archive_jobs_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archive_jobs")),
    )
    with op.batch_alter_table("archive_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_archive_jobs_inquiry_id"), ["inquiry_id"], unique=False)


def downgrade():
    with op.batch_alter_table("archive_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_jobs_inquiry_id"))
    op.drop_table("archive_jobs")
