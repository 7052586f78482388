"""Active content in supplied PDFs is found with its code, and the rebuild from page pictures
removes all of it while looking like the original (compared in poppler's rendering, not the
PDFium that drew the pictures)."""

from __future__ import annotations

import random
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageFilter, ImageStat

from esign.signing.errors import UnreadablePdfError
from esign.signing.sanitize import KINDS, find_active_content, removed_summary, sanitize
from esign.signing.sign import prepare_approval_fields
from receipts.pdf import render_receipt, render_result
from tests.utils.pdf_checks import page_sizes, pdftoppm
from tests.utils.pdf_samples import birth, certification, make_receipt, marital

from . import bad_files
from .active_pdfs import ACTIVE, PAGE_SIZES, base_objects, linearized, second_revision, write
from .conftest import RESULT_PLACES, simple_pdf


def _grey(path: Path) -> Image.Image:
    """A render in grey, softened: two renderers place edges up to half a pixel apart."""
    with Image.open(path) as image:
        return image.convert("L").filter(ImageFilter.GaussianBlur(1.5))


def _difference(first: Image.Image, second: Image.Image) -> float:
    """Mean absolute difference of two renders, 0-255 per pixel, in grey; differences of a
    few levels are not counted (JPEG draws white as 254)."""
    assert first.size == second.size
    difference = ImageChops.difference(first, second).point(lambda v: v if v > 3 else 0)
    return float(ImageStat.Stat(difference).mean[0])


@pytest.mark.parametrize("name", sorted(ACTIVE))
def test_each_kind_is_found_with_its_code(name: str) -> None:
    make, kinds = ACTIVE[name]
    found = find_active_content(make())
    assert {f.kind for f in found} == kinds
    for f in found:
        assert f.kind in KINDS and f.message_vi and f.message_en
        assert f.message_vi != f.message_en
    object_kinds = kinds - {"incremental_update"}
    assert all(f.object_number for f in found if f.kind in object_kinds)


def test_the_plain_base_and_our_own_templates_have_no_findings() -> None:
    documents = [
        write(base_objects()),
        simple_pdf("BIÊN LAI", pages=3),
        render_receipt(make_receipt()).pdf,
        render_result(marital()).pdf,
        render_result(birth()).pdf,
        render_result(certification()).pdf,
    ]
    for pdf in documents:
        assert find_active_content(pdf) == ()


def test_a_linearised_file_is_one_revision_but_an_update_dressed_as_one_is_not() -> None:
    assert find_active_content(linearized()) == ()
    # A /Linearized entry up front does not hide a real update (written after what it updates).
    objs = base_objects()
    objs[1] = b"<< /Type /Catalog /Pages 2 0 R /Linearized 1 >>"
    dressed = second_revision(write(objs))
    assert b"/Linearized" in dressed[:1024]
    assert [f.kind for f in find_active_content(dressed)] == ["incremental_update"]


def test_empty_signature_fields_are_allowed_but_their_revision_is_said() -> None:
    prepared = prepare_approval_fields(render_result(marital()).pdf, RESULT_PLACES)
    assert [f.kind for f in find_active_content(prepared)] == ["incremental_update"]


def test_a_signature_field_that_draws_or_acts_is_a_form_field() -> None:
    drawn = b"0 0 1 rg 0 0 200 30 re f"
    for widget_extra, expected in (
        (b"/AP << /N 10 0 R >>", {"form_field"}),
        (b"/A << /S /URI /URI (https://x.example) >>", {"form_field", "uri_action"}),
    ):
        objs = base_objects()
        objs[1] = b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [ 9 0 R ] >> >>"
        objs[3] = objs[3].replace(b"/Contents", b"/Annots [ 9 0 R ] /Contents")
        objs[9] = (
            b"<< /FT /Sig /T (Sig1_chairman) /Type /Annot /Subtype /Widget "
            b"/Rect [ 60 600 260 630 ] /P 3 0 R /F 132 " + widget_extra + b" >>"
        )
        objs[10] = (
            b"<< /Type /XObject /Subtype /Form /BBox [ 0 0 200 30 ] /Length %d >>\nstream\n"
            % len(drawn)
            + drawn
            + b"\nendstream"
        )
        kinds = {f.kind for f in find_active_content(write(objs))}
        assert expected <= kinds and "annotation" in kinds, kinds


@pytest.mark.parametrize("name", sorted(ACTIVE))
def test_sanitized_has_nothing_left_same_pages_and_looks_the_same(
    name: str, tmp_path: Path
) -> None:
    original = ACTIVE[name][0]()
    clean = sanitize(original)
    assert find_active_content(clean) == ()
    assert sanitize(original) == clean  # deterministic: no dates, no random /ID
    assert b"/JavaScript" not in clean and b"/AcroForm" not in clean and b"/Annots" not in clean
    sizes = page_sizes(clean)
    assert sizes == page_sizes(original) and len(sizes) >= 2
    expected = list(PAGE_SIZES) if name != "second_revision_of_reportlab" else None
    if expected is not None:
        assert [(round(w, 2), round(h, 2)) for w, h in sizes] == expected
    before = pdftoppm(original, tmp_path / "a", dpi=40)
    after = pdftoppm(clean, tmp_path / "b", dpi=40)
    assert len(before) == len(after) == len(sizes)
    for a, b in zip(before, after, strict=True):
        first, second = _grey(a), _grey(b)
        content = _difference(first, Image.new("L", first.size, 255))
        # The page shows something (so a blank rebuild would fail), and the rebuild differs
        # from poppler's own drawing by edges and JPEG's white at 254 only.
        assert content > 0.3
        # Measured: 6-15 % of the page's own contrast (edges, small text at 40 dpi); a blank or
        # another page is 100 % or more.
        assert _difference(first, second) < content / 4, (a, content)


def test_pages_are_not_shuffled_or_shared() -> None:
    clean = sanitize(write(base_objects()))
    assert len(page_sizes(clean)) == 2
    from tests.utils.pdf_checks import render

    first, second = render(clean, 0, dpi=30), render(clean, 1, dpi=30)
    original = render(write(base_objects()), 1, dpi=30)
    assert first.size != second.size
    assert float(ImageStat.Stat(ImageChops.difference(second, original)).mean[0]) < 4


@pytest.mark.parametrize("bad", [b"", b"not a pdf", b"%PDF-1.7\n1 0 obj\n<<", simple_pdf()[:300]])
def test_unreadable_files_raise_a_clear_error(bad: bytes) -> None:
    with pytest.raises(UnreadablePdfError) as info:
        find_active_content(bad)
    assert info.value.code == "unreadable_pdf" and info.value.status == 422
    with pytest.raises(UnreadablePdfError):
        sanitize(bad)


def test_the_clerk_summary_names_each_kind_once() -> None:
    found = find_active_content(ACTIVE["js_name_tree"][0]()) + find_active_content(
        ACTIVE["text_field"][0]()
    )
    vi, en = removed_summary(found)
    assert vi.startswith("Đã loại bỏ nội dung động")
    assert vi.count("JavaScript") == 1 and "trường biểu mẫu" in vi and "chú thích" in vi
    assert "JavaScript" in en and "form field" in en


def test_rotated_and_cropped_pages_keep_what_a_viewer_shows(tmp_path: Path) -> None:
    objs = base_objects()
    objs[3] = objs[3].replace(b"/Contents", b"/Rotate 90 /Contents")
    objs[5] = objs[5].replace(b"/Contents", b"/CropBox [ 20 20 400 560 ] /Contents")
    original = write(objs)
    clean = sanitize(original)
    sizes = page_sizes(clean)
    assert [(round(w), round(h)) for w, h in sizes] == [(842, 595), (380, 540)]
    for page in (1, 2):
        first, second = (_cropped_render(pdf, page, tmp_path) for pdf in (original, clean))
        content = _difference(first, Image.new("L", first.size, 255))
        assert content > 0.3 and _difference(first, second) < content / 4


def _cropped_render(pdf: bytes, page: int, folder: Path) -> Image.Image:
    """poppler's drawing of the crop box, what viewers show (pdftoppm's default is the
    media box)."""
    source = folder / "in.pdf"
    source.write_bytes(pdf)
    out = folder / "page"
    subprocess.run(
        [
            "pdftoppm",
            "-cropbox",
            "-r",
            "40",
            "-f",
            str(page),
            "-l",
            str(page),
            "-png",
            "-singlefile",
            str(source),
            str(out),
        ],
        check=True,
    )
    return _grey(out.with_suffix(".png"))


@pytest.mark.parametrize("make", [bad_files.kids_loop, bad_files.parent_loop, bad_files.field_loop])
def test_trees_that_refer_back_to_themselves_are_unreadable(make: Callable[[bytes], bytes]) -> None:
    prepared = prepare_approval_fields(simple_pdf("KẾT QUẢ"), RESULT_PLACES)
    assert [f.kind for f in find_active_content(prepared)] == ["incremental_update"]
    with pytest.raises(UnreadablePdfError) as info:
        find_active_content(make(prepared))
    assert "vòng tham chiếu" in info.value.message_vi


def test_damaged_files_are_found_or_refused_never_a_crash() -> None:
    """Bytes flipped or cut off at random (seeded): a finding list or UnreadablePdfError."""
    base = prepare_approval_fields(simple_pdf("KẾT QUẢ"), RESULT_PLACES)
    rnd = random.Random(20261201)
    outcomes = {"findings": 0, "unreadable": 0}
    for i in range(80):
        damaged = bytearray(base)
        if i % 4 == 0:
            damaged = damaged[: rnd.randrange(len(base))]
        else:
            for _ in range(rnd.randint(1, 20)):
                damaged[rnd.randrange(len(damaged))] = rnd.randrange(256)
        started = time.perf_counter()
        try:
            find_active_content(bytes(damaged))
            outcomes["findings"] += 1
        except UnreadablePdfError:
            outcomes["unreadable"] += 1
        assert time.perf_counter() - started < 5
    assert outcomes["findings"] and outcomes["unreadable"]  # both paths were exercised


def test_threads_get_the_same_bytes_as_one_at_a_time() -> None:
    """The API sanitises in its thread pool; PDFium calls are serialised by a lock."""
    from concurrent.futures import ThreadPoolExecutor

    inputs = [ACTIVE[name][0]() for name in sorted(ACTIVE)[:8]]
    alone = [sanitize(pdf) for pdf in inputs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(sanitize, inputs * 2))
    assert together == alone * 2
