"""privacy: retention settings, purge log, sensitive reads

Revision ID: 0008_privacy
Revises: 0007_deliverables
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_privacy"
down_revision = "0007_deliverables"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "retention_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("archive_notes", sa.Boolean(), nullable=False),
        sa.Column("notified_for", sa.Date(), nullable=True),
        sa.Column("purged_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiries.id"],
            name=op.f("fk_retention_settings_inquiry_id_inquiries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retention_settings")),
        sa.UniqueConstraint("inquiry_id", name=op.f("uq_retention_settings_inquiry_id")),
    )
    op.create_table(
        "purge_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_ref", sa.Integer(), nullable=False),
        sa.Column("retention_until", sa.Date(), nullable=False),
        sa.Column("ran_at", sa.DateTime(), nullable=False),
        sa.Column("identity_keys", sa.Integer(), nullable=False),
        sa.Column("consent_forms", sa.Integer(), nullable=False),
        sa.Column("other_files", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purge_logs")),
    )
    op.create_table(
        "sensitive_reads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.String(length=200), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiries.id"],
            name=op.f("fk_sensitive_reads_inquiry_id_inquiries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_sensitive_reads_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensitive_reads")),
    )
    with op.batch_alter_table("sensitive_reads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sensitive_reads_inquiry_id"), ["inquiry_id"], unique=False)


def downgrade():
    with op.batch_alter_table("sensitive_reads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sensitive_reads_inquiry_id"))
    op.drop_table("sensitive_reads")
    op.drop_table("purge_logs")
    op.drop_table("retention_settings")
