"""disclosure gate: public names, hidden shared material

Revision ID: 0014_disclosure_gate
Revises: 0013_accounts_trust
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0014_disclosure_gate"
down_revision = "0013_accounts_trust"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
