"""Every Vietnamese letter is drawn with a real glyph and reads back as the NFC input."""

from __future__ import annotations

import unicodedata

import pytest
from reportlab.pdfbase.ttfonts import TTFontFile

from receipts.errors import DocumentError
from receipts.pdf import Payer, render_receipt, render_result
from receipts.pdf.fonts import Face, font_path
from tests.utils.pdf_checks import (
    embedded_fonts,
    full_font_glyph_count,
    page_texts,
    squash,
)
from tests.utils.pdf_samples import make_receipt, marital, vietnamese_letters

LETTERS = vietnamese_letters()
# the 134 letters as words of six, so that they wrap like any address
WORDS = " ".join(LETTERS[i : i + 6] for i in range(0, len(LETTERS), 6))


def test_the_alphabet_is_complete() -> None:
    assert len(LETTERS) == 134 and len(set(LETTERS)) == 134
    assert all(unicodedata.is_normalized("NFC", c) for c in LETTERS)
    assert "ỹ" in LETTERS and "Ặ" in LETTERS and "đ" in LETTERS and "Ư" in LETTERS


def test_receipt_text_reads_back_as_the_nfc_input() -> None:
    decomposed = unicodedata.normalize("NFD", WORDS)
    assert decomposed != WORDS  # the input really is decomposed
    receipt = make_receipt(payer=Payer(name="Đặng Thị Ngọc Hường", address=decomposed))
    assert receipt.payer.address == WORDS  # normalised by the model
    text = squash(page_texts(render_receipt(receipt).pdf)[0])
    assert WORDS in text
    assert "Đặng Thị Ngọc Hường" in text
    assert unicodedata.normalize("NFD", WORDS) not in text


def test_result_text_reads_back_in_serif_too() -> None:
    doc = marital(marital_status=WORDS)
    text = squash(page_texts(render_result(doc).pdf)[0])
    assert WORDS in text
    assert "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text


@pytest.mark.parametrize("face", list(Face))
def test_the_ttf_cmap_covers_every_vietnamese_letter(face: Face) -> None:
    cmap = TTFontFile(str(font_path(face))).charToGlyph
    missing = [c for c in LETTERS + "0123456789.,:;()/-–·đ" if ord(c) not in cmap]
    assert missing == []


def test_embedded_fonts_are_subsets_whose_glyphs_have_outlines() -> None:
    receipt = make_receipt(payer=Payer(name="Bùi Thị Trang", address=WORDS))
    pdf = render_receipt(receipt).pdf
    fonts = embedded_fonts(pdf)
    assert {f.base_name for f in fonts} == {"AAAAAA+DejaVuSans", "AAAAAA+DejaVuSans-Bold"}
    full = full_font_glyph_count(font_path(Face.SANS))
    drawn = set(squash(page_texts(pdf)[0]).replace(" ", ""))
    mapped: set[str] = set()
    for font in fonts:
        assert font.glyph_count < full / 10  # a subset, not the 6000-glyph font
        # every code the PDF maps to a character has a glyph with contours, except the
        # unused slots reportlab fills (0 = .notdef, space, DEL)
        blank = {font.to_unicode[c] for c in set(font.to_unicode) - font.outlined_codes}
        assert blank <= {"\x00", " ", "\x7f"}
        mapped |= {font.to_unicode[c] for c in font.outlined_codes}
    assert drawn <= mapped  # every character on the page has a real glyph
    assert set(LETTERS) <= mapped


def test_a_character_without_glyph_is_refused_before_drawing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import receipts.pdf.engine as engine

    def no_canvas(*args: object, **kwargs: object) -> None:
        raise AssertionError("a canvas was made")

    monkeypatch.setattr(engine, "_new_canvas", no_canvas)
    receipt = make_receipt(payer=Payer(name="Trần Văn 漢", address="Văn An"))
    with pytest.raises(DocumentError) as info:
        render_receipt(receipt)
    assert info.value.code == "missing_glyph"
    assert "U+6F22" in info.value.message and "phông chữ" in info.value.message


def test_text_outside_the_alphabet_still_embeds_and_reads_back() -> None:
    # French and German names are rare but legal: they go to a second, per-document subset
    name = "Müller Françoise Ørsted"
    text = squash(
        page_texts(render_receipt(make_receipt(payer=Payer(name=name, address="Văn An"))).pdf)[0]
    )
    assert name in text
