"""An RFC 3161 timestamp authority as a function: request bytes in, response bytes out.

The token is a CMS SignedData over a TSTInfo, signed through the TSA's key store and carrying
an ESS signing-certificate-v2 attribute (RFC 5816), as pyHanko and Adobe expect.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime
from typing import Any

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509

from .errors import MalformedRequestError
from .keystores import KeyStore

_IMPRINT_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64}


def answer_timestamp(
    request: bytes,
    *,
    tsa: KeyStore,
    now: datetime,
    policy: str,
    serial_number: int | None = None,
) -> bytes:
    """Answer a DER ``TimeStampReq`` with a DER ``TimeStampResp``.

    A well-formed request the TSA will not serve (SHA-1 imprint, another policy, unknown
    extensions) gets a ``rejection`` response with its failInfo, as RFC 3161 §2.4.2 says;
    bytes that are not a TimeStampReq at all raise MalformedRequestError.
    """
    req = _parse(request)
    imprint = req["message_imprint"]
    algorithm = imprint["hash_algorithm"]["algorithm"].native
    if algorithm not in _IMPRINT_SIZES:
        return _rejection("bad_alg", f"unsupported hash algorithm {algorithm}")
    if len(imprint["hashed_message"].native) != _IMPRINT_SIZES[algorithm]:
        return _rejection("bad_data_format", "imprint length does not match its algorithm")
    if req["req_policy"].native not in (None, policy):
        return _rejection("unaccepted_policy", f"only policy {policy} is served")
    if req["extensions"].native:
        return _rejection("unaccepted_extensions", "no request extension is supported")

    tst_fields: dict[str, Any] = {
        "version": "v1",
        "policy": policy,
        "message_imprint": imprint,
        # RFC 3161 §2.4.2: unique per token; 127 random bits need no shared counter between
        # several app processes.
        "serial_number": serial_number if serial_number is not None else secrets.randbits(127),
        "gen_time": now.astimezone(UTC).replace(microsecond=0),
        "accuracy": {"seconds": 1},
        "tsa": asn1_x509.GeneralName(name="directory_name", value=tsa.asn1_certificate.subject),
    }
    if req["nonce"].native is not None:
        tst_fields["nonce"] = req["nonce"].native
    tst_info = tsp.TSTInfo(tst_fields).dump()
    token = _signed_data(tst_info, tsa=tsa, include_certs=bool(req["cert_req"].native), now=now)
    response: bytes = tsp.TimeStampResp(
        {"status": {"status": "granted"}, "time_stamp_token": token}
    ).dump()
    return response


def _parse(request: bytes) -> tsp.TimeStampReq:
    try:
        req = tsp.TimeStampReq.load(request, strict=True)
        req.native  # noqa: B018 (asn1crypto parses lazily: force it now, fail here)
        if req["version"].native != "v1":
            raise ValueError("TimeStampReq version must be 1")
    # asn1crypto raises more than ValueError on damaged input (AttributeError, IndexError, …).
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError) as exc:
        raise MalformedRequestError(
            "Yêu cầu dấu thời gian không hợp lệ (không phải DER của TimeStampReq)",
            "invalid timestamp request (not a DER TimeStampReq)",
        ) from exc
    return req


def _signed_data(
    tst_info: bytes, *, tsa: KeyStore, include_certs: bool, now: datetime
) -> cms.ContentInfo:
    cert = tsa.asn1_certificate
    signed_attrs = cms.CMSAttributes(
        [
            _attribute("content_type", "tst_info"),
            _attribute(
                "signing_time",
                cms.Time({"utc_time": now.astimezone(UTC).replace(microsecond=0)}),
            ),
            _attribute("message_digest", hashlib.sha256(tst_info).digest()),
            _attribute("signing_certificate_v2", _signing_certificate_v2(cert)),
        ]
    )
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                name="issuer_and_serial_number",
                value={"issuer": cert.issuer, "serial_number": cert.serial_number},
            ),
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": signed_attrs,
            "signature_algorithm": tsa.signature_algorithm("sha256"),
            # RFC 5652 §5.4: the signature covers the DER of the attributes as a SET.
            "signature": tsa.sign(signed_attrs.dump()),
        }
    )
    # The chain without its root: a validator must get the root from its own trust list.
    certificates = [cert, *(c for c in tsa.asn1_chain if c.self_signed == "no")]
    signed_data: dict[str, Any] = {
        "version": "v3",
        "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
        "encap_content_info": {
            "content_type": "tst_info",
            "content": core.ParsableOctetString(tst_info),
        },
        "signer_infos": [signer_info],
    }
    if include_certs:  # RFC 3161 §2.4.1 certReq: the TSA's certificate MUST then be included
        signed_data["certificates"] = certificates
    return cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData(signed_data)})


def _signing_certificate_v2(cert: asn1_x509.Certificate) -> tsp.SigningCertificateV2:
    return tsp.SigningCertificateV2(
        {
            "certs": [
                {
                    "hash_algorithm": {"algorithm": "sha256"},
                    "cert_hash": hashlib.sha256(cert.dump()).digest(),
                    "issuer_serial": {
                        "issuer": [asn1_x509.GeneralName(name="directory_name", value=cert.issuer)],
                        "serial_number": cert.serial_number,
                    },
                }
            ]
        }
    )


def _attribute(kind: str, value: object) -> cms.CMSAttribute:
    return cms.CMSAttribute({"type": kind, "values": (value,)})


class _StatusOnlyResp(core.Sequence):
    """A TimeStampResp without a token: asn1crypto 1.5 wrongly makes the token mandatory."""

    _fields = [("status", tsp.PKIStatusInfo)]  # noqa: RUF012 (asn1crypto's declaration style)


def _rejection(fail_info: str, text: str) -> bytes:
    response: bytes = _StatusOnlyResp(
        {
            "status": {
                "status": "rejection",
                "status_string": [text],
                "fail_info": tsp.PKIFailureInfo({fail_info}),
            }
        }
    ).dump()
    return response
