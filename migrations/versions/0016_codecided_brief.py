"""governance: co-decided brief, joint meetings as collective actions

Revision ID: 0016_codecided_brief
Revises: 0015_consent_enforced
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0016_codecided_brief"
down_revision = "0015_consent_enforced"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
