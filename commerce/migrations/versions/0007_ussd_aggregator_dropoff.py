"""ussd_session_events.aggregator and .last_screen: drop-off per aggregator and per screen

Session ends now come from Hubtel's and Beem's release/timeout notices too, beside Africa's
Talking's reports; each row names its aggregator and the screen the caller last saw (its code in
menus/buyer.py). Rows written before this revision are Africa's Talking's, screen unknown.

Revision ID: 0007
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ussd_session_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("aggregator", sa.String(16), nullable=False, server_default="africastalking"))
        batch_op.add_column(sa.Column("last_screen", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ussd_session_events", schema=None) as batch_op:
        batch_op.drop_column("last_screen")
        batch_op.drop_column("aggregator")
