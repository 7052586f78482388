"""Sanitising PDFs made by others before we sign them.

A copy to certify (``esign.workflows.copies``) or a file given to ``esign sign`` may carry
JavaScript, form fields, annotations, attached files, actions, revisions, duplicate or missing
objects: things a viewer runs or a forger fills in after our signature.
:func:`find_active_content` lists them; :func:`sanitize` rebuilds the document from pictures of
its pages, which is the one rewrite that keeps nothing but what the pages showed.

The rebuild: each page rendered by PDFium at 200 dpi (small print stays legible; 300 dpi
doubles size and time for no gain on screen or an office printer), encoded as baseline JPEG
quality 85 with optimised Huffman tables, in grey when the page has no colour. Measured here
on A4 pages: a text page ~40 KB, a receipt-like page with a QR code and a seal ~380 KB, a
photographed scan ~1.1 MB, 25-50 ms a page. PNG/Flate is a little smaller only for pure text
pages and four times larger and twenty times slower on scans, which are what citizens bring.
The PDF around the pictures is written here, not by a library, so that its bytes depend on the
input alone (no dates, no random /ID, no producer string): same input, same output.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field

import pypdfium2 as pdfium
from PIL import Image, ImageChops

from .active_content import KINDS, ActiveContent, scan
from .errors import UnreadablePdfError
from .renderers import PDFIUM_LOCK

__all__ = [
    "DPI",
    "JPEG_QUALITY",
    "KINDS",
    "PDFIUM_LOCK",
    "ActiveContent",
    "find_active_content",
    "removed_summary",
    "sanitize",
]

DPI = 200
JPEG_QUALITY = 85
MAX_PAGE_PIXELS = 36_000_000
"""An A4 page at 200 dpi is 3.9 Mpx; a poster-sized page is drawn at a lower dpi instead of
taking gigabytes of memory."""


def find_active_content(pdf: bytes) -> tuple[ActiveContent, ...]:
    """What ``pdf`` carries besides what its pages show; empty for a plain document.

    Empty signature fields that draw and do nothing (those the service prepares) are not
    findings. Raises :class:`~esign.signing.errors.UnreadablePdfError` for a file whose
    structure cannot be read."""
    return scan(pdf)


def removed_summary(found: tuple[ActiveContent, ...]) -> tuple[str, str]:
    """One line for a clerk, in Vietnamese and English: "Đã loại bỏ nội dung động …: JavaScript,
    trường biểu mẫu …", each kind once."""
    kinds = list(dict.fromkeys(f.kind for f in found))
    vi = ", ".join(KINDS[k][0] for k in kinds)
    en = ", ".join(KINDS[k][1] for k in kinds)
    return (
        f"Đã loại bỏ nội dung động khỏi tệp được cung cấp: {vi}",
        f"Active content was removed from the supplied file: {en}",
    )


def sanitize(pdf: bytes, *, dpi: int = DPI) -> bytes:
    """A new PDF whose pages are pictures of ``pdf``'s pages, same count and sizes.

    Deterministic. Raises :class:`~esign.signing.errors.UnreadablePdfError` when PDFium
    cannot open the file (broken, password-protected)."""
    with PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as exc:
            raise UnreadablePdfError(
                "Tệp PDF hỏng hoặc có mật khẩu, không dựng lại được",
                "The PDF is broken or password-protected: cannot rebuild it",
            ) from exc
        count = len(doc)
    try:
        if count == 0:
            raise UnreadablePdfError("Tệp PDF không có trang nào", "The PDF has no pages")
        pages = [_picture(doc, i, dpi) for i in range(count)]
    finally:
        with PDFIUM_LOCK:
            doc.close()
    return _image_pdf(pages, ident=hashlib.sha256(pdf).hexdigest()[:32].upper())


@dataclass(frozen=True, slots=True)
class _Picture:
    width: float
    height: float
    """The page's size in points."""
    jpeg: bytes = field(repr=False)
    pixels: tuple[int, int]
    colour_space: str


def _picture(doc: pdfium.PdfDocument, index: int, dpi: int) -> _Picture:
    """The page as PDFium draws it (annotations' appearances included: what a viewer shows;
    no form or script engine runs), encoded at once so that only one page's pixels are in
    memory at a time. The lock is held for the drawing only, not the encoding."""
    with PDFIUM_LOCK:
        page = doc[index]
        try:
            width, height = page.get_size()
            scale = dpi / 72
            pixels = width * height * scale * scale
            if pixels > MAX_PAGE_PIXELS:
                scale *= (MAX_PAGE_PIXELS / pixels) ** 0.5
            bitmap = page.render(scale=scale, fill_color=(255, 255, 255, 255))
            image = bitmap.to_pil().convert("RGB")  # a copy: the bitmap's buffer is freed
            bitmap.close()
        finally:
            page.close()
    data, space = _jpeg(image)
    return _Picture(width, height, data, image.size, space)


def _grey(image: Image.Image) -> bool:
    red, green, blue = image.split()
    return (
        ImageChops.difference(red, green).getbbox() is None
        and ImageChops.difference(green, blue).getbbox() is None
    )


def _jpeg(image: Image.Image) -> tuple[bytes, str]:
    space = "/DeviceRGB"
    if _grey(image):
        image, space = image.convert("L"), "/DeviceGray"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue(), space


def _num(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text or "0"


def _image_pdf(pages: list[_Picture], *, ident: str) -> bytes:
    """Catalog, page tree, and per page: the page, its content stream, its image."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []

    def obj(body: bytes, stream: bytes | None = None) -> None:
        offsets.append(out.tell())
        out.write(f"{len(offsets)} 0 obj\n".encode() + body)
        if stream is not None:
            out.write(b"\nstream\n" + stream + b"\nendstream")
        out.write(b"\nendobj\n")

    kids = " ".join(f"{3 + 3 * i} 0 R" for i in range(len(pages)))
    obj(b"<< /Type /Catalog /Pages 2 0 R >>")
    obj(f"<< /Type /Pages /Kids [ {kids} ] /Count {len(pages)} >>".encode())
    for i, p in enumerate(pages):
        content, picture = 4 + 3 * i, 5 + 3 * i
        w, h = _num(p.width), _num(p.height)
        obj(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [ 0 0 {w} {h} ] "
            f"/Resources << /XObject << /P{i} {picture} 0 R >> >> "
            f"/Contents {content} 0 R >>".encode()
        )
        draw = f"q {w} 0 0 {h} 0 0 cm /P{i} Do Q".encode()
        obj(f"<< /Length {len(draw)} >>".encode(), draw)
        obj(
            f"<< /Type /XObject /Subtype /Image /Width {p.pixels[0]} /Height {p.pixels[1]} "
            f"/ColorSpace {p.colour_space} /BitsPerComponent 8 /Filter /DCTDecode "
            f"/Length {len(p.jpeg)} >>".encode(),
            p.jpeg,
        )
    xref = out.tell()
    out.write(f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode())
    out.writelines(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out.write(
        f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R /ID [ <{ident}> <{ident}> ] >>\n"
        f"startxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()
