"""The page a QR opens: ``/v/<token>``, its PDF, its server-side seal check, and the keys.

Every path under ``/v/`` that is not a document of ours (no such token, a malformed one, a
token with slashes, newlines or stray characters in it) gets one answer, and ``/v/<x>/pdf`` the
same: the same status and the same bytes, which name no token, so the answer tells nothing
about which tokens exist. Every page view is recorded (time, token, result) after the rate
limit lets it through.

The seal after ``#`` never reaches the server with the page: the page's script checks it with
WebCrypto. Where the browser has no WebCrypto (plain http on a LAN address is not a secure
context), the script posts the seal to ``POST /v/<token>/seal`` and shows the server's answer,
saying so. A POST body, unlike a query string, stays out of access logs and caches, and the
page itself stays one cacheable-shaped URL per document.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.convertors import PathConvertor, register_url_convertor

from ..http.errors import error_body
from ..seal import DocumentKind, SealCheck, verify_seal
from ..seal.claims import Field
from ..seal.encoding import MAX_DIGITS
from ..units import current_unit
from ..workflows.public import (
    PublicView,
    State,
    find_public_view,
    receipt_pdf,
    receipt_xml,
    scan,
    seal_mismatches,
)
from . import guards
from .i18n import MESSAGES, Lang
from .render import ASSETS, PAGE_HEADERS, STATIC_PREFIX, page
from .signatures import SignatureSummary
from .state import scans_of, service_of, web_state
from .upload import read_capped


class _Anything(PathConvertor):
    """Like ``path``, newlines included: ``/v/a%0Ab`` must get the unknown page too, not the
    generic 404 (Starlette's ``.*`` stops at a newline)."""

    regex = r"[\s\S]*"


register_url_convertor("esign_anything", _Anything())

router = APIRouter(include_in_schema=False)

KEYS_PATH = "/.well-known/esign-seal-keys.json"
SEAL_BODY_LIMIT = MAX_DIGITS + 200

SCRIPT_MESSAGES = (
    "seal.checking",
    "seal.genuine",
    "seal.not_genuine",
    "seal.absent",
    "seal.server_checked",
    "seal.browser_checked",
    "seal.error",
    "seal.key",
    "seal.key.retired",
    "seal.reason.malformed",
    "seal.reason.unknown_key",
    "seal.reason.withdrawn_key",
    "seal.reason.bad_signature",
    "seal.reason.mismatch",
    "seal.reason.keys",
    "seal.reason.server",
    "seal.reason",
)


def unknown_page(request: Request, lang: Lang) -> HTMLResponse:
    """The one answer for every token that is not ours (see the module docstring); the same
    bytes every time, so they are rendered once per language."""
    unit_name = current_unit(service_of(request).settings).name
    cache = web_state(request).rendered
    key = ("unknown", lang.code, unit_name)
    body = cache.get(key)
    if body is None:
        rendered = page(
            "message.html",
            lang,
            unit_name=unit_name,
            tone="unknown",
            heading=lang.t("verdict.unknown"),
            detail=lang.t("verdict.unknown.detail"),
        )
        body = cache[key] = bytes(rendered.body)
    return HTMLResponse(body, status_code=404, headers=PAGE_HEADERS)


def _load(request: Request, token: str) -> PublicView | None:
    service = service_of(request)
    with service.db.reading() as session:
        return find_public_view(session, token, settings=service.settings)


def _verdict(view: PublicView, signatures: SignatureSummary) -> tuple[str, str, str | None]:
    """(tone, title key, detail key) of the page's banner."""
    if view.state is State.CANCELLED:
        return "bad", "verdict.cancelled", None
    if view.state is State.REPLACED:
        return "bad", "verdict.replaced", "verdict.replaced.detail"
    if view.state is State.PENDING:
        return "warn", "verdict.pending", "verdict.pending.detail"
    if not signatures.valid:
        return "warn", "verdict.unsure", "verdict.unsure.detail"
    if view.state is State.ADJUSTED:
        return "ok", "verdict.adjusted", "verdict.adjusted.detail"
    return "ok", "verdict.valid", "verdict.valid.detail"


def _page_data(view: PublicView, lang: Lang, tone: str) -> dict[str, Any]:
    """What the page's script needs: the record in the seal's terms and its sentences."""
    return {
        "state_note": lang.t("seal.state_note") if tone != "ok" else "",
        "token": view.token,
        "record": view.record_claims,
        "unchecked": [int(k) for k in view.unchecked_claims],
        "keys_url": KEYS_PATH,
        "check_url": f"/v/{view.token}/seal",
        "messages": {key: lang.t(key) for key in SCRIPT_MESSAGES},
    }


@router.get(KEYS_PATH)
def published_keys(request: Request) -> Response:
    """The ward's seal keys as a JWK Set, each with its status (active, retired, withdrawn)."""
    published = web_state(request).keys.get(service_of(request))
    return Response(
        published.body,
        media_type="application/json",
        headers={
            "Cache-Control": "public, max-age=60",
            "Access-Control-Allow-Origin": "*",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(STATIC_PREFIX + "/{name}")
def static_file(name: str, request: Request) -> Response:
    asset = ASSETS.get(name)
    if asset is None:
        return Response(b"", status_code=404, headers={"X-Content-Type-Options": "nosniff"})
    headers = {
        "ETag": f'"{asset.etag}"',
        "Cache-Control": "public, max-age=31536000, immutable",
        "X-Content-Type-Options": "nosniff",
    }
    if request.headers.get("if-none-match") == headers["ETag"]:
        return Response(status_code=304, headers=headers)
    return Response(asset.body, media_type=asset.content_type, headers=headers)


def _pdf_refused(request: Request, lang: Lang, view: PublicView) -> HTMLResponse:
    """No file for an anonymous visitor: results name people in full; a receipt needs its
    seal. The page says why and offers to check a file the visitor already holds."""
    key = "pdf.refused.receipt" if view.downloadable else "pdf.refused.result"
    return page(
        "message.html",
        lang,
        unit_name=current_unit(service_of(request).settings).name,
        tone="warn",
        heading=lang.t("pdf.refused"),
        detail=lang.t(key),
        status_code=403,
        verify_link=True,
    )


@router.get("/v/{token}/pdf")
def document_pdf(token: str, request: Request, lang: str | None = None) -> Response:
    """No download by link alone (see :func:`document_pdf_with_seal`)."""
    tr = Lang.pick(lang)
    wait = guards.retry_after(request, guards.PDF_COST)
    if wait is not None:
        return guards.too_many_page(request, tr, wait)
    view = _load(request, token)
    if view is None:
        return unknown_page(request, tr)
    return _pdf_refused(request, tr, view)


Fetch = Callable[[PublicView, Any], bytes | None]
"""What a download serves of a document, read in a workflow session (web/ holds no SQL)."""


async def _with_seal(
    token: str, request: Request, lang: str | None, fetch: Callable[[str], Fetch]
) -> tuple[Lang, PublicView | None, bytes | None] | Response:
    """The document and what ``fetch(seal)`` gives of it, for a visitor who posted the QR's
    seal (form field ``seal``); a rate-limit page when the visitor asks too often."""
    tr = Lang.pick(lang)
    wait = guards.retry_after(request, guards.PDF_COST)
    if wait is not None:
        return guards.too_many_page(request, tr, wait)
    body = await read_capped(request, SEAL_BODY_LIMIT)
    seal = parse_qs(body.decode("ascii", "replace")).get("seal", [""])[0] if body else ""

    def work() -> tuple[PublicView | None, bytes | None]:
        service = service_of(request)
        with service.db.reading() as session:
            view = find_public_view(session, token, settings=service.settings)
            if view is None:
                return None, None
            return view, fetch(seal)(view, session)

    view, content = await run_in_threadpool(work)
    return tr, view, content


def _download(
    request: Request,
    answer: tuple[Lang, PublicView | None, bytes | None] | Response,
    *,
    media_type: str,
    name: Callable[[PublicView], str],
    extra: Callable[[PublicView], dict[str, str]] = lambda view: {},
) -> Response:
    if isinstance(answer, Response):
        return answer
    tr, view, content = answer
    if view is None:
        return unknown_page(request, tr)
    if content is None:
        return _pdf_refused(request, tr, view)
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{name(view)}"',
            **extra(view),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


@router.post("/v/{token}/pdf")
async def document_pdf_with_seal(token: str, request: Request, lang: str | None = None) -> Response:
    """A receipt's original signed PDF, for a visitor who holds its seal.

    The seal is in the QR's fragment, which the browser never sends: the page's script posts it
    (form field ``seal``) when the visitor asks for the file. A POST body stays out of access
    logs; no script, no seal, no file. Results and certified copies are never served here."""
    answer = await _with_seal(
        token, request, lang, lambda seal: lambda v, s: receipt_pdf(v, s, seal=seal)
    )
    return _download(
        request,
        answer,
        media_type="application/pdf",
        name=lambda view: view.file_name,
        extra=lambda view: {"X-Content-SHA256": view.document_sha256},
    )


@router.post("/v/{token}/xml")
async def document_xml_with_seal(token: str, request: Request, lang: str | None = None) -> Response:
    """A receipt's signed XML original (TT 91/2026 Điều 18), on the terms of its PDF: posted
    with the seal by the page's script; receipts issued before 1 July 2026 have none."""
    answer = await _with_seal(
        token, request, lang, lambda seal: lambda v, s: receipt_xml(v, s, seal=seal)
    )
    return _download(
        request, answer, media_type="application/xml", name=lambda view: view.xml_file_name
    )


def _seal_answer(check: SealCheck, view: PublicView) -> dict[str, Any]:
    verdict, vi, en = check.verdict.value, check.reason_vi, check.reason_en
    mismatches: list[int] = []
    if check.ok and check.claims is not None:
        mismatches = seal_mismatches(check.claims, view)
        if mismatches:
            verdict = "mismatch"
            vi, en = MESSAGES["seal.reason.mismatch"]
    return {
        "genuine": check.ok and not mismatches,
        "verdict": verdict,
        "reason_vi": vi,
        "reason_en": en,
        "kid": check.kid,
        "key_status": check.key_status.value if check.key_status else None,
        "mismatches": [Field(k).name.lower() for k in mismatches],
    }


@router.post("/v/{token}/seal")
async def check_seal(token: str, request: Request) -> Response:
    """The server's check of a seal, for browsers without WebCrypto: ``{"seal": "<digits>"}``."""
    wait = guards.retry_after(request, guards.SEAL_COST)
    if wait is not None:
        return guards.too_many_json(wait)
    body = await read_capped(request, SEAL_BODY_LIMIT)
    try:
        seal = json.loads(body)["seal"] if body is not None else None
    except (ValueError, TypeError, KeyError):
        seal = None
    if not isinstance(seal, str):
        return JSONResponse(
            error_body(
                "invalid_request", 'Cần {"seal": "<chữ số>"}', 'Expected {"seal": "<digits>"}'
            ),
            status_code=422,
        )

    def work() -> dict[str, Any] | None:
        view = _load(request, token)
        if view is None:
            return None
        keys = web_state(request).keys.get(service_of(request)).keys
        return _seal_answer(verify_seal(seal, published_keys=keys, token=token), view)

    answer = await run_in_threadpool(work)
    if answer is None:
        vi, en = MESSAGES["verdict.unknown"]
        return JSONResponse(error_body("not_found", vi, en), status_code=404)
    return JSONResponse(answer, headers={"Cache-Control": "no-store"})


@router.get("/v/{token:esign_anything}", response_class=HTMLResponse)
def document_page(token: str, request: Request, lang: str | None = None) -> Response:
    """The verification page of a document (the QR's link)."""
    tr = Lang.pick(lang)
    wait = guards.retry_after(request, guards.PAGE_COST)
    if wait is not None:
        return guards.too_many_page(request, tr, wait)
    service = service_of(request)
    with service.db.reading() as session:  # no write: scans are queued (workflows.scan_log)
        view = scan(session, token, settings=service.settings, scans=scans_of(request))
    if view is None:
        return unknown_page(request, tr)
    signatures = web_state(request).signatures.get(service, view.document_id, view.document_sha256)
    tone, title, detail = _verdict(view, signatures)
    return page(
        "document.html",
        tr,
        unit_name=current_unit(service.settings).name,
        view=view,
        receipt=view.kind is DocumentKind.RECEIPT,
        signatures=signatures,
        tone=tone,
        verdict_title=tr.t(title),
        verdict_detail=tr.t(detail) if detail else None,
        page_data=_page_data(view, tr, tone),
    )


__all__ = ["PAGE_HEADERS", "router", "unknown_page"]
