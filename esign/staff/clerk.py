"""The clerk's counter: quote a procedure's fee, issue its receipt (once, however many times the
button is pressed), see today's receipts, cancel one with a reason.

A double click, a reload or a retry after a timeout must not issue twice: the form carries a
random key (``form_key``), made when the form is drawn, and issuing runs under
:func:`~esign.workflows.idempotency.run_idempotent` with it. The same key and the same fields
give back the first receipt; the same key with other fields is refused (the clerk is asked to
press again, with a new key); a second press while the first is still signing waits for it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from receipts.calendar import VIETNAM_TZ
from receipts.catalog import FIELD_NAMES_VI, Channel
from receipts.errors import ReceiptsError
from receipts.fees import Quote, quote
from receipts.pdf import PaymentMethod
from receipts.scheme import number_text

from ..db.models import Receipt, ReceiptStatus, UserRole
from ..db.types import utcnow
from ..errors import EsignError, IdempotencyInFlight, IdempotencyMismatch, ValidationError
from ..http.deps import ServiceDep
from ..seal import verification_url
from ..service import Service
from ..workflows.actors import Actor, require
from ..workflows.idempotency import run_idempotent
from ..workflows.queries import receipts_issued_since
from ..workflows.receipts import FeeInput, cancel_receipt, get_receipt, issue_receipt
from . import labels
from .render import PREFIX, StaffRoute, page, redirect
from .session import Staff, StaffDep, text

router = APIRouter(route_class=StaffRoute)

IN_FLIGHT_WAIT = 20.0
"""How long a second press waits for the first one to finish signing (seconds)."""
TODAY_LIMIT = 200


def new_form_key() -> str:
    return secrets.token_urlsafe(18)


def _count(value: str, name_vi: str, name_en: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 6:
        raise ValidationError(
            f"{name_vi} phải là số nguyên dương", f"{name_en} must be a positive whole number"
        )
    return int(value)


@dataclass(frozen=True, slots=True)
class ReceiptForm:
    """The clerk's form as typed: kept as text, so a page with an error shows it back."""

    procedure: str = ""
    pages: str = ""
    copies: str = "1"
    cases: str = ""
    category: str = ""
    online: bool = False
    payer_name: str = ""
    payer_address: str = ""
    payment_method: str = PaymentMethod.CASH.value
    form_key: str = field(default_factory=new_form_key)

    @classmethod
    def read(cls, form: FormData) -> ReceiptForm:
        return cls(
            procedure=text(form, "procedure", limit=40).strip().upper(),
            pages=text(form, "pages", limit=20),
            copies=text(form, "copies", limit=20),
            cases=text(form, "cases", limit=20),
            category=text(form, "category", limit=60).strip(),
            online=text(form, "online") == "1",
            payer_name=text(form, "payer_name", limit=300),
            payer_address=text(form, "payer_address", limit=500),
            payment_method=text(form, "payment_method", limit=20),
            form_key=text(form, "form_key", limit=200).strip(),
        )

    def fees(self) -> FeeInput:
        if not self.procedure:
            raise ValidationError("Hãy chọn thủ tục", "Choose a procedure")
        return FeeInput(
            procedure_code=self.procedure,
            pages=_count(self.pages, "Số trang", "Pages"),
            copies=_count(self.copies, "Số bản", "Copies"),
            cases=_count(self.cases, "Số trường hợp", "Cases"),
            categories=(self.category,) if self.category else (),
            channel=(Channel.ONLINE if self.online else Channel.COUNTER).value,
        )

    def method(self) -> PaymentMethod:
        try:
            return PaymentMethod(self.payment_method)
        except ValueError as exc:
            raise ValidationError(
                "Hãy chọn hình thức thanh toán", "Choose a payment method"
            ) from exc

    def request(self) -> dict[str, Any]:
        """What the idempotency key is bound to: every field but the key."""
        fields = dataclasses.asdict(self)
        del fields["form_key"]
        return fields


def today() -> dt.date:
    return utcnow().astimezone(VIETNAM_TZ).date()


def quote_of(service: Service, form: ReceiptForm) -> Quote:
    fees = form.fees()
    assert fees.procedure_code is not None
    return quote(
        fees.procedure_code,
        on=today(),
        pages=fees.pages,
        copies=fees.copies,
        cases=fees.cases,
        categories=fees.categories,
        channel=Channel(fees.channel),
        catalog=service.catalog,
    )


def _quote_or_none(service: Service, form: ReceiptForm) -> Quote | None:
    try:
        return quote_of(service, form)
    except (EsignError, ReceiptsError):
        return None


@dataclass(frozen=True, slots=True)
class ReceiptView:
    id: int
    symbol: str
    series: str
    number: str
    issued_at: dt.datetime
    payer_name: str
    procedure_code: str | None
    lines: list[dict[str, Any]]
    total: int
    method: str
    status: str
    status_label: str
    cancel_reason: str | None
    pdf_url: str
    public_url: str

    @classmethod
    def of(cls, receipt: Receipt, public_url: str) -> ReceiptView:
        link = verification_url(public_url, receipt.token)
        return cls(
            id=receipt.id,
            symbol=receipt.template_symbol,
            series=receipt.series,
            number=number_text(receipt.template_symbol, receipt.number),
            issued_at=receipt.issued_at,
            payer_name=receipt.payer_name,
            procedure_code=receipt.procedure_code,
            lines=list(receipt.lines),
            total=receipt.total,
            method=labels.PAYMENT_METHODS.get(receipt.payment_method, receipt.payment_method),
            status=receipt.status.value,
            status_label=labels.RECEIPT_STATUS[receipt.status],
            cancel_reason=receipt.cancel_reason,
            pdf_url=f"/api/v1/receipts/{receipt.id}/pdf",
            public_url=f"{link}#{receipt.seal}" if receipt.seal else link,
        )


def _todays_receipts(service: Service) -> list[ReceiptView]:
    start = dt.datetime.combine(today(), dt.time(), VIETNAM_TZ).astimezone(dt.UTC)
    with service.db.reading() as s:
        rows = receipts_issued_since(s, start, limit=TODAY_LIMIT)
        return [ReceiptView.of(r, service.settings.public_url) for r in rows]


def _receipt(service: Service, receipt_id: int | None) -> ReceiptView | None:
    if receipt_id is None:
        return None
    try:
        with service.db.reading() as s:
            return ReceiptView.of(get_receipt(s, receipt_id), service.settings.public_url)
    except EsignError:
        return None


def clerk_page(
    request: Request,
    staff: Staff,
    service: Service,
    *,
    form: ReceiptForm | None = None,
    shown_quote: Quote | None = None,
    error: str = "",
    status: int = 200,
    issued_id: int | None = None,
    again: bool = False,
    cancelled_id: int | None = None,
    cancel_error: tuple[int, str, str] | None = None,
) -> Response:
    catalog = service.catalog
    groups: dict[str, list[tuple[str, str]]] = {}
    for proc in catalog.procedures.values():
        groups.setdefault(FIELD_NAMES_VI[proc.field], []).append((proc.code, proc.name_vi))
    categories = [(e.code, e.name_vi) for e in catalog.exemptions.values() if e.kind == "category"]
    return page(
        request,
        "clerk.html",
        status=status,
        actor=staff.actor,
        csrf=staff.csrf,
        title=labels.DASHBOARD_TITLES[UserRole.CLERK],
        groups=groups,
        categories=categories,
        methods=list(labels.PAYMENT_METHODS.items()),
        form=form or ReceiptForm(),
        quote=shown_quote,
        error=error,
        issued=_receipt(service, issued_id),
        again=again,
        cancelled=_receipt(service, cancelled_id),
        cancel_error=cancel_error,
        receipts=_todays_receipts(service),
        today=today(),
        statuses=ReceiptStatus,
    )


def _issue(service: Service, actor: Actor, form: ReceiptForm) -> tuple[int, bool]:
    """The receipt's id, and whether it was issued by an earlier press of the same form."""
    if not form.form_key:
        raise ValidationError(
            "Biểu mẫu thiếu mã chống xuất trùng: hãy tải lại trang",
            "The form has no duplicate-protection key: reload the page",
        )
    fees, method = form.fees(), form.method()
    ran = False

    def work() -> tuple[int, dict[str, Any]]:
        nonlocal ran
        ran = True
        with service.db.transaction() as s:
            receipt = issue_receipt(
                s,
                actor,
                service,
                payer_name=form.payer_name,
                payer_address=form.payer_address,
                payment_method=method,
                fees=fees,
            )
            return 201, {"receipt_id": receipt.id}

    deadline = time.monotonic() + IN_FLIGHT_WAIT
    while True:
        try:
            _, payload = run_idempotent(
                service.db,
                key=f"staff-receipt:{form.form_key}",
                user_id=actor.user_id,
                request=form.request(),
                work=work,
            )
            return int(payload["receipt_id"]), not ran
        except IdempotencyInFlight:
            # A double click: the first press is still signing; its answer is ours too.
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _quote_or_issue(
    request: Request, staff: Staff, service: Service, form: ReceiptForm, action: str
) -> Response:
    try:
        if action == "issue":
            receipt_id, again = _issue(service, staff.actor, form)
            return redirect(f"{PREFIX}/?issued={receipt_id}" + ("&again=1" if again else ""))
        return clerk_page(request, staff, service, form=form, shown_quote=quote_of(service, form))
    except IdempotencyMismatch:
        return clerk_page(
            request,
            staff,
            service,
            form=dataclasses.replace(form, form_key=new_form_key()),
            shown_quote=_quote_or_none(service, form),
            error="Biểu mẫu này đã dùng để xuất một biên lai khác (xem danh sách hôm nay). "
            "Nếu cần xuất thêm biên lai, hãy kiểm tra lại rồi bấm “Xuất biên lai” lần nữa.",
            status=409,
        )
    except (EsignError, ReceiptsError) as exc:
        status = exc.status if isinstance(exc, EsignError) else 422
        return clerk_page(
            request,
            staff,
            service,
            form=form,
            shown_quote=_quote_or_none(service, form),
            error=exc.message_vi,
            status=status,
        )


@router.post("/receipts")
async def quote_or_issue(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    """``action=quote`` shows the fee; ``action=issue`` issues the receipt."""
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.CLERK)
    fields, action = ReceiptForm.read(form), text(form, "action")
    return await run_in_threadpool(_quote_or_issue, request, staff, service, fields, action)


def _cancel(
    request: Request,
    staff: Staff,
    service: Service,
    receipt_id: int,
    reason: str,
    reason_code: str | None = None,
) -> Response:
    try:
        with service.db.transaction() as s:
            cancel_receipt(s, staff.actor, receipt_id, reason=reason, reason_code=reason_code)
    except EsignError as exc:
        return clerk_page(
            request,
            staff,
            service,
            status=exc.status,
            cancel_error=(receipt_id, exc.message_vi, reason),
        )
    return redirect(f"{PREFIX}/?cancelled={receipt_id}")


@router.post("/receipts/{receipt_id}/cancel")
async def cancel(
    receipt_id: int, request: Request, staff: StaffDep, service: ServiceDep
) -> Response:
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.CLERK)
    reason = text(form, "reason", limit=600)
    code = text(form, "reason_code", limit=40) or None
    return await run_in_threadpool(_cancel, request, staff, service, receipt_id, reason, code)
