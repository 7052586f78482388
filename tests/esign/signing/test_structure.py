"""Our own reading of the file's structure (esign.signing.structure): what pyHanko's lenient
reader repairs or ignores is reported, naming the revision and the object."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from esign.signing.report import Verdict
from esign.signing.sign import DocumentSigner, PadesLevel
from esign.signing.structure import read_layout
from esign.signing.verify import TrustConfig, verify

from . import forged_updates as F
from .conftest import RECEIPT_BOX, simple_pdf


@pytest.fixture(scope="module")
def receipts(make_signer: Callable[..., DocumentSigner]) -> list[bytes]:
    return [
        make_signer("seal", level).certify(simple_pdf(pages=pages), place=RECEIPT_BOX).pdf
        for level, pages in ((PadesLevel.B_B, 1), (PadesLevel.B_LT, 2), (PadesLevel.B_LTA, 3))
    ]


def _codes(pdf: bytes) -> set[str]:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return {p.code for p in read_layout(pdf, reader).problems}


def test_genuine_files_have_no_structural_problem(receipts: list[bytes]) -> None:
    for pdf in receipts:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        layout = read_layout(pdf, reader)
        assert layout.problems == ()
        assert layout.revisions[-1].end == len(pdf)
        assert [r.index for r in layout.revisions] == list(range(reader.xrefs.total_revisions))


@pytest.mark.parametrize(
    ("forge", "code"),
    [
        (F.wrong_offset, "bad_xref_offset"),
        (lambda pdf: F.wrong_offset(pdf, shift=20), "bad_xref_offset"),
        (lambda pdf: F.wrong_offset(pdf, shift=-5), "object_outside_revision"),
        (F.startxref_off, "startxref_off"),
        (lambda pdf: F.startxref_off(pdf, shift=3), "startxref_off"),
        (F.old_bytes_as_new, "object_outside_revision"),
        (F.hidden_object_in_revision, "unlisted_bytes"),
        (F.duplicate_page_entry, "duplicate_xref_entry"),
        (F.duplicate_info_entry, "duplicate_xref_entry"),
        (F.fake_revision_after_eof, "bytes_after_eof"),
        (lambda pdf: pdf + b"\x00\n \r\n" + b"junk", "bytes_after_eof"),
    ],
)
def test_structural_problems_are_named(
    forge: Callable[[bytes], bytes], code: str, receipts: list[bytes], trust: TrustConfig
) -> None:
    for pdf in receipts:
        forged = forge(pdf)
        assert code in _codes(forged)
        report = verify(forged, trust=trust, isolate=False, visual=False)
        if report.verdict is Verdict.CANNOT_VERIFY:  # pyHanko itself stops on a bad offset
            assert code in ("bad_xref_offset", "object_outside_revision"), report.message_en
            continue
        assert report.verdict is Verdict.INVALID, report.message_en
        assert code in {p.code for p in report.problems}


def test_freed_objects_are_refused(receipts: list[bytes], trust: TrustConfig) -> None:
    for pdf in receipts:
        report = verify(F.freed_object(pdf), trust=trust, isolate=False, visual=False)
        assert report.verdict is not Verdict.VALID
        if report.verdict is Verdict.INVALID:
            assert "objects freed" in report.message_en or report.problems


def test_trailing_line_endings_are_fine(receipts: list[bytes], trust: TrustConfig) -> None:
    for pdf in receipts:
        report = verify(pdf + b"\r\n\n", trust=trust, isolate=False, visual=False)
        assert report.verdict is Verdict.VALID, report.message_en
