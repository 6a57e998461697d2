"""Mobile-money rails and refunds owed (issue 15)

checkouts: the rail that asked (africastalking, mpesa, momo), the amount asked, the receipt and
amount a callback reported, and how many status queries were made; an index for the sweep that
finds checkouts still waiting. refunds: money held that is not an order's to keep, until the
operator marks it paid out.

Revision ID: 0006
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rail", sa.String(16), nullable=False, server_default="africastalking"))
        batch_op.add_column(sa.Column("asked_minor", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("asked_currency", sa.String(3), nullable=True))
        batch_op.add_column(sa.Column("receipt", sa.String(80), nullable=True))
        batch_op.add_column(sa.Column("reported_minor", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("polls", sa.Integer(), nullable=False, server_default="0"))
    op.create_index("ix_checkouts_status_created", "checkouts", ["status", "created_at"])
    op.create_table(
        "refunds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("payment_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(24), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("rail", sa.String(16), nullable=False),
        sa.Column("reference", sa.String(80), nullable=True),
        sa.Column("payee", sa.String(20), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("paid_out_at", sa.DateTime(), nullable=True),
        sa.Column("paid_out_reference", sa.String(80), nullable=True),
        sa.Column("paid_out_by", sa.String(40), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_refunds_order_id_orders"),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"], name="fk_refunds_payment_id_payments"),
        sa.PrimaryKeyConstraint("id", name="pk_refunds"),
        sa.UniqueConstraint("payment_id", "reason", name="uq_refunds_payment_reason"),
    )
    op.create_index("ix_refunds_order_id", "refunds", ["order_id"])
    op.create_index("ix_refunds_status_id", "refunds", ["status", "id"])


def downgrade() -> None:
    op.drop_index("ix_refunds_status_id", table_name="refunds")
    op.drop_index("ix_refunds_order_id", table_name="refunds")
    op.drop_table("refunds")
    op.drop_index("ix_checkouts_status_created", table_name="checkouts")
    with op.batch_alter_table("checkouts", schema=None) as batch_op:
        for column in ("polls", "reported_minor", "receipt", "asked_currency", "asked_minor", "rail"):
            batch_op.drop_column(column)
