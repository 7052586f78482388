"""Drawing and sealing a receipt: the PDF (receipts.pdf), the QR seal (esign.seal) and the
ward's certification signature (esign.signing), in the order the contracts need.

The seal states the SHA-256 of the unsigned PDF, and the seal is printed in that PDF's QR: so
the PDF is drawn twice, first with the QR carrying only the link (that PDF's hash is the one
sealed, and anyone can re-draw it from the stored fields to check), then with the full link
and seal; the second is signed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from receipts.calendar import VIETNAM_TZ
from receipts.pdf import (
    CollectingUnit,
    FeeLine,
    PageSize,
    Payer,
    PaymentMethod,
    Receipt,
    ReceiptReference,
    render_receipt,
)

from ..seal import DocumentKind, SealClaims, make_seal, mask_name, qr_url, verification_url
from ..service import Service
from ..signing.sign import SignaturePlace, Signed


@dataclass(frozen=True, slots=True)
class SealedDocument:
    signed: Signed
    unsigned_sha256: str
    seal: str
    qr_text: str


def link_only(service: Service, token: str) -> str:
    return verification_url(service.settings.public_url, token)


def receipt_model(
    service: Service,
    *,
    template_symbol: str,
    series: str,
    number: int,
    payer_name: str,
    payer_address: str,
    dossier_code: str | None,
    lines: tuple[FeeLine, ...],
    payment_method: PaymentMethod,
    issued_at: dt.datetime,
    clerk_name: str,
    qr_text: str,
    reference: ReceiptReference | None = None,
    cancelled: bool = False,
) -> Receipt:
    s = service.settings
    return Receipt(
        unit=CollectingUnit(name=s.unit_name, tax_code=s.unit_tax_code, address=s.unit_address),
        template_symbol=template_symbol,
        series=series,
        number=number,
        payer=Payer(name=payer_name, address=payer_address, dossier_code=dossier_code),
        lines=lines,
        total=sum(line.amount for line in lines),
        payment_method=payment_method,
        issued_at=issued_at,
        clerk_name=clerk_name,
        qr_text=qr_text,
        reference=reference,
        cancelled=cancelled,
    )


def draw_and_seal_receipt(service: Service, receipt: Receipt, *, token: str) -> SealedDocument:
    """Draw the receipt twice (see the module docstring), seal its facts and sign it."""
    page = PageSize[service.settings.receipt_page_size]
    unsigned = render_receipt(receipt, page_size=page)
    digest = hashlib.sha256(unsigned.pdf).digest()
    claims = SealClaims(
        unit_tax_code=receipt.unit.tax_code,
        kind=DocumentKind.RECEIPT,
        template_symbol=receipt.template_symbol,
        series=receipt.series,
        number=receipt.number,
        issued_on=receipt.issued_at.astimezone(VIETNAM_TZ).date(),
        total=receipt.total,
        payer_masked=mask_name(receipt.payer.name),
        pdf_sha256=digest,
    )
    seal = make_seal(claims, keyring=service.keyring, token=token)
    text = qr_url(service.settings.public_url, token, seal)
    final = render_receipt(_with_qr(receipt, text), page_size=page)
    place = final.signature("ward")
    signed = service.seal_signer.certify(
        final.pdf,
        place=SignaturePlace(
            field_name=place.field_name, page=place.page_index, box=place.rect.as_tuple()
        ),
    )
    return SealedDocument(signed=signed, unsigned_sha256=digest.hex(), seal=seal, qr_text=text)


def _with_qr(receipt: Receipt, text: str) -> Receipt:
    from dataclasses import replace

    return replace(receipt, qr_text=text)
