"""The administrator's certificates page: the ward's certificates with expiry warnings and who
each is bound to; import one issued elsewhere, bind an official to theirs, revoke one. All
through :mod:`esign.workflows.certificates` and ``users.register_certificate`` (which carry
the binding checks), like the API and ``esign certs``.

::

    GET  /staff/admin/certificates
    POST /staff/admin/certificates/bind        user_id, name
    POST /staff/admin/certificates/import      file, role, password?, user_id?
    POST /staff/admin/certificates/{name}/revoke   reason
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from certs import RevocationReason, Role
from certs.errors import CertsError

from ..db.models import User, UserRole
from ..db.types import utcnow
from ..errors import EsignError, ValidationError
from ..http.deps import ServiceDep
from ..service import Service
from ..workflows.actors import require
from ..workflows.certificates import (
    SIGNER_ROLES,
    CertificateInfo,
    get_certificate,
    import_certificate,
    list_certificates,
    revoke_certificate,
)
from ..workflows.users import list_users, register_certificate
from . import labels
from .admin import ADMIN, admin_page
from .render import StaffRoute, redirect
from .session import Staff, StaffDep, text

router = APIRouter(route_class=StaffRoute)
WARN_DAYS = 30
"""A certificate that ends within this many days is shown with a warning."""
MAX_UPLOAD = 32 * 1024


@dataclass(frozen=True, slots=True)
class CertView:
    info: CertificateInfo
    days_left: int
    state: str
    """``revoked``, ``expired``, ``expiring`` (within WARN_DAYS), ``ok``."""
    bound_to: tuple[str, ...]


def _views(infos: list[CertificateInfo], users: list[User], now: dt.datetime) -> list[CertView]:
    out = []
    for info in infos:
        days = (info.not_after - now).days
        if info.revoked_at is not None:
            state = "revoked"
        elif info.not_after <= now:
            state = "expired"
        elif days < WARN_DAYS:
            state = "expiring"
        else:
            state = "ok"
        bound = tuple(u.full_name for u in users if u.certificate_sha256 == info.sha256)
        out.append(CertView(info, days, state, bound))
    return out


def _page(
    request: Request,
    staff: Staff,
    service: Service,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    require(staff.actor, UserRole.ADMIN)
    now = utcnow()
    infos = list_certificates(staff.actor, service.pki)
    with service.db.reading() as s:
        users = list_users(s, staff.actor, limit=200).items
    views = _views(infos, users, now)
    notice = {
        "bound": "Đã gắn chứng thư số cho người ký.",
        "imported": "Đã nhập chứng thư số.",
        "revoked": "Đã thu hồi chứng thư số và công bố lại danh sách thu hồi (CRL).",
    }
    return admin_page(
        request,
        staff,
        "admin_certs.html",
        title="Chứng thư số của người ký",
        status=status,
        certs=views,
        signer_certs=[
            v for v in views if v.info.role in SIGNER_ROLES and v.state in ("ok", "expiring")
        ],
        officials=[u for u in users if u.role is UserRole.OFFICIAL and u.active],
        official_roles=labels.OFFICIAL_ROLES,
        signer_roles=SIGNER_ROLES,
        reasons=list(RevocationReason),
        warnings=[
            v for v in views if v.state in ("expiring", "expired") and v.info.role in SIGNER_ROLES
        ],
        errors=errors or {},
        values=values or {},
        notice=notice.get(request.query_params.get("done", ""), "")
        if request.method == "GET"
        else "",
    )


@router.get("/admin/certificates")
async def certificates_page(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    return await run_in_threadpool(_page, request, staff, service)


def _refused(exc: Exception) -> str:
    if isinstance(exc, EsignError | CertsError):
        return exc.message_vi
    raise exc


def _int(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


def _bind(request: Request, staff: Staff, service: Service, values: dict[str, str]) -> Response:
    errors: dict[str, str] = {}
    user_id = _int(values["user_id"])
    if user_id is None:
        errors["user_id"] = "Hãy chọn người ký"
    if not values["name"]:
        errors["name"] = "Hãy chọn chứng thư số"
    if not errors:
        assert user_id is not None
        try:
            info = get_certificate(staff.actor, service.pki, values["name"])
            if info.revoked_at is not None:
                raise ValidationError(
                    "Chứng thư số này đã bị thu hồi", "This certificate is revoked"
                )
            with service.db.transaction() as s:
                register_certificate(
                    s, staff.actor, user_id=user_id, certificate_pem=info.certificate_pem
                )
        except (EsignError, CertsError) as exc:
            if isinstance(exc, EsignError) and exc.status == 403:
                raise
            errors["name"] = _refused(exc)
    if errors:
        return _page(
            request,
            staff,
            service,
            errors={f"bind_{k}": v for k, v in errors.items()},
            values=values,
            status=422,
        )
    return redirect(f"{ADMIN}/certificates?done=bound")


@router.post("/admin/certificates/bind")
async def bind(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.ADMIN)
    values = {"user_id": text(form, "user_id", limit=20), "name": text(form, "name", limit=200)}
    return await run_in_threadpool(_bind, request, staff, service, values)


def _import(
    request: Request,
    staff: Staff,
    service: Service,
    values: dict[str, str],
    data: bytes,
    password: str,
) -> Response:
    errors: dict[str, str] = {}
    try:
        role = Role(values["role"])
    except ValueError:
        errors["import_role"] = "Hãy chọn chức danh của chứng thư"
        role = Role.JUDICIAL_OFFICER
    if not data:
        errors["import_file"] = "Hãy chọn tệp chứng thư (.pem, .cer, .p12)"
    elif len(data) > MAX_UPLOAD:
        errors["import_file"] = f"Tệp lớn quá {MAX_UPLOAD // 1024} KB"
    user_id = _int(values["user_id"]) if values["user_id"] else None
    if not errors:
        try:
            with service.db.transaction() as s:
                import_certificate(
                    s, staff.actor, service.pki, data=data, role=role, now=utcnow(),
                    password=password or None, user_id=user_id, source="tệp tải lên",
                )  # fmt: skip
        except (EsignError, CertsError) as exc:
            if isinstance(exc, EsignError) and exc.status == 403:
                raise
            errors["import_file"] = _refused(exc)
    if errors:
        return _page(request, staff, service, errors=errors, values=values, status=422)
    return redirect(f"{ADMIN}/certificates?done=imported")


@router.post("/admin/certificates/import")
async def import_form(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    async with request.form() as form:  # closes the uploaded file's spool
        staff.check(request, form)
        require(staff.actor, UserRole.ADMIN)
        upload = form.get("file")
        data = await upload.read(MAX_UPLOAD + 1) if isinstance(upload, UploadFile) else b""
        values = {"role": text(form, "role", limit=40), "user_id": text(form, "user_id", limit=20)}
        password = text(form, "password", limit=200)
    return await run_in_threadpool(_import, request, staff, service, values, data, password)


def _revoke(
    request: Request, staff: Staff, service: Service, name: str, reason_text: str
) -> Response:
    try:
        reason = RevocationReason(reason_text)
    except ValueError:
        return _page(
            request, staff, service, errors={f"revoke_{name}": "Hãy chọn lý do thu hồi"}, status=422
        )
    now = utcnow()
    try:
        with service.db.transaction() as s:
            revoke_certificate(s, staff.actor, service.pki, name, reason=reason, at=now, now=now)
    except (EsignError, CertsError) as exc:
        if isinstance(exc, EsignError) and exc.status == 403:
            raise
        return _page(request, staff, service, errors={f"revoke_{name}": _refused(exc)}, status=422)
    return redirect(f"{ADMIN}/certificates?done=revoked")


@router.post("/admin/certificates/{name}/revoke")
async def revoke(name: str, request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.ADMIN)
    reason = text(form, "reason", limit=40)
    return await run_in_threadpool(_revoke, request, staff, service, name[:200], reason)
