"""Uploads that are not what they claim: a 'cannot verify' answer within 5 seconds, never a
crash, never 'valid'. Everything here goes through the isolated path that uploads take."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from certs import PkiFolder
from esign.signing import isolation
from esign.signing.report import Verdict, VerificationReport
from esign.signing.sign import DocumentSigner, PadesLevel
from esign.signing.verify import TrustConfig, verify

from . import bad_files
from .conftest import RECEIPT_BOX, simple_pdf

LIMIT_SECONDS = 5.0


@pytest.fixture(scope="module")
def signed_receipt(make_signer: Callable[..., DocumentSigner], receipt_pdf: bytes) -> bytes:
    isolation.start()  # the service starts it with the app; the answers below are per file
    return make_signer("seal", PadesLevel.B_B).certify(receipt_pdf, place=RECEIPT_BOX).pdf


def timed_verify(pdf: bytes, trust: TrustConfig, **options: object) -> VerificationReport:
    start = time.monotonic()
    report = verify(pdf, trust=trust, **options)  # type: ignore[arg-type]
    elapsed = time.monotonic() - start
    assert elapsed < LIMIT_SECONDS, f"{elapsed:.2f} s"
    return report


def test_the_intact_receipt_is_valid_through_the_isolated_path(
    signed_receipt: bytes, trust: TrustConfig
) -> None:
    # The baseline the bad files are made from: without it they would prove nothing.
    report = timed_verify(signed_receipt, trust)
    assert report.verdict is Verdict.VALID, report.message_en
    assert report.signatures[0].field_name == "Seal"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda signed: b"", "empty"),
        (lambda signed: "Biên lai số 123, 15.000 đ".encode(), "not a PDF"),
        (lambda signed: b"\x89PNG\r\n\x1a\n" + os.urandom(4000), "not a PDF"),
        (lambda signed: signed[: len(signed) // 2], "EOF marker"),
        (lambda signed: signed[:-200], "EOF marker"),
        (lambda signed: b"%PDF-1.7\n" + b"\0" * (50 * 1024 * 1024), "larger than"),
        (bad_files.kids_loop, "loop"),
        (bad_files.parent_loop, "loop"),
        (bad_files.field_loop, "loop"),
        (bad_files.prev_loop, "loop"),
        (lambda signed: bad_files.kids_loop(simple_pdf()), "loop"),
        (bad_files.garbage_cms, "Cannot verify"),
        (bad_files.wrong_algorithm_cms, "AssertionError"),
    ],
    ids=[
        "zero-bytes",
        "text",
        "png",
        "truncated-half",
        "truncated-tail",
        "50-MB",
        "kids-loop",
        "parent-loop",
        "field-loop",
        "prev-xref-loop",
        "unsigned-kids-loop",
        "garbage-cms",
        "assert-cms",
    ],
)
def test_bad_file_cannot_be_verified_in_time(
    make: Callable[[bytes], bytes], reason: str, signed_receipt: bytes, trust: TrustConfig
) -> None:
    report = timed_verify(make(signed_receipt), trust)
    assert report.verdict is Verdict.CANNOT_VERIFY, report
    assert reason in report.message_en, report.message_en
    assert report.message_vi.startswith("Không kiểm tra được")


def test_the_assert_cms_really_trips_an_assert_in_pyhanko(
    signed_receipt: bytes, shared_folder: PkiFolder
) -> None:
    # The file above is the case it claims to be: pyHanko, called directly, raises.
    reader = PdfFileReader(io.BytesIO(bad_files.wrong_algorithm_cms(signed_receipt)))
    context = ValidationContext(trust_roots=list(shared_folder.trust_store().asn1_roots))
    with pytest.raises(AssertionError):
        validate_pdf_signature(reader.embedded_signatures[0], context)


def test_a_file_over_its_time_or_memory_is_cut_off_and_the_next_one_is_answered(
    signed_receipt: bytes, trust: TrustConfig
) -> None:
    slow = timed_verify(signed_receipt, trust, timeout=0.001)
    assert slow.verdict is Verdict.CANNOT_VERIFY
    assert "longer than" in slow.message_en
    greedy = timed_verify(signed_receipt, trust, memory_bytes=32 * 1024 * 1024)
    assert greedy.verdict is Verdict.CANNOT_VERIFY, greedy
    # The checker survives both: the same file, with room, is valid.
    assert timed_verify(signed_receipt, trust).verdict is Verdict.VALID
