"""Result documents: create for a dossier, the officials' queues, batch signing, PDF."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from ...db.models import ResultDocument, ResultStatus
from ...http.reports import VerificationReportPublic
from ...workflows import queries
from ...workflows import results as flows
from ...workflows.batches import sign_batch
from ...workflows.keys import key_policy, open_official_key, set_key_source
from ...workflows.verification import verify_result
from ..deps import AdminCertificates, ResultPreparer, ResultReader, ResultSigner, ServiceDep
from ..schemas import ListOf, Strict

router = APIRouter(tags=["results"])


class ResultCreate(Strict):
    dossier_id: int
    data: dict[str, Any]
    """Template fields: see the schemas of esign.workflows.result_templates."""


class SignatureSlotPublic(BaseModel):
    """One official's place on the document: whose turn, and when it was signed."""

    model_config = ConfigDict(from_attributes=True)
    position: int
    role: str
    field_name: str
    signed_at: dt.datetime | None
    signed_by_id: int | None


class WarningPublic(BaseModel):
    code: str
    message_vi: str
    message_en: str


class ResultPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    token: str
    dossier_id: int
    template: str
    number: str
    status: ResultStatus
    created_at: dt.datetime
    signed_at: dt.datetime | None
    signatures: list[SignatureSlotPublic]
    next_role: str | None = None
    warnings: list[WarningPublic] = []
    """For the clerk: e.g. the active content removed from a supplied copy."""


def _public(result: ResultDocument) -> ResultPublic:
    out = ResultPublic.model_validate(result)
    nxt = flows.next_signature(result)
    out.next_role = nxt.role if nxt else None
    removed = flows.copy_warning(result)
    if removed is not None:
        vi, en = removed
        out.warnings = [
            WarningPublic(code="copy_active_content_removed", message_vi=vi, message_en=en)
        ]
    return out


class SignCreate(Strict):
    result_ids: list[int] = Field(min_length=1, max_length=100)
    secret: str = Field(min_length=1, max_length=200, repr=False)
    """The PKCS#12 password or the token PIN: used for this batch only, never stored or logged."""


class SignOutcomePublic(BaseModel):
    result_id: int
    ok: bool
    code: str | None
    message_vi: str | None
    message_en: str | None
    document_sha256: str | None
    completed: bool


class KeySourceSet(Strict):
    kind: Literal["pkcs12", "pkcs11"]
    path: str | None = Field(default=None, max_length=500)
    module: str | None = Field(default=None, max_length=500)
    token_label: str | None = Field(default=None, max_length=100)
    key_label: str | None = Field(default=None, max_length=100)
    cert_label: str | None = Field(default=None, max_length=100)


@router.post("/results", response_model=ResultPublic, status_code=201)
def create(body: ResultCreate, service: ServiceDep, actor: ResultPreparer) -> ResultPublic:
    with service.db.transaction() as s:
        result = flows.create_result(s, actor, service, dossier_id=body.dossier_id, data=body.data)
        return _public(result)


@router.get("/results", response_model=ListOf[ResultPublic])
def list_results(
    service: ServiceDep,
    actor: ResultReader,
    status: ResultStatus | None = None,
    offset: int = 0,
    limit: int = 50,
) -> ListOf[ResultPublic]:
    with service.db.reading() as s:
        page = queries.list_results(s, status=status, offset=offset, limit=limit)
        return ListOf(data=[_public(r) for r in page.items], count=page.count)


@router.get("/results/queue", response_model=ListOf[ResultPublic])
def my_queue(service: ServiceDep, actor: ResultSigner) -> ListOf[ResultPublic]:
    """The documents waiting for my signature now."""
    with service.db.reading() as s:
        data = [_public(r) for r, _ in flows.queue(s, actor)]
    return ListOf(data=data, count=len(data))


@router.post("/results/sign", response_model=ListOf[SignOutcomePublic])
def sign(body: SignCreate, service: ServiceDep, actor: ResultSigner) -> ListOf[SignOutcomePublic]:
    """Sign one or many documents with one entry of the password or PIN."""
    policy = key_policy(service.settings)
    with open_official_key(service.db, actor, secret=body.secret, policy=policy) as key:
        with service.db.reading() as s:
            signer = flows.official_signer(s, actor, service, key.store)
        outcomes = sign_batch(
            service.db.transaction,
            actor,
            signer,
            body.result_ids,
            current_certificate=key.current_certificate,
        )
    data = [SignOutcomePublic.model_validate(o, from_attributes=True) for o in outcomes]
    return ListOf(data=data, count=len(data))


@router.get("/results/{result_id}", response_model=ResultPublic)
def get(result_id: int, service: ServiceDep, actor: ResultReader) -> ResultPublic:
    with service.db.reading() as s:
        return _public(flows.get_result(s, result_id))


@router.get("/results/{result_id}/verification", response_model=VerificationReportPublic)
def verification(result_id: int, service: ServiceDep, actor: ResultReader) -> Any:
    """The signature report of the document as signed so far: each signature's signer, time,
    integrity and trust, and one verdict (the same verifier as ``POST /api/v1/verify``)."""
    with service.db.reading() as s:
        report = verify_result(s, actor, service, result_id)
    return VerificationReportPublic.model_validate(report)


@router.get(
    "/results/{result_id}/pdf",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The PDF as signed so far"}
    },
)
def pdf(result_id: int, service: ServiceDep, actor: ResultReader) -> Response:
    with service.db.reading() as s:
        result = flows.get_result(s, result_id)
        doc = queries.stored_pdf(s, result.document_id)
        return Response(
            doc.content,
            media_type="application/pdf",
            headers={
                "X-Content-SHA256": doc.sha256,
                "Content-Disposition": f'inline; filename="ket-qua-{result.id}.pdf"',
            },
        )


@router.put("/users/{user_id}/key-source", status_code=204)
def put_key_source(
    user_id: int, body: KeySourceSet, service: ServiceDep, actor: AdminCertificates
) -> None:
    """Where an official's key is: a PKCS#12 file path or a PKCS#11 token (no secret here)."""
    with service.db.transaction() as s:
        set_key_source(
            s,
            actor,
            user_id=user_id,
            source=body.model_dump(exclude_none=True),
            policy=key_policy(service.settings),
        )
