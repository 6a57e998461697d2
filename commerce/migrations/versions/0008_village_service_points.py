"""Village service points: orders an agent placed for a customer, and the agent's money

orders.placed_by (the agent who ordered for a customer) and orders.customer_name (a customer with
no phone: the agent is the buyer); agent_entries, the agent's cash and commission movements. The
new order status `arrived` needs no schema change (orders.status is a string).

Revision ID: 0008
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("placed_by", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("customer_name", sa.String(length=60), nullable=True))
        batch_op.create_foreign_key("fk_orders_placed_by_agents", "agents", ["placed_by"], ["id"])
    op.create_table(
        "agent_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(length=80), nullable=True),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name="fk_agent_entries_agent_id_agents"),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_agent_entries_order_id_orders"),
        sa.PrimaryKeyConstraint("id", name="pk_agent_entries"),
    )
    op.create_index("ix_agent_entries_agent_kind_at", "agent_entries", ["agent_id", "kind", "at"])
    op.create_index("ix_agent_entries_order_id", "agent_entries", ["order_id"])


def downgrade() -> None:
    op.drop_index("ix_agent_entries_order_id", table_name="agent_entries")
    op.drop_index("ix_agent_entries_agent_kind_at", table_name="agent_entries")
    op.drop_table("agent_entries")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_constraint("fk_orders_placed_by_agents", type_="foreignkey")
        batch_op.drop_column("customer_name")
        batch_op.drop_column("placed_by")
