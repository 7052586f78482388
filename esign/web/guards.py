"""The rate limit of the public endpoints, as pages (HTML) and as the JSON API answer it."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse

from ..http.errors import error_body
from ..units import current_unit
from .i18n import MESSAGES, Lang
from .ratelimit import RateLimiter, client_key
from .render import page
from .state import service_of, web_state

PAGE_COST = 1.0
PDF_COST = 2.0
SEAL_COST = 1.0
UPLOAD_COST = 10.0
"""An upload costs a verification in a child process (up to a few CPU-seconds): with the default
120 a minute, one address may check 12 files a minute."""


def retry_after(request: Request, cost: float) -> int | None:
    """None when the caller may go on, else the seconds it must wait."""
    host = request.client.host if request.client is not None else None
    wait = web_state(request).limiter.take(client_key(host), cost)
    return RateLimiter.retry_after(wait) if wait > 0 else None


def too_many_page(request: Request, lang: Lang, seconds: int) -> HTMLResponse:
    return page(
        "message.html",
        lang,
        unit_name=current_unit(service_of(request).settings).name,
        status_code=429,
        headers={"Retry-After": str(seconds)},
        tone="warn",
        heading=lang.t("limit.title"),
        detail=lang.t("limit.detail", seconds=seconds),
    )


def too_many_json(seconds: int) -> JSONResponse:
    vi, en = MESSAGES["limit.detail"]
    return JSONResponse(
        error_body("rate_limited", vi.format(seconds=seconds), en.format(seconds=seconds)),
        status_code=429,
        headers={"Retry-After": str(seconds), "Cache-Control": "no-store"},
    )
