"""Independent looks into a PDF: text and character boxes (pypdfium2), page images, QR decoding
(zxing-cpp), ruling lines, and the embedded fonts read with pyHanko's PDF reader and a small
TrueType parser, so a glyph missing from a subset is seen directly."""

from __future__ import annotations

import io
import re
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import zxingcpp
from PIL import Image


def squash(text: str) -> str:
    """Whitespace runs as one space: line breaks in a PDF are where the layout wrapped."""
    return " ".join(text.split())


def page_texts(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].get_size() for i in range(len(doc))]
    finally:
        doc.close()


@dataclass(frozen=True)
class Char:
    ch: str
    box: tuple[float, float, float, float]  # left, bottom, right, top (points)


def chars(pdf: bytes, page: int) -> list[Char]:
    """Every non-space character drawn on ``page`` with its tight glyph box."""
    doc = pdfium.PdfDocument(pdf)
    try:
        text = doc[page].get_textpage()
        result = []
        for i in range(text.count_chars()):
            ch = chr(pdfium_c.FPDFText_GetUnicode(text, i))
            if ch.isspace() or ch in "\r\n\x00\ufffe":
                continue
            result.append(Char(ch, text.get_charbox(i)))
        return result
    finally:
        doc.close()


def lines_holding(pdf: bytes, page: int, text: str) -> int:
    """On how many lines ``text`` (spaces ignored) is printed on ``page``."""
    doc = pdfium.PdfDocument(pdf)
    try:
        textpage = doc[page].get_textpage()
        found = []
        for i in range(textpage.count_chars()):
            ch = chr(pdfium_c.FPDFText_GetUnicode(textpage, i))
            if not ch.isspace() and ch not in "\x00\ufffe":
                found.append((ch, round(textpage.get_charbox(i, loose=True)[1], 1)))
        letters = "".join(ch for ch, _ in found)
        target = "".join(text.split())
        start = letters.find(target)
        if start < 0:
            raise AssertionError(f"{text!r} is not on page {page}")
        return len({bottom for _, bottom in found[start : start + len(target)]})
    finally:
        doc.close()


def render(pdf: bytes, page: int, *, dpi: float, grayscale: bool = True) -> Image.Image:
    doc = pdfium.PdfDocument(pdf)
    try:
        image: Image.Image = doc[page].render(scale=dpi / 72, grayscale=grayscale).to_pil()
        return image
    finally:
        doc.close()


def decode_qr(image: Image.Image) -> list[Any]:
    """QR codes zxing-cpp finds in ``image`` at its own resolution (no downscaling)."""
    return list(
        zxingcpp.read_barcodes(
            image,
            formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode),
            try_downscale=False,
            try_rotate=False,
        )
    )


def vertical_rules(pdf: bytes, page: int) -> list[tuple[float, float, float]]:
    """(x, y_bottom, y_top) of every thin vertical stroke on ``page`` (table column rules)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        rules = []
        for obj in doc[page].get_objects():
            if obj.type != pdfium_c.FPDF_PAGEOBJ_PATH:
                continue
            left, bottom, right, top = obj.get_bounds()
            if right - left < 2 and top - bottom > 5:
                rules.append(((left + right) / 2, bottom, top))
        return rules
    finally:
        doc.close()


def pdftoppm(pdf: bytes, out: Path, *, dpi: int) -> list[Path]:
    """Pages rendered by poppler to ``out``-N.png; the paths, in page order."""
    out.parent.mkdir(parents=True, exist_ok=True)
    source = out.with_suffix(".pdf")
    source.write_bytes(pdf)
    for old in out.parent.glob(f"{out.name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(source), str(out)], check=True)
    return sorted(out.parent.glob(f"{out.name}-*.png"))


# --- fonts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmbeddedFont:
    base_name: str
    glyph_count: int  # in the embedded program
    to_unicode: dict[int, str]  # code -> character, from the /ToUnicode map
    outlined_codes: frozenset[int]  # codes whose glyph has an outline in the embedded program


def _tables(ttf: bytes) -> dict[bytes, tuple[int, int]]:
    count = struct.unpack(">H", ttf[4:6])[0]
    tables = {}
    for i in range(count):
        tag, _, offset, length = struct.unpack(">4sIII", ttf[12 + 16 * i : 28 + 16 * i])
        tables[tag] = (offset, length)
    return tables


def _outlined_codes(ttf: bytes) -> tuple[int, frozenset[int]]:
    """(glyph count, codes of the (1,0) format-6 cmap that reportlab writes, whose glyph has
    contours)."""
    t = _tables(ttf)
    glyphs = struct.unpack(">H", ttf[t[b"maxp"][0] + 4 : t[b"maxp"][0] + 6])[0]
    long_loca = struct.unpack(">h", ttf[t[b"head"][0] + 50 : t[b"head"][0] + 52])[0] == 1
    loca_at = t[b"loca"][0]
    if long_loca:
        loca = struct.unpack(f">{glyphs + 1}I", ttf[loca_at : loca_at + 4 * (glyphs + 1)])
    else:
        loca = tuple(
            2 * v
            for v in struct.unpack(f">{glyphs + 1}H", ttf[loca_at : loca_at + 2 * (glyphs + 1)])
        )
    cmap_at = t[b"cmap"][0]
    _, n = struct.unpack(">HH", ttf[cmap_at : cmap_at + 4])
    codes: set[int] = set()
    for i in range(n):
        _, _, sub = struct.unpack(">HHI", ttf[cmap_at + 4 + 8 * i : cmap_at + 12 + 8 * i])
        at = cmap_at + sub
        fmt = struct.unpack(">H", ttf[at : at + 2])[0]
        if fmt != 6:
            raise AssertionError(f"unexpected cmap format {fmt}")
        first, count = struct.unpack(">HH", ttf[at + 6 : at + 10])
        ids = struct.unpack(f">{count}H", ttf[at + 10 : at + 10 + 2 * count])
        for code, gid in enumerate(ids, first):
            if gid and loca[gid + 1] > loca[gid]:
                codes.add(code)
    return glyphs, frozenset(codes)


def _to_unicode(cmap: bytes) -> dict[int, str]:
    return {
        int(code, 16): chr(int(uni, 16))
        for code, uni in re.findall(rb"<([0-9A-Fa-f]{2})> <([0-9A-Fa-f]{4})>", cmap)
    }


def embedded_fonts(pdf: bytes) -> list[EmbeddedFont]:
    """Every font of every page's resources; raises if one is not an embedded TrueType."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf))
    found: dict[str, EmbeddedFont] = {}
    pages = reader.root["/Pages"]["/Kids"]
    for page_ref in pages:
        fonts = page_ref.get_object()["/Resources"]["/Font"]
        for key in fonts:
            font = fonts[key].get_object() if hasattr(fonts[key], "get_object") else fonts[key]
            name = str(font["/BaseFont"]).lstrip("/")
            if name in found:
                continue
            program = font["/FontDescriptor"]["/FontFile2"].data  # KeyError: not embedded TTF
            glyphs, outlined = _outlined_codes(program)
            found[name] = EmbeddedFont(
                base_name=name,
                glyph_count=glyphs,
                to_unicode=_to_unicode(font["/ToUnicode"].data),
                outlined_codes=outlined,
            )
    return list(found.values())


def full_font_glyph_count(path: Path) -> int:
    ttf = path.read_bytes()
    t = _tables(ttf)
    return int(struct.unpack(">H", ttf[t[b"maxp"][0] + 4 : t[b"maxp"][0] + 6])[0])
