"""accounts: email change confirmation, session epoch, invitation acceptance, lockout

Revision ID: 0013_accounts_trust
Revises: 0012_archive_jobs
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0013_accounts_trust"
down_revision = "0012_archive_jobs"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
