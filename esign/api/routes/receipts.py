"""Receipts: issue (idempotent), read, PDF, cancel, replace, adjust, list with filters."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from receipts.pdf import FeeLine, PaymentMethod
from receipts.scheme import ErrorKind, number_text

from ...db.models import Receipt, ReceiptStatus
from ...errors import NotFoundError
from ...identifiers import ProcedureCode, SeriesCode, TemplateSymbol
from ...seal import verification_url
from ...workflows import notices as notice_flows
from ...workflows import queries, xml_original
from ...workflows import receipts as flows
from ...workflows import series as series_flows
from ...workflows.idempotency import run_idempotent
from ..deps import AdminUsers, ReceiptClerk, ReceiptReader, ServiceDep
from ..schemas import ListOf, Strict

router = APIRouter(tags=["receipts"])


class FeeLineIn(Strict):
    name: str = Field(min_length=1, max_length=300)
    legal_basis: str = Field(min_length=1, max_length=300)
    quantity: int = Field(ge=1, le=10_000)
    unit_price: int = Field(ge=0, le=1_000_000_000)
    amount: int = Field(ge=0, le=100_000_000_000)
    exemption_reason: str | None = Field(default=None, max_length=300)


class FeesIn(Strict):
    procedure_code: ProcedureCode | None = None
    pages: int | None = Field(default=None, ge=1, le=10_000)
    copies: int | None = Field(default=None, ge=1, le=1_000)
    cases: int | None = Field(default=None, ge=1, le=1_000)
    categories: list[str] = Field(default_factory=list, max_length=5)
    channel: str = Field(default="counter", pattern="^(counter|online)$")
    lines: list[FeeLineIn] = Field(default_factory=list, max_length=100)
    free_line_reason: str | None = Field(default=None, max_length=500)
    """Why lines are typed by hand instead of the catalog's (roles in ESIGN_FREE_FEE_LINE_ROLES)."""

    def to_input(self) -> flows.FeeInput:
        return flows.FeeInput(
            procedure_code=self.procedure_code,
            pages=self.pages,
            copies=self.copies,
            cases=self.cases,
            categories=tuple(self.categories),
            channel=self.channel,
            lines=tuple(FeeLine(**line.model_dump()) for line in self.lines),
            free_line_reason=self.free_line_reason,
        )


class ReceiptCreate(Strict):
    payer_name: str = Field(min_length=1, max_length=150)
    payer_address: str = Field(min_length=1, max_length=250)
    payment_method: PaymentMethod
    dossier_id: int | None = None
    fees: FeesIn | None = None
    template_symbol: TemplateSymbol | None = None
    series: SeriesCode | None = None


REASON_CODE = Field(
    default=None,
    max_length=40,
    description="Public reason (sai_thong_tin_nguoi_nop, sai_so_tien, thu_trung, "
    "nguoi_nop_yeu_cau_huy, khac); none: khac. ``reason`` stays internal.",
)


class CancelCreate(Strict):
    reason: str = Field(min_length=1, max_length=500)
    reason_code: str | None = REASON_CODE


class ReplaceCreate(Strict):
    reason: str = Field(min_length=1, max_length=500)
    reason_code: str | None = REASON_CODE
    payer_name: str | None = Field(default=None, min_length=1, max_length=150)
    payer_address: str | None = Field(default=None, min_length=1, max_length=250)
    payment_method: PaymentMethod | None = None
    fees: FeesIn | None = None


class AdjustCreate(Strict):
    kind: flows.AdjustmentKind
    reason: str = Field(min_length=1, max_length=500)
    reason_code: str | None = REASON_CODE
    fees: FeesIn | None = None
    payer_name: str | None = Field(default=None, min_length=1, max_length=150)
    payer_address: str | None = Field(default=None, min_length=1, max_length=250)


class ReceiptLinePublic(BaseModel):
    name: str
    legal_basis: str
    quantity: int
    unit_price: int
    amount: int
    exemption_reason: str | None


class ReceiptPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    token: str
    template_symbol: str
    series: str
    year: int
    number: int
    issued_at: dt.datetime
    unit_name: str
    unit_tax_code: str
    payer_name: str
    payer_address: str
    dossier_id: int | None
    procedure_code: str | None
    lines: list[ReceiptLinePublic]
    total: int
    payment_method: str
    clerk_name: str
    status: ReceiptStatus
    cancel_reason: str | None
    cancelled_at: dt.datetime | None
    replaces_id: int | None
    replaced_by_id: int | None
    adjusts_id: int | None
    adjustment_kind: str | None
    relation_reason: str | None
    adjusted_by_ids: list[int] = []
    pdf_sha256: str
    verify_url: str


def _public(
    receipt: Receipt, *, adjusted_by: list[int], pdf_sha256: str, public_url: str
) -> ReceiptPublic:
    data: dict[str, Any] = {
        c: getattr(receipt, c) for c in ReceiptPublic.model_fields if hasattr(receipt, c)
    }
    data.update(
        adjusted_by_ids=adjusted_by,
        pdf_sha256=pdf_sha256,
        verify_url=verification_url(public_url, receipt.token),
    )
    return ReceiptPublic.model_validate(data)


def _load_public(service: ServiceDep, receipt_id: int) -> ReceiptPublic:
    with service.db.reading() as s:
        return _public_in(s, service, flows.get_receipt(s, receipt_id))


def _public_in(s: Session, service: ServiceDep, receipt: Receipt) -> ReceiptPublic:
    adjusted = [r.id for r in flows.adjustments_of(s, receipt)]
    shas = queries.pdf_sha256s(s, [receipt.document_id])
    return _public(
        receipt,
        adjusted_by=adjusted,
        pdf_sha256=shas.get(receipt.document_id, ""),
        public_url=service.settings.public_url,
    )


IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)]


@router.post("/receipts", response_model=ReceiptPublic, status_code=201)
def issue(
    body: ReceiptCreate,
    service: ServiceDep,
    actor: ReceiptClerk,
    response: Response,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """Issue a receipt. With ``Idempotency-Key``, a retry with the same body returns the first
    answer; the same key with another body is refused (422); one still running gets 409."""

    def work(s: Session) -> tuple[int, dict[str, Any]]:
        # The answer is built in the issuing transaction: it is stored with the key there.
        receipt = flows.issue_receipt(
            s,
            actor,
            service,
            payer_name=body.payer_name,
            payer_address=body.payer_address,
            payment_method=body.payment_method,
            dossier_id=body.dossier_id,
            fees=body.fees.to_input() if body.fees else None,
            template_symbol=body.template_symbol,
            series=body.series,
        )
        return 201, _public_in(s, service, receipt).model_dump(mode="json")

    status, payload = run_idempotent(
        service.db,
        key=idempotency_key,
        user_id=actor.user_id,
        request=body.model_dump(mode="json"),
        work=work,
    )
    response.status_code = status
    return payload


@router.get("/receipts", response_model=ListOf[ReceiptPublic])
def list_receipts(
    service: ServiceDep,
    actor: ReceiptReader,
    status: ReceiptStatus | None = None,
    series: str | None = None,
    payer: Annotated[str | None, Query(max_length=100)] = None,
    issued_from: dt.date | None = None,
    issued_to: dt.date | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ListOf[ReceiptPublic]:
    filters = queries.ReceiptFilter(
        status=status, series=series, payer=payer, issued_from=issued_from, issued_to=issued_to
    )
    with service.db.reading() as s:
        page = queries.list_receipts(s, filters, offset=offset, limit=limit)
        shas = queries.pdf_sha256s(s, [r.document_id for r in page.items])
        data = [
            _public(
                r,
                adjusted_by=[a.id for a in flows.adjustments_of(s, r)],
                pdf_sha256=shas.get(r.document_id, ""),
                public_url=service.settings.public_url,
            )
            for r in page.items
        ]
    return ListOf(data=data, count=page.count)


@router.get("/receipts/{receipt_id}", response_model=ReceiptPublic)
def get_receipt(receipt_id: int, service: ServiceDep, actor: ReceiptReader) -> ReceiptPublic:
    return _load_public(service, receipt_id)


@router.get(
    "/receipts/{receipt_id}/pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "The signed PDF"}},
)
def receipt_pdf(receipt_id: int, service: ServiceDep, actor: ReceiptReader) -> Response:
    with service.db.reading() as s:
        receipt = flows.get_receipt(s, receipt_id)
        doc = queries.stored_pdf(s, receipt.document_id)
        name = (
            f"bien-lai-{receipt.series}-{number_text(receipt.template_symbol, receipt.number)}.pdf"
        )
        return Response(
            doc.content,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'inline; filename="{name}"',
                "X-Content-SHA256": doc.sha256,
            },
        )


@router.post("/receipts/{receipt_id}/cancel", response_model=ReceiptPublic)
def cancel(
    receipt_id: int, body: CancelCreate, service: ServiceDep, actor: ReceiptClerk
) -> ReceiptPublic:
    with service.db.transaction() as s:
        flows.cancel_receipt(s, actor, receipt_id, reason=body.reason, reason_code=body.reason_code)
    return _load_public(service, receipt_id)


@router.post("/receipts/{receipt_id}/replace", response_model=ReceiptPublic, status_code=201)
def replace(
    receipt_id: int, body: ReplaceCreate, service: ServiceDep, actor: ReceiptClerk
) -> ReceiptPublic:
    with service.db.transaction() as s:
        new = flows.replace_receipt(
            s,
            actor,
            service,
            receipt_id,
            reason=body.reason,
            reason_code=body.reason_code,
            payer_name=body.payer_name,
            payer_address=body.payer_address,
            payment_method=body.payment_method,
            fees=body.fees.to_input() if body.fees else None,
        )
        new_id = new.id
    return _load_public(service, new_id)


@router.post("/receipts/{receipt_id}/adjust", response_model=ReceiptPublic, status_code=201)
def adjust(
    receipt_id: int, body: AdjustCreate, service: ServiceDep, actor: ReceiptClerk
) -> ReceiptPublic:
    with service.db.transaction() as s:
        new = flows.adjust_receipt(
            s,
            actor,
            service,
            receipt_id,
            kind=body.kind,
            reason=body.reason,
            reason_code=body.reason_code,
            fees=body.fees.to_input() if body.fees else None,
            payer_name=body.payer_name,
            payer_address=body.payer_address,
        )
        new_id = new.id
    return _load_public(service, new_id)


@router.get(
    "/receipts/{receipt_id}/xml",
    response_class=Response,
    responses={
        200: {"content": {"application/xml": {}}, "description": "The signed XML original"},
        404: {"description": "No such receipt, or a receipt issued before 1/7/2026 (no XML)"},
    },
)
def receipt_xml(receipt_id: int, service: ServiceDep, actor: ReceiptReader) -> Response:
    """The receipt's XML original (TT 91/2026 Điều 18), signed by the ward; receipts issued
    before 1 July 2026 have none (``no_xml_original``)."""
    with service.db.reading() as s:
        receipt = flows.get_receipt(s, receipt_id)
        xml = xml_original.xml_original_of(s, receipt.id)
        if xml is None:
            raise NotFoundError(
                "Biên lai lập trước 01/7/2026 không có bản XML",
                "A receipt issued before 1 July 2026 has no XML original",
                code="no_xml_original",
            )
        name = f"bien-lai-{receipt.series}-{number_text(receipt.template_symbol, receipt.number)}"
        return Response(
            xml,
            media_type="application/xml",
            headers={
                "Content-Disposition": f'attachment; filename="{name}.xml"',
                "X-Content-SHA256": xml_original.xml_digest(xml),
            },
        )


class NoticeCreate(Strict):
    error_kind: ErrorKind = Field(
        description="payer_name, payer_address, amount_in_words or other (TT 91/2026 Điều 20); "
        "amount and tax_code need a replacement receipt"
    )
    description: str = Field(min_length=1, max_length=500)
    notified_to: str = Field(min_length=1, max_length=250)


class NoticePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    receipt_id: int
    error_kind: str
    description: str
    notified_to: str
    issued_at: dt.datetime
    clerk_name: str
    sha256: str


@router.post("/receipts/{receipt_id}/notices", response_model=NoticePublic, status_code=201)
def create_notice(
    receipt_id: int, body: NoticeCreate, service: ServiceDep, actor: ReceiptClerk
) -> Any:
    """Record that the payer was notified of an error, Mẫu 04/SS-CTĐT, without a new receipt."""
    with service.db.transaction() as s:
        return notice_flows.record_notice(
            s,
            actor,
            service,
            receipt_id,
            error=body.error_kind,
            description=body.description,
            notified_to=body.notified_to,
        )


@router.get("/receipts/{receipt_id}/notices", response_model=ListOf[NoticePublic])
def list_notices(receipt_id: int, service: ServiceDep, actor: ReceiptReader) -> Any:
    with service.db.reading() as s:
        flows.get_receipt(s, receipt_id)
        rows = notice_flows.list_notices(s, receipt_id=receipt_id)
        return {"data": rows, "count": len(rows)}


@router.get(
    "/notices/{notice_id}/xml",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}, "description": "Mẫu 04/SS-CTĐT"}},
)
def notice_xml(notice_id: int, service: ServiceDep, actor: ReceiptReader) -> Response:
    with service.db.reading() as s:
        xml = notice_flows.notice_xml(s, notice_id)
    return Response(
        xml,
        media_type="application/xml",
        headers={
            "Content-Disposition": f'attachment; filename="thong-bao-04-SS-CTDT-{notice_id}.xml"',
            "X-Content-SHA256": xml_original.xml_digest(xml),
        },
    )


class SeriesCreate(Strict):
    template_symbol: TemplateSymbol
    series: SeriesCode


class SeriesPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    template_symbol: str
    series: str
    active: bool


@router.post("/series", response_model=SeriesPublic, status_code=201)
def create_series(body: SeriesCreate, service: ServiceDep, actor: AdminUsers) -> Any:
    """Register a receipt template symbol and series (administrator)."""
    with service.db.transaction() as s:
        return series_flows.create_series(
            s, actor, template_symbol=body.template_symbol, series=body.series
        )


@router.get("/series", response_model=ListOf[SeriesPublic])
def list_series(service: ServiceDep, actor: ReceiptReader) -> Any:
    with service.db.reading() as s:
        rows = series_flows.list_series(s)
        return {"data": rows, "count": len(rows)}


@router.post("/series/{series_id}/deactivate", response_model=SeriesPublic)
def deactivate_series(series_id: int, service: ServiceDep, actor: AdminUsers) -> Any:
    with service.db.transaction() as s:
        return series_flows.set_series_active(s, actor, series_id, active=False)
