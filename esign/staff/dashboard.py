"""``/staff/``: the page of the user's role; the administrator's short page; the stylesheet."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from ..db.models import UserRole
from ..http.deps import ServiceDep
from ..service import Service
from ..workflows.series import list_series
from ..workflows.users import count_users
from . import labels
from .clerk import clerk_page
from .official import official_page
from .render import StaffRoute, asset, page
from .session import Staff, StaffDep

router = APIRouter(route_class=StaffRoute)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 12 else None


def admin_page(request: Request, staff: Staff, service: Service) -> Response:
    with service.db.reading() as s:
        counts = count_users(s)
        series = list_series(s)
    return page(
        request,
        "admin.html",
        actor=staff.actor,
        csrf=staff.csrf,
        title=labels.DASHBOARD_TITLES[UserRole.ADMIN],
        users=counts.total,
        active_users=counts.active,
        series=series,
    )


def _dashboard(request: Request, staff: Staff, service: Service) -> Response:
    role = staff.actor.role
    if role is UserRole.CLERK:
        q = request.query_params
        return clerk_page(
            request,
            staff,
            service,
            issued_id=_int(q.get("issued")),
            again=q.get("again") == "1",
            cancelled_id=_int(q.get("cancelled")),
            replaced_id=_int(q.get("replaced")),
            noticed_id=_int(q.get("noticed")),
        )
    if role is UserRole.OFFICIAL:
        return official_page(request, staff, service)
    return admin_page(request, staff, service)


@router.get("/")
async def dashboard(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    return await run_in_threadpool(_dashboard, request, staff, service)


@router.get("/static/{name}")
def static(name: str) -> Response:
    return asset(name)
