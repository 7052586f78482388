"""Drawing and sealing a receipt from its snapshot: the PDF (receipts.pdf), the QR seal
(esign.seal) and the ward's certification signature (esign.signing), in the order the
contracts need.

The seal states the SHA-256 of the unsigned PDF, and the seal is printed in that PDF's QR: so
the PDF is drawn twice, first with the QR carrying only the link (that PDF's hash is the one
sealed, and anyone can re-draw it from the snapshot to check), then with the full link and
seal; the second is signed.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

from receipts.pdf import (
    CollectingUnit,
    PageSize,
    Payer,
    PaymentMethod,
    Receipt,
    ReceiptReference,
    ReferenceKind,
    RenderedDocument,
    SignaturePlace,
    render_receipt,
)
from receipts.xml import xml_digest

from ..seal import make_seal, qr_url, verification_url
from ..service import Service
from ..signing.sign import Signed
from .snapshot import DocumentSnapshot, PersonRole, SealFacts, SignatureField, seal_claims
from .xml_original import embed_xml, has_xml_original, signed_xml_original, xml_file_name


@dataclass(frozen=True, slots=True)
class SealedDocument:
    signed: Signed
    snapshot: DocumentSnapshot
    """Complete: the seal's text and the signature field are in it."""
    qr_text: str
    xml: bytes | None = None
    """The signed XML original (receipts under NĐ 254/2026), embedded in the PDF as well."""

    @property
    def seal(self) -> str:
        assert self.snapshot.seal.text is not None
        return self.snapshot.seal.text

    @property
    def unsigned_sha256(self) -> str:
        return self.snapshot.seal.pdf_sha256


def link_only(service: Service, token: str) -> str:
    return verification_url(service.settings.public_url, token)


def receipt_model(snapshot: DocumentSnapshot, *, qr_text: str) -> Receipt:
    """What the receipt prints, from its snapshot alone."""
    payer = snapshot.person(PersonRole.PAYER)
    clerk = snapshot.person(PersonRole.CLERK)
    assert payer is not None and clerk is not None and snapshot.payment_method is not None
    assert isinstance(snapshot.scheme.number, int)
    assert snapshot.scheme.template_symbol and snapshot.scheme.series
    ref = snapshot.reference
    return Receipt(
        unit=CollectingUnit(
            name=snapshot.unit.name, tax_code=snapshot.unit.tax_code, address=snapshot.unit.address
        ),
        template_symbol=snapshot.scheme.template_symbol,
        series=snapshot.scheme.series,
        number=snapshot.scheme.number,
        payer=Payer(
            name=payer.name, address=payer.address or "", dossier_code=snapshot.dossier_code
        ),
        lines=snapshot.lines,
        payment_method=PaymentMethod(snapshot.payment_method),
        issued_at=snapshot.issued_at,
        clerk_name=clerk.name,
        qr_text=qr_text,
        title=snapshot.title,
        reference=(
            ReceiptReference(
                kind=ReferenceKind(ref.kind),
                template_symbol=ref.template_symbol,
                series=ref.series,
                number=ref.number,
                issued_on=ref.issued_on,
                reason=ref.reason,
            )
            if ref is not None
            else None
        ),
    )


def signature_field(place: SignaturePlace, *, field_name: str | None = None) -> SignatureField:
    return SignatureField(
        field_name=field_name or place.field_name,
        role=place.role,
        title=place.title,
        name=place.name,
        page=place.page_index,
        rect=place.rect.as_tuple(),
    )


def draw_and_seal_receipt(
    service: Service, snapshot: DocumentSnapshot, *, token: str
) -> SealedDocument:
    """Draw the receipt twice (see the module docstring), seal its facts and sign it.

    A receipt under NĐ 254/2026 first gets its signed XML original (``xml_original``): both
    drawings carry it as an associated file, and the seal states its SHA-256 too."""
    page = PageSize[service.settings.receipt_page_size]
    xml: bytes | None = None
    if has_xml_original(snapshot):
        xml = signed_xml_original(service, snapshot)
    name = xml_file_name(snapshot) if xml is not None else ""

    def draw(model: Receipt) -> RenderedDocument:
        drawn = render_receipt(model, page_size=page)
        return embed_xml(drawn, xml, file_name=name) if xml is not None else drawn

    model = receipt_model(snapshot, qr_text=link_only(service, token))
    unsigned = draw(model)
    snapshot = dataclasses.replace(
        snapshot,
        seal=SealFacts(
            pdf_sha256=hashlib.sha256(unsigned.pdf).hexdigest(),
            person_role=PersonRole.PAYER,
            xml_sha256=xml_digest(xml) if xml is not None else None,
        ),
    )
    seal = make_seal(seal_claims(snapshot), keyring=service.keyring, token=token)
    text = qr_url(service.settings.public_url, token, seal)
    final = draw(dataclasses.replace(model, qr_text=text))
    place = final.signature("ward")
    signed = service.seal_signer.certify(final.pdf, place=place)
    snapshot = dataclasses.replace(snapshot.sealed(seal), signatures=(signature_field(place),))
    return SealedDocument(signed=signed, snapshot=snapshot, qr_text=text, xml=xml)
