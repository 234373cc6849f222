"""followup: notification preferences, digests, due reminders, activity feeds

Revision ID: 0009_followup
Revises: 0008_privacy
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_followup"
down_revision = "0008_privacy"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notification_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preferences")),
        sa.UniqueConstraint("user_id", "kind", name="uq_notification_preferences_user_kind"),
    )
    op.create_table(
        "digest_states",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_digest_states_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_digest_states")),
    )
    op.create_table(
        "due_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_due_reminders_task_id_tasks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_due_reminders_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_due_reminders")),
        sa.UniqueConstraint("task_id", "user_id", "due_on", name="uq_due_reminders_task_user_due"),
    )
    with op.batch_alter_table("due_reminders", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_due_reminders_user_id"), ["user_id"], unique=False)
    op.create_table(
        "activity_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_activity_feeds_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_activity_feeds_token_hash")),
    )
    with op.batch_alter_table("activity_feeds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_feeds_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("activity_feeds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_feeds_user_id"))
    op.drop_table("activity_feeds")
    with op.batch_alter_table("due_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_due_reminders_user_id"))
    op.drop_table("due_reminders")
    op.drop_table("digest_states")
    op.drop_table("notification_preferences")
