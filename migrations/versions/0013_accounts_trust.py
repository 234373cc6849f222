"""accounts: email change confirmation, login throttling per email and client address

Revision ID: 0013_accounts_trust
Revises: 0012_archive_jobs
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_accounts_trust"
down_revision = "0012_archive_jobs"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "email_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("new_email", sa.String(length=254), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_email_changes_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_changes")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_email_changes_token_hash")),
    )
    with op.batch_alter_table("email_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_changes_user_id"), ["user_id"], unique=False)

    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_key", sa.String(length=64), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.Column("wait_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
        sa.UniqueConstraint("account_key", "client_key", name=op.f("uq_login_failures_account_key")),
    )

    # The per-account lockout counters gave way to login_failures (delays, not refusals).
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("failed_window_start")
        batch_op.drop_column("failed_logins")


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("failed_window_start", sa.DateTime(), nullable=True))
    op.drop_table("login_failures")
    with op.batch_alter_table("email_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_changes_user_id"))
    op.drop_table("email_changes")
