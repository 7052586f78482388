"""Documents to sign and signers over the test PKI."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from certs import PkiFolder
from esign.signing import pki as wiring
from esign.signing.sign import DocumentSigner, PadesLevel
from esign.signing.verify import TrustConfig
from receipts.pdf import SignaturePlace

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
RECEIPT_BOX = SignaturePlace.at("Seal", page_index=0, box=(330, 60, 560, 120))
RESULT_PLACES = (
    SignaturePlace.at("", page_index=0, box=(60, 80, 280, 150), role="judicial_officer"),
    SignaturePlace.at("", page_index=0, box=(320, 80, 540, 150), role="chairman"),
)


def simple_pdf(title: str = "BIÊN LAI THU PHÍ, LỆ PHÍ", pages: int = 1) -> bytes:
    """A small PDF with Vietnamese text: what receipts/ draws, without its layout."""
    # Our own font name: the yardstick script registers "DejaVu" and "DejaVu-Bold" together
    # only when "DejaVu" is missing.
    if "EsignTestSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("EsignTestSans", FONT))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for page in range(pages):
        c.setFont("EsignTestSans", 14)
        c.drawString(72, 760, f"{title} — trang {page + 1}")
        c.drawString(72, 730, "Người nộp: Bùi Thị Trang · Tổng cộng: 15.000 đ")
        c.showPage()
    c.save()
    return buf.getvalue()


@pytest.fixture(scope="session")
def receipt_pdf() -> bytes:
    return simple_pdf()


@pytest.fixture(scope="session")
def trust(shared_folder: PkiFolder) -> TrustConfig:
    return wiring.trust_config(shared_folder)


@pytest.fixture(scope="session")
def make_signer(shared_folder: PkiFolder) -> Callable[..., DocumentSigner]:
    cache: dict[tuple[str, PadesLevel], DocumentSigner] = {}

    def make(name: str = "seal", level: PadesLevel = PadesLevel.B_B) -> DocumentSigner:
        if (name, level) not in cache:
            cache[name, level] = wiring.make_signer(
                shared_folder, shared_folder.key_store(name), level=level
            )
        return cache[name, level]

    return make
