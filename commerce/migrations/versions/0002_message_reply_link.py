"""messages: link_id and short_code, for replies to Africa's Talking premium (on-demand) SMS

An on-demand subscriber's message arrives with a `linkId`; the reply must go back from the same
short code with that linkId (AT's premium send), or AT refuses or bills it as bulk.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_id", sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column("short_code", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("short_code")
        batch_op.drop_column("link_id")
