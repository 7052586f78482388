"""The XML original of a receipt issued under NĐ 254/2026 (Thông tư 91/2026/TT-BTC, Điều 18):
built from the receipt's snapshot (``receipts.xml``), signed with XMLDSig by the ward's seal
key, embedded in the receipt's PDF as an associated file, stored, and bound to the PDF: the QR
seal states the XML's SHA-256 (seal field 10) next to the unsigned PDF's.

The seal key is used through the key store's own ``sign`` (:class:`StoreKey`, a "raw signer"
that signxml sees as a ``cryptography`` key): the private key never leaves its store, so the
same code signs with a PKCS#12 file or a PKCS#11 token. Receipts issued before 1 July 2026
have no XML original and stay as they were.
"""

from __future__ import annotations

import dataclasses
import io
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from sqlalchemy.orm import Session

from certs import KeyStore
from receipts.errors import ReceiptsError
from receipts.pdf import RenderedDocument
from receipts.scheme import scheme_for
from receipts.xml import (
    XmlLine,
    XmlParty,
    XmlReceipt,
    XmlRelated,
    build_receipt_xml,
    sign_receipt_xml,
    xml_digest,
)

from ..db.models import ReceiptXml, StoredDocument
from ..errors import SigningError
from ..service import Service
from .scheme import NEW_SCHEME
from .snapshot import DocumentSnapshot, PersonRole

XML_MIME = "application/xml"
XML_DESCRIPTION = "Bản gốc biên lai điện tử (XML, Thông tư 91/2026/TT-BTC Điều 18)"


def has_xml_original(snapshot: DocumentSnapshot) -> bool:
    """Receipts issued under NĐ 254/2026 (from 1 July 2026) have one; older ones do not."""
    return snapshot.template == "receipt" and scheme_for(snapshot.issued_on).code == NEW_SCHEME


def xml_file_name(snapshot: DocumentSnapshot) -> str:
    assert snapshot.scheme.series is not None
    return f"bien-lai-{snapshot.scheme.series}-{snapshot.scheme.number_label}.xml"


def _charge(line_charge: str | None, name: str) -> Literal["phi", "le_phi"]:
    if line_charge in ("phi", "le_phi"):
        return "le_phi" if line_charge == "le_phi" else "phi"
    # A line typed by the clerk names its kind: "Lệ phí …" is a charge, anything else a fee.
    return "le_phi" if name.casefold().startswith("lệ phí") else "phi"


def xml_receipt(snapshot: DocumentSnapshot) -> XmlReceipt:
    """What the XML states, from the receipt's snapshot alone."""
    payer = snapshot.person(PersonRole.PAYER)
    assert isinstance(snapshot.scheme.number, int)
    assert snapshot.scheme.template_symbol and snapshot.scheme.series
    ref = snapshot.reference
    return XmlReceipt(
        unit=XmlParty(
            name=snapshot.unit.name, tax_code=snapshot.unit.tax_code, address=snapshot.unit.address
        ),
        template_symbol=snapshot.scheme.template_symbol,
        series=snapshot.scheme.series,
        number=snapshot.scheme.number,
        issue_date=snapshot.issued_on,
        lines=tuple(
            XmlLine(
                name=line.name,
                charge=_charge(line.charge, line.name),
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
                legal_basis=line.legal_basis or None,
            )
            for line in snapshot.lines
        ),
        payer=(
            XmlParty(name=payer.name, address=payer.address or None) if payer is not None else None
        ),
        payment_method=snapshot.payment_method,
        title=snapshot.title,
        replaces=(
            XmlRelated(
                template_symbol=ref.template_symbol,
                series=ref.series,
                number=ref.number,
                issue_date=ref.issued_on,
            )
            if ref is not None and ref.kind == "replaces"
            else None
        ),
    )


class _Sha256Only:
    @staticmethod
    def check(algorithm: Any) -> None:
        if isinstance(algorithm, Prehashed) or not isinstance(algorithm, hashes.SHA256):
            raise SigningError("Chữ ký XML chỉ dùng SHA-256", "the XML signature uses SHA-256 only")


class StoreRsaKey(rsa.RSAPrivateKey):
    """An RSA key in a :class:`certs.KeyStore`, as signxml wants it: ``sign`` goes to the
    store (PKCS#1 v1.5, SHA-256); nothing else of the private key is reachable."""

    def __init__(self, store: KeyStore) -> None:
        public = store.certificate.public_key()
        assert isinstance(public, rsa.RSAPublicKey)
        self._store, self._public = store, public

    def sign(self, data: bytes, padding: padding.AsymmetricPadding, algorithm: Any) -> bytes:
        _Sha256Only.check(algorithm)
        if padding.name != "EMSA-PKCS1-v1_5":
            raise SigningError("Chữ ký XML dùng PKCS#1 v1.5", "the XML signature uses PKCS#1 v1.5")
        return self._store.sign(data, hash_algorithm="sha256")

    def public_key(self) -> rsa.RSAPublicKey:
        return self._public

    @property
    def key_size(self) -> int:
        return self._public.key_size

    def decrypt(self, ciphertext: bytes, padding: padding.AsymmetricPadding) -> bytes:
        raise SigningError("Khóa con dấu chỉ dùng để ký", "the seal key only signs")

    def private_numbers(self) -> rsa.RSAPrivateNumbers:
        raise SigningError("Khóa bí mật không rời kho khóa", "the private key stays in its store")

    def private_bytes(self, *args: Any, **kwargs: Any) -> bytes:
        raise SigningError("Khóa bí mật không rời kho khóa", "the private key stays in its store")

    def __copy__(self) -> StoreRsaKey:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> StoreRsaKey:
        return self


class StoreEcKey(ec.EllipticCurvePrivateKey):
    """An ECDSA key in a :class:`certs.KeyStore` (DER signature, as signxml expects)."""

    def __init__(self, store: KeyStore) -> None:
        public = store.certificate.public_key()
        assert isinstance(public, ec.EllipticCurvePublicKey)
        self._store, self._public = store, public

    def sign(
        self,
        data: bytes | bytearray | memoryview,
        signature_algorithm: ec.EllipticCurveSignatureAlgorithm,
    ) -> bytes:
        assert isinstance(signature_algorithm, ec.ECDSA)
        _Sha256Only.check(signature_algorithm.algorithm)
        return self._store.sign(bytes(data), hash_algorithm="sha256")

    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._public

    @property
    def curve(self) -> ec.EllipticCurve:
        return self._public.curve

    @property
    def key_size(self) -> int:
        return self._public.curve.key_size

    def exchange(self, algorithm: ec.ECDH, peer_public_key: ec.EllipticCurvePublicKey) -> bytes:
        raise SigningError("Khóa con dấu chỉ dùng để ký", "the seal key only signs")

    def private_numbers(self) -> ec.EllipticCurvePrivateNumbers:
        raise SigningError("Khóa bí mật không rời kho khóa", "the private key stays in its store")

    def private_bytes(self, *args: Any, **kwargs: Any) -> bytes:
        raise SigningError("Khóa bí mật không rời kho khóa", "the private key stays in its store")

    def __copy__(self) -> StoreEcKey:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> StoreEcKey:
        return self


def store_key(store: KeyStore) -> StoreRsaKey | StoreEcKey:
    public = store.certificate.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        return StoreRsaKey(store)
    if isinstance(public, ec.EllipticCurvePublicKey):
        return StoreEcKey(store)
    raise SigningError("Khóa con dấu phải là RSA hoặc ECDSA", "the seal key must be RSA or ECDSA")


def seal_key_store(service: Service) -> KeyStore:
    from certs import Role

    pki = service.pki
    return pki.key_store(pki.only(Role.SEAL))


def seal_certificate(service: Service) -> x509.Certificate:
    return seal_key_store(service).certificate


def signed_xml_original(service: Service, snapshot: DocumentSnapshot) -> bytes:
    """The receipt's XML, valid against the repository's XSD, signed by the ward's seal key."""
    store = seal_key_store(service)
    try:
        return sign_receipt_xml(
            build_receipt_xml(xml_receipt(snapshot)),
            key=store_key(store),
            certificate=store.certificate,
        )
    except ReceiptsError as exc:
        raise SigningError(exc.message_vi, exc.message_en) from exc


def embed_xml(document: RenderedDocument, xml: bytes, *, file_name: str) -> RenderedDocument:
    """``document`` with ``xml`` as an associated file (PDF/A-3 style: ``/AF`` in the catalog,
    ``/AFRelationship /Source``, and the ``/EmbeddedFiles`` name tree), in one revision: the
    PDF is rewritten before it is sealed and signed, so the signature covers the XML too."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.embed import EmbeddedFileObject, EmbeddedFileParams, FileSpec, embed_file
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(document.pdf)))
    writer._document_id = generic.ArrayObject(  # keep the layout's deterministic /ID
        [generic.ByteStringObject(bytes.fromhex(document.document_id))] * 2
    )
    data = EmbeddedFileObject.from_file_data(
        writer,
        data=xml,
        mime_type=XML_MIME,
        params=EmbeddedFileParams(embed_size=True, embed_checksum=True),
    )
    embed_file(
        writer,
        FileSpec(
            file_spec_string=file_name,
            file_name=file_name,
            embedded_data=data,
            description=XML_DESCRIPTION,
            af_relationship=generic.pdf_name("/Source"),
        ),
    )
    out = io.BytesIO()
    writer.write(out)
    return dataclasses.replace(document, pdf=out.getvalue())


def store_xml_original(session: Session, *, receipt_id: int, xml: bytes) -> ReceiptXml:
    """Keep the signed XML beside the receipt (in the transaction that issues it)."""
    digest = xml_digest(xml)
    document = StoredDocument(sha256=digest, size=len(xml), content=xml)
    session.add(document)
    session.flush()
    row = ReceiptXml(receipt_id=receipt_id, document_id=document.id, sha256=digest)
    session.add(row)
    session.flush()
    return row


def xml_original_of(session: Session, receipt_id: int) -> bytes | None:
    """The stored XML original of a receipt; None for a receipt that has none (issued before
    1 July 2026)."""
    row = session.get(ReceiptXml, receipt_id)
    return bytes(row.document.content) if row is not None else None


def embedded_xml(pdf: bytes) -> bytes | None:
    """The XML original embedded in ``pdf`` (None if it has none): what a holder of the PDF
    alone can extract and check against the seal's SHA-256."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf))
    root = reader.root
    if "/AF" not in root:
        return None
    for item in root["/AF"]:
        spec = item.get_object()
        if spec.get("/AFRelationship") != "/Source" or "/EF" not in spec:
            continue
        data: bytes = spec["/EF"]["/F"].data
        return data
    return None


__all__ = [
    "embed_xml",
    "embedded_xml",
    "has_xml_original",
    "seal_certificate",
    "signed_xml_original",
    "store_key",
    "store_xml_original",
    "xml_digest",
    "xml_file_name",
    "xml_original_of",
    "xml_receipt",
]
