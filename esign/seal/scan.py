"""Reading QR codes from a photo, a scan or a PDF (its first page, as a scanner would see it)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image, ImageOps

from .errors import QrImageError

PDF_DPI = 150
"""What an office scanner produces; a printed QR's modules are then 3 pixels or more wide."""

MAX_PIXELS = 50_000_000
"""Larger than any phone photo; refuses decompression bombs before decoding them."""


def _render_pdf(path: Path) -> Image.Image:
    try:
        pdf = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        raise QrImageError(f"Không mở được PDF {path}: {exc}", f"cannot open PDF {path}") from exc
    try:
        if len(pdf) == 0:
            raise QrImageError(f"PDF {path} không có trang nào", f"PDF {path} has no pages")
        page = pdf[0]
        image: Image.Image = page.render(scale=PDF_DPI / 72).to_pil()
        page.close()
        return image
    finally:
        pdf.close()


def _open_image(path: Path) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise QrImageError(f"Ảnh {path} quá lớn", f"image {path} is too large")
                # Phone photos are stored sideways with an EXIF rotation tag.
                image = ImageOps.exif_transpose(opened)
                image.load()
                return image
    except (OSError, Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise QrImageError(
            f"Không đọc được ảnh {path} (PNG, JPEG hoặc PDF)",
            f"cannot read image {path} (PNG, JPEG or PDF): {exc}",
        ) from exc


def read_qr_texts(path: Path) -> list[str]:
    """The texts of the QR codes found, in the order zxing-cpp finds them."""
    try:
        with open(path, "rb") as f:
            is_pdf = f.read(5) == b"%PDF-"
    except OSError as exc:
        raise QrImageError(f"Không mở được tệp {path}", f"cannot open {path}: {exc}") from exc
    image = _render_pdf(path) if is_pdf else _open_image(path)
    qr_only = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    found = zxingcpp.read_barcodes(image.convert("L"), formats=qr_only)
    texts = [b.text for b in found if b.valid and b.text]
    if not texts:
        raise QrImageError(f"Không tìm thấy mã QR trong {path}", f"no QR code found in {path}")
    return texts
