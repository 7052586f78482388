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
from esign.signing.renderers import MAX_PAGES, render_pdfium, render_poppler
from esign.signing.sign import (
    DocumentSigner,
    PadesLevel,
    field_name_for,
    prepare_approval_fields,
)
from esign.signing.visual import (
    DEFAULT_DPI,
    PageBox,
    VisualDifference,
    rendered_changes,
    signature_boxes,
)
from receipts.pdf import RenderedDocument, SignaturePlace, render_receipt, render_result
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
    return PageBox(place.page_index, *place.rect.as_tuple())


def found_by(differences: Sequence[VisualDifference], *, revision: int | None = None) -> set[str]:
    return {d.renderer for d in differences if revision is None or d.revision == revision}


def receipt_7000() -> RenderedDocument:
    """A realistic receipt (receipts.pdf) of one fee line of 7.000 đ."""
    base = make_receipt(lines=0)
    line = fee_line(0, quantity=1, unit_price=7_000, amount=7_000)
    return render_receipt(dataclasses.replace(base, lines=(line, *base.lines)))


def _places(doc: RenderedDocument) -> list[SignaturePlace]:
    return [
        SignaturePlace.at(p.field_name, page_index=p.page_index, box=p.rect.as_tuple(), role=p.role)
        for p in doc.signatures
    ]


@pytest.fixture(scope="module")
def cases(make_signer: Callable[..., DocumentSigner]) -> dict[str, Case]:
    out: dict[str, Case] = {}
    doc = receipt_7000()
    (seal,) = _places(doc)
    for level in (PadesLevel.B_B, PadesLevel.B_LT, PadesLevel.B_LTA):
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
    "receipt B-LTA",
    "result 1 signature(s) B-B",
    "result 2 signature(s) B-B",
    "result 2 signature(s) B-LT",
]


@pytest.mark.parametrize("name", GENUINE)
def test_genuine_documents_show_no_difference(name: str, cases: dict[str, Case]) -> None:
    case = cases[name]
    assert case.revisions, "a signed document"
    if "B-LT" in name or "2 signature" in name:
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


TRICKY: dict[str, Callable[[bytes, bytes, bytes], bytes]] = {
    "one object twice in an xref section, forged last": lambda pdf, old, new: (
        F.duplicate_definition(pdf, old, new, forged_first=False)
    ),
    "one object twice in an xref section, forged first": lambda pdf, old, new: (
        F.duplicate_definition(pdf, old, new, forged_first=True)
    ),
    "forged definition no xref entry points to": F.unlisted_definition,
    "object appended without xref": F.appended_without_xref,
    "startxref pointing nowhere": F.broken_startxref,
    "trailer without /Prev": F.without_prev,
}


@pytest.mark.parametrize("name", ["receipt B-B", "result 2 signature(s) B-B"])
@pytest.mark.parametrize("trick", list(TRICKY))
def test_a_reader_fooled_by_a_malformed_update_reports_it(
    trick: str, name: str, cases: dict[str, Case], tmp_path: Path
) -> None:
    """Malformed updates that readers repair in their own ways (measured: PDFium takes the
    last of two xref entries and rebuilds a file with an object appended without xref,
    poppler takes the first and keeps the last good xref). Each reader draws either the
    signed content or the forged one; exactly the readers that draw the forged one report a
    change."""
    case = cases[name]
    tricky = TRICKY[trick](case.pdf, case.figure, case.forged_figure)
    clean = F.clean_forgery(case.pdf, case.figure, case.forged_figure)
    signed_end = case.revisions[0][0]
    drawn = {
        label: _renderings(pdf, tmp_path / label)
        for label, pdf in (("tricky", tricky), ("clean", clean), ("signed", case.pdf))
    }
    fooled = set()
    for renderer in RENDERERS:
        tricky_pages = [p.tobytes() for p in drawn["tricky"][renderer]]
        if tricky_pages == [p.tobytes() for p in drawn["clean"][renderer]]:
            fooled.add(renderer)
        else:  # not fooled: it draws what was signed
            assert tricky_pages == [p.tobytes() for p in drawn["signed"][renderer]], renderer
    if trick != "forged definition no xref entry points to":  # that one fools nobody here
        assert fooled, "a trick that fools no reader proves nothing"
    found = rendered_changes(tricky, revisions=((signed_end, case.revisions[0][1]),))
    assert found_by(found) == fooled, (trick, fooled, found)


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


def _renderings(pdf: bytes, folder: Path) -> dict[str, list[Image.Image]]:
    deadline = time.monotonic() + 60
    return {
        "pdfium": render_pdfium(pdf, dpi=DEFAULT_DPI, deadline=deadline),
        "poppler": render_poppler(pdf, folder, dpi=DEFAULT_DPI, deadline=deadline),
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
    signed = F.set_page_entries(simple_pdf("TRANG XOAY"), **entries)  # type: ignore[arg-type]
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


def test_unreadable_file_raises(tmp_path: Path) -> None:
    for junk in (b"%PDF-1.7\nthis is not a PDF at all\n%%EOF\n", b"\x00" * 200):
        with pytest.raises(VisualCheckError):
            rendered_changes(junk + b"more\n", revisions=((len(junk), ()),))
    # poppler on its own: a failing pdftoppm is an error too, not zero pages
    with pytest.raises(VisualCheckError) as caught:
        render_poppler(
            b"%PDF-1.7\nnot a PDF\n", tmp_path / "p", dpi=72, deadline=time.monotonic() + 30
        )
    assert "pdftoppm failed with status" in caught.value.message_en
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
        render_poppler(pdf, tmp_path / "r", dpi=DEFAULT_DPI, deadline=time.monotonic())


def test_missing_pdftoppm_raises(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    pdf = simple_pdf()
    later = F.set_page_entries(pdf, Rotate=b"0")
    with pytest.raises(VisualCheckError, match="pdftoppm"):
        rendered_changes(later, revisions=((len(pdf), ()),))


def test_no_revision_means_nothing_to_compare() -> None:
    assert rendered_changes(simple_pdf(), revisions=()) == ()


# -- shadow attacks: prepared before signing, revealed after ---------------------------------

SHADOW = (505.0, 505.0, 553.0, 523.0)  # over the receipt's total
SHADOW_DRAWING = b"1 g 0 0 48 18 re f 0 g " + F.text_drawing("17.000 d", 2, 5, 9)
# in the page's content, without a font: the total covered and a stroke before it
SHADOW_SHAPES = b"1 g 505 505 48 18 re f 0 g 503 509 1.2 7 re f"


@pytest.mark.parametrize("attack", ["hidden layer switched on", "check box switched on"])
def test_shadow_attacks_are_seen_by_both_renderers(
    attack: str, make_signer: Callable[..., DocumentSigner]
) -> None:
    """The forger prepares the document (content that shows nothing), the ward signs what it
    sees, the forger reveals the content in a later revision."""
    doc = receipt_7000()
    (seal,) = _places(doc)
    if attack == "hidden layer switched on":
        prepared = F.hidden_layer(doc.pdf, SHADOW_SHAPES)
    else:
        prepared, widget = F.two_state_widget(doc.pdf, SHADOW, SHADOW_DRAWING)
    signed = make_signer("seal").certify(prepared, place=seal).pdf
    # the signer saw the genuine receipt: the prepared content drew nothing (but the stamp)
    assert rendered_changes(signed, revisions=((len(doc.pdf), (box(seal),)),)) == ()
    if attack == "hidden layer switched on":
        forged = F.reveal_layers(signed)
    else:
        forged = F.switch_on(signed, widget)
    found = rendered_changes(forged, revisions=((signed_ends(signed)[0], ()),))
    assert {(d.renderer, d.page) for d in found} == {("pdfium", 0), ("poppler", 0)}


# -- the boxes later signing may fill, read from the signed revision -------------------------


def test_signature_boxes_are_the_empty_fields_of_the_signed_revision(
    cases: dict[str, Case],
) -> None:
    result = render_result(marital())
    judicial, chairman = (box(p) for p in _places(result))
    case = cases["result 2 signature(s) B-B"]
    (first_end, _), (second_end, _) = case.revisions
    first = case.pdf[:first_end]

    def close(a: Sequence[PageBox], b: Sequence[PageBox]) -> bool:
        return len(a) == len(b) and all(
            x.page == y.page
            and all(
                abs(u - v) < 1  # pyHanko writes the field rectangle in whole points
                for u, v in zip(dataclasses.astuple(x), dataclasses.astuple(y), strict=True)
            )
            for x, y in zip(a, b, strict=True)
        )

    assert close(signature_boxes(first), [chairman])
    assert close(signature_boxes(first, empty_only=False), [judicial, chairman])
    assert signature_boxes(first, names={field_name_for(1, "judicial_officer")}) == ()
    assert signature_boxes(case.pdf) == ()  # all signed
    assert close(signature_boxes(case.pdf, empty_only=False), [judicial, chairman])
    # with them, the genuine document shows nothing; the receipt has no empty field
    revisions = [(end, signature_boxes(case.pdf[:end])) for end in (first_end, second_end)]
    assert rendered_changes(case.pdf, revisions=revisions) == ()
    receipt = cases["receipt B-LT"]
    assert signature_boxes(receipt.pdf[: receipt.revisions[0][0]]) == ()
    with pytest.raises(VisualCheckError):
        signature_boxes(b"%PDF-1.7\nnot a PDF\n")


def test_files_beyond_the_limits_are_refused_not_drawn() -> None:
    """Too many pages, or a page whose bitmap would be huge: "cannot verify", not a machine
    out of memory."""
    many = simple_pdf(pages=MAX_PAGES + 1)
    later = F.set_page_entries(many, Rotate=b"0")
    with pytest.raises(VisualCheckError, match="quá nhiều trang"):
        rendered_changes(later, revisions=((len(many), ()),))
    pdf = simple_pdf()
    huge = F.set_page_entries(pdf, MediaBox=b"[0 0 14400 14400]")  # 200 inches a side
    with pytest.raises(VisualCheckError, match="quá lớn"):
        rendered_changes(huge, revisions=((len(pdf), ()),))


def test_pages_are_told_apart(make_signer: Callable[..., DocumentSigner]) -> None:
    """Three pages, the officials' stamps on the second and third: each box counts on its own
    page only, and a change is reported on the page it is on."""
    places = [
        SignaturePlace.at("", page_index=1, box=(60, 80, 280, 150), role="judicial_officer"),
        SignaturePlace.at("", page_index=2, box=(320, 80, 540, 150), role="chairman"),
    ]
    pdf = prepare_approval_fields(simple_pdf("KẾT QUẢ", pages=3), places)
    for i, (who, place) in enumerate(zip(("judicial-officer", "chairman"), places, strict=True)):
        pdf = (
            make_signer(who)
            .approve(pdf, field_name=field_name_for(i + 1, place.role), role=place.role)
            .pdf
        )
    first, second = signed_ends(pdf)
    assert rendered_changes(pdf, revisions=((first, (box(places[1]),)), (second, ()))) == ()
    # the chairman's box on another page: his stamp on page 3 is a change of page 3 only
    elsewhere = PageBox(1, *places[1].rect.as_tuple())
    found = rendered_changes(pdf, revisions=((first, (elsewhere,)), (second, ())))
    assert {(d.revision, d.renderer, d.page) for d in found} == {
        (0, "pdfium", 2),
        (0, "poppler", 2),
    }
    # a forgery on the first page after both signatures: both revisions, page 1 only
    forged = F.draw_over(pdf, F.white_box((72, 725, 300, 745)), index=0)
    found = rendered_changes(forged, revisions=((first, (box(places[1]),)), (second, ())))
    assert {(d.revision, d.renderer, d.page) for d in found} == {
        (r, renderer, 0) for r in (0, 1) for renderer in RENDERERS
    }
