"""signed revisions of stored documents

Revision ID: 0003a
Revises: 0003
Create Date: 2026-12-01

Each stored PDF's signed revisions (the bytes each signature covers) by SHA-256, so that an
uploaded file bearing the ward's seal or its officials' signatures can be matched with what the
ward issued, revision by revision. Existing documents are indexed here.
"""

from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa
from alembic import op

revision = "0003a"
down_revision = "0003"
branch_labels = None
depends_on = None

# The same reading as esign.db.revisions (a migration keeps its own copy: code moves on).
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def upgrade() -> None:
    table = op.create_table(
        "document_revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id"), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.UniqueConstraint("document_id", "end"),
    )
    op.create_index("ix_document_revisions_document_id", "document_revisions", ["document_id"])
    op.create_index("ix_document_revisions_sha256", "document_revisions", ["sha256"])
    bind = op.get_bind()
    rows = []
    for doc_id, content in bind.execute(sa.text("SELECT id, content FROM documents")):
        data = bytes(content)
        ends = {int(m.group(3)) + int(m.group(4)) for m in _BYTE_RANGE.finditer(data)}
        for end in sorted(e for e in ends if 0 < e <= len(data)):
            rows.append(
                {
                    "document_id": doc_id,
                    "end": end,
                    "sha256": hashlib.sha256(data[:end]).hexdigest(),
                }
            )
    if rows:
        op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_index("ix_document_revisions_sha256", table_name="document_revisions")
    op.drop_index("ix_document_revisions_document_id", table_name="document_revisions")
    op.drop_table("document_revisions")
