"""A CMS SignedData builder for one signer whose constant parts are encoded once.

pyHanko builds every CMS signature with asn1crypto, re-encoding the signer's certificate chain
and attributes each time: tens of milliseconds of pure Python per signature, more than the RSA
operation itself (NOTES.md). For one signer everything but the document digest, the signature
value and an optional timestamp token is the same from one signature to the next, so
:class:`CmsTemplate` encodes those parts once (with asn1crypto) and splices the rest in as DER.

The result is what pyHanko itself produces in PAdES mode: signed attributes contentType,
messageDigest and signingCertificateV2 (no signingTime: PAdES puts the time in ``/M``), the
signer identified by issuer and serial number, the chain in ``certificates``, and the signature
timestamp, when there is one, as the unsigned attribute ``id-aa-signatureTimeStampToken``.
The tests check it against pyHanko's validator.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509

_OID_DATA = core.ObjectIdentifier("1.2.840.113549.1.7.1").dump()
_OID_SIGNED_DATA = core.ObjectIdentifier("1.2.840.113549.1.7.2").dump()
_OID_MESSAGE_DIGEST = core.ObjectIdentifier("1.2.840.113549.1.9.4").dump()
_OID_TST_TOKEN = core.ObjectIdentifier("1.2.840.113549.1.9.16.2.14").dump()


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, *parts: bytes) -> bytes:
    content = b"".join(parts)
    return bytes([tag]) + _length(len(content)) + content


def _set_of(*encodings: bytes, tag: int = 0x31) -> bytes:
    # DER orders the members of a SET OF by their encodings.
    return tlv(tag, *sorted(encodings))


class CmsTemplate:
    """The constant DER of one signer's signatures."""

    def __init__(
        self,
        *,
        certificate: asn1_x509.Certificate,
        chain: Sequence[asn1_x509.Certificate],
        signature_algorithm: algos.SignedDigestAlgorithm,
        digest_algorithm: str = "sha256",
    ) -> None:
        self.digest_algorithm = digest_algorithm
        self._content_type_attr = cms.CMSAttribute(
            {"type": "content_type", "values": [cms.ContentType("data")]}
        ).dump()
        cert_hash = hashlib.new(digest_algorithm, certificate.dump()).digest()
        issuer_serial = {
            "issuer": [asn1_x509.GeneralName({"directory_name": certificate.issuer})],
            "serial_number": certificate.serial_number,
        }
        ess_cert = {"cert_hash": cert_hash, "issuer_serial": issuer_serial}
        if digest_algorithm != "sha256":
            ess_cert["hash_algorithm"] = {"algorithm": digest_algorithm}
        self._signing_cert_attr = cms.CMSAttribute(
            {
                "type": "signing_certificate_v2",
                "values": [{"certs": [ess_cert]}],
            }
        ).dump()
        self._sid = cms.SignerIdentifier(
            {
                "issuer_and_serial_number": {
                    "issuer": certificate.issuer,
                    "serial_number": certificate.serial_number,
                }
            }
        ).dump()
        self._digest_alg = algos.DigestAlgorithm({"algorithm": digest_algorithm}).dump()
        self._signature_alg = signature_algorithm.dump()
        seen: set[bytes] = set()
        certs: list[bytes] = []
        for c in (certificate, *chain):
            der = c.dump()
            if der not in seen:
                seen.add(der)
                certs.append(der)
        self._certificates = tlv(0xA0, *certs)
        self._version = core.Integer(1).dump()

    def signed_attributes(self, digest: bytes) -> bytes:
        """The DER that is signed: ``SET OF Attribute`` with this document's digest."""
        message_digest = tlv(0x30, _OID_MESSAGE_DIGEST, tlv(0x31, tlv(0x04, digest)))
        return _set_of(self._content_type_attr, message_digest, self._signing_cert_attr)

    def assemble(
        self, signed_attributes: bytes, signature: bytes, *, timestamp_token: bytes | None = None
    ) -> bytes:
        """The ``ContentInfo`` DER: signed attributes as built, the signature, a timestamp."""
        unsigned = b""
        if timestamp_token is not None:
            unsigned = _set_of(tlv(0x30, _OID_TST_TOKEN, tlv(0x31, timestamp_token)), tag=0xA1)
        signer_info = tlv(
            0x30,
            self._version,
            self._sid,
            self._digest_alg,
            b"\xa0" + signed_attributes[1:],  # [0] IMPLICIT: same content, context tag
            self._signature_alg,
            tlv(0x04, signature),
            unsigned,
        )
        signed_data = tlv(
            0x30,
            self._version,
            tlv(0x31, self._digest_alg),
            tlv(0x30, _OID_DATA),
            self._certificates,
            tlv(0x31, signer_info),
        )
        return tlv(0x30, _OID_SIGNED_DATA, tlv(0xA0, signed_data))

    @staticmethod
    def check_timestamp_token(token: bytes) -> tsp.TSTInfo:
        """Parse a timestamp token enough to know it is one (and when it says)."""
        info = cms.ContentInfo.load(token)["content"]["encap_content_info"]["content"].parsed
        assert isinstance(info, tsp.TSTInfo)
        return info
