"""document snapshots and public reason codes

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Every receipt and result document stores, once, a snapshot of all it states (canonical JSON,
``esign.workflows.snapshot``). Rows issued before this revision keep NULL and are read through
``esign.workflows.stored`` (built from their own columns). A trigger refuses to change a
snapshot once written. Cancellations and replacements get a public reason code beside the
clerk's free text.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_TABLES = ("receipts", "result_documents")


def upgrade() -> None:
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snapshot", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason_code", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("relation_reason_code", sa.String(length=32), nullable=True))
    with op.batch_alter_table("result_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snapshot", sa.Text(), nullable=True))
    _freeze_snapshots()


def _freeze_snapshots() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            """CREATE FUNCTION esign_refuse_snapshot_change() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'esign: the snapshot of % is written once', TG_TABLE_NAME;
            END $$ LANGUAGE plpgsql"""
        )
    for table in _TABLES:
        name = f"{table}_snapshot_frozen"
        if dialect == "postgresql":
            op.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE ON {table} FOR EACH ROW "
                "WHEN (OLD.snapshot IS NOT NULL AND NEW.snapshot IS DISTINCT FROM OLD.snapshot) "
                "EXECUTE FUNCTION esign_refuse_snapshot_change()"
            )
        else:
            op.execute(
                f"CREATE TRIGGER {name} BEFORE UPDATE OF snapshot ON {table} "
                "WHEN OLD.snapshot IS NOT NULL AND NEW.snapshot IS NOT OLD.snapshot "
                f"BEGIN SELECT RAISE(ABORT, 'esign: the snapshot of {table} is written once'); END"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in _TABLES:
        op.execute(
            f"DROP TRIGGER IF EXISTS {table}_snapshot_frozen"
            + (f" ON {table}" if dialect == "postgresql" else "")
        )
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS esign_refuse_snapshot_change()")
    with op.batch_alter_table("result_documents", schema=None) as batch_op:
        batch_op.drop_column("snapshot")
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.drop_column("relation_reason_code")
        batch_op.drop_column("cancel_reason_code")
        batch_op.drop_column("snapshot")
