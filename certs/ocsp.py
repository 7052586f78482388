"""An RFC 6960 OCSP responder as a function: request bytes in, signed response bytes out.

The ward's OCSP responder certificate is issued by the issuing CA (a delegated responder with
id-pkix-ocsp-nocheck), so it answers for that CA's certificates only: good, revoked or unknown
per certificate; a request about another CA's certificates gets ``unauthorized``.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from asn1crypto import core, ocsp
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature

from .algorithms import to_asn1
from .errors import MalformedRequestError
from .keystores import KeyStore
from .revocation import CertStatus, RevocationRegister

_HASHES = {"sha1", "sha256", "sha384", "sha512"}


def answer_ocsp(
    request: bytes,
    *,
    responder: KeyStore,
    register: RevocationRegister,
    now: datetime,
    validity: timedelta = timedelta(days=1),
) -> bytes:
    """Answer a DER ``OCSPRequest`` with a DER ``OCSPResponse`` signed by ``responder``.

    Raises MalformedRequestError for input that is not an OCSP request (the HTTP layer may
    answer it with :func:`ocsp_error_response`\\ ``("malformed_request")``).
    """
    parsed = _parse(request)
    authority = _authority_of(responder, register)
    if authority is None:
        return ocsp_error_response("internal_error")
    ca = to_asn1(register.authorities[authority])
    now = now.astimezone(UTC).replace(microsecond=0)
    responses = []
    for single in parsed["tbs_request"]["request_list"]:
        cert_id = single["req_cert"]
        if not _is_about(cert_id, ca):
            return ocsp_error_response("unauthorized")
        status = register.lookup(authority, cert_id["serial_number"].native, at=now)
        responses.append(
            {
                "cert_id": cert_id,
                "cert_status": _cert_status(status.status, status.revoked_at, status.reason),
                "this_update": now,
                "next_update": now + validity,
            }
        )
    tbs: dict[str, Any] = {
        "responder_id": {"by_key": to_asn1(responder.certificate).public_key.sha1},
        "produced_at": now,
        "responses": responses,
    }
    nonce = _nonce(parsed)
    if nonce is not None:
        tbs["response_extensions"] = [{"extn_id": "nonce", "critical": False, "extn_value": nonce}]
    response_data = ocsp.ResponseData(tbs)
    basic = ocsp.BasicOCSPResponse(
        {
            "tbs_response_data": response_data,
            "signature_algorithm": responder.signature_algorithm("sha256"),
            "signature": responder.sign(response_data.dump()),
            "certs": [responder.asn1_certificate],
        }
    )
    response: bytes = ocsp.OCSPResponse(
        {
            "response_status": "successful",
            "response_bytes": {"response_type": "basic_ocsp_response", "response": basic},
        }
    ).dump()
    return response


def ocsp_error_response(status: str) -> bytes:
    """An unsigned error response: ``malformed_request``, ``internal_error``, ``unauthorized``…"""
    response: bytes = ocsp.OCSPResponse({"response_status": status}).dump()
    return response


def _parse(request: bytes) -> ocsp.OCSPRequest:
    try:
        parsed = ocsp.OCSPRequest.load(request, strict=True)
        parsed.native  # noqa: B018 (asn1crypto parses lazily: force it now, fail here)
        if not len(parsed["tbs_request"]["request_list"]):
            raise ValueError("empty request list")
        for single in parsed["tbs_request"]["request_list"]:
            if single["req_cert"]["hash_algorithm"]["algorithm"].native not in _HASHES:
                raise ValueError("unsupported CertID hash")
    # asn1crypto raises more than ValueError on damaged input (AttributeError, IndexError, …).
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, OverflowError) as exc:
        raise MalformedRequestError(
            "Yêu cầu OCSP không hợp lệ (không phải DER của OCSPRequest)",
            "invalid OCSP request (not a DER OCSPRequest)",
        ) from exc
    return parsed


def _authority_of(responder: KeyStore, register: RevocationRegister) -> str | None:
    for name, ca in register.authorities.items():
        if responder.certificate.issuer != ca.subject:
            continue
        try:
            responder.certificate.verify_directly_issued_by(ca)
        except (ValueError, TypeError, InvalidSignature):
            continue
        return name
    return None


def _is_about(cert_id: ocsp.CertId, ca: asn1_x509.Certificate) -> bool:
    algorithm = cert_id["hash_algorithm"]["algorithm"].native
    name_hash = hashlib.new(algorithm, ca.subject.dump()).digest()
    key_hash = hashlib.new(algorithm, bytes(ca.public_key["public_key"])).digest()
    return bool(
        cert_id["issuer_name_hash"].native == name_hash
        and cert_id["issuer_key_hash"].native == key_hash
    )


def _cert_status(status: CertStatus, revoked_at: datetime | None, reason: Any) -> ocsp.CertStatus:
    if status is CertStatus.GOOD:
        return ocsp.CertStatus(name="good", value=core.Null())
    if status is CertStatus.REVOKED and revoked_at is not None:
        return ocsp.CertStatus(
            name="revoked",
            value={
                "revocation_time": revoked_at.astimezone(UTC).replace(microsecond=0),
                "revocation_reason": reason.value if reason is not None else "unspecified",
            },
        )
    return ocsp.CertStatus(name="unknown", value=core.Null())


def _nonce(request: ocsp.OCSPRequest) -> bytes | None:
    for extension in request["tbs_request"]["request_extensions"] or ():
        if extension["extn_id"].native == "nonce":
            return bytes(extension["extn_value"].parsed.native)
    return None
