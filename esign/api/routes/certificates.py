"""The ward's certificates, for administrators: list, show, import, revoke."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pydantic
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import AwareDatetime, BaseModel, Field, field_validator
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.types import Message

from certs import RevocationReason, Role
from receipts.calendar import VIETNAM_TZ

from ...db.types import utcnow
from ...errors import ValidationError
from ...service import Service
from ...workflows import certificates as flows
from ..deps import AdminCertificates, ServiceDep
from ..schemas import ListOf, Strict
from .pki import UnsupportedMediaType, read_body

router = APIRouter(tags=["certificates"])

IMPORT_LIMIT = 256 * 1024
"""A PKCS#12 file with its chain, or a certificate and a chain, is a few kilobytes."""


class RevocationPublic(BaseModel):
    at: dt.datetime
    reason: RevocationReason


class CertificatePublic(BaseModel):
    name: str
    role: Role
    subject: str
    serial: str
    issuer: str
    not_before: dt.datetime
    not_after: dt.datetime
    sha256: str
    revoked: RevocationPublic | None = None
    imported: bool
    has_key: bool
    is_ca: bool


class CertificateDetail(CertificatePublic):
    certificate_pem: str
    chain: list[str]
    """Subjects of the issuers, nearest first."""


class CertificateImport(Strict):
    """The text fields of the multipart form (the files are ``file`` and ``chain``)."""

    role: Role
    name: str | None = Field(default=None, max_length=63)
    password: str | None = Field(default=None, max_length=200)
    user_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class RevokeCreate(Strict):
    reason: RevocationReason
    revoked_at: dt.date | AwareDatetime | None = None
    """Since when (a date means 00:00 Vietnam time); now by default."""

    @field_validator("revoked_at")
    @classmethod
    def _plausible(cls, value: dt.date | None) -> dt.date | None:
        # Also keeps the conversion to UTC away from year 1 / 9999 overflows.
        if value is not None and not 2000 <= value.year <= 2999:
            raise ValueError("the revocation date must be in 2000-2999")
        return value


def _fields(info: flows.CertificateInfo) -> dict[str, Any]:
    data = {f.name: getattr(info, f.name) for f in dataclasses.fields(info)}
    if info.revoked_at is not None:
        data["revoked"] = {"at": info.revoked_at, "reason": info.revocation_reason}
    return data


def _public(info: flows.CertificateInfo) -> CertificatePublic:
    return CertificatePublic.model_validate(_fields(info))


def _detail(info: flows.CertificateInfo) -> CertificateDetail:
    return CertificateDetail.model_validate(_fields(info))


@router.get("/certificates", response_model=ListOf[CertificatePublic])
def list_certificates(service: ServiceDep, actor: AdminCertificates) -> ListOf[CertificatePublic]:
    data = [_public(i) for i in flows.list_certificates(actor, service.pki)]
    return ListOf(data=data, count=len(data))


@router.get("/certificates/{name}", response_model=CertificateDetail)
def get_certificate(name: str, service: ServiceDep, actor: AdminCertificates) -> CertificateDetail:
    return _detail(flows.get_certificate(actor, service.pki, name))


_IMPORT_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "role"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "chain": {"type": "string", "format": "binary"},
                        "role": {"type": "string", "enum": [r.value for r in flows.SIGNER_ROLES]},
                        "name": {"type": "string"},
                        "password": {"type": "string", "format": "password"},
                        "user_id": {"type": "integer"},
                    },
                }
            }
        },
    }
}


@router.post(
    "/certificates/import",
    response_model=CertificateDetail,
    status_code=201,
    openapi_extra=_IMPORT_FORM,
)
async def import_certificate(
    request: Request, service: ServiceDep, actor: AdminCertificates
) -> CertificateDetail:
    """Register a certificate issued elsewhere: a PKCS#12 file (``file`` + ``password``), or a
    certificate in PEM/DER (``file``) with its chain (in ``file`` too, or ``chain``); optionally
    bind it to an official (``user_id``). The form is parsed here, after the role check and
    under a size cap, rather than by FastAPI before both."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise UnsupportedMediaType(
            "Cần gửi biểu mẫu multipart/form-data", "Send multipart/form-data"
        )
    body = await read_body(request, limit=IMPORT_LIMIT)

    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async with Request(request.scope, replay).form(max_files=2, max_fields=6) as form:
        texts = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        fields = _validated(CertificateImport, {k: v for k, v in texts.items() if v != ""})
        file, chain = form.get("file"), form.get("chain")
        if not isinstance(file, UploadFile):
            raise ValidationError("Cần tệp chứng thư (file)", "The certificate file is required")
        data = await file.read()
        filename = file.filename or "tệp tải lên"
        chain_data = await chain.read() if isinstance(chain, UploadFile) else None
    if chain_data:
        data = _as_pem(data, "file") + _as_pem(chain_data, "chain")
    now = utcnow()

    def work(service: Service) -> flows.CertificateInfo:
        with service.db.transaction() as session:
            return flows.import_certificate(
                session,
                actor,
                service.pki,
                data=data,
                role=fields.role,
                now=now,
                name=fields.name,
                password=fields.password,
                user_id=fields.user_id,
                source=filename,
            )

    return _detail(await run_in_threadpool(work, service))


@router.post("/certificates/{name}/revoke", response_model=CertificateDetail)
def revoke_certificate(
    name: str, body: RevokeCreate, service: ServiceDep, actor: AdminCertificates
) -> CertificateDetail:
    """Revoke one of the ward's certificates and publish its issuer's new CRL."""
    now = utcnow()
    at = body.revoked_at
    if at is None:
        moment = now
    elif isinstance(at, dt.datetime):
        moment = at
    else:
        moment = dt.datetime.combine(at, dt.time(), VIETNAM_TZ)
    with service.db.transaction() as session:
        info = flows.revoke_certificate(
            session, actor, service.pki, name, reason=body.reason, at=moment, now=now
        )
    return _detail(info)


def _validated(model: type[Strict], data: dict[str, str]) -> Any:
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc


def _as_pem(data: bytes, field: str) -> bytes:
    """A certificate or bundle in PEM, from PEM or one DER certificate (to join the two files)."""
    if b"-----BEGIN" in data:
        return data if data.endswith(b"\n") else data + b"\n"
    try:
        return x509.load_der_x509_certificate(data).public_bytes(Encoding.PEM)
    except ValueError as exc:
        raise ValidationError(
            f"Tệp “{field}” không phải chứng thư PEM/DER (tệp PKCS#12 đã chứa sẵn chuỗi)",
            f"{field!r} is not a PEM/DER certificate (a PKCS#12 file carries its own chain)",
        ) from exc
