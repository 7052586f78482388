"""The official's desk: the documents waiting for their signature, signed in one batch with one
entry of the key's password or the token's PIN (used for this request only, never kept)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from certs.errors import CertsError

from ..db.models import UserRole
from ..errors import EsignError, ValidationError
from ..http.deps import ServiceDep
from ..service import Service
from ..workflows.actors import require
from ..workflows.batches import sign_batch
from ..workflows.dossiers import dossiers_by_id
from ..workflows.keys import key_policy, open_official_key
from ..workflows.queries import result_numbers
from ..workflows.results import SignOutcome, official_signer, queue
from . import labels
from .render import StaffRoute, page
from .session import Staff, StaffDep, texts

router = APIRouter(route_class=StaffRoute)
MAX_BATCH = 100


@dataclass(frozen=True, slots=True)
class QueuedView:
    id: int
    number: str
    template: str
    dossier_code: str
    applicant: str
    procedure_code: str
    pdf_url: str


@dataclass(frozen=True, slots=True)
class OutcomeView:
    number: str
    ok: bool
    completed: bool
    message: str


def _queue(service: Service, staff: Staff) -> list[QueuedView]:
    with service.db.reading() as s:
        rows = queue(s, staff.actor)
        ids = {r.dossier_id for r, _ in rows}
        dossiers = dossiers_by_id(s, ids)
        return [
            QueuedView(
                id=r.id,
                number=r.number,
                template=labels.TEMPLATES.get(r.template, r.template),
                dossier_code=dossiers[r.dossier_id].code,
                applicant=dossiers[r.dossier_id].applicant_name,
                procedure_code=dossiers[r.dossier_id].procedure_code,
                pdf_url=f"/api/v1/results/{r.id}/pdf",
            )
            for r, _ in rows
        ]


def official_page(
    request: Request,
    staff: Staff,
    service: Service,
    *,
    selected: frozenset[int] = frozenset(),
    outcomes: list[OutcomeView] | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    return page(
        request,
        "official.html",
        status=status,
        actor=staff.actor,
        csrf=staff.csrf,
        title=labels.DASHBOARD_TITLES[UserRole.OFFICIAL],
        queue=_queue(service, staff),
        selected=selected,
        outcomes=outcomes or [],
        error=error,
    )


def _ids(values: list[str]) -> list[int]:
    ids: list[int] = []
    for v in values:
        if not (v.isascii() and v.isdigit()) or len(v) > 12:
            raise ValidationError("Lựa chọn văn bản không hợp lệ", "Invalid document selection")
        if int(v) not in ids:
            ids.append(int(v))
    if not ids:
        raise ValidationError("Hãy chọn ít nhất một văn bản để ký", "Choose at least one document")
    if len(ids) > MAX_BATCH:
        raise ValidationError(
            f"Mỗi lần ký tối đa {MAX_BATCH} văn bản", f"At most {MAX_BATCH} documents at a time"
        )
    return ids


def _sign(service: Service, staff: Staff, ids: list[int], secret: str) -> list[SignOutcome]:
    if not secret:
        raise ValidationError(
            "Hãy nhập mật khẩu khóa ký hoặc mã PIN", "Enter the key password or the PIN"
        )
    policy = key_policy(service.settings)
    with open_official_key(service.db, staff.actor, secret=secret, policy=policy) as key:
        with service.db.reading() as s:
            signer = official_signer(s, staff.actor, service, key.store)
        return sign_batch(
            service.db.transaction,
            staff.actor,
            signer,
            ids,
            current_certificate=key.current_certificate,
        )


def _numbers(service: Service, ids: list[int]) -> dict[int, str]:
    with service.db.reading() as s:
        return result_numbers(s, ids)


def _sign_page(
    request: Request, staff: Staff, service: Service, values: list[str], secret: str
) -> Response:
    selected: frozenset[int] = frozenset()
    try:
        ids = _ids(values)
        selected = frozenset(ids)
        outcomes = _sign(service, staff, ids, secret)
    except (EsignError, CertsError) as exc:
        status = exc.status if isinstance(exc, EsignError) else 422
        return official_page(
            request, staff, service, selected=selected, error=exc.message_vi, status=status
        )
    numbers = _numbers(service, ids)
    views = [
        OutcomeView(
            number=numbers.get(o.result_id, f"#{o.result_id}"),
            ok=o.ok,
            completed=o.completed,
            message=o.message_vi or "",
        )
        for o in outcomes
    ]
    return official_page(request, staff, service, outcomes=views)


@router.post("/sign")
async def sign(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    """Sign the chosen documents; the outcome of each is shown."""
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.OFFICIAL)
    values = texts(form, "result_id", limit=MAX_BATCH + 1)
    secret = form.get("secret")
    secret = secret[:200] if isinstance(secret, str) else ""
    return await run_in_threadpool(_sign_page, request, staff, service, values, secret)
