"""Seller reach (SPEC §14, issue 17): followers, broadcasts, broadcast recipients, bulk opt-outs

followers (who asked for a shop's news, with the number's time zones; unfollowing keeps the row);
broadcasts (a seller's NEWS: draft, then sending with its fan-out cursor, then done);
broadcast_recipients (one row per broadcast and person: the broadcast's outbox, at most once);
bulk_optouts (numbers the provider reported as refusing bulk SMS).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "followers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("tz", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("followed_at", sa.DateTime(), nullable=False),
        sa.Column("unfollowed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["seller_id"], ["sellers.id"], name="fk_followers_seller_id_sellers"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_followers_person_id_people"),
        sa.PrimaryKeyConstraint("id", name="pk_followers"),
        sa.UniqueConstraint("seller_id", "person_id", name="uq_followers_seller_person"),
    )
    op.create_index("ix_followers_seller_id_id", "followers", ["seller_id", "id"])
    op.create_index("ix_followers_person_id", "followers", ["person_id"])
    op.create_table(
        "broadcasts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seller_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("followers", sa.Integer(), nullable=False),
        sa.Column("zones", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(), nullable=True),
        sa.Column("fanned_out_at", sa.DateTime(), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["seller_id"], ["sellers.id"], name="fk_broadcasts_seller_id_sellers"),
        sa.PrimaryKeyConstraint("id", name="pk_broadcasts"),
        sa.UniqueConstraint("seller_id", "code", name="uq_broadcasts_seller_code"),
    )
    op.create_index("ix_broadcasts_status_id", "broadcasts", ["status", "id"])
    op.create_table(
        "broadcast_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("broadcast_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=80), nullable=True),
        sa.Column("error", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(["broadcast_id"], ["broadcasts.id"],
                                name="fk_broadcast_recipients_broadcast_id_broadcasts"),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name="fk_broadcast_recipients_person_id_people"),
        sa.PrimaryKeyConstraint("id", name="pk_broadcast_recipients"),
        sa.UniqueConstraint("broadcast_id", "person_id", name="uq_broadcast_recipients_broadcast_person"),
    )
    op.create_index("ix_broadcast_recipients_status_due", "broadcast_recipients", ["status", "due_at"])
    op.create_index("ix_broadcast_recipients_broadcast_status", "broadcast_recipients", ["broadcast_id", "status"])
    op.create_index("ix_broadcast_recipients_provider_id", "broadcast_recipients", ["provider_id"])
    op.create_table(
        "bulk_optouts",
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("phone", name="pk_bulk_optouts"),
    )


def downgrade() -> None:
    op.drop_table("bulk_optouts")
    for ix in ("ix_broadcast_recipients_provider_id", "ix_broadcast_recipients_broadcast_status",
               "ix_broadcast_recipients_status_due"):
        op.drop_index(ix, table_name="broadcast_recipients")
    op.drop_table("broadcast_recipients")
    op.drop_index("ix_broadcasts_status_id", table_name="broadcasts")
    op.drop_table("broadcasts")
    op.drop_index("ix_followers_person_id", table_name="followers")
    op.drop_index("ix_followers_seller_id_id", table_name="followers")
    op.drop_table("followers")
