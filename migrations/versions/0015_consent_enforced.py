"""consent enforcement and pseudonymisation

Revision ID: 0015_consent_enforced
Revises: 0014_disclosure_gate
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0015_consent_enforced"
down_revision = "0014_disclosure_gate"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
