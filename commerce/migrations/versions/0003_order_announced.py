"""orders.announced: whether the seller's and agent's notices of a new order are written yet

The USSD hop places an order with `announced` false; a worker writes the notices (the outbox rows)
a second or two later and sets it, and a minute sweep finds, through the partial index, any order
still unannounced. Orders placed before this revision had their notices written with them.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("announced", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_index("ix_orders_unannounced", "orders", ["id"], sqlite_where=sa.text("NOT announced"),
                    postgresql_where=sa.text("NOT announced"))


def downgrade() -> None:
    op.drop_index("ix_orders_unannounced", table_name="orders")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("announced")
