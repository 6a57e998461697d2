"""Broadcast recipients: the claim's index carries the id (status, due_at, id)

The pump claims `pending` rows in (due_at, id) order from a cursor (commerce.broadcasts.claim).
With the id in the index, PostgreSQL reads the next rows straight from the index, from the
cursor on, instead of sorting every pending row of a 400,000-row broadcast for each provider
call. (SQLite keeps the rowid, which is the id, in every index already.)

Revision ID: 0012
Revises: 0011
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_broadcast_recipients_status_due_id", "broadcast_recipients", ["status", "due_at", "id"])
    op.drop_index("ix_broadcast_recipients_status_due", table_name="broadcast_recipients")


def downgrade() -> None:
    op.create_index("ix_broadcast_recipients_status_due", "broadcast_recipients", ["status", "due_at"])
    op.drop_index("ix_broadcast_recipients_status_due_id", table_name="broadcast_recipients")
