"""Reports to the tax authority (outbox), paper receipts in stock, unverified law: for the
administrator (paper receipt use: the clerk too). The same workflows as ``esign tax``,
``esign paper``, ``esign law``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from ...db.models import UserRole
from ...http.deps import Roles
from ...http.reports import public_model
from ...tax.senders import default_sender
from ...workflows import law_ack, outbox, paper_stock, tax_reports
from ...workflows.actors import Actor
from ..deps import ServiceDep
from ..schemas import ListOf

router = APIRouter(tags=["tax authority"])

TaxAdmin = Annotated[Actor, Depends(Roles(UserRole.ADMIN, scope="reports"))]
LawAdmin = Annotated[Actor, Depends(Roles(UserRole.ADMIN, scope="users"))]
PaperAdmin = Annotated[Actor, Depends(Roles(UserRole.ADMIN, scope="receipts"))]
PaperClerk = Annotated[Actor, Depends(Roles(UserRole.CLERK, UserRole.ADMIN, scope="receipts"))]


class EventPublic(BaseModel):
    at: dt.datetime
    state: str
    error: str | None


class SubmissionPublic(BaseModel):
    id: int
    kind: str
    period: dt.date
    sequence: int
    reference: str
    state: str
    attempts: int
    last_error: str | None
    rows: int
    amount: int
    xml_sha256: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    sent_ref: str | None
    events: list[EventPublic]


def _public(v: outbox.SubmissionView) -> SubmissionPublic:
    data: dict[str, Any] = {f.name: getattr(v, f.name) for f in dataclasses.fields(v)}
    data["events"] = [EventPublic(at=a, state=s, error=e) for a, s, e in v.events]
    return SubmissionPublic(**data)


class SummaryCreate(BaseModel):
    day: dt.date | None = None
    """A Vietnam day; today when omitted."""


class RegistrationCreate(BaseModel):
    contact_name: str = Field(min_length=1, max_length=200)
    contact_phone: str | None = Field(default=None, max_length=40)
    contact_email: str | None = Field(default=None, max_length=200)
    change: bool = False


@router.get("/tax/submissions", response_model=ListOf[SubmissionPublic])
def list_submissions(
    service: ServiceDep,
    actor: TaxAdmin,
    state: Annotated[str | None, Query()] = None,
    kind: Annotated[str | None, Query()] = None,
) -> ListOf[SubmissionPublic]:
    with service.db.reading() as session:
        views = outbox.list_submissions(session, actor, state=state, kind=kind)
    return ListOf(data=[_public(v) for v in views], count=len(views))


@router.get("/tax/submissions/{submission_id}", response_model=SubmissionPublic)
def get_submission(submission_id: int, service: ServiceDep, actor: TaxAdmin) -> SubmissionPublic:
    with service.db.reading() as session:
        return _public(outbox.get_submission(session, actor, submission_id))


@router.get("/tax/submissions/{submission_id}/xml")
def submission_xml(submission_id: int, service: ServiceDep, actor: TaxAdmin) -> Response:
    """The signed XML as queued (and sent)."""
    with service.db.reading() as session:
        xml, _ = outbox.submission_files(session, actor, submission_id)
    return Response(xml, media_type="application/xml")


@router.get("/tax/submissions/{submission_id}/xlsx")
def submission_xlsx(submission_id: int, service: ServiceDep, actor: TaxAdmin) -> Response:
    with service.db.reading() as session:
        _, xlsx = outbox.submission_files(session, actor, submission_id)
    return Response(
        xlsx, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


@router.post("/tax/summaries", response_model=SubmissionPublic, status_code=201)
def queue_summary(body: SummaryCreate, service: ServiceDep, actor: TaxAdmin) -> SubmissionPublic:
    """Build, sign and queue the day's 01/TH-BLĐT (a second one is a supplement)."""
    day = body.day or tax_reports.vietnam_today()
    with service.db.transaction() as session:
        sub = tax_reports.queue_daily_summary(session, actor, service, day=day)
        return _public(outbox.get_submission(session, actor, sub.id))


@router.post("/tax/registrations", response_model=SubmissionPublic, status_code=201)
def queue_registration(
    body: RegistrationCreate, service: ServiceDep, actor: TaxAdmin
) -> SubmissionPublic:
    with service.db.transaction() as session:
        sub = tax_reports.queue_registration(
            session,
            actor,
            service,
            contact_name=body.contact_name,
            contact_phone=body.contact_phone,
            contact_email=body.contact_email,
            change=body.change,
        )
        return _public(outbox.get_submission(session, actor, sub.id))


@router.post("/tax/send", response_model=ListOf[SubmissionPublic])
def send_pending(service: ServiceDep, actor: TaxAdmin) -> ListOf[SubmissionPublic]:
    """Queue the missing summaries of ended days and the notices not yet queued, then send
    every queued or failed report."""
    sender = default_sender(service.settings.data_dir)
    with service.db.transaction() as session:
        tax_reports.queue_due_summaries(session, actor, service)
        tax_reports.queue_pending_notices(session, actor, service)
    with service.db.transaction() as session:
        views = outbox.send_pending(session, actor, sender)
    return ListOf(data=[_public(v) for v in views], count=len(views))


@router.post("/tax/submissions/{submission_id}/send", response_model=SubmissionPublic)
def send_one(submission_id: int, service: ServiceDep, actor: TaxAdmin) -> SubmissionPublic:
    """Send (or retry) one report now."""
    sender = default_sender(service.settings.data_dir)
    with service.db.transaction() as session:
        return _public(outbox.send_submission(session, actor, submission_id, sender))


# Paper receipts


class StockCreate(BaseModel):
    template_symbol: str = Field(min_length=1, max_length=20)
    series: str = Field(min_length=1, max_length=20)
    from_number: int = Field(ge=1)
    to_number: int = Field(ge=1)
    note: str | None = Field(default=None, max_length=500)


class StockPublic(BaseModel):
    id: int
    template_symbol: str
    series: str
    from_number: int
    to_number: int
    used: int
    destroyed: int
    remaining: int


class PaperUseCreate(BaseModel):
    template_symbol: str = Field(min_length=1, max_length=20)
    series: str = Field(min_length=1, max_length=20)
    number: int = Field(ge=1)
    used_on: dt.date
    payer_name: str = Field(min_length=1, max_length=200)
    amount: int = Field(ge=0)
    description: str = Field(min_length=1, max_length=500)
    dossier_id: int | None = None


class PaperUsePublic(BaseModel):
    id: int
    number: int
    used_on: dt.date
    amount: int


class DestructionCreate(BaseModel):
    template_symbol: str = Field(min_length=1, max_length=20)
    series: str = Field(min_length=1, max_length=20)
    from_number: int = Field(ge=1)
    to_number: int = Field(ge=1)
    destroyed_on: dt.date
    decision: str = Field(min_length=1, max_length=200)
    method: str = Field(default="Cắt hủy", min_length=1, max_length=200)


DestructionPublic = public_model(paper_stock.DestructionNotice, name="DestructionPublic")
"""The data of the notice Mẫu 02/HUY-HĐBLG, field by field from the workflow's record."""


def _stock(v: paper_stock.StockView) -> StockPublic:
    return StockPublic(**dataclasses.asdict(v), remaining=v.remaining)


@router.get("/paper/stock", response_model=ListOf[StockPublic])
def list_stock(service: ServiceDep, actor: PaperClerk) -> ListOf[StockPublic]:
    with service.db.reading() as session:
        views = paper_stock.list_stock(session, actor)
    return ListOf(data=[_stock(v) for v in views], count=len(views))


@router.post("/paper/stock", response_model=StockPublic, status_code=201)
def record_stock(body: StockCreate, service: ServiceDep, actor: PaperAdmin) -> StockPublic:
    with service.db.transaction() as session:
        return _stock(paper_stock.record_stock(session, actor, **body.model_dump()))


@router.post("/paper/uses", response_model=PaperUsePublic, status_code=201)
def use_paper(body: PaperUseCreate, service: ServiceDep, actor: PaperClerk) -> PaperUsePublic:
    """A paper receipt written out for a payment: refused for a day after 31/12/2026."""
    with service.db.transaction() as session:
        use = paper_stock.use_paper_receipt(session, actor, **body.model_dump())
        return PaperUsePublic(id=use.id, number=use.number, used_on=use.used_on, amount=use.amount)


@router.get(
    "/paper/destructions",
    response_model=ListOf[DestructionPublic],  # type: ignore[valid-type]
)
def list_destructions(service: ServiceDep, actor: PaperAdmin) -> Any:
    with service.db.reading() as session:
        notices = paper_stock.list_destructions(session, actor)
    data = [DestructionPublic(**dataclasses.asdict(n)) for n in notices]
    return ListOf(data=data, count=len(data))


@router.post("/paper/destructions", response_model=DestructionPublic, status_code=201)
def record_destruction(
    body: DestructionCreate, service: ServiceDep, actor: PaperAdmin
) -> BaseModel:
    """Unused paper receipts destroyed: refused for a day before 1/1/2027."""
    with service.db.transaction() as session:
        notice = paper_stock.record_destruction(session, actor, **body.model_dump())
    return DestructionPublic(**dataclasses.asdict(notice))


# Unverified law


class UnverifiedItemPublic(BaseModel):
    where: str
    what_vi: str
    reason: str


class AcknowledgementPublic(BaseModel):
    fingerprint: str
    items: int
    actor: str
    at: dt.datetime
    note: str | None


class UnverifiedLawPublic(BaseModel):
    fingerprint: str
    """What an acknowledgement must name: the SHA-256 of this very list."""
    needs_acknowledgement: bool
    acknowledged: AcknowledgementPublic | None
    data: list[UnverifiedItemPublic]
    count: int


class AcknowledgementCreate(BaseModel):
    fingerprint: str = Field(min_length=64, max_length=64)
    note: str | None = Field(default=None, max_length=500)


@router.get("/law/unverified", response_model=UnverifiedLawPublic)
def unverified_law(service: ServiceDep, actor: LawAdmin) -> UnverifiedLawPublic:
    """Every figure or citation marked "chưa xác minh / unverified", and whether an
    administrator acknowledged this list (production starts only then)."""
    with service.db.reading() as session:
        status = law_ack.unverified_for_admin(session, actor, service)
    ack = status.acknowledged
    return UnverifiedLawPublic(
        fingerprint=status.fingerprint,
        needs_acknowledgement=status.needs_acknowledgement,
        acknowledged=AcknowledgementPublic(**dataclasses.asdict(ack)) if ack else None,
        data=[UnverifiedItemPublic(**dataclasses.asdict(i)) for i in status.items],
        count=len(status.items),
    )


@router.post("/law/acknowledgements", response_model=AcknowledgementPublic, status_code=201)
def acknowledge(
    body: AcknowledgementCreate, service: ServiceDep, actor: LawAdmin
) -> AcknowledgementPublic:
    with service.db.transaction() as session:
        ack = law_ack.acknowledge(
            session, actor, service, seen_fingerprint=body.fingerprint, note=body.note
        )
    return AcknowledgementPublic(**dataclasses.asdict(ack))
