"""``/staff/reports``: the ward's figures for a date range (clerks and the administrator), with
charts drawn by the server (:mod:`.reports_charts`) and CSV / Excel exports
(:mod:`.reports_export`) built from the same :class:`~esign.workflows.reports.Summary`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from receipts.calendar import VIETNAM_TZ

from ..errors import NotFoundError, ValidationError
from ..http.deps import ServiceDep
from ..service import Service
from ..workflows import reports as flows
from . import labels
from .render import StaffRoute, page
from .reports_charts import CHARTS, chart_svg
from .reports_export import indicators, to_csv, to_xlsx
from .session import Staff, StaffDep

router = APIRouter(route_class=StaffRoute)


@dataclass(frozen=True, slots=True)
class RangeForm:
    """What was typed (kept on the page) and, when it reads, the range."""

    typed_from: str
    typed_to: str
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def query(self) -> str:
        return urlencode({"date_from": self.typed_from, "date_to": self.typed_to})


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def read_range(request: Request) -> RangeForm:
    """The range of the query string; by default this month up to today (Vietnam days)."""
    q = request.query_params
    today = dt.datetime.now(VIETNAM_TZ).date()
    typed_from = (q.get("date_from") or f"{today.replace(day=1):%Y-%m-%d}")[:40]
    typed_to = (q.get("date_to") or f"{today:%Y-%m-%d}")[:40]
    errors: dict[str, str] = {}
    first, last = _date(typed_from), _date(typed_to)
    if first is None:
        errors["date_from"] = "Ngày bắt đầu không hợp lệ (ngày/tháng/năm)"
    if last is None:
        errors["date_to"] = "Ngày kết thúc không hợp lệ (ngày/tháng/năm)"
    if first and last and first > last:
        errors["date_to"] = "Ngày kết thúc phải từ ngày bắt đầu trở đi"
    if first and last and (last - first).days + 1 > flows.MAX_DAYS:
        errors["date_to"] = f"Mỗi báo cáo tối đa {flows.MAX_DAYS} ngày"
    if errors:
        return RangeForm(typed_from, typed_to, errors=errors)
    return RangeForm(typed_from, typed_to, first, last)


def _summary(service: Service, staff: Staff, form: RangeForm) -> flows.Summary:
    if form.date_from is None or form.date_to is None:
        raise ValidationError("Khoảng ngày không hợp lệ", "Invalid date range")
    with service.db.reading() as s:
        return flows.summary(s, staff.actor, date_from=form.date_from, date_to=form.date_to)


def _page(request: Request, staff: Staff, service: Service) -> Response:
    form = read_range(request)
    report: flows.Summary | None = None
    errors = dict(form.errors)
    if not errors:
        try:
            report = _summary(service, staff, form)
        except ValidationError as exc:
            errors["date_to"] = exc.message_vi
    return page(
        request,
        "reports.html",
        status=422 if errors else 200,
        actor=staff.actor,
        csrf=staff.csrf,
        title="Báo cáo thu phí và giải quyết hồ sơ",
        form=form,
        errors=errors,
        report=report,
        indicators=indicators(report) if report else [],
        charts=CHARTS,
        methods=labels.PAYMENT_METHODS,
    )


@router.get("/reports")
async def reports_page(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    return await run_in_threadpool(_page, request, staff, service)


@router.get("/reports/chart/{name}.svg")
async def chart(name: str, request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    if name not in CHARTS:
        raise NotFoundError("Không có biểu đồ này", "No such chart")
    form = read_range(request)
    report = await run_in_threadpool(_summary, service, staff, form)
    svg = await run_in_threadpool(chart_svg, name, report)
    return Response(
        svg,
        media_type="image/svg+xml",
        headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


EXPORTS = {
    "csv": ("text/csv; charset=utf-8", to_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", to_xlsx),
}


@router.get("/reports/export.{fmt}")
async def export(fmt: str, request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    if fmt not in EXPORTS:
        raise NotFoundError("Không có định dạng xuất này", "No such export format")
    media_type, build = EXPORTS[fmt]
    form = read_range(request)
    report = await run_in_threadpool(_summary, service, staff, form)
    content = await run_in_threadpool(build, report)
    name = f"bao-cao_{report.date_from:%Y%m%d}-{report.date_to:%Y%m%d}.{fmt}"
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
