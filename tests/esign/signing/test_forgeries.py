"""Forgeries a verifier leaning on pyHanko's difference analysis accepted: each family, several
instances, from several genuine documents; each is refused with its reason, and the visible
ones are shown to be visible (poppler and PDFium draw something the signed revision does not)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from typer.testing import CliRunner

from certs import PkiFolder
from esign.cli.main import app
from esign.config import get_settings
from esign.signing.report import Verdict, VerificationReport
from esign.signing.sign import (
    DocumentSigner,
    PadesLevel,
    field_name_for,
    prepare_approval_fields,
)
from esign.signing.verify import TrustConfig, verify
from esign.workflows.copies import append_certification
from receipts.pdf import SignaturePlace
from receipts.pdf.result import render_result
from tests.utils import pdf_samples
from tests.utils.pdf_checks import pdftoppm

from . import forged_updates as F
from .conftest import RECEIPT_BOX, RESULT_PLACES, simple_pdf

CHAIN = [field_name_for(1, "judicial_officer"), field_name_for(2, "chairman")]
Forge = Callable[[bytes], bytes]


def _result(
    make_signer: Callable[..., DocumentSigner], level: PadesLevel, *, both: bool, pdf: bytes
) -> bytes:
    first = make_signer("judicial-officer", level).approve(
        pdf, field_name=CHAIN[0], role="judicial_officer"
    )
    if not both:
        return first.pdf
    return (
        make_signer("chairman", level).approve(first.pdf, field_name=CHAIN[1], role="chairman").pdf
    )


@pytest.fixture(scope="module")
def genuine(make_signer: Callable[..., DocumentSigner]) -> dict[str, bytes]:
    """Our own documents: certified receipts, results after one and after both officials."""
    prepared = prepare_approval_fields(simple_pdf("TRÍCH LỤC KHAI SINH"), RESULT_PLACES)
    copy = append_certification(
        simple_pdf("BẢN SAO GIẤY KHAI SINH", pages=2), render_result(pdf_samples.certification())
    )
    copy_places = [
        SignaturePlace.at("", page_index=p.page_index, box=p.rect.as_tuple(), role=p.role)
        for p in copy.signatures
    ]
    assert [p.role for p in copy_places] == ["chairman"]
    unlocked = F.prepare_unlocked(simple_pdf("GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"), RESULT_PLACES)
    return {
        "receipt-B-T": make_signer("seal", PadesLevel.B_T)
        .certify(simple_pdf("BIÊN LAI 7.000 đ"), place=RECEIPT_BOX)
        .pdf,
        "receipt-B-LTA": make_signer("seal", PadesLevel.B_LTA)
        .certify(simple_pdf("BIÊN LAI 7.000 đ", pages=2), place=RECEIPT_BOX)
        .pdf,
        "result-half-B-B": _result(make_signer, PadesLevel.B_B, both=False, pdf=prepared),
        "result-full-B-LT": _result(make_signer, PadesLevel.B_LT, both=True, pdf=prepared),
        "result-unlocked": _result(make_signer, PadesLevel.B_B, both=True, pdf=unlocked),
        "certified-copy-B-LT": make_signer("chairman", PadesLevel.B_LT)
        .approve(
            prepare_approval_fields(copy.pdf, copy_places),
            field_name=field_name_for(1, "chairman"),
            role="chairman",
        )
        .pdf,
    }


BASES = [
    "receipt-B-T",
    "receipt-B-LTA",
    "result-half-B-B",
    "result-full-B-LT",
    "result-unlocked",
    "certified-copy-B-LT",
]

# (builder, problem codes one of which must be named, which readers draw the change: PDFium
# with its form layer and poppler)
BOTH, POPPLER, ONE = (True, True), (False, True), None
FAMILIES: dict[str, tuple[Forge, set[str], tuple[bool, bool] | bool | None]] = {
    "widget_as_signature_field": (F.widget_as_signature_field, {"revision_not_allowed"}, BOTH),
    # a widget outside the form: poppler draws it, PDFium's form layer does not
    "widget_only_in_annots": (F.widget_only_in_annots, {"revision_not_allowed"}, POPPLER),
    "stamp_annotation": (F.stamp_annotation, {"revision_not_allowed"}, BOTH),
    # readers disagree on which of the two entries counts: one of them shows the change
    "duplicate_page_entry": (F.duplicate_page_entry, {"duplicate_xref_entry"}, ONE),
    "duplicate_unchanged_entry": (F.duplicate_unchanged_entry, {"duplicate_xref_entry"}, BOTH),
    "duplicate_info_entry": (F.duplicate_info_entry, {"duplicate_xref_entry"}, False),
    "info_only": (F.info_only, {"revision_not_allowed"}, False),
    "metadata_only": (F.metadata_only, {"revision_not_allowed"}, False),
    "need_appearances": (F.need_appearances, {"revision_not_allowed"}, False),
    "unreferenced_objects": (F.unreferenced_objects, {"revision_not_allowed"}, False),
    "fake_revision_after_eof": (F.fake_revision_after_eof, {"bytes_after_eof"}, False),
    "hidden_object_in_revision": (F.hidden_object_in_revision, {"unlisted_bytes"}, False),
}


def _check(pdf: bytes, trust: TrustConfig) -> VerificationReport:
    return verify(pdf, trust=trust, isolate=False, visual=False)


def _refused(report: VerificationReport, codes: set[str]) -> None:
    assert report.verdict is Verdict.INVALID, report.message_en
    named = {p.code for p in report.problems}
    assert named & codes, (named, report.message_en)
    for problem in report.problems:
        assert problem.message_vi and problem.message_en
        if problem.code == "revision_not_allowed":
            assert problem.revision is not None and f"revision {problem.revision}" in (
                problem.message_en
            )
    assert "KHÔNG hợp lệ" in report.message_vi


def _pdfium(pdf: bytes) -> bytes:
    """Page 1 as a viewer shows it: annotations and form widgets drawn."""
    doc = pdfium.PdfDocument(pdf)
    try:
        doc.init_forms()
        page = doc[0]
        return bytes(
            page.render(scale=40 / 72, draw_annots=True, may_draw_forms=True).to_pil().tobytes()
        )
    finally:
        doc.close()


def _images_differ(before: bytes, after: bytes, tmp: Path) -> tuple[bool, bool]:
    """Whether PDFium and poppler draw page 1 of the two files differently."""
    pdfium = _pdfium(before) != _pdfium(after)
    a = pdftoppm(before, tmp / "before", dpi=40)[0].read_bytes()
    b = pdftoppm(after, tmp / "after", dpi=40)[0].read_bytes()
    return pdfium, a != b


def test_genuine_documents_stay_valid(genuine: dict[str, bytes], trust: TrustConfig) -> None:
    for name, pdf in genuine.items():
        report = _check(pdf, trust)
        expected = Verdict.INCOMPLETE if "half" in name else Verdict.VALID
        assert report.verdict is expected, (name, report.message_en)
        assert not report.problems and report.revisions >= 2


@pytest.mark.parametrize("family", list(FAMILIES))
@pytest.mark.parametrize("base", BASES)
def test_forgery_is_refused_with_its_reason(
    family: str, base: str, genuine: dict[str, bytes], trust: TrustConfig
) -> None:
    forge, codes, _ = FAMILIES[family]
    forged = forge(genuine[base])
    assert forged.startswith(genuine[base])  # an incremental update of the genuine file
    _refused(_check(forged, trust), codes)


@pytest.mark.parametrize(
    "family", [name for name, (_, _, drawn) in FAMILIES.items() if drawn is not False]
)
@pytest.mark.parametrize("base", ["receipt-B-T", "result-full-B-LT"])
def test_visible_forgeries_are_really_visible(
    family: str, base: str, genuine: dict[str, bytes], tmp_path: Path
) -> None:
    """The forgery is real: a reader draws something the genuine file does not."""
    forge, _, drawn = FAMILIES[family]
    seen = _images_differ(genuine[base], forge(genuine[base]), tmp_path)
    if drawn is None:
        assert any(seen)
    else:
        assert seen == drawn


def test_pyhanko_alone_would_accept_the_disguised_widget(
    genuine: dict[str, bytes], trust: TrustConfig
) -> None:
    """What the issue reported: every signature passes pyHanko's own checks (its difference
    analysis takes the widget for form filling), the whitelist refuses."""
    forged = F.widget_as_signature_field(genuine["result-unlocked"])
    report = _check(forged, trust)
    assert all(s.passed for s in report.signatures), report.message_en
    assert report.verdict is Verdict.INVALID
    (problem, *_) = [p for p in report.problems if p.code == "revision_not_allowed"]
    assert problem.revision == 4 and problem.objects


@pytest.mark.parametrize("forge", [F.eof_then_eof, F.duplicate_in_xref_stream])
def test_unreadable_forgeries_are_never_valid(
    forge: Forge, genuine: dict[str, bytes], trust: TrustConfig, tmp_path: Path
) -> None:
    """Bytes after %%EOF ending in another %%EOF; an object listed twice in a cross-reference
    stream (pyHanko's reader stops on both): "cannot verify" at best, never valid."""
    for base in BASES:
        report = _check(forge(genuine[base]), trust)
        assert report.verdict in (Verdict.INVALID, Verdict.CANNOT_VERIFY), report.message_en
    if forge is F.duplicate_in_xref_stream:  # a real forgery: a reader draws the change
        receipt = genuine["receipt-B-T"]
        assert any(_images_differ(receipt, forge(receipt), tmp_path))


def test_appearance_painted_into_the_awaited_field(
    genuine: dict[str, bytes], trust: TrustConfig, tmp_path: Path
) -> None:
    half = genuine["result-half-B-B"]
    forged = F.appearance_of_existing_field(half, CHAIN[1])
    _refused(_check(forged, trust), {"revision_not_allowed"})
    assert _images_differ(half, forged, tmp_path) == (True, True)


@pytest.mark.parametrize("kind", ["contents", "annots", "xobject"])
def test_reference_planted_before_signing(
    kind: str,
    make_signer: Callable[..., DocumentSigner],
    trust: TrustConfig,
    tmp_path: Path,
) -> None:
    """Someone else prepares the PDF with a reference to an object it does not define; the
    ward signs; the object is filled in afterwards."""
    planted, number = F.plant_reference(simple_pdf("BIÊN LAI 7.000 đ"), kind=kind)
    signed = make_signer("seal").certify(planted, place=RECEIPT_BOX).pdf
    filled = F.fill_planted(signed, number, kind=kind)
    for pdf in (signed, filled):
        report = _check(pdf, trust)
        _refused(report, {"undefined_reference"})
        (problem,) = [p for p in report.problems if p.code == "undefined_reference"]
        assert problem.objects == (number,) and str(number) in problem.message_vi
    if kind != "annots":  # a stamp over the page: drawn by both as well, checked below
        assert _images_differ(signed, filled, tmp_path) == (True, True)
    else:
        assert any(_images_differ(signed, filled, tmp_path))


@pytest.mark.parametrize("base", ["receipt-B-T", "receipt-B-LTA", "result-full-B-LT"])
def test_untrusted_timestamp_and_foreign_validation_data(
    base: str, genuine: dict[str, bytes], trust: TrustConfig
) -> None:
    tsa = F.stranger_tsa()
    stamped = _check(F.untrusted_document_timestamp(genuine[base], tsa), trust)
    assert stamped.verdict is Verdict.INVALID, stamped.message_en
    (last,) = [s for s in stamped.signatures if s.kind == "document_timestamp"][-1:]
    assert not last.passed and last.field_name in stamped.message_en
    dss = _check(F.foreign_dss(genuine[base], [tsa[0]]), trust)
    _refused(dss, {"revision_not_allowed"})
    assert "trust roots" in dss.message_en


def test_a_trusted_timestamp_added_later_stays_valid(
    genuine: dict[str, bytes], trust: TrustConfig, shared_folder: PkiFolder
) -> None:
    """The LTA extension of an archived receipt: a new document timestamp from our TSA."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

    from esign.signing import pki as wiring
    from esign.signing.timestamps import FallbackTimeStamper

    stamper = FallbackTimeStamper([wiring.dev_timestamp_source(shared_folder)])
    for base in ("receipt-B-LTA", "result-full-B-LT"):
        writer = IncrementalPdfFileWriter(io.BytesIO(genuine[base]), strict=False)
        extended = PdfTimeStamper(stamper).timestamp_pdf(writer, "sha256").getvalue()
        report = _check(extended, trust)
        assert report.verdict is Verdict.VALID, report.message_en
        assert report.signatures[-1].kind == "document_timestamp"


def test_result_awaiting_its_last_signature_is_not_valid(
    genuine: dict[str, bytes], trust: TrustConfig
) -> None:
    report = _check(genuine["result-half-B-B"], trust)
    assert report.verdict is Verdict.INCOMPLETE and not report.valid
    assert report.awaiting == ("Chủ tịch UBND",)
    assert report.message_vi.startswith("Chưa đủ chữ ký: còn chờ Chủ tịch UBND")


# ---------------------------------------------------------------- through the CLI


@pytest.fixture
def data_dir(pki_folder: PkiFolder, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ESIGN_DATA_DIR", str(pki_folder.path.parent))
    monkeypatch.delenv("ESIGN_TIMESTAMP_URLS", raising=False)
    get_settings.cache_clear()
    yield pki_folder.path.parent
    get_settings.cache_clear()


def test_cli_refuses_forgeries_of_its_own_output(data_dir: Path, tmp_path: Path) -> None:
    """``esign sign`` output, forged several ways: ``esign verify`` exits 1 (not valid) and
    names the reason; the half-signed result exits 3 (awaiting a signature)."""
    runner = CliRunner()
    source = tmp_path / "bien-lai.pdf"
    source.write_bytes(simple_pdf("BIÊN LAI 7.000 đ"))
    signed = tmp_path / "signed.pdf"
    args = ["sign", str(source), "--out", str(signed), "--key", "seal", "--certify"]
    assert runner.invoke(app, [*args, "--box", "330,60,560,120"]).exit_code == 0
    genuine = signed.read_bytes()
    assert runner.invoke(app, ["verify", str(signed)]).exit_code == 0
    for forge in (
        F.widget_as_signature_field,
        F.duplicate_page_entry,
        F.info_only,
        F.need_appearances,
        F.hidden_object_in_revision,
    ):
        path = tmp_path / f"{forge.__name__}.pdf"
        path.write_bytes(forge(genuine))
        result = runner.invoke(app, ["verify", str(path)])
        assert result.exit_code == 1, (forge.__name__, result.output)
        assert "KHÔNG hợp lệ" in result.output and "lần sửa" in result.output
    prepared = tmp_path / "prepared.pdf"
    prepared.write_bytes(prepare_approval_fields(simple_pdf("GIẤY XÁC NHẬN"), RESULT_PLACES))
    half = tmp_path / "half.pdf"
    first = runner.invoke(
        app,
        [
            "sign",
            str(prepared),
            "--out",
            str(half),
            "--key",
            "judicial-officer",
            "--field",
            CHAIN[0],
            "--role",
            "judicial_officer",
        ],
    )
    assert first.exit_code == 0, first.output
    awaiting = runner.invoke(app, ["verify", str(half)])
    assert awaiting.exit_code == 3, awaiting.output
    assert "còn chờ Chủ tịch UBND" in awaiting.output


def test_a_trusted_signature_cannot_carry_other_changes(
    genuine: dict[str, bytes], trust: TrustConfig, make_signer: Callable[..., DocumentSigner]
) -> None:
    """The chairman's own signing revision, but written by a tool that also draws on the page:
    the signature is trusted and pyHanko sees form filling; the revision is still refused."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(genuine["result-half-B-B"]), strict=False)
    drawing = writer.add_object(generic.StreamObject(stream_data=F.RED_AMOUNT))
    writer.add_stream_to_page(0, drawing)
    meta = signers.PdfSignatureMetadata(
        field_name=CHAIN[1], subfilter=fields.SigSeedSubFilter.PADES
    )
    chairman = make_signer("chairman").signer
    pdf = signers.PdfSigner(meta, signer=chairman).sign_pdf(writer, existing_fields_only=True)
    report = _check(pdf.getvalue(), trust)
    _refused(report, {"revision_not_allowed"})
    (problem, *_) = [p for p in report.problems if p.code == "revision_not_allowed"]
    assert problem.revision == 3


@pytest.mark.parametrize("base", ["receipt-B-T", "result-full-B-LT", "certified-copy-B-LT"])
def test_trusted_timestamp_in_a_visible_field_is_refused(
    base: str,
    genuine: dict[str, bytes],
    trust: TrustConfig,
    shared_folder: PkiFolder,
    tmp_path: Path,
) -> None:
    """Our own TSA (a forger can ask any public one), in a field shaped like a timestamp's but
    visible, painting over the page: the timestamp itself is valid; the revision is not."""
    from esign.signing import pki as wiring
    from esign.signing.timestamps import FallbackTimeStamper

    stamper = FallbackTimeStamper([wiring.dev_timestamp_source(shared_folder)])
    forged = F.visible_document_timestamp(genuine[base], stamper)
    report = _check(forged, trust)
    assert report.signatures[-1].kind == "document_timestamp" and report.signatures[-1].passed
    _refused(report, {"revision_not_allowed"})
    assert "viewers may draw" in report.message_en
    assert any(_images_differ(genuine[base], forged, tmp_path))
