"""shared rate-limit buckets

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01

The public pages' token buckets, one row per client key, so that every process and host on one
PostgreSQL spends from the same budget (``esign.db.rate_limits``). SQLite (one process) keeps
its buckets in memory and never writes here; the table exists on both so the schema is one.
A row is a cache, not a record: rows idle for longer than a refill are deleted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_buckets",
        sa.Column("key", sa.String(length=100), primary_key=True),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("stamp", sa.Float(), nullable=False),
        sa.Column("wait", sa.Float(), nullable=False),
    )
    op.create_index("ix_rate_buckets_stamp", "rate_buckets", ["stamp"])


def downgrade() -> None:
    op.drop_index("ix_rate_buckets_stamp", table_name="rate_buckets")
    op.drop_table("rate_buckets")
