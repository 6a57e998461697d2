"""checkouts: the partial index of `due` rows (an order's first checkout, written with its notices)

A mobile-money order's first checkout is written as a `due` row in the transaction that announces
the order (commerce.orders.announce); the worker's dispatcher starts each when its time comes. The
database, not a Redis list, is then the record of every checkout still to start (issue 13).

Revision ID: 0005
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_checkouts_due", "checkouts", ["created_at"], sqlite_where=sa.text("status = 'due'"),
                    postgresql_where=sa.text("status = 'due'"))
    # Mobile-money orders placed before this revision whose work a Redis list still held: their
    # checkout is started from the database now (or recorded as too late by the job).
    op.execute(sa.text(
        "INSERT INTO checkouts (order_id, status, created_at, updated_at) "
        "SELECT o.id, 'due', o.created_at, o.created_at FROM orders o "
        "WHERE o.status = 'placed' AND o.payment_method = 'mobile_money' AND o.paid_minor = 0 "
        "AND NOT EXISTS (SELECT 1 FROM checkouts c WHERE c.order_id = o.id)"))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM checkouts WHERE status = 'due'"))
    op.drop_index("ix_checkouts_due", table_name="checkouts")
