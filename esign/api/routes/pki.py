"""The PKI's public endpoints, at the URLs its certificates name (``base_url`` in pki.toml):
``/pki/crl/<ca>.crl``, ``/pki/ca/<ca>.cer``, ``/pki/ocsp`` (RFC 6960), and ``/pki/tsa``
(RFC 3161). CRLs, CA certificates and OCSP need no login: validators fetch them. The TSA
answers only the service's own authenticated clients (an API token with the scope ``tsa``, or
a staff session): our verifier trusts its timestamps, so a stranger must not be able to get one
and append it to our documents as an archive timestamp. Bodies are small and capped.

Errors speak the protocol where it has a word for them: bytes that are not an OCSP request get
an OCSP ``malformedRequest`` response, not a timestamp request a ``TimeStampResp`` with status
``rejection`` and failInfo ``badDataFormat`` (RFC 3161 §2.4.2), both with HTTP 200 since the
protocol answer is the payload (RFC 6960 A.1, RFC 3161 §3.4). What the protocols cannot say
(too large: 413, wrong media type: 415, no such CA: 404) is a JSON error.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from asn1crypto import core, tsp
from cryptography.hazmat.primitives.serialization import Encoding
from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from certs import CertificateEntry, PkiFolder, ocsp_error_response
from certs.errors import MalformedRequestError, UnknownEntityError

from ...db.types import utcnow
from ...errors import EsignError, NotFoundError
from ...service import Service
from ...workflows import certificates as flows
from ..deps import ServiceDep, TimestampClient

router = APIRouter(prefix="/pki", tags=["pki"])

OCSP_LIMIT = 16 * 1024
"""An OCSP request for a handful of certificates is a few hundred bytes."""
TSA_LIMIT = 16 * 1024
"""A TimeStampReq is under 200 bytes (a SHA-512 imprint, a nonce, a policy)."""


class PayloadTooLarge(EsignError):
    code, status = "payload_too_large", 413


class UnsupportedMediaType(EsignError):
    code, status = "unsupported_media_type", 415


async def read_body(request: Request, *, limit: int) -> bytes:
    """The body, refused (413) as soon as it passes ``limit``: a declared Content-Length is
    checked first, a chunked body while it streams in."""
    too_large = PayloadTooLarge(
        f"Dữ liệu gửi lên vượt quá {limit} byte", f"The body exceeds {limit} bytes"
    )
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def require_media_type(request: Request, expected: str) -> None:
    """Refuse another declared media type; a missing Content-Type is let through (some OCSP
    and TSA clients omit it, and the body is parsed strictly anyway)."""
    declared = request.headers.get("content-type")
    if declared is not None and declared.split(";")[0].strip().lower() != expected:
        raise UnsupportedMediaType(
            f"Cần Content-Type: {expected}", f"Content-Type must be {expected}"
        )


def _binary(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {media_type: {}}, "description": description}}


def _body(media_type: str) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {media_type: {}}}}


@router.get(
    "/crl/{ca}.crl",
    response_class=Response,
    responses=_binary("application/pkix-crl", "The CA's latest CRL (DER)"),
)
async def crl(ca: str, service: ServiceDep) -> Response:
    der = await run_in_threadpool(_current_crl, service, ca)
    return Response(der, media_type="application/pkix-crl")


@router.get(
    "/ca/{ca}.cer",
    response_class=Response,
    responses=_binary("application/pkix-cert", "The CA's certificate (DER)"),
)
async def ca_certificate(ca: str, service: ServiceDep) -> Response:
    entry = await run_in_threadpool(_ward_ca, service.pki, ca)
    return Response(
        entry.certificate.public_bytes(Encoding.DER), media_type="application/pkix-cert"
    )


@router.post(
    "/ocsp",
    response_class=Response,
    responses=_binary("application/ocsp-response", "OCSPResponse (DER)"),
    openapi_extra=_body("application/ocsp-request"),
)
async def ocsp_post(request: Request, service: ServiceDep) -> Response:
    require_media_type(request, "application/ocsp-request")
    return await _ocsp(service, await read_body(request, limit=OCSP_LIMIT))


@router.get(
    "/ocsp/{encoded:path}",
    response_class=Response,
    responses=_binary("application/ocsp-response", "OCSPResponse (DER)"),
)
async def ocsp_get(encoded: str, service: ServiceDep) -> Response:
    """RFC 6960 A.1: the base64 of the DER request, URL-encoded, as the last path segment(s)
    (an unescaped ``/`` of base64 splits it, hence the path converter)."""
    if len(encoded) > OCSP_LIMIT * 4 // 3 + 4:
        raise PayloadTooLarge("Yêu cầu OCSP quá dài", "The OCSP request is too long")
    text = encoded.strip().replace("-", "+").replace("_", "/")  # URL-safe alphabet too
    try:
        der = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        der = b""  # answered as malformed below
    return await _ocsp(service, der)


@router.post(
    "/tsa",
    response_class=Response,
    responses=_binary("application/timestamp-reply", "TimeStampResp (DER)"),
    openapi_extra=_body("application/timestamp-query"),
)
async def timestamp(request: Request, service: ServiceDep, actor: TimestampClient) -> Response:
    """RFC 3161 for the service's own clients: ``Authorization: Bearer <token with scope
    tsa>`` or a staff session; 401/403 before the body is read otherwise."""
    require_media_type(request, "application/timestamp-query")
    body = await read_body(request, limit=TSA_LIMIT)

    def answer() -> bytes:
        try:
            return service.pki.answer_timestamp(body, now=utcnow())
        except MalformedRequestError:
            return timestamp_rejection("bad_data_format", "not a DER TimeStampReq")

    return Response(await run_in_threadpool(answer), media_type="application/timestamp-reply")


async def _ocsp(service: Service, der: bytes) -> Response:
    def answer() -> bytes:
        try:
            return service.pki.answer_ocsp(der, now=utcnow())
        except MalformedRequestError:
            return ocsp_error_response("malformed_request")

    return Response(await run_in_threadpool(answer), media_type="application/ocsp-response")


def _ward_ca(pki: PkiFolder, name: str) -> CertificateEntry:
    """One of the ward's own CAs (not an imported certificate, not an end entity)."""
    not_found = NotFoundError(f"Không có CA tên “{name}”", f"No CA named {name!r}")
    try:
        entry = pki.entry(name)
    except UnknownEntityError as exc:
        raise not_found from exc
    if not entry.is_ca or entry.imported:
        raise not_found
    return entry


def _current_crl(service: Service, ca: str) -> bytes:
    """The published CRL, re-published first when it is close to its nextUpdate, so that a
    validator never receives a stale one even if nobody ran ``publish_crl`` on schedule."""
    pki = service.pki
    _ward_ca(pki, ca)
    try:
        der = pki.crl(ca)
    except UnknownEntityError as exc:
        raise NotFoundError(f"CA “{ca}” chưa có CRL", f"No CRL for {ca!r}") from exc
    now = utcnow()
    if flows.crl_is_due(der, now=now):
        with service.db.transaction() as session:
            der = flows.publish_crl_if_due(session, pki, ca, now=now)
    return der


class _StatusOnlyResp(core.Sequence):
    """A TimeStampResp without a token (asn1crypto 1.5 wrongly makes the token mandatory)."""

    _fields = [("status", tsp.PKIStatusInfo)]  # noqa: RUF012 (asn1crypto's declaration style)


def timestamp_rejection(fail_info: str, text: str) -> bytes:
    """``TimeStampResp{status: rejection}``: certs produces these for requests it parses but
    will not serve, and raises for bytes it cannot parse; this answers those."""
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
