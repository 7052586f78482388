"""``/verify``: anyone uploads a PDF and reads its signature report; ``POST /api/v1/verify`` is
the same for programs (multipart field ``file``, or the PDF itself as ``application/pdf``).

The size limit (``settings.upload_limit_bytes``) is enforced while the body arrives: a declared
``Content-Length`` beyond it is refused before a byte is read, and a body without one (chunked)
is cut off as soon as it passes the limit, so a large upload never sits in memory or on disk.
The file is verified in a child process (``verify(..., isolate=True)``), at most a few at once
per process, so a hostile file costs a bounded few seconds and never the service.

"On record" is decided by the SHA-256 of the whole file: the file is our copy exactly, or it is
not (changed, even by a byte, or someone else's document).
"""

from __future__ import annotations

import enum
import hashlib
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.datastructures import UploadFile
from starlette.types import Message

from ..http.errors import error_body
from ..http.reports import FindingPublic, SignatureReportPublic
from ..seal import verification_url
from ..signing.report import VERDICT_TEXT, Verdict, VerificationReport
from ..units import current_unit
from ..workflows.public import RecordMatch, find_by_document_sha256
from ..workflows.record_check import NOT_ISSUED, check_record, judged
from . import guards
from .i18n import MESSAGES, Lang
from .render import page
from .state import service_of, web_state

router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["verification"])

MULTIPART_SLACK = 64 * 1024
"""Room for the multipart envelope around the file (boundaries, part headers)."""
RAW_TYPES = ("application/pdf", "application/octet-stream", "")
"""Content types of a body that is the PDF itself (none: ``curl -T``)."""
SLOT_WAIT = 20.0
"""Seconds an upload waits for a free verification slot before "busy, try later"."""


class Refusal(enum.Enum):
    TOO_LARGE = (413, "verify.too_large", "upload_too_large")
    NO_FILE = (400, "verify.no_file", "no_file")

    @property
    def status(self) -> int:
        return self.value[0]


async def read_capped(request: Request, limit: int) -> bytes | None:
    """The request body, or None as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > limit:
                return None
        except ValueError:
            return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


async def receive_pdf(request: Request, limit: int) -> tuple[str, bytes] | Refusal:
    """(file name, content) of an upload, or why it is refused."""
    body = await read_capped(request, limit + MULTIPART_SLACK)
    if body is None:
        return Refusal.TOO_LARGE
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in RAW_TYPES:
        return ("", body) if body else Refusal.NO_FILE
    if content_type != "multipart/form-data":
        return Refusal.NO_FILE
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=1, max_fields=10)
    except Exception:  # a broken multipart body is the sender's problem: no file
        return Refusal.NO_FILE
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return Refusal.NO_FILE
        data = await upload.read(limit + 1)
        if len(data) > limit:
            return Refusal.TOO_LARGE
        if not data:
            return Refusal.NO_FILE
        return (upload.filename or "")[:200], data
    finally:
        await form.close()


def find_record(request: Request, sha256: str) -> RecordMatch | None:
    service = service_of(request)
    with service.db.reading() as session:
        return find_by_document_sha256(session, sha256, settings=service.settings)


def _check(request: Request, data: bytes) -> tuple[VerificationReport, RecordMatch | None] | None:
    """The report, judged against the record (a file signed with the ward's certificates must
    be what the ward issued), and the record match; None when every verification slot stayed
    busy."""
    from ..signing.verify import verify

    service = service_of(request)
    sha = hashlib.sha256(data).hexdigest()
    match = find_record(request, sha)
    slots = web_state(request).verify_slots
    if not slots.acquire(timeout=SLOT_WAIT):
        return None
    try:
        report = verify(
            data,
            trust=service.trust,
            expected_sha256=sha if match is not None and match.current else None,
            max_bytes=service.settings.upload_limit_bytes,
            isolate=True,
        )
    finally:
        slots.release()
    if report.verdict is Verdict.CANNOT_VERIFY:
        return report, match
    with service.db.reading() as session:
        record = check_record(session, data, report, service=service)
    return judged(report, record), record.match


def _form(request: Request, lang: Lang, *, status_code: int = 200, **context: Any) -> HTMLResponse:
    settings = service_of(request).settings
    values: dict[str, Any] = {
        "limit": lang.size(settings.upload_limit_bytes),
        "report": None,
        "record": None,
        "file_name": None,
        "error": None,
    }
    values.update(context)
    return page(
        "verify.html",
        lang,
        unit_name=current_unit(settings).name,
        status_code=status_code,
        **values,
    )


@router.get("/verify", response_class=HTMLResponse)
def verify_form(request: Request, lang: str | None = None) -> HTMLResponse:
    return _form(request, Lang.pick(lang))


@router.post("/verify", response_class=HTMLResponse)
async def verify_upload(request: Request, lang: str | None = None) -> HTMLResponse:
    tr = Lang.pick(lang)
    wait = guards.retry_after(request, guards.UPLOAD_COST)
    if wait is not None:
        return guards.too_many_page(request, tr, wait)
    limit = service_of(request).settings.upload_limit_bytes
    received = await receive_pdf(request, limit)
    if isinstance(received, Refusal):
        error = tr.t(received.value[1], limit=tr.size(limit))
        return _form(request, tr, status_code=received.status, error=error)
    name, data = received
    checked = await run_in_threadpool(_check, request, data)
    if checked is None:
        return _form(request, tr, status_code=503, error=tr.t("verify.busy"))
    report, match = checked
    tone, heading = headline(report, match)
    return _form(
        request,
        tr,
        report=report,
        tone=tone,
        heading=tr.t(heading),
        record=match,
        file_name=name,
    )


_TONES = {
    Verdict.VALID: "ok",
    Verdict.INVALID: "bad",
    Verdict.CANNOT_VERIFY: "warn",
    Verdict.INCOMPLETE: "warn",
}
_STATE_HEADLINES = {
    "cancelled": ("bad", "verify.state.cancelled"),
    "replaced": ("bad", "verify.state.replaced"),
    "adjusted": ("warn", "verify.state.adjusted"),
}


def headline(report: VerificationReport, match: RecordMatch | None) -> tuple[str, str]:
    """(tone, message key) of the page's headline: the document's current status first (a
    genuine but cancelled receipt never opens on a green "valid"), then the verdict."""
    if any(p.code == NOT_ISSUED.code for p in report.problems):
        return "bad", "verify.not_issued"
    if report.verdict is not Verdict.CANNOT_VERIFY and match is not None and match.state:
        found = _STATE_HEADLINES.get(match.state)
        if found is not None:
            return found
    return _TONES[report.verdict], f"verify.{report.verdict.value}"


class RecordPublic(BaseModel):
    on_record: bool
    current_version: bool
    verify_url: str | None
    label: str | None
    """Receipts: template symbol · series · number; results: the document number."""
    status: str | None
    """valid, cancelled, replaced, adjusted or pending: the document's state now."""


class VerificationPublic(BaseModel):
    verdict: Verdict
    verdict_vi: str
    verdict_en: str
    message_vi: str
    message_en: str
    sha256: str | None
    size: int
    matches_record: bool | None
    record: RecordPublic
    headline: str
    """What a person should read first: the document's current status when it is on record
    (``cancelled``, ``replaced``, ``adjusted``), ``not_issued`` for a file signed with the
    ward's certificates that the ward never issued, else the verdict."""
    signatures: list[SignatureReportPublic]  # type: ignore[valid-type]
    revisions: int = 0
    problems: list[FindingPublic] = []  # type: ignore[valid-type]
    """Why the file is not valid: its structure, revisions after signing, rendering."""
    awaiting: list[str] = []
    """For verdict ``incomplete``: titles of the officials whose signature is still awaited."""


def report_json(
    report: VerificationReport, match: RecordMatch | None, public_url: str
) -> VerificationPublic:
    vi, en = VERDICT_TEXT[report.verdict]
    return VerificationPublic(
        verdict=report.verdict,
        verdict_vi=vi,
        verdict_en=en,
        message_vi=report.message_vi,
        message_en=report.message_en,
        sha256=report.sha256,
        size=report.size,
        matches_record=report.matches_record,
        record=RecordPublic(
            on_record=match is not None,
            current_version=bool(match and match.current),
            verify_url=(
                verification_url(public_url, match.token) if match and match.token else None
            ),
            label=match.label if match else None,
            status=match.state if match else None,
        ),
        headline=headline(report, match)[1].rsplit(".", 1)[-1],
        signatures=[SignatureReportPublic.model_validate(s) for s in report.signatures],
        revisions=report.revisions,
        problems=[FindingPublic.model_validate(p) for p in report.problems],
        awaiting=list(report.awaiting),
    )


@api_router.post(
    "/verify",
    response_model=VerificationPublic,
    responses={
        400: {"description": "Không có tệp / no file"},
        413: {"description": "Tệp quá lớn / file too large"},
        429: {"description": "Quá nhiều yêu cầu / rate limited"},
        503: {"description": "Máy chủ bận / busy, try later"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                },
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def verify_api(request: Request) -> Response:
    """Verify a PDF's signatures: multipart field ``file``, or the body as ``application/pdf``.
    No login; rate-limited per client address like the public pages."""
    wait = guards.retry_after(request, guards.UPLOAD_COST)
    if wait is not None:
        return guards.too_many_json(wait)
    settings = service_of(request).settings
    received = await receive_pdf(request, settings.upload_limit_bytes)
    if isinstance(received, Refusal):
        _, key, code = received.value
        vi, en = MESSAGES[key]
        size = Lang("vi").size(settings.upload_limit_bytes)
        return JSONResponse(
            error_body(code, vi.format(limit=size), en.format(limit=size)),
            status_code=received.status,
        )
    checked = await run_in_threadpool(_check, request, received[1])
    if checked is None:
        vi, en = MESSAGES["verify.busy"]
        return JSONResponse(error_body("busy", vi, en), status_code=503)
    body = report_json(*checked, settings.public_url)
    return JSONResponse(body.model_dump(mode="json"), headers={"Cache-Control": "no-store"})
