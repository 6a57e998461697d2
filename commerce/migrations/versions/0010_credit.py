"""Credit (SPEC §15): sellers' pay-later offers, credit plans with their instalments, groups

sellers.credit_max_minor / credit_weeks (CREDIT ON <max> <weeks>; NULL = off); credit_plans (one
per lay-by or pay-later order); instalments (a pay-later plan's weekly dues); credit_groups and
group_members (buyers who vouch for each other). The new payment methods `layby` and `pay_later`
need no schema change (orders.payment_method is a string).

Revision ID: 0010
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credit_max_minor", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("credit_weeks", sa.Integer(), nullable=True))
    op.create_table(
        "credit_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name="fk_credit_groups_agent_id_agents"),
        sa.PrimaryKeyConstraint("id", name="pk_credit_groups"),
    )
    op.create_index("ix_credit_groups_agent_id", "credit_groups", ["agent_id"])
    op.create_table(
        "group_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("joined_at", sa.DateTime(), nullable=False),
        sa.Column("left_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["credit_groups.id"], name="fk_group_members_group_id_credit_groups"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_group_members_person_id_people"),
        sa.PrimaryKeyConstraint("id", name="pk_group_members"),
        sa.UniqueConstraint("group_id", "person_id", name="uq_group_members_group_person"),
    )
    op.create_index("ix_group_members_group_id", "group_members", ["group_id"])
    op.create_index("ix_group_members_person_id", "group_members", ["person_id"])
    op.create_table(
        "credit_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("total_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("deadline", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=True),
        sa.Column("reminded", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name="fk_credit_plans_order_id_orders"),
        sa.ForeignKeyConstraint(["buyer_id"], ["people.id"], name="fk_credit_plans_buyer_id_people"),
        sa.ForeignKeyConstraint(["seller_id"], ["sellers.id"], name="fk_credit_plans_seller_id_sellers"),
        sa.ForeignKeyConstraint(["group_id"], ["credit_groups.id"], name="fk_credit_plans_group_id_credit_groups"),
        sa.PrimaryKeyConstraint("id", name="pk_credit_plans"),
        sa.UniqueConstraint("order_id", name="uq_credit_plans_order_id"),
    )
    op.create_index("ix_credit_plans_buyer_id", "credit_plans", ["buyer_id"])
    op.create_index("ix_credit_plans_seller_id", "credit_plans", ["seller_id"])
    op.create_index("ix_credit_plans_status_kind", "credit_plans", ["status", "kind"])
    op.create_table(
        "instalments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("amount_minor", sa.Integer(), nullable=False),
        sa.Column("paid_minor", sa.Integer(), nullable=False),
        sa.Column("paid_at", sa.DateTime(), nullable=True),
        sa.Column("reminders", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["credit_plans.id"], name="fk_instalments_plan_id_credit_plans"),
        sa.PrimaryKeyConstraint("id", name="pk_instalments"),
        sa.UniqueConstraint("plan_id", "n", name="uq_instalments_plan_n"),
    )
    op.create_index("ix_instalments_due_at", "instalments", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_instalments_due_at", table_name="instalments")
    op.drop_table("instalments")
    for ix in ("ix_credit_plans_status_kind", "ix_credit_plans_seller_id", "ix_credit_plans_buyer_id"):
        op.drop_index(ix, table_name="credit_plans")
    op.drop_table("credit_plans")
    op.drop_index("ix_group_members_person_id", table_name="group_members")
    op.drop_index("ix_group_members_group_id", table_name="group_members")
    op.drop_table("group_members")
    op.drop_index("ix_credit_groups_agent_id", table_name="credit_groups")
    op.drop_table("credit_groups")
    with op.batch_alter_table("sellers", schema=None) as batch_op:
        batch_op.drop_column("credit_weeks")
        batch_op.drop_column("credit_max_minor")
