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
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from receipts.calendar import VIETNAM_TZ
from receipts.catalog import Channel
from receipts.errors import ReceiptsError
from receipts.fees import MAX_CASES, MAX_COPIES, MAX_PAGES, Quote, quote
from receipts.pdf import PaymentMethod
from receipts.scheme import number_text

from ..db.models import Receipt, ReceiptStatus, UserRole
from ..db.types import utcnow
from ..errors import EsignError, IdempotencyInFlight, IdempotencyMismatch, ValidationError
from ..http.deps import ServiceDep
from ..seal import verification_url
from ..service import Service
from ..workflows.actors import Actor, require
from ..workflows.counter import series_choices
from ..workflows.idempotency import run_idempotent
from ..workflows.notices import record_notice
from ..workflows.queries import receipts_issued_since
from ..workflows.receipts import (
    FeeInput,
    cancel_receipt,
    get_receipt,
    issue_receipt,
    replace_receipt,
)
from ..workflows.search import resolve_procedure
from . import labels
from .render import PREFIX, StaffRoute, page, redirect
from .session import Staff, StaffDep, text

router = APIRouter(route_class=StaffRoute)

IN_FLIGHT_WAIT = 20.0
"""How long a second press waits for the first one to finish signing (seconds)."""
TODAY_LIMIT = 200


def new_form_key() -> str:
    return secrets.token_urlsafe(18)


def _count(value: str, name_vi: str, name_en: str, maximum: int) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 6:
        raise ValidationError(
            f"{name_vi} phải là số nguyên dương", f"{name_en} must be a positive whole number"
        )
    if not 1 <= int(value) <= maximum:
        raise ValidationError(
            f"{name_vi} phải từ 1 đến {maximum}", f"{name_en} must be from 1 to {maximum}"
        )
    return int(value)


FieldErrors = dict[str, str]
"""A form's errors: the field's name → the Vietnamese message shown next to it."""


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
    series: str = ""
    """``template_symbol/series`` when more than one series is active."""
    quoted: str = ""
    """The fee fields the shown quote was made from: Enter issues only when they still hold."""
    form_key: str = field(default_factory=new_form_key)

    @classmethod
    def read(cls, form: FormData) -> ReceiptForm:
        return cls(
            procedure=text(form, "procedure", limit=300).strip(),
            pages=text(form, "pages", limit=20),
            copies=text(form, "copies", limit=20),
            cases=text(form, "cases", limit=20),
            category=text(form, "category", limit=60).strip(),
            online=text(form, "online") == "1",
            payer_name=text(form, "payer_name", limit=300),
            payer_address=text(form, "payer_address", limit=500),
            payment_method=text(form, "payment_method", limit=20),
            series=text(form, "series", limit=60).strip(),
            quoted=text(form, "quoted", limit=400),
            form_key=text(form, "form_key", limit=200).strip(),
        )

    def fees(self, service: Service) -> FeeInput:
        """The fee inputs, or the first error (its field in the error's ``code``)."""
        proc = resolve_procedure(service.catalog, self.procedure)
        values: dict[str, int | None] = {}
        for name, vi, en, maximum in (
            ("pages", "Số trang", "Pages", MAX_PAGES),
            ("copies", "Số bản", "Copies", MAX_COPIES),
            ("cases", "Số trường hợp", "Cases", MAX_CASES),
        ):
            try:
                values[name] = _count(getattr(self, name), vi, en, maximum)
            except ValidationError as exc:
                raise ValidationError(exc.message_vi, exc.message_en, code=name) from exc
        if proc.uses_pages and values["pages"] is None:
            raise ValidationError(
                "Thủ tục này tính phí theo trang: hãy nhập số trang",
                "This procedure is charged per page: enter the pages",
                code="pages",
            )
        if self.category and self.category not in service.catalog.exemptions:
            raise ValidationError(
                "Không có đối tượng miễn phí này", "Unknown exemption category", code="category"
            )
        return FeeInput(
            procedure_code=proc.code,
            pages=values["pages"],
            copies=values["copies"],
            cases=values["cases"],
            categories=(self.category,) if self.category else (),
            channel=(Channel.ONLINE if self.online else Channel.COUNTER).value,
        )

    def fee_key(self) -> str:
        """The fields a quote depends on, as one string (kept in the form as ``quoted``)."""
        return "|".join(
            (self.procedure, self.pages, self.copies, self.cases, self.category, str(self.online))
        )

    def errors(self, service: Service) -> FieldErrors:
        """Every field's error at once, so each is shown next to its field."""
        found: FieldErrors = {}
        try:
            self.fees(service)
        except ValidationError as exc:
            found[exc.code if exc.code in FIELDS else "procedure"] = exc.message_vi
        for name, vi in (
            ("payer_name", "Họ tên người nộp"),
            ("payer_address", "Địa chỉ người nộp"),
        ):
            if not getattr(self, name).strip():
                found[name] = f"{vi} không được để trống"
        try:
            self.method()
        except ValidationError as exc:
            found["payment_method"] = exc.message_vi
        return found

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


FIELDS = (
    "procedure",
    "pages",
    "copies",
    "cases",
    "category",
    "payer_name",
    "payer_address",
    "payment_method",
    "series",
)


def today() -> dt.date:
    return utcnow().astimezone(VIETNAM_TZ).date()


def quote_of(service: Service, form: ReceiptForm) -> Quote:
    fees = form.fees(service)
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
    except (EsignError, ReceiptsError, ValueError):
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


@dataclass(frozen=True, slots=True)
class SeriesChoice:
    value: str
    """``template_symbol/series``: what the form sends."""
    label: str


def active_series(service: Service) -> list[SeriesChoice]:
    """The series the clerk may choose from today (none when the law sets the one series)."""
    with service.db.reading() as s:
        return [
            SeriesChoice(f"{symbol}/{series}", f"Mẫu {symbol} · {series}")
            for symbol, series in series_choices(s, day=today())
        ]


def procedure_options(service: Service) -> list[tuple[str, str]]:
    """The picker's datalist: the value the form sends, and a label without diacritics so the
    browser's own filter finds ``chung thuc`` too."""
    from ..workflows.search import fold

    return [
        (f"{p.code} · {p.name_vi}", fold(p.name_vi))
        for p in sorted(service.catalog.procedures.values(), key=lambda p: p.code)
    ]


def clerk_page(
    request: Request,
    staff: Staff,
    service: Service,
    *,
    form: ReceiptForm | None = None,
    shown_quote: Quote | None = None,
    error: str = "",
    errors: FieldErrors | None = None,
    status: int = 200,
    issued_id: int | None = None,
    again: bool = False,
    cancelled_id: int | None = None,
    cancel_error: tuple[int, str, str] | None = None,
    replaced_id: int | None = None,
    replace_error: tuple[int, str, dict[str, str], str] | None = None,
    notice_error: tuple[int, str, dict[str, str], str] | None = None,
    noticed_id: int | None = None,
    notice: str = "",
) -> Response:
    catalog = service.catalog
    categories = [(e.code, e.name_vi) for e in catalog.exemptions.values() if e.kind == "category"]
    form = form or ReceiptForm()
    series = active_series(service)
    if shown_quote is not None:
        form = dataclasses.replace(form, quoted=form.fee_key())
    return page(
        request,
        "clerk.html",
        status=status,
        actor=staff.actor,
        csrf=staff.csrf,
        title=labels.DASHBOARD_TITLES[UserRole.CLERK],
        procedures=procedure_options(service),
        procedure_names={p.code: p.name_vi for p in catalog.procedures.values()},
        categories=categories,
        methods=list(labels.PAYMENT_METHODS.items()),
        form=form,
        quote=shown_quote,
        error=error,
        errors=errors or {},
        series=series,
        issued=_receipt(service, issued_id),
        again=again,
        cancelled=_receipt(service, cancelled_id),
        cancel_error=cancel_error,
        replaced=_receipt(service, replaced_id),
        replace_error=replace_error,
        reason_codes=labels.REASON_CODES,
        notice_error=notice_error,
        notice_errors=list(NOTICE_ERRORS.items()),
        noticed=_receipt(service, noticed_id),
        notice=notice,
        receipts=_todays_receipts(service),
        today=today(),
        statuses=ReceiptStatus,
        nav="counter",
    )


def chosen_series(form: ReceiptForm, series: list[SeriesChoice]) -> tuple[str | None, str | None]:
    """The template symbol and series the clerk chose; (None, None) with one active series."""
    if form.series:
        if form.series not in {c.value for c in series}:
            raise ValidationError(
                "Ký hiệu biên lai này không còn dùng: hãy chọn lại",
                "This series is not active: choose again",
                code="series",
            )
        symbol, _, name = form.series.partition("/")
        return symbol, name
    if len(series) > 1:
        raise ValidationError(
            "Hãy chọn ký hiệu biên lai", "Choose the receipt series", code="series"
        )
    return None, None


def _issue(service: Service, actor: Actor, form: ReceiptForm) -> tuple[int, bool]:
    """The receipt's id, and whether it was issued by an earlier press of the same form."""
    if not form.form_key:
        raise ValidationError(
            "Biểu mẫu thiếu mã chống xuất trùng: hãy tải lại trang",
            "The form has no duplicate-protection key: reload the page",
        )
    fees, method = form.fees(service), form.method()
    symbol, series = chosen_series(form, active_series(service))
    ran = False

    def work(s: Session) -> tuple[int, dict[str, Any]]:
        nonlocal ran
        ran = True
        receipt = issue_receipt(
            s,
            actor,
            service,
            payer_name=form.payer_name,
            payer_address=form.payer_address,
            payment_method=method,
            fees=fees,
            template_symbol=symbol,
            series=series,
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
    errors = form.errors(service) if action == "issue" else {}
    if action != "issue":
        try:
            form.fees(service)
        except ValidationError as exc:
            errors = {exc.code if exc.code in FIELDS else "procedure": exc.message_vi}
    if action == "issue" and not errors:
        try:
            chosen_series(form, active_series(service))
        except ValidationError as exc:
            errors["series"] = exc.message_vi
    if errors:
        return clerk_page(
            request,
            staff,
            service,
            form=form,
            shown_quote=_quote_or_none(service, form),
            error="Hãy sửa các ô được đánh dấu.",
            errors=errors,
            status=422,
        )
    if action == "issue" and form.quoted and form.quoted != form.fee_key():
        # Enter issues once a quote is shown: but not a quote the clerk has not seen.
        return clerk_page(
            request,
            staff,
            service,
            form=form,
            shown_quote=_quote_or_none(service, form),
            notice="Thông tin tính phí đã thay đổi: kiểm tra số tiền mới rồi bấm Xuất biên lai.",
        )
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


REPLACE_FIELDS = ("reason_code", "reason", "payer_name", "payer_address", "payment_method")


def _replace(
    request: Request, staff: Staff, service: Service, receipt_id: int, typed: dict[str, str]
) -> Response:
    """A new receipt in place of this one, with the payer's details as corrected (the lines
    and the amount as they were: a wrong amount is an adjustment or a cancel)."""
    method: PaymentMethod | None = None
    if not typed["reason"].strip():
        return clerk_page(
            request,
            staff,
            service,
            status=422,
            replace_error=(receipt_id, "Hãy nhập lý do thay thế", typed, "reason"),
        )
    try:
        if typed["payment_method"]:
            try:
                method = PaymentMethod(typed["payment_method"])
            except ValueError as exc:
                raise ValidationError(
                    "Hãy chọn hình thức thanh toán", "Choose a payment method"
                ) from exc
        with service.db.transaction() as s:
            new = replace_receipt(
                s,
                staff.actor,
                service,
                receipt_id,
                reason=typed["reason"],
                reason_code=typed["reason_code"] or None,
                payer_name=typed["payer_name"].strip() or None,
                payer_address=typed["payer_address"].strip() or None,
                payment_method=method,
            )
            new_id = new.id
    except EsignError as exc:
        return clerk_page(
            request,
            staff,
            service,
            status=exc.status,
            replace_error=(receipt_id, exc.message_vi, typed, _replace_field(exc.message_vi)),
        )
    return redirect(f"{PREFIX}/?issued={new_id}&replaced={receipt_id}")


def _replace_field(message: str) -> str:
    """The replace form's field a workflow's message is about ('' for the form as a whole)."""
    for start, name in (
        ("Lý do", "reason"),
        ("Họ tên", "payer_name"),
        ("Địa chỉ", "payer_address"),
    ):
        if message.startswith(start):
            return name
    return ""


@router.post("/receipts/{receipt_id}/replace")
async def replace(
    receipt_id: int, request: Request, staff: StaffDep, service: ServiceDep
) -> Response:
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.CLERK)
    typed = {name: text(form, name, limit=600) for name in REPLACE_FIELDS}
    return await run_in_threadpool(_replace, request, staff, service, receipt_id, typed)


NOTICE_FIELDS = ("error", "description", "notified_to")
NOTICE_ERRORS = {
    # Mẫu 04/SS-CTĐT: the errors a notice corrects (the workflow refuses the amount and the
    # tax code: those need a replacement).
    "payer_name": "Sai tên người nộp",
    "payer_address": "Sai địa chỉ người nộp",
    "amount_in_words": "Sai số tiền bằng chữ",
    "other": "Sai sót khác",
}


def _notice(
    request: Request, staff: Staff, service: Service, receipt_id: int, typed: dict[str, str]
) -> Response:
    """The correction notice (Mẫu 04/SS-CTĐT) for this receipt: the payer is told, the receipt
    stays as it is."""
    try:
        with service.db.transaction() as s:
            record_notice(
                s,
                staff.actor,
                service,
                receipt_id,
                error=typed["error"],
                description=typed["description"],
                notified_to=typed["notified_to"],
            )
    except EsignError as exc:
        field_name = ""
        if exc.message_vi.startswith("Nội dung"):
            field_name = "description"
        elif exc.message_vi.startswith("Người nộp được thông báo"):
            field_name = "notified_to"
        return clerk_page(
            request,
            staff,
            service,
            status=exc.status,
            notice_error=(receipt_id, exc.message_vi, typed, field_name),
        )
    return redirect(f"{PREFIX}/?noticed={receipt_id}")


@router.post("/receipts/{receipt_id}/notice")
async def notice(
    receipt_id: int, request: Request, staff: StaffDep, service: ServiceDep
) -> Response:
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.CLERK)
    typed = {name: text(form, name, limit=600) for name in NOTICE_FIELDS}
    return await run_in_threadpool(_notice, request, staff, service, receipt_id, typed)
