"""The signed revisions of the PDFs we store, indexed as they are stored.

A signature covers ``pdf[:end]`` where ``end`` closes its ``/ByteRange``. Our own stored
documents are written by our signer, so reading the byte ranges with a pattern is exact here
(an uploaded file is never read this way: the verifier parses those). Indexing happens in a
``before_flush`` hook, so every code path that stores a document (issuing, signing, copies,
timestamp upgrades) indexes it in the same transaction, and none can forget.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from .models import DocumentRevision, StoredDocument

_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def signed_revision_ends(pdf: bytes) -> tuple[int, ...]:
    """Where each signed revision of one of our PDFs ends, in file order, without repeats."""
    ends = {
        int(m.group(3)) + int(m.group(4))
        for m in _BYTE_RANGE.finditer(pdf)
        if 0 < int(m.group(3)) + int(m.group(4)) <= len(pdf)
    }
    return tuple(sorted(ends))


def revisions_of(document: StoredDocument) -> list[DocumentRevision]:
    content = document.content
    return [
        DocumentRevision(
            document=document, end=end, sha256=hashlib.sha256(content[:end]).hexdigest()
        )
        for end in signed_revision_ends(content)
    ]


@event.listens_for(Session, "before_flush")
def index_new_documents(session: Session, _context: Any, _instances: Any) -> None:
    for obj in list(session.new):
        if isinstance(obj, StoredDocument):
            session.add_all(revisions_of(obj))


__all__ = ["index_new_documents", "revisions_of", "signed_revision_ends"]
