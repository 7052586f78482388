"""The counter's other pages: finding a receipt (number, payer without diacritics, dossier,
dates), the day's receipts with the takings by payment method and the day's closing (bảng kê
thu), and a paper copy of a receipt in A4 or A5.

::

    GET  /staff/receipts/search      number, payer, dossier, from, to (all optional)
    GET  /staff/daybook?day=…        the day's list and totals, printable
    POST /staff/daybook/close        state the day's takings once (audit log)
    GET  /staff/receipts/{id}/print?size=A4|A5   a paper copy (PDF, drawn from the snapshot)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from receipts.pdf import PageSize

from ..db.models import UserRole
from ..errors import EsignError, ValidationError
from ..http.deps import ServiceDep
from ..service import Service
from ..workflows.actors import require
from ..workflows.daybook import close_day, day_book
from ..workflows.reprint import print_copy
from ..workflows.search import ReceiptQuery, parse_receipt_number, search_receipts
from . import labels
from .clerk import ReceiptView, today
from .render import PREFIX, StaffRoute, page, redirect
from .session import Staff, StaffDep, text

router = APIRouter(route_class=StaffRoute)


def _date(value: str, field: str, errors: dict[str, str]) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[field] = "Ngày không hợp lệ (ngày/tháng/năm)"
        return None


@dataclass(frozen=True, slots=True)
class SearchForm:
    number: str = ""
    payer: str = ""
    dossier: str = ""
    date_from: str = ""
    date_to: str = ""

    def parsed(self) -> tuple[ReceiptQuery | None, dict[str, str]]:
        errors: dict[str, str] = {}
        number = None
        try:
            number = parse_receipt_number(self.number)
        except ValidationError as exc:
            errors["number"] = exc.message_vi
        first = _date(self.date_from, "date_from", errors)
        last = _date(self.date_to, "date_to", errors)
        if errors:
            return None, errors
        try:
            return ReceiptQuery(
                number=number,
                payer=self.payer,
                dossier=self.dossier,
                date_from=first,
                date_to=last,
            ), {}
        except ValidationError as exc:
            return None, {exc.code: exc.message_vi}


def _search(request: Request, staff: Staff, service: Service) -> Response:
    require(staff.actor, UserRole.CLERK)
    q = request.query_params
    form = SearchForm(
        number=q.get("number", "")[:40],
        payer=q.get("payer", "")[:150],
        dossier=q.get("dossier", "")[:40],
        date_from=q.get("from", "")[:10],
        date_to=q.get("to", "")[:10],
    )
    query, errors = form.parsed()
    found: list[ReceiptView] | None = None
    if query is not None and not query.empty:
        with service.db.reading() as s:
            found = [
                ReceiptView.of(r, service.settings.public_url) for r in search_receipts(s, query)
            ]
    return page(
        request,
        "search.html",
        status=422 if errors else 200,
        actor=staff.actor,
        csrf=staff.csrf,
        title="Tra cứu biên lai",
        form=form,
        errors=errors,
        found=found,
        nav="search",
    )


@router.get("/receipts/search")
async def search(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    return await run_in_threadpool(_search, request, staff, service)


def _daybook(
    request: Request, staff: Staff, service: Service, *, day: dt.date, error: str = ""
) -> Response:
    require(staff.actor, UserRole.CLERK)
    with service.db.reading() as s:
        book = day_book(s, day)
        views = [ReceiptView.of(r, service.settings.public_url) for r in book.receipts]
    return page(
        request,
        "daybook.html",
        status=409 if error else 200,
        actor=staff.actor,
        csrf=staff.csrf,
        title="Bảng kê thu trong ngày",
        book=book,
        receipts=views,
        methods=labels.PAYMENT_METHODS,
        is_today=day == today(),
        error=error,
        nav="daybook",
    )


def _day(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else today()
    except ValueError as exc:
        raise ValidationError("Ngày không hợp lệ", "Invalid day") from exc


@router.get("/daybook")
async def daybook(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    day = _day(request.query_params.get("day"))
    return await run_in_threadpool(_daybook, request, staff, service, day=day)


@router.post("/daybook/close")
async def close(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.CLERK)
    day = _day(text(form, "day", limit=10))

    def work() -> Response:
        try:
            with service.db.transaction() as s:
                close_day(s, staff.actor, day)
        except EsignError as exc:
            return _daybook(request, staff, service, day=day, error=exc.message_vi)
        return redirect(f"{PREFIX}/daybook?day={day.isoformat()}")

    return await run_in_threadpool(work)


@router.get("/receipts/{receipt_id}/print")
async def printed(
    receipt_id: int, request: Request, staff: StaffDep, service: ServiceDep
) -> Response:
    require(staff.actor, UserRole.CLERK)
    size = request.query_params.get("size", "A4").upper()
    if size not in ("A4", "A5"):
        raise ValidationError("Khổ giấy chỉ có A4 hoặc A5", "Paper size is A4 or A5")

    def work() -> bytes:
        with service.db.reading() as s:
            return print_copy(s, receipt_id, settings=service.settings, size=PageSize(size))

    pdf = await run_in_threadpool(work)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="bien-lai-{receipt_id}-{size}.pdf"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
