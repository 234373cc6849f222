"""exactly once: unique constraints, outbox claims, stored file references

Revision ID: 0017_exactly_once
Revises: 0016_codecided_brief
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_exactly_once"
down_revision = "0016_codecided_brief"
branch_labels = None
depends_on = None

PENDING = sa.text("accepted_at IS NULL")


def upgrade():
    with op.batch_alter_table("outbox_messages") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("claimed_at", sa.DateTime(), nullable=True))
    # Invitations sent twice by a proposal executed twice: keep the first of each pair.
    op.execute(
        "DELETE FROM invitations WHERE accepted_at IS NULL AND id NOT IN ("
        " SELECT MIN(id) FROM invitations WHERE accepted_at IS NULL GROUP BY inquiry_id, email)"
    )
    op.create_index(
        "uq_invitations_pending",
        "invitations",
        ["inquiry_id", "email"],
        unique=True,
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )


def downgrade():
    op.drop_index("uq_invitations_pending", table_name="invitations")
    with op.batch_alter_table("outbox_messages") as batch:
        batch.drop_column("claimed_at")
        batch.drop_column("claimed_by")
