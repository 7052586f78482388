"""The verification report, in the manner of the EU DSS simple report: one verdict for the
file, and for each signature an indication, a sub-indication and a sentence in Vietnamese and
English."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class Indication(enum.StrEnum):
    TOTAL_PASSED = "TOTAL_PASSED"
    INDETERMINATE = "INDETERMINATE"
    TOTAL_FAILED = "TOTAL_FAILED"


class Verdict(enum.StrEnum):
    VALID = "valid"
    INVALID = "invalid"
    CANNOT_VERIFY = "cannot_verify"
    INCOMPLETE = "incomplete"
    """Every signature present is valid, but a prepared signature field is still empty."""


VERDICT_TEXT = {
    Verdict.VALID: ("Hợp lệ", "Valid"),
    Verdict.INVALID: ("KHÔNG hợp lệ", "Not valid"),
    Verdict.CANNOT_VERIFY: ("Không kiểm tra được", "Cannot verify"),
    Verdict.INCOMPLETE: ("Chưa đủ chữ ký", "Not yet fully signed"),
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason the file is not valid, naming the revision and objects it concerns."""

    code: str
    message_vi: str
    message_en: str
    revision: int | None = None
    objects: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class SignatureReport:
    field_name: str
    kind: str
    """``signature``, ``certification`` or ``document_timestamp``."""
    signer_name: str | None
    certificate_serial: str | None
    issuer: str | None
    signing_time: dt.datetime | None
    """Claimed by the signer (``/M``): not proof on its own."""
    timestamp_time: dt.datetime | None
    timestamp_authority: str | None
    level: str | None
    indication: Indication
    sub_indication: str | None
    message_vi: str
    message_en: str
    intact: bool
    trusted: bool
    revoked: bool
    covers_whole_file: bool
    coverage: str | None
    modification_level: str | None
    docmdp_ok: bool | None
    signed_until: int | None = None
    """Where the revision this signature covers ends: ``file[:signed_until]`` is what was
    signed (the end of its /ByteRange)."""
    certificate_sha256: str | None = None
    """SHA-256 (hex) of the signer's certificate: how the service knows its own signers."""

    @property
    def passed(self) -> bool:
        return self.indication is Indication.TOTAL_PASSED


@dataclass(frozen=True, slots=True)
class VerificationReport:
    verdict: Verdict
    message_vi: str
    message_en: str
    signatures: tuple[SignatureReport, ...] = ()
    sha256: str | None = None
    size: int = 0
    matches_record: bool | None = None
    """For our own documents: whether the file is the one on record (same SHA-256)."""
    revisions: int = 0
    """Revisions (incremental updates) in the file."""
    problems: tuple[Finding, ...] = ()
    """Why it is not valid: structure, revisions after signing, rendering."""
    awaiting: tuple[str, ...] = ()
    """Titles (Vietnamese) of the officials whose signature fields are still empty."""

    @property
    def valid(self) -> bool:
        return self.verdict is Verdict.VALID


def cannot_verify(
    reason_vi: str, reason_en: str, *, size: int = 0, sha256: str | None = None
) -> VerificationReport:
    return VerificationReport(
        verdict=Verdict.CANNOT_VERIFY,
        message_vi=f"Không kiểm tra được: {reason_vi}",
        message_en=f"Cannot verify: {reason_en}",
        size=size,
        sha256=sha256,
    )
