"""the XML original of receipts and the notices 04/SS-CTĐT

Revision ID: 0006
Revises: 0003a
Create Date: 2026-12-01

Receipts issued under Nghị định 254/2026/NĐ-CP get a signed XML original (Thông tư 91/2026/
TT-BTC Điều 18), stored in ``documents`` and linked by ``receipt_xml``. An error other than in
the amount or the tax code is corrected by notifying the payer (Mẫu 04/SS-CTĐT, Điều 20):
``receipt_notices``. New tables only: the receipts table (and its snapshot trigger) is left
as it is.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0003a"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "receipt_xml",
        sa.Column("receipt_id", sa.Integer(), sa.ForeignKey("receipts.id"), primary_key=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
    )
    op.create_table(
        "receipt_notices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("receipt_id", sa.Integer(), sa.ForeignKey("receipts.id"), nullable=False),
        sa.Column("error_kind", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("notified_to", sa.String(length=250), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("clerk_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("clerk_name", sa.String(length=200), nullable=False),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
    )
    op.create_index("ix_receipt_notices_receipt_id", "receipt_notices", ["receipt_id"])


def downgrade() -> None:
    op.drop_index("ix_receipt_notices_receipt_id", table_name="receipt_notices")
    op.drop_table("receipt_notices")
    op.drop_table("receipt_xml")
