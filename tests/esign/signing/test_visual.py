"""The visual check (esign.signing.visual): both renderers, genuine documents and forgeries.

Every forgery is an incremental update written byte by byte (``forgeries.py``) after our own
signatures; every document is signed with the test PKI; nothing is mocked: PDFium and poppler
render for real.
"""

from __future__ import annotations

import dataclasses
import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pyhanko.pdf_utils.reader import PdfFileReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from esign.signing.errors import VisualCheckError
from esign.signing.sign import (
    DocumentSigner,
    PadesLevel,
    SignaturePlace,
    field_name_for,
    prepare_approval_fields,
)
from esign.signing.visual import (
    DEFAULT_DPI,
    PageBox,
    VisualDifference,
    _render_pdfium,
    _render_poppler,
    rendered_changes,
)
from receipts.pdf import RenderedDocument, render_receipt, render_result
from tests.utils.pdf_samples import fee_line, make_receipt, marital

from . import forgeries as F
from .conftest import simple_pdf

RENDERERS = {"pdfium", "poppler"}
FONTS = "/usr/share/fonts/truetype/dejavu/"


@dataclass(frozen=True)
class Case:
    """A signed document, its signed revisions with the boxes later signing may fill, and
    where a forger would change a figure."""

    name: str
    pdf: bytes
    revisions: tuple[tuple[int, tuple[PageBox, ...]], ...]
    figure: bytes
    """A figure as it is written in the page's content (a hex string of the subset font)."""
    forged_figure: bytes
    figure_box: tuple[float, float, float, float]
    """Around the drawn figure, in points."""


def signed_ends(pdf: bytes) -> list[int]:
    """Where each signed revision ends: the end of its signature's byte range."""
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return sorted(int(s.byte_range[2]) + int(s.byte_range[3]) for s in reader.embedded_signatures)


def box(place: SignaturePlace) -> PageBox:
    return PageBox(place.page, *place.box)


def found_by(differences: Sequence[VisualDifference], *, revision: int | None = None) -> set[str]:
    return {d.renderer for d in differences if revision is None or d.revision == revision}


def receipt_7000() -> RenderedDocument:
    """A realistic receipt (receipts.pdf) of one fee line of 7.000 đ."""
    base = make_receipt(lines=0)
    line = fee_line(0, quantity=1, unit_price=7_000, amount=7_000)
    return render_receipt(dataclasses.replace(base, lines=(line, *base.lines), total=7_000))


def _places(doc: RenderedDocument) -> list[SignaturePlace]:
    return [
        SignaturePlace(p.field_name, p.page_index, p.rect.as_tuple(), role=p.role)
        for p in doc.signatures
    ]


@pytest.fixture(scope="module")
def cases(make_signer: Callable[..., DocumentSigner]) -> dict[str, Case]:
    out: dict[str, Case] = {}
    doc = receipt_7000()
    (seal,) = _places(doc)
    for level in (PadesLevel.B_B, PadesLevel.B_LT):
        pdf = make_signer("seal", level).certify(doc.pdf, place=seal).pdf
        out[f"receipt {level.value}"] = Case(
            f"receipt {level.value}",
            pdf,
            ((signed_ends(pdf)[0], ()),),
            b"<372e30303020a3>",  # the total, "7.000 đ" → "17.000 đ"
            b"<31372e30303020a3>",
            (505, 509, 553, 521),
        )
    result = render_result(marital())
    places = _places(result)
    officials = ("judicial-officer", "chairman")
    for level in (PadesLevel.B_B, PadesLevel.B_LT):
        pdf = prepare_approval_fields(result.pdf, places)
        fields = [field_name_for(i, p.role) for i, p in enumerate(places, start=1)]
        for who, name, place in zip(officials, fields, places, strict=True):
            pdf = make_signer(who, level).approve(pdf, field_name=name, role=place.role).pdf
            ends = signed_ends(pdf)
            revisions = tuple(
                (end, tuple(box(p) for p in places[i + 1 :])) for i, end in enumerate(ends)
            )
            name_ = f"result {len(ends)} signature(s) {level.value}"
            out[name_] = Case(
                name_,
                pdf,
                revisions,
                b"<30352f30332f31393936>",  # date of birth, 05/03/1996 → 05/03/1986
                b"<30352f30332f31393836>",
                (229, 589, 300, 602),
            )
    return out


GENUINE = [
    "receipt B-B",
    "receipt B-LT",
    "result 1 signature(s) B-B",
    "result 2 signature(s) B-B",
    "result 2 signature(s) B-LT",
]


@pytest.mark.parametrize("name", GENUINE)
def test_genuine_documents_show_no_difference(name: str, cases: dict[str, Case]) -> None:
    case = cases[name]
    assert case.revisions, "a signed document"
    if name.endswith("B-LT") or "2 signature" in name:
        # something follows the first signed revision: the check has work to do
        assert case.revisions[0][0] < len(case.pdf)
    assert rendered_changes(case.pdf, revisions=case.revisions) == ()


@pytest.mark.parametrize("level", ["B-B", "B-LT"])
def test_a_later_stamp_not_allowed_is_seen(level: str, cases: dict[str, Case]) -> None:
    case = cases[f"result 2 signature(s) {level}"]
    (first_end, allowed), second = case.revisions
    assert allowed, "the chairman's box"
    for boxes in ((), tuple(dataclasses.replace(b, page=b.page + 1) for b in allowed)):
        # no box, or the right box on the wrong page: the chairman's stamp is a change
        found = rendered_changes(case.pdf, revisions=((first_end, boxes), second))
        assert {(d.revision, d.renderer, d.page) for d in found} == {
            (0, "pdfium", 0),
            (0, "poppler", 0),
        }
        assert all("sau khi ký" in d.message_vi for d in found)
    # the judicial officer's box allowed instead of the chairman's: still seen
    judicial = render_result(marital()).signature("judicial_officer")
    wrong = (PageBox(judicial.page_index, *judicial.rect.as_tuple()),)
    found = rendered_changes(case.pdf, revisions=((first_end, wrong), second))
    assert found_by(found, revision=0) == RENDERERS


def _forge(kind: str, case: Case) -> bytes:
    pdf = case.pdf
    if kind == "content stream replaced":
        return F.replace_content(pdf, case.figure, case.forged_figure)
    if kind == "annotation with appearance":
        drawing = b"1 g 0 0 150 40 re f 0 g " + F.text_drawing("17.000 d", 5, 15)
        return F.add_annotation(pdf, (100, 440, 250, 480), drawing)
    if kind == "annotation dressed as a signature":
        drawing = b"0 g " + F.text_drawing("DA THU 17.000 d", 5, 15)
        kind_ = b"/Subtype /Widget /FT /Sig /T (Seal2)"
        return F.add_annotation(pdf, (60, 440, 250, 480), drawing, kind=kind_)
    if kind == "new page":
        return F.add_page(pdf)
    if kind == "MediaBox smaller":
        return F.set_page_entries(pdf, MediaBox=b"[0 0 595.2756 800]")
    if kind == "MediaBox moved":
        return F.set_page_entries(pdf, MediaBox=b"[0 -20 595.2756 821.8898]")
    if kind == "CropBox added":  # the seal and the bottom of the page cut off
        return F.set_page_entries(pdf, CropBox=b"[0 250 595.2756 841.8898]")
    if kind == "Rotate 180":
        return F.set_page_entries(pdf, Rotate=b"180")
    if kind == "white box over the figure":
        return F.draw_over(pdf, F.white_box(case.figure_box))
    raise AssertionError(kind)


FORGERIES = [
    "content stream replaced",
    "annotation with appearance",
    "annotation dressed as a signature",
    "new page",
    "MediaBox smaller",
    "MediaBox moved",
    "CropBox added",
    "Rotate 180",
    "white box over the figure",
]


@pytest.mark.parametrize("name", ["receipt B-B", "result 2 signature(s) B-B"])
@pytest.mark.parametrize("kind", FORGERIES)
def test_forgeries_are_seen_by_both_renderers(kind: str, name: str, cases: dict[str, Case]) -> None:
    case = cases[name]
    forged = _forge(kind, case)
    assert forged.startswith(case.pdf) and len(forged) > len(case.pdf)
    found = rendered_changes(forged, revisions=case.revisions)
    for revision in range(len(case.revisions)):
        assert found_by(found, revision=revision) == RENDERERS, (revision, found)
    pages = {d.page for d in found}
    assert pages == ({-1} if kind == "new page" else {0})


@pytest.mark.parametrize(("forged_first", "fooled"), [(False, "pdfium"), (True, "poppler")])
def test_readers_that_disagree_are_caught_by_one(
    forged_first: bool, fooled: str, cases: dict[str, Case]
) -> None:
    """One xref section defines the content stream twice: PDFium reads the last definition,
    poppler the first (measured). The reader that shows the forgery reports it."""
    for name in ("receipt B-B", "result 2 signature(s) B-B"):
        case = cases[name]
        forged = F.duplicate_definition(
            case.pdf, case.figure, case.forged_figure, forged_first=forged_first
        )
        found = rendered_changes(forged, revisions=case.revisions)
        assert fooled in found_by(found, revision=0), (name, found)


# -- the resolution: a changed digit of small text must change pixels ---------------------


def _digit_pages(font: str, size: float) -> bytes:
    """Ten pages, page i shows "Tổng cộng: 7.0i0 đ" in ``font`` at ``size`` points."""
    name = f"EsignVisual-{Path(font).stem}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, FONTS + font))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595.28, 841.89), invariant=1)
    for digit in range(10):
        c.setFont(name, size)
        c.drawString(72, 700, f"Tổng cộng: 7.0{digit}0 đ")
        c.showPage()
    c.save()
    return buf.getvalue()


def _renderings(pdf: bytes, folder: Path) -> dict[str, tuple[Image.Image, ...]]:
    deadline = time.monotonic() + 60
    return {
        "pdfium": _render_pdfium(pdf, dpi=DEFAULT_DPI, deadline=deadline).pages,
        "poppler": _render_poppler(pdf, folder, dpi=DEFAULT_DPI, deadline=deadline).pages,
    }


@pytest.mark.parametrize(
    ("font", "size"),
    [("DejaVuSans.ttf", 10), ("DejaVuSans-Bold.ttf", 10), ("DejaVuSerif.ttf", 8)],
)
def test_every_changed_digit_changes_pixels(font: str, size: float, tmp_path: Path) -> None:
    """All 90 ordered pairs of digits: shift k turns page i's digit into (i + k) mod 10. Each
    change is found by both renderers, and moves some pixel by at least half the gray scale
    at the default resolution (a margin: at 36 dpi the weakest moves one by 63)."""
    signed = _digit_pages(font, size)
    before = _renderings(signed, tmp_path / "signed")
    for shift in range(1, 10):
        objects = []
        for index in range(10):
            p = F.page(signed, index)
            old = b"7.0%d0" % index
            assert old in p.first_content
            new = b"7.0%d0" % ((index + shift) % 10)
            objects.append((p.content_number, F.stream(p.first_content.replace(old, new))))
        forged = F.append_update(signed, objects)
        found = rendered_changes(forged, revisions=((len(signed), ()),))
        after = _renderings(forged, tmp_path / f"shift{shift}")
        for renderer in RENDERERS:
            assert {d.page for d in found if d.renderer == renderer} == set(range(10)), (
                renderer,
                shift,
            )
            for page, (a, b) in enumerate(zip(before[renderer], after[renderer], strict=True)):
                largest = ImageChops.difference(a, b).getextrema()[1]
                assert isinstance(largest, int) and largest >= 128, (renderer, shift, page)


# -- geometry: allowed boxes on rotated and cropped pages -----------------------------------

MARK = (300.0, 400.0, 420.0, 450.0)


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("crop", [None, (40, 60, 520, 800)])
def test_allowed_box_follows_rotation_and_crop_box(
    rotate: int, crop: tuple[int, int, int, int] | None
) -> None:
    entries = {"Rotate": b"%d" % rotate}
    if crop is not None:
        entries["CropBox"] = b"[%d %d %d %d]" % crop
    signed = F.set_page_entries(simple_pdf("TRANG XOAY"), **entries)
    x0, y0, x1, y1 = MARK
    later = F.draw_over(signed, b"0 g %.2f %.2f %.2f %.2f re f" % (x0, y0, x1 - x0, y1 - y0))
    exact = PageBox(0, *MARK)
    assert rendered_changes(later, revisions=((len(signed), (exact,)),)) == ()
    for dx, dy in ((4, 0), (-4, 0), (0, 4), (0, -4)):
        moved = PageBox(0, x0 + dx, y0 + dy, x1 + dx, y1 + dy)
        found = rendered_changes(later, revisions=((len(signed), (moved,)),))
        assert found_by(found) == RENDERERS, (dx, dy)
    # the box given with its corners swapped is the same box
    swapped = PageBox(0, x1, y1, x0, y0)
    assert rendered_changes(later, revisions=((len(signed), (swapped,)),)) == ()


# -- failures: never "no difference" when a renderer did not run ---------------------------


def test_unreadable_file_raises() -> None:
    for junk in (b"%PDF-1.7\nthis is not a PDF at all\n%%EOF\n", b"\x00" * 200):
        with pytest.raises(VisualCheckError):
            rendered_changes(junk + b"more\n", revisions=((len(junk), ()),))
    # a revision that is the whole file cannot differ from it: nothing is rendered
    junk = b"%PDF-1.7\nnot a PDF\n"
    assert rendered_changes(junk, revisions=((len(junk), ()),)) == ()


def test_revision_end_outside_the_file_raises() -> None:
    pdf = simple_pdf()
    for end in (0, -1, len(pdf) + 1):
        with pytest.raises(VisualCheckError):
            rendered_changes(pdf, revisions=((end, ()),))


def test_time_budget_raises(cases: dict[str, Case]) -> None:
    case = cases["result 2 signature(s) B-B"]
    start = time.monotonic()
    with pytest.raises(VisualCheckError, match="thời gian"):
        rendered_changes(case.pdf, revisions=case.revisions, timeout=1e-6)
    assert time.monotonic() - start < 5


def test_poppler_over_its_deadline_raises(tmp_path: Path) -> None:
    pdf = simple_pdf(pages=30)
    with pytest.raises(VisualCheckError, match="poppler"):
        _render_poppler(pdf, tmp_path / "r", dpi=DEFAULT_DPI, deadline=time.monotonic())


def test_missing_pdftoppm_raises(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    pdf = simple_pdf()
    later = F.set_page_entries(pdf, Rotate=b"0")
    with pytest.raises(VisualCheckError, match="pdftoppm"):
        rendered_changes(later, revisions=((len(pdf), ()),))


def test_no_revision_means_nothing_to_compare() -> None:
    assert rendered_changes(simple_pdf(), revisions=()) == ()
