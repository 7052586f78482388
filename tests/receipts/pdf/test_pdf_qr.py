"""The printed QR decodes to exactly its text at 150 dpi, is ≥ 30 mm, level ≥ M, fixed mask,
and a realistic seal (decimal digits, numeric mode) keeps it at version 11."""

from __future__ import annotations

import random

import pytest

from receipts.errors import DocumentError
from receipts.pdf import MM, PageSize, QrLevel, RenderedDocument, render_receipt, render_result
from receipts.pdf.qr import FIXED_MASK, MIN_MODULE_MM, data_bits, encode, max_version
from receipts.pdf.qr_segments import Mode, Segment, split, stream_bits
from receipts.pdf.theme import receipt_theme, result_theme
from tests.utils.pdf_checks import decode_qr, render
from tests.utils.pdf_samples import (
    BYTE_QR,
    LONGEST_QR,
    REALISTIC_QR,
    SEAL,
    TEMPLATES,
    make_receipt,
    marital,
)

DPI = 150
TEXTS = {"realistic": REALISTIC_QR, "longest": LONGEST_QR, "bytes only": BYTE_QR}


def _check(doc: RenderedDocument, text: str, level: str) -> None:
    image = render(doc.pdf, doc.qr.page_index, dpi=DPI)
    found = decode_qr(image)
    assert len(found) == 1
    code = found[0]
    assert code.text == text
    assert code.ec_level == level
    assert code.extra["DataMask"] == FIXED_MASK
    assert int(code.extra["Version"]) == doc.qr.version
    assert doc.qr.rect.width >= 30 * MM and doc.qr.rect.height >= 30 * MM
    assert doc.qr.module_mm >= MIN_MODULE_MM
    # zxing found it where the geometry says it is (pixels → points, y flipped)
    pos = code.position
    xs = [p.x * 72 / DPI for p in (pos.top_left, pos.bottom_right)]
    ys = [(image.height - p.y) * 72 / DPI for p in (pos.top_left, pos.bottom_right)]
    r = doc.qr.rect
    assert r.x1 - 3 <= min(xs) and max(xs) <= r.x2 + 3
    assert r.y1 - 3 <= min(ys) and max(ys) <= r.y2 + 3


def test_sample_texts_are_what_we_print() -> None:
    prefix, seal = LONGEST_QR.split("#")
    assert seal == SEAL and len(seal) == 480 and seal.isdigit() and seal[0] != "0"
    assert len(prefix) == 79 and len(LONGEST_QR) == 560
    prefix, seal = REALISTIC_QR.split("#")
    assert prefix == "https://vanan.chilinh.haiduong.gov.vn/v/AbCdEfGhIjKlMnOpQrStUv"
    assert len(seal) == 434 and seal.isdigit()


def test_realistic_text_is_version_11_at_level_m(capsys: pytest.CaptureFixture[str]) -> None:
    matrix = encode(REALISTIC_QR, level=QrLevel.M, size_mm=31)
    # the URL and its "#" in one byte segment, the seal in one numeric segment
    assert matrix.segments == (
        Segment(Mode.BYTE, REALISTIC_QR[:63].encode()),
        Segment(Mode.NUMERIC, REALISTIC_QR[63:].encode()),
    )
    bits = stream_bits(matrix.segments, 11)
    assert bits == (4 + 16 + 8 * 63) + (4 + 12 + 10 * 144 + 7) == 1987
    assert data_bits(QrLevel.M, 10) < bits <= data_bits(QrLevel.M, 11)
    assert matrix.version == 11 and matrix.size == 61
    # every theme's box takes it at level M: ≥ 30 mm wide, modules ≥ 0.4 mm
    themes = [theme(size) for size in PageSize for theme in (receipt_theme, result_theme)]
    for t in themes:
        assert t.qr_mm >= 30 and t.qr_mm / 61 >= MIN_MODULE_MM
        assert encode(REALISTIC_QR, level=QrLevel.M, size_mm=t.qr_mm).version == 11
    # as one byte segment it would need version 17: the A5 boxes stop at 15
    byte_only = 4 + 16 + 8 * len(REALISTIC_QR)
    assert data_bits(QrLevel.M, 16) < byte_only <= data_bits(QrLevel.M, 17)
    assert [max_version(t.qr_mm) >= 17 for t in themes] == [True, True, False, False]
    longest = {
        level.value: encode(LONGEST_QR, level=level, size_mm=36).version for level in QrLevel
    }
    assert longest == {"M": 12, "Q": 15, "H": 18}
    with capsys.disabled():  # the figures belong in the test output
        print(
            f"\nQR of the realistic receipt ({len(REALISTIC_QR)} characters, 434-digit seal): "
            f"version {matrix.version} at level M, {bits} of {data_bits(QrLevel.M, 11)} bits, "
            f"{min(t.qr_mm for t in themes) / 61:.3f}-{max(t.qr_mm for t in themes) / 61:.3f} "
            f"mm modules (one byte segment: version 17)"
            f"\nQR of the longest text ({len(LONGEST_QR)} characters, 480-digit seal): "
            f"version {longest['M']} at M, {longest['Q']} at Q, {longest['H']} at H"
        )


@pytest.mark.parametrize("size", list(PageSize))
@pytest.mark.parametrize("name", list(TEXTS))
def test_receipt_qr_decodes_to_its_text(size: PageSize, name: str) -> None:
    text = TEXTS[name]
    doc = render_receipt(make_receipt(qr_text=text), page_size=size)
    assert doc.qr.error_correction == "M"
    assert doc.qr.version == {"realistic": 11, "longest": 12, "bytes only": 13}[name]
    _check(doc, text, "M")


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_result_qr_decodes(name: str) -> None:
    doc = render_result(TEMPLATES[name](), page_size=PageSize.A5)
    _check(doc, LONGEST_QR, "M")


def test_result_qr_decodes_the_realistic_text_on_a4() -> None:
    doc = render_result(marital(qr_text=REALISTIC_QR))
    assert doc.qr.version == 11
    _check(doc, REALISTIC_QR, "M")


def test_higher_levels_still_decode() -> None:
    for level in (QrLevel.Q, QrLevel.H):  # H is version 18: modules of 0.404 mm
        doc = render_receipt(make_receipt(), qr_level=level)
        _check(doc, LONGEST_QR, level.value)
    doc = render_receipt(make_receipt(), page_size=PageSize.A5, qr_level=QrLevel.Q)
    _check(doc, LONGEST_QR, "Q")


def test_cancelled_receipt_qr_still_decodes_through_the_stamp() -> None:
    doc = render_receipt(make_receipt(cancelled=True))
    _check(doc, LONGEST_QR, "M")


def test_level_l_is_not_offered() -> None:
    assert {level.value for level in QrLevel} == {"M", "Q", "H"}
    with pytest.raises(ValueError):
        QrLevel("L")


def test_capacity_boundary_is_exact() -> None:
    # A5 prints 32 mm: modules of 0.4 mm allow version 15 at most (3320 bits at level M)
    top = max_version(32)
    assert top == 15
    prefix = "https://a.vn/v/tok#"  # a byte segment: 4 + 16 + 8 × 19 = 172 bits
    free = data_bits(QrLevel.M, top) - 172 - (4 + 12)
    digits = 3 * (free // 10) + (2 if free % 10 >= 7 else 1 if free % 10 >= 4 else 0)
    fits = prefix + "7" * digits
    matrix = encode(fits, level=QrLevel.M, size_mm=32)
    assert matrix.version == top
    assert stream_bits(matrix.segments, top) <= data_bits(QrLevel.M, top)
    with pytest.raises(DocumentError) as info:
        encode(fits + "7", level=QrLevel.M, size_mm=32)
    assert info.value.code == "qr_text_too_long" and "32 mm" in info.value.message


def test_chosen_version_is_the_smallest_that_holds_the_text() -> None:
    rng = random.Random(5)
    texts = [REALISTIC_QR, LONGEST_QR, BYTE_QR]
    for _ in range(12):  # from a few characters to version 40, across the count-width ranges
        digits = "".join(rng.choices("0123456789", k=rng.randrange(2500)))
        texts.append(f"https://a.vn/v/{rng.randrange(10**6)}#{digits}" + "x" * rng.randrange(60))
    for text in texts:
        data = text.encode()
        for level in QrLevel:
            try:
                matrix = encode(text, level=level, size_mm=200)  # no module limit below 40
            except DocumentError:
                assert stream_bits(split(data, 40), 40) > data_bits(level, 40)
                continue
            v = matrix.version
            assert stream_bits(matrix.segments, v) <= data_bits(level, v)
            assert b"".join(s.data for s in matrix.segments) == data
            if v > 1:
                assert stream_bits(split(data, v - 1), v - 1) > data_bits(level, v - 1)
