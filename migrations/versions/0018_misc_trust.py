"""misc trust fixes

Revision ID: 0018_misc_trust
Revises: 0017_exactly_once
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0018_misc_trust"
down_revision = "0017_exactly_once"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
