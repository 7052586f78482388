"""The intake desk (tiếp nhận hồ sơ): receive a dossier at the counter or record one received
online, its page (timeline, fee, result), its slips, asking for more papers, and the result
document drafted from its data with a preview.

::

    GET  /staff/intake                      the form and the latest dossiers
    POST /staff/intake                      receive (→ the dossier's page)
    GET  /staff/dossiers/{id}               the dossier, its timeline, its receipts and result
    GET  /staff/dossiers/{id}/slips         giấy tiếp nhận and phiếu hẹn, printable
    POST /staff/dossiers/{id}/more-papers   return to the applicant for more papers
    POST /staff/dossiers/{id}/fee           issue the dossier's receipt (its own quote)
    POST /staff/dossiers/{id}/returned      the result was handed over
    GET  /staff/dossiers/{id}/result        the result's form, filled from the dossier
    POST /staff/dossiers/{id}/result        action=preview: draw it; action=create: queue it
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from receipts.calendar import VIETNAM_TZ
from receipts.catalog import Channel
from receipts.pdf import PaymentMethod

from ..db.models import Dossier, DossierStatus, UserRole
from ..errors import EsignError, ValidationError
from ..http.deps import ServiceDep
from ..service import Service
from ..workflows import dossiers, intake
from ..workflows.actors import require
from ..workflows.receipts import issue_receipt
from ..workflows.results import create_result
from ..workflows.search import resolve_procedure
from . import labels
from .clerk import (
    FieldErrors,
    ReceiptForm,
    ReceiptView,
    _count,
    active_series,
    chosen_series,
    procedure_options,
    today,
)
from .render import PREFIX, StaffRoute, page, redirect
from .session import Staff, StaffDep, text

router = APIRouter(route_class=StaffRoute)

DOSSIER_STATUS = {
    DossierStatus.RECEIVED: "Đã tiếp nhận",
    DossierStatus.FEE_PAID: "Đã thu phí",
    DossierStatus.PROCESSING: "Đang giải quyết",
    DossierStatus.RESULT_SIGNED: "Đã có kết quả",
    DossierStatus.RETURNED: "Đã trả kết quả",
}


@dataclass(frozen=True, slots=True)
class IntakeForm:
    procedure: str = ""
    applicant_name: str = ""
    applicant_address: str = ""
    channel: str = Channel.COUNTER.value
    pages: str = ""
    copies: str = "1"
    cases: str = ""
    category: str = ""
    received_at: str = ""
    """For a dossier received online: when the portal received it (``YYYY-MM-DDTHH:MM``,
    Vietnam time); the due date runs from then."""

    @classmethod
    def read(cls, form: FormData) -> IntakeForm:
        return cls(
            procedure=text(form, "procedure", limit=300).strip(),
            applicant_name=text(form, "applicant_name", limit=300),
            applicant_address=text(form, "applicant_address", limit=600),
            channel=text(form, "channel", limit=20),
            pages=text(form, "pages", limit=20),
            copies=text(form, "copies", limit=20),
            cases=text(form, "cases", limit=20),
            category=text(form, "category", limit=60).strip(),
            received_at=text(form, "received_at", limit=30).strip(),
        )

    def checked(self, service: Service) -> tuple[dict[str, Any], FieldErrors]:
        """The workflow's arguments, or every field's error."""
        errors: FieldErrors = {}
        args: dict[str, Any] = {}
        try:
            proc = resolve_procedure(service.catalog, self.procedure)
            args["procedure_code"] = proc.code
        except ValidationError as exc:
            errors["procedure"] = exc.message_vi
            proc = None
        quote_input: dict[str, Any] = {}
        for name, vi, en in (
            ("pages", "Số trang", "Pages"),
            ("copies", "Số bản", "Copies"),
            ("cases", "Số trường hợp", "Cases"),
        ):
            try:
                value = _count(getattr(self, name), vi, en, 10_000)
            except ValidationError as exc:
                errors[name] = exc.message_vi
                continue
            if value is not None:
                quote_input[name] = value
        if proc is not None and proc.uses_pages and "pages" not in quote_input:
            errors.setdefault("pages", "Thủ tục này tính phí theo trang: hãy nhập số trang")
        if self.category:
            if self.category not in service.catalog.exemptions:
                errors["category"] = "Không có đối tượng miễn phí này"
            else:
                quote_input["categories"] = [self.category]
        for name, vi in (("applicant_name", "Họ tên người nộp"), ("applicant_address", "Địa chỉ")):
            if not getattr(self, name).strip():
                errors[name] = f"{vi} không được để trống"
        try:
            args["channel"] = Channel(self.channel)
        except ValueError:
            errors["channel"] = "Hãy chọn cách nộp hồ sơ"
        if self.received_at:
            when = _received_at(self.received_at, errors)
            if when is not None and args.get("channel") is not Channel.ONLINE:
                errors["received_at"] = "Chỉ ghi thời điểm nhận với hồ sơ nộp trực tuyến"
            elif when is not None:
                args["received_at"] = when
        args.update(
            applicant_name=self.applicant_name,
            applicant_address=self.applicant_address,
            quote_input=quote_input,
        )
        return args, errors


ONLINE_BACKLOG = dt.timedelta(days=30)
"""How far back a dossier received online may be recorded."""


def _received_at(value: str, errors: FieldErrors) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(value).replace(tzinfo=VIETNAM_TZ)
    except ValueError:
        errors["received_at"] = "Thời điểm không hợp lệ (ngày/tháng/năm giờ:phút)"
        return None
    now = dt.datetime.now(VIETNAM_TZ)
    if when > now + dt.timedelta(minutes=5):
        errors["received_at"] = "Thời điểm nhận không được ở tương lai"
        return None
    if when < now - ONLINE_BACKLOG:
        errors["received_at"] = "Chỉ ghi nhận hồ sơ trực tuyến nhận trong 30 ngày gần đây"
        return None
    return when.astimezone(dt.UTC)


def _intake_page(
    request: Request,
    staff: Staff,
    service: Service,
    *,
    form: IntakeForm | None = None,
    errors: FieldErrors | None = None,
    status: int = 200,
) -> Response:
    require(staff.actor, UserRole.CLERK)
    with service.db.reading() as s:
        latest = dossiers.list_dossiers(s, limit=20).items
        rows = [_row(service, d) for d in latest]
    return page(
        request,
        "intake.html",
        status=status,
        actor=staff.actor,
        csrf=staff.csrf,
        title="Tiếp nhận hồ sơ",
        form=form or IntakeForm(),
        errors=errors or {},
        procedures=procedure_options(service),
        categories=[
            (e.code, e.name_vi) for e in service.catalog.exemptions.values() if e.kind == "category"
        ],
        channels=labels.CHANNELS,
        dossiers=rows,
        nav="intake",
    )


@dataclass(frozen=True, slots=True)
class DossierRow:
    id: int
    code: str
    procedure: str
    applicant: str
    channel: str
    received_at: dt.datetime
    due_date: dt.date
    status: str
    status_label: str
    overdue: bool


def _row(service: Service, d: Dossier) -> DossierRow:
    proc = service.catalog.procedures.get(d.procedure_code)
    return DossierRow(
        id=d.id,
        code=d.code,
        procedure=proc.name_vi if proc else d.procedure_code,
        applicant=d.applicant_name,
        channel=labels.CHANNELS.get(d.channel, d.channel),
        received_at=d.received_at,
        due_date=d.due_date,
        status=d.status.value,
        status_label=DOSSIER_STATUS[d.status],
        overdue=d.status is not DossierStatus.RETURNED and d.due_date < today(),
    )


@router.get("/intake")
async def intake_form(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    return await run_in_threadpool(_intake_page, request, staff, service)


@router.post("/intake")
async def receive(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    data = await request.form()
    staff.check(request, data)
    require(staff.actor, UserRole.CLERK)
    form = IntakeForm.read(data)

    def work() -> Response:
        args, errors = form.checked(service)
        if not errors:
            try:
                with service.db.transaction() as s:
                    dossier = dossiers.receive_dossier(
                        s, staff.actor, catalog=service.catalog, **args
                    )
                    dossier_id = dossier.id
                return redirect(f"{PREFIX}/dossiers/{dossier_id}?received=1")
            except EsignError as exc:
                errors = {"procedure": exc.message_vi}
        return _intake_page(request, staff, service, form=form, errors=errors, status=422)

    return await run_in_threadpool(work)


# --- one dossier ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DossierPage:
    """What the dossier's page and its slips show."""

    row: DossierRow
    dossier: Dossier
    procedure_name: str
    processing_days: int
    legal_basis: str
    quote: Any
    steps: list[intake.Step]
    receipts: list[ReceiptView]
    results: list[dict[str, Any]]
    template: str | None


def _dossier_page_data(service: Service, dossier_id: int) -> DossierPage:
    with service.db.reading() as s:
        d = dossiers.get_dossier(s, dossier_id)
        proc = service.catalog.procedures[d.procedure_code]
        try:
            q = dossiers.dossier_quote(d, catalog=service.catalog)
        except EsignError:
            q = None
        receipts = [
            ReceiptView.of(r, service.settings.public_url) for r in intake.dossier_receipts(s, d.id)
        ]
        results = [
            {
                "id": r.id,
                "number": r.number,
                "status": r.status.value,
                "pdf_url": f"/api/v1/results/{r.id}/pdf",
            }
            for r in intake.dossier_results(s, d.id)
        ]
        return DossierPage(
            row=_row(service, d),
            dossier=d,
            procedure_name=proc.name_vi,
            processing_days=proc.processing_days,
            legal_basis=proc.legal_basis,
            quote=q,
            steps=intake.timeline(s, d),
            receipts=receipts,
            results=results,
            template=intake.draft_template(service.catalog, d),
        )


def _dossier_page(
    request: Request,
    staff: Staff,
    service: Service,
    dossier_id: int,
    *,
    errors: FieldErrors | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    require(staff.actor, UserRole.CLERK)
    data = _dossier_page_data(service, dossier_id)
    q = request.query_params
    return page(
        request,
        "dossier.html",
        status=status,
        actor=staff.actor,
        csrf=staff.csrf,
        title=f"Hồ sơ {data.row.code}",
        d=data,
        errors=errors or {},
        typed=typed or {},
        series=active_series(service),
        received=q.get("received") == "1",
        methods=list(labels.PAYMENT_METHODS.items()),
        statuses=DossierStatus,
        nav="intake",
    )


@router.get("/dossiers/{dossier_id}")
async def dossier_view(
    dossier_id: int, request: Request, staff: StaffDep, service: ServiceDep
) -> Response:
    return await run_in_threadpool(_dossier_page, request, staff, service, dossier_id)


@router.get("/dossiers/{dossier_id}/slips")
async def slips(
    dossier_id: int, request: Request, staff: StaffDep, service: ServiceDep
) -> Response:
    require(staff.actor, UserRole.CLERK)
    data = await run_in_threadpool(_dossier_page_data, service, dossier_id)
    return page(
        request,
        "slips.html",
        actor=staff.actor,
        csrf=staff.csrf,
        title=f"Giấy tiếp nhận và phiếu hẹn — {data.row.code}",
        d=data,
        clerk=staff.actor.full_name,
        printed_on=today(),
        nav="intake",
    )


@router.post("/dossiers/{dossier_id}/more-papers")
async def more_papers(
    dossier_id: int, request: Request, staff: StaffDep, service: ServiceDep
) -> Response:
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.CLERK)
    missing = text(form, "missing", limit=600)

    def work() -> Response:
        try:
            with service.db.transaction() as s:
                intake.request_more_papers(s, staff.actor, dossier_id, missing=missing)
        except ValidationError as exc:
            return _dossier_page(
                request,
                staff,
                service,
                dossier_id,
                errors={"missing": exc.message_vi},
                typed={"missing": missing},
                status=422,
            )
        return redirect(f"{PREFIX}/dossiers/{dossier_id}#timeline")

    return await run_in_threadpool(work)


@router.post("/dossiers/{dossier_id}/fee")
async def fee(dossier_id: int, request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.CLERK)
    typed = {
        "payer_name": text(form, "payer_name", limit=300),
        "payer_address": text(form, "payer_address", limit=600),
        "payment_method": text(form, "payment_method", limit=20),
        "series": text(form, "series", limit=60).strip(),
    }

    def work() -> Response:
        errors: FieldErrors = {}
        symbol = series = None
        try:
            symbol, series = chosen_series(
                ReceiptForm(series=typed["series"]), active_series(service)
            )
        except ValidationError as exc:
            errors["series"] = exc.message_vi
        for name, vi in (("payer_name", "Họ tên người nộp"), ("payer_address", "Địa chỉ")):
            if not typed[name].strip():
                errors[name] = f"{vi} không được để trống"
        try:
            method = PaymentMethod(typed["payment_method"])
        except ValueError:
            errors["payment_method"] = "Hãy chọn hình thức thanh toán"
        if not errors:
            try:
                with service.db.transaction() as s:
                    receipt = issue_receipt(
                        s,
                        staff.actor,
                        service,
                        payer_name=typed["payer_name"],
                        payer_address=typed["payer_address"],
                        payment_method=method,
                        dossier_id=dossier_id,
                        template_symbol=symbol,
                        series=series,
                    )
                    receipt_id = receipt.id
                return redirect(f"{PREFIX}/?issued={receipt_id}")
            except EsignError as exc:
                errors["fee"] = exc.message_vi
        return _dossier_page(
            request, staff, service, dossier_id, errors=errors, typed=typed, status=422
        )

    return await run_in_threadpool(work)


@router.post("/dossiers/{dossier_id}/returned")
async def returned(
    dossier_id: int, request: Request, staff: StaffDep, service: ServiceDep
) -> Response:
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.CLERK)

    def work() -> Response:
        try:
            with service.db.transaction() as s:
                dossiers.mark_returned(s, staff.actor, dossier_id)
        except EsignError as exc:
            return _dossier_page(
                request, staff, service, dossier_id, errors={"returned": exc.message_vi},
                status=exc.status,
            )  # fmt: skip
        return redirect(f"{PREFIX}/dossiers/{dossier_id}#timeline")

    return await run_in_threadpool(work)


# --- the result drafted from the dossier -----------------------------------------------------


def _result_page(
    request: Request,
    staff: Staff,
    service: Service,
    dossier_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: FieldErrors | None = None,
    preview: intake.Preview | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    require(staff.actor, UserRole.CLERK)
    data = _dossier_page_data(service, dossier_id)
    if data.template is None:
        raise ValidationError(
            "Thủ tục của hồ sơ này không có mẫu văn bản kết quả",
            "This dossier's procedure has no result template",
        )
    if values is None:
        values = intake.draft_values(service.catalog, data.dossier)
    return page(
        request,
        "result_draft.html",
        status=status,
        actor=staff.actor,
        csrf=staff.csrf,
        title=f"Lập văn bản kết quả — {data.row.code}",
        d=data,
        fields=intake.DRAFT_FIELDS[data.template],
        template_name=labels.TEMPLATES.get(data.template, data.template),
        values=values,
        errors=errors or {},
        preview=preview,
        error=error,
        nav="intake",
    )


@router.get("/dossiers/{dossier_id}/result")
async def result_form(
    dossier_id: int, request: Request, staff: StaffDep, service: ServiceDep
) -> Response:
    return await run_in_threadpool(_result_page, request, staff, service, dossier_id)


@router.post("/dossiers/{dossier_id}/result")
async def result_post(
    dossier_id: int, request: Request, staff: StaffDep, service: ServiceDep
) -> Response:
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.CLERK)
    action = text(form, "action")

    def work() -> Response:
        with service.db.reading() as s:
            template = intake.draft_template(service.catalog, dossiers.get_dossier(s, dossier_id))
        if template is None:
            raise ValidationError("Thủ tục này chưa có mẫu kết quả", "No result template")
        values = {f.key: text(form, f.key, limit=300) for f in intake.DRAFT_FIELDS[template]}
        data, errors = intake.draft_data(template, values)
        if errors:
            return _result_page(
                request, staff, service, dossier_id, values=values, errors=errors, status=422
            )
        try:
            if action == "create":
                with service.db.transaction() as s:
                    create_result(s, staff.actor, service, dossier_id=dossier_id, data=data)
                return redirect(f"{PREFIX}/dossiers/{dossier_id}?created=1#results")
            with service.db.reading() as s:
                shown = intake.preview_result(s, staff.actor, service, dossier_id, data)
            return _result_page(request, staff, service, dossier_id, values=values, preview=shown)
        except EsignError as exc:
            return _result_page(
                request, staff, service, dossier_id, values=values, error=exc.message_vi,
                status=exc.status,
            )  # fmt: skip

    return await run_in_threadpool(work)
