"""The administrator's desk: users and roles, receipt series, the procedure catalog and tariffs
(read-only, with their legal basis and "chưa xác minh" marks), the audit log with filters and
one document's trail. Certificates are :mod:`.admin_certs`; the reports are :mod:`.reports`.

::

    GET  /staff/admin/users                      users; create; (de)activate; reset password
    POST /staff/admin/users
    POST /staff/admin/users/{id}/active          active=0|1
    POST /staff/admin/users/{id}/password
    GET  /staff/admin/series, POST /staff/admin/series, POST /staff/admin/series/{id}/active
    GET  /staff/admin/catalog
    GET  /staff/admin/audit                      ?action=&actor=&subject=&date_from=&date_to=
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from receipts.unverified import unverified_law

from ..db.models import UserRole
from ..errors import EsignError, ValidationError
from ..http.deps import ServiceDep
from ..identifiers import OfficialRole
from ..service import Service
from ..units import unit_unverified
from ..workflows import admin as flows
from ..workflows.actors import require
from ..workflows.series import create_series, list_series, set_series_active
from ..workflows.users import create_user, list_users, reset_password, set_user_active
from . import labels
from .render import PREFIX, StaffRoute, page, redirect
from .session import Staff, StaffDep, text

router = APIRouter(route_class=StaffRoute)
ADMIN = f"{PREFIX}/admin"


def admin_page(
    request: Request, staff: Staff, template: str, *, title: str, status: int = 200, **context: Any
) -> Response:
    require(staff.actor, UserRole.ADMIN)
    return page(
        request,
        template,
        status=status,
        actor=staff.actor,
        csrf=staff.csrf,
        title=title,
        section=template.removeprefix("admin_").removesuffix(".html"),
        **context,
    )


# ---------------------------------------------------------------- users


@dataclass(frozen=True, slots=True)
class UserForm:
    values: dict[str, str]
    errors: dict[str, str]


USER_FIELDS = ("username", "full_name", "role", "official_role", "title")
_FIELD_OF_MESSAGE = (
    ("Tên đăng nhập", "username"),
    ("Mật khẩu", "password"),
    ("chức danh", "official_role"),
)


def _field_of(message: str) -> str:
    """Which field a workflow's message is about (shown next to it), or the form's."""
    return next((f for word, f in _FIELD_OF_MESSAGE if word.lower() in message.lower()), "form")


def _users_page(
    request: Request,
    staff: Staff,
    service: Service,
    *,
    form: UserForm | None = None,
    reset_errors: dict[int, str] | None = None,
    status: int = 200,
) -> Response:
    require(staff.actor, UserRole.ADMIN)
    with service.db.reading() as s:
        users = list_users(s, staff.actor, limit=200).items
    q = request.query_params
    return admin_page(
        request,
        staff,
        "admin_users.html",
        title="Người dùng và vai trò",
        status=status,
        users=users,
        roles=labels.ROLES,
        official_roles=labels.OFFICIAL_ROLES,
        form=form or UserForm({"role": "clerk"}, {}),
        reset_errors=reset_errors or {},
        notice=_USER_NOTICES.get(q.get("done", ""), "") if request.method == "GET" else "",
    )


_USER_NOTICES = {
    "created": "Đã tạo người dùng.",
    "deactivated": (
        "Đã khóa tài khoản: mọi phiên đăng nhập và mã truy cập của người này đã kết thúc."
    ),
    "activated": "Đã mở lại tài khoản.",
    "reset": "Đã đặt lại mật khẩu: người dùng phải đăng nhập lại.",
}


@router.get("/admin/users")
async def users_page(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    return await run_in_threadpool(_users_page, request, staff, service)


def _create_user(
    request: Request, staff: Staff, service: Service, values: dict[str, str], password: str
) -> Response:
    errors: dict[str, str] = {}
    if not values["username"].strip():
        errors["username"] = "Hãy nhập tên đăng nhập"
    if not values["full_name"].strip():
        errors["full_name"] = "Hãy nhập họ tên"
    try:
        role = UserRole(values["role"])
    except ValueError:
        errors["role"] = "Hãy chọn vai trò"
        role = UserRole.CLERK
    if role is UserRole.OFFICIAL and values["official_role"] not in set(OfficialRole):
        errors["official_role"] = "Người ký cần chức danh ký"
    if not password:
        errors["password"] = "Hãy nhập mật khẩu ban đầu"
    if not errors:
        try:
            with service.db.transaction() as s:
                create_user(
                    s,
                    staff.actor,
                    username=values["username"].strip().lower(),
                    full_name=values["full_name"],
                    role=role,
                    password=password,
                    official_role=values["official_role"] if role is UserRole.OFFICIAL else None,
                    title=values["title"].strip() or None,
                )
        except EsignError as exc:
            if exc.status >= 500 or exc.status == 403:
                raise
            errors[
                _field_of(exc.message_vi) if isinstance(exc, ValidationError) else "username"
            ] = exc.message_vi
    if errors:
        return _users_page(request, staff, service, form=UserForm(values, errors), status=422)
    return redirect(f"{ADMIN}/users?done=created")


@router.post("/admin/users")
async def create_user_form(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.ADMIN)
    values = {name: text(form, name, limit=200) for name in USER_FIELDS}
    password = text(form, "password", limit=1024)
    return await run_in_threadpool(_create_user, request, staff, service, values, password)


def _set_active(staff: Staff, service: Service, user_id: int, active: bool) -> Response:
    with service.db.transaction() as s:
        set_user_active(s, staff.actor, user_id=user_id, active=active)
    return redirect(f"{ADMIN}/users?done={'activated' if active else 'deactivated'}")


@router.post("/admin/users/{user_id}/active")
async def set_active(
    user_id: int, request: Request, staff: StaffDep, service: ServiceDep
) -> Response:
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.ADMIN)
    active = text(form, "active", limit=2) == "1"
    return await run_in_threadpool(_set_active, staff, service, user_id, active)


def _reset(
    request: Request, staff: Staff, service: Service, user_id: int, password: str
) -> Response:
    try:
        # Hashes outside the write lock and lifts a lockout (workflows.users).
        reset_password(service.db, staff.actor, user_id=user_id, new_password=password)
    except ValidationError as exc:
        return _users_page(
            request, staff, service, reset_errors={user_id: exc.message_vi}, status=422
        )
    return redirect(f"{ADMIN}/users?done=reset")


@router.post("/admin/users/{user_id}/password")
async def reset(user_id: int, request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.ADMIN)
    password = text(form, "password", limit=1024)
    return await run_in_threadpool(_reset, request, staff, service, user_id, password)


# ---------------------------------------------------------------- series


def _series_page(
    request: Request,
    staff: Staff,
    service: Service,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    require(staff.actor, UserRole.ADMIN)
    with service.db.reading() as s:
        series = list_series(s)
    return admin_page(
        request, staff, "admin_series.html", title="Ký hiệu biên lai", status=status,
        series=series, values=values or {"template_symbol": "", "series": ""}, errors=errors or {},
    )  # fmt: skip


@router.get("/admin/series")
async def series_page(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    return await run_in_threadpool(_series_page, request, staff, service)


def _create_series(
    request: Request, staff: Staff, service: Service, values: dict[str, str]
) -> Response:
    errors: dict[str, str] = {}
    for name, label in (("template_symbol", "mẫu số"), ("series", "ký hiệu")):
        if not values[name].strip():
            errors[name] = f"Hãy nhập {label}"
    if not errors:
        try:
            with service.db.transaction() as s:
                create_series(
                    s,
                    staff.actor,
                    template_symbol=values["template_symbol"],
                    series=values["series"],
                )
        except ValidationError as exc:
            errors["series"] = exc.message_vi
        except EsignError as exc:
            if exc.status not in (409, 422):
                raise
            errors["series"] = exc.message_vi
    if errors:
        return _series_page(request, staff, service, values=values, errors=errors, status=422)
    return redirect(f"{ADMIN}/series")


@router.post("/admin/series")
async def create_series_form(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.ADMIN)
    values = {n: text(form, n, limit=40) for n in ("template_symbol", "series")}
    return await run_in_threadpool(_create_series, request, staff, service, values)


def _series_active(staff: Staff, service: Service, series_id: int, active: bool) -> Response:
    with service.db.transaction() as s:
        set_series_active(s, staff.actor, series_id, active=active)
    return redirect(f"{ADMIN}/series")


@router.post("/admin/series/{series_id}/active")
async def series_active(
    series_id: int, request: Request, staff: StaffDep, service: ServiceDep
) -> Response:
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.ADMIN)
    active = text(form, "active", limit=2) == "1"
    return await run_in_threadpool(_series_active, staff, service, series_id, active)


# ---------------------------------------------------------------- catalog


def _catalog_page(request: Request, staff: Staff, service: Service) -> Response:
    require(staff.actor, UserRole.ADMIN)
    catalog = service.catalog
    return admin_page(
        request,
        staff,
        "admin_catalog.html",
        title="Thủ tục hành chính và mức thu",
        procedures=sorted(catalog.procedures.values(), key=lambda p: p.code),
        overrides=catalog.overrides_for,
        channel_rules=catalog.channel_rules,
        unverified=(*unverified_law(catalog), *unit_unverified(service.settings)),
        province=catalog.province,
    )


@router.get("/admin/catalog")
async def catalog_page(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    return await run_in_threadpool(_catalog_page, request, staff, service)


# ---------------------------------------------------------------- audit log


AUDIT_FIELDS = ("action", "actor", "subject", "date_from", "date_to")


def _audit_page(request: Request, staff: Staff, service: Service) -> Response:
    require(staff.actor, UserRole.ADMIN)
    q = request.query_params
    values = {n: (q.get(n) or "")[:100] for n in AUDIT_FIELDS}
    errors: dict[str, str] = {}
    days: dict[str, dt.date | None] = {}
    for name in ("date_from", "date_to"):
        try:
            days[name] = dt.date.fromisoformat(values[name]) if values[name] else None
        except ValueError:
            days[name] = None
            errors[name] = "Ngày không hợp lệ (ngày/tháng/năm)"
    entries = []
    if not errors:
        with service.db.reading() as s:
            entries = flows.search_audit(
                s,
                staff.actor,
                flows.AuditFilter(
                    action=values["action"].strip(),
                    actor=values["actor"].strip(),
                    subject=values["subject"].strip(),
                    date_from=days["date_from"],
                    date_to=days["date_to"],
                ),
            )
    return admin_page(
        request,
        staff,
        "admin_audit.html",
        title="Nhật ký thao tác",
        status=422 if errors else 200,
        values=values,
        errors=errors,
        entries=[(e, _details(e.details)) for e in entries],
        limit=flows.MAX_AUDIT_ROWS,
    )


def _details(raw: str) -> str:
    try:
        value = json.loads(raw)
    except ValueError:
        return raw[:300]
    if not value:
        return ""
    text_ = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text_ if len(text_) <= 300 else text_[:297] + "…"


@router.get("/admin/audit")
async def audit_page(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    return await run_in_threadpool(_audit_page, request, staff, service)
