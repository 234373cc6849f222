"""governance: co-decided brief, joint meetings as collective actions

A student's amendment of the partner's brief also needs the partner (``proposals.co_decided``);
published minutes are one version of them (``meetings.published_version``), so an edit made after
publication is not shown to the partner until the team publishes it; the disclosure gate may
withhold published minutes later (``meetings.minutes_withheld_at``) until they pass again.

Revision ID: 0016_codecided_brief
Revises: 0015_consent_enforced
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_codecided_brief"
down_revision = "0015_consent_enforced"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("co_decided", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("minutes_withheld_at", sa.DateTime(), nullable=True))
    # What was published stays published, at the version it had then.
    op.execute(
        sa.text("UPDATE meetings SET published_version = minutes_version WHERE published = :yes").bindparams(
            yes=True
        )
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("published")


def downgrade():
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(
        sa.text("UPDATE meetings SET published = :yes WHERE published_version IS NOT NULL").bindparams(
            yes=True
        )
    )
    with op.batch_alter_table("meetings", schema=None) as batch_op:
        batch_op.drop_column("minutes_withheld_at")
        batch_op.drop_column("published_version")
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_column("co_decided")
