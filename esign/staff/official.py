"""The official's signing inbox: the documents waiting for their signature (overdue first, who
has signed and who is next, a preview of page 1), signed in one batch with one entry of the
key's password or the token's PIN (used for this request only, never kept, echoed or logged),
or returned for correction with a reason.

::

    GET  /staff/                          the inbox (``?all=1`` ticks every document)
    POST /staff/sign                      open the key, start the batch → 303 to the job
    GET  /staff/sign/jobs/{job}           progress, then each document's outcome
    POST /staff/results/{id}/return       return for correction (reason required) → 303
    GET  /staff/results/{id}/preview.png  page 1 drawn by the server (PDFium)
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from certs.errors import CertsError
from receipts.calendar import VIETNAM_TZ

from ..db.models import UserRole
from ..errors import EsignError, NotFoundError, ValidationError
from ..http.deps import ServiceDep
from ..service import Service
from ..workflows.actors import require
from ..workflows.batches import sign_batch
from ..workflows.inbox import InboxItem, inbox, return_for_correction
from ..workflows.keys import key_source_of, open_signing_key
from ..workflows.queries import result_numbers
from ..workflows.results import SignOutcome, official_signer
from . import labels, official_jobs
from .official_preview import preview_png
from .render import PREFIX, StaffRoute, page, redirect
from .session import Staff, StaffDep, text, texts

router = APIRouter(route_class=StaffRoute)
MAX_BATCH = 100


@dataclass(frozen=True, slots=True)
class OutcomeView:
    number: str
    ok: bool
    completed: bool
    message: str


def _inbox(service: Service, staff: Staff) -> list[InboxItem]:
    today = dt.datetime.now(VIETNAM_TZ).date()
    with service.db.reading() as s:
        return inbox(s, staff.actor, today=today)


def _notice(service: Service, request: Request) -> str:
    returned = request.query_params.get("returned", "")
    if not (returned.isascii() and returned.isdigit() and len(returned) < 12):
        return ""
    with service.db.reading() as s:
        number = result_numbers(s, [int(returned)]).get(int(returned))
    return f"Đã trả lại văn bản {number} để sửa." if number else ""


def official_page(
    request: Request,
    staff: Staff,
    service: Service,
    *,
    selected: frozenset[int] | None = None,
    error: str = "",
    secret_error: str = "",
    return_errors: dict[int, str] | None = None,
    typed_reasons: dict[int, str] | None = None,
    status: int = 200,
) -> Response:
    items = _inbox(service, staff)
    if selected is None:
        pick_all = request.query_params.get("all") == "1"
        selected = frozenset(i.result_id for i in items) if pick_all else frozenset()
    return page(
        request,
        "official.html",
        status=status,
        actor=staff.actor,
        csrf=staff.csrf,
        title=labels.DASHBOARD_TITLES[UserRole.OFFICIAL],
        queue=items,
        overdue=sum(1 for i in items if i.overdue),
        selected=selected,
        templates=labels.TEMPLATES,
        roles=labels.OFFICIAL_ROLES,
        notice=_notice(service, request) if request.method == "GET" else "",
        error=error,
        secret_error=secret_error,
        return_errors=return_errors or {},
        typed_reasons=typed_reasons or {},
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


SECRET_CODES = frozenset({"wrong_password", "wrong_pin"})
"""Errors shown next to the password field."""


class SecretError(ValidationError):
    """An error about the password or PIN: shown next to that field."""


def _start(service: Service, staff: Staff, ids: list[int], secret: str) -> official_jobs.SigningJob:
    """Open the key here (a wrong password is answered on the form), sign in the job."""
    if not secret:
        raise SecretError(
            "Hãy nhập mật khẩu khóa ký hoặc mã PIN", "Enter the key password or the PIN"
        )
    with service.db.reading() as s:
        source = key_source_of(s, staff.actor)
    stack = contextlib.ExitStack()
    try:
        key = stack.enter_context(open_signing_key(source, secret=secret))
        with service.db.reading() as s:
            signer = official_signer(s, staff.actor, service, key.store)
    except BaseException:
        stack.close()
        raise

    def run(on_outcome: Callable[[SignOutcome], None]) -> object:
        return sign_batch(
            service.db.transaction,
            staff.actor,
            signer,
            ids,
            current_certificate=key.current_certificate,
            on_outcome=on_outcome,
        )

    return official_jobs.start(staff.actor.user_id, ids, run, stack)


def _sign(
    request: Request, staff: Staff, service: Service, values: list[str], secret: str
) -> Response:
    selected: frozenset[int] = frozenset()
    try:
        ids = _ids(values)
        selected = frozenset(ids)
        job = _start(service, staff, ids, secret)
    except (EsignError, CertsError) as exc:
        status = exc.status if isinstance(exc, EsignError) else 422
        on_secret = isinstance(exc, SecretError) or str(exc.code) in SECRET_CODES
        secret_error = exc.message_vi if on_secret else ""
        return official_page(
            request,
            staff,
            service,
            selected=selected,
            error="" if secret_error else exc.message_vi,
            secret_error=secret_error,
            status=status,
        )
    return redirect(f"{PREFIX}/sign/jobs/{job.id}")


@router.post("/sign")
async def sign(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    """Start signing the chosen documents; the browser follows to the job's page."""
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.OFFICIAL)
    values = texts(form, "result_id", limit=MAX_BATCH + 1)
    secret = text(form, "secret", limit=200)
    return await run_in_threadpool(_sign, request, staff, service, values, secret)


def _job_page(request: Request, staff: Staff, service: Service, job_id: str) -> Response:
    job = official_jobs.find(job_id, staff.actor.user_id)
    if job is None:
        raise NotFoundError(
            "Không tìm thấy lượt ký này (đã quá lâu hoặc của người khác): hãy xem danh sách chờ ký",
            "No such signing job",
        )
    outcomes, done, failure = job.snapshot()
    with service.db.reading() as s:
        numbers = result_numbers(s, job.result_ids)
    views = [
        OutcomeView(
            number=numbers.get(o.result_id, f"#{o.result_id}"),
            ok=o.ok,
            completed=o.completed,
            message=o.message_vi or "",
        )
        for o in outcomes
    ]
    response = page(
        request,
        "official_job.html",
        actor=staff.actor,
        csrf=staff.csrf,
        title="Ký văn bản" if done else "Đang ký văn bản…",
        outcomes=views,
        done=done,
        total=job.total,
        signed=sum(1 for o in outcomes if o.ok),
        failure=failure,
        pending=[numbers.get(i, f"#{i}") for i in job.result_ids[len(outcomes) :]],
    )
    if not done:
        response.headers["Refresh"] = "1"  # progress without script: reload until done
    return response


@router.get("/sign/jobs/{job_id}")
async def job_page(job_id: str, request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    require(staff.actor, UserRole.OFFICIAL)
    return await run_in_threadpool(_job_page, request, staff, service, job_id[:64])


def _return(
    request: Request, staff: Staff, service: Service, result_id: int, reason: str
) -> Response:
    try:
        with service.db.transaction() as s:
            return_for_correction(s, staff.actor, result_id, reason=reason)
    except ValidationError as exc:
        return official_page(
            request,
            staff,
            service,
            return_errors={result_id: exc.message_vi},
            typed_reasons={result_id: reason},
            status=422,
        )
    return redirect(f"{PREFIX}/?returned={result_id}")


@router.post("/results/{result_id}/return")
async def return_result(
    result_id: int, request: Request, staff: StaffDep, service: ServiceDep
) -> Response:
    """Return a document for correction: it leaves the queue, its dossier goes back."""
    form = await request.form()
    staff.check(request, form)
    require(staff.actor, UserRole.OFFICIAL)
    reason = text(form, "reason", limit=600)
    return await run_in_threadpool(_return, request, staff, service, result_id, reason)


@router.get("/results/{result_id}/preview.png")
async def preview(result_id: int, staff: StaffDep, service: ServiceDep) -> Response:
    png = await run_in_threadpool(preview_png, service, staff.actor, result_id)
    return Response(
        png,
        media_type="image/png",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )
