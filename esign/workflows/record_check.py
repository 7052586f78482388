"""The record first: a file that carries the ward's seal or its officials' signatures must be,
revision by revision, what the ward issued.

Signature mathematics says a file was signed with a key; it cannot say the ward issued it (an
official's token used outside the service, a key that leaked). So for every signature whose
certificate is one of ours — a seal or an official's certificate in the ward's PKI, or one bound
to an official's account, or one that signed a result on record — the bytes it covers must be
a signed revision of a document we stored (``document_revisions``). One that is not makes the
file "không phải bản do phường phát hành", whatever the signatures say. The record found gives
the document's *current* status (cancelled, replaced, awaiting a signature), which the pages
put first.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import select
from sqlalchemy.orm import Session

from certs import Role

from ..db.models import DocumentRevision, ResultSignature, User
from ..service import Service
from ..signing.report import Finding, Verdict, VerificationReport
from .public import RecordMatch, find_by_document_sha256, match_documents

NOT_ISSUED = Finding(
    code="not_issued_by_unit",
    message_vi="không phải bản do phường phát hành",
    message_en="not a document the ward issued",
)
_OUR_ROLES = (Role.SEAL, Role.JUDICIAL_OFFICER, Role.CHAIRMAN, Role.VICE_CHAIRMAN)


@dataclass(frozen=True, slots=True)
class RecordCheck:
    ours: bool
    """The file carries at least one signature by a certificate of the ward's."""
    foreign_fields: tuple[str, ...]
    """Fields signed by a certificate of ours whose signed revision we never stored."""
    match: RecordMatch | None
    """The document on record the file belongs to (whole file, or its signed revisions)."""

    @property
    def issued_by_us(self) -> bool:
        return self.ours and not self.foreign_fields


def our_certificates(session: Session, service: Service) -> frozenset[str]:
    """SHA-256 (hex) of every certificate that signs for the ward."""
    pki = service.pki
    found = {
        hashlib.sha256(pki.certificate(name).public_bytes(Encoding.DER)).hexdigest()
        for role in _OUR_ROLES
        for name in pki.names_for(role)
    }
    found.update(h for h in session.scalars(select(User.certificate_sha256)) if h is not None)
    found.update(
        h for h in session.scalars(select(ResultSignature.certificate_sha256)) if h is not None
    )
    return frozenset(found)


def check_record(
    session: Session, pdf: bytes, report: VerificationReport, *, service: Service
) -> RecordCheck:
    whole = find_by_document_sha256(
        session, hashlib.sha256(pdf).hexdigest(), settings=service.settings
    )
    ours = our_certificates(session, service)
    foreign: list[str] = []
    documents: list[int] = []
    # A broken signature is already "not valid" with its own reason; the record speaks of
    # the intact ones: signed with our key, but not what we issued.
    mine = [s for s in report.signatures if s.intact and s.certificate_sha256 in ours]
    for sig in mine:
        end = sig.signed_until
        digest = hashlib.sha256(pdf[:end]).hexdigest() if end else None
        ids = (
            list(
                session.scalars(
                    select(DocumentRevision.document_id).where(
                        DocumentRevision.sha256 == digest, DocumentRevision.end == end
                    )
                )
            )
            if digest
            else []
        )
        if ids:
            documents.extend(ids)
        else:
            foreign.append(sig.field_name)
    match = whole
    if match is None and documents and not foreign:
        match = match_documents(session, documents, settings=service.settings)
        # The signed revisions are ours but the file as a whole is not a version we stored.
        match = dataclasses.replace(match, current=False)
    return RecordCheck(ours=bool(mine), foreign_fields=tuple(foreign), match=match)


def judged(report: VerificationReport, check: RecordCheck) -> VerificationReport:
    """The report with the record's word: a file signed with our certificates that is not what
    we issued is not valid, whatever its signatures say."""
    if not check.foreign_fields or report.verdict is Verdict.CANNOT_VERIFY:
        return report
    fields = ", ".join(check.foreign_fields)
    finding = dataclasses.replace(
        NOT_ISSUED,
        message_vi=f"{NOT_ISSUED.message_vi} (chữ ký {fields} không khớp bản lưu)",
        message_en=f"{NOT_ISSUED.message_en} (signature {fields} matches no stored version)",
    )
    return dataclasses.replace(
        report,
        verdict=Verdict.INVALID,
        message_vi=f"KHÔNG hợp lệ: {finding.message_vi}",
        message_en=f"Not valid: {finding.message_en}",
        problems=(finding, *report.problems),
    )


__all__ = ["NOT_ISSUED", "RecordCheck", "check_record", "judged", "our_certificates"]
