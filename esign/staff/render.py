"""Templates, the stylesheet, the headers of every staff page, and the route class that turns
every error into a page (never a traceback, never the API's JSON)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from certs.errors import CertsError
from receipts.calendar import VIETNAM_TZ
from receipts.errors import ReceiptsError
from receipts.money import amount_in_words, format_vnd

from ..db.failures import storage_failure
from ..errors import AuthenticationError, EsignError
from ..http.cookies import clear_session_cookie
from ..units import current_unit
from . import labels

log = logging.getLogger("esign.staff")
HERE = Path(__file__).resolve().parent
PREFIX = "/staff"
LOGIN_URL = f"{PREFIX}/login"


@dataclass(frozen=True, slots=True)
class Asset:
    """A file of ``static/``, read once and served from memory; its URL carries a hash of its
    content, so browsers may keep it for a year."""

    name: str
    media_type: str
    content: bytes

    @property
    def etag(self) -> str:
        return hashlib.sha256(self.content).hexdigest()[:16]

    @property
    def url(self) -> str:
        return f"{PREFIX}/static/{self.name}?v={self.etag}"


ASSETS = {
    name: Asset(name, media_type, (HERE / "static" / name).read_bytes())
    for name, media_type in (
        ("staff.css", "text/css; charset=utf-8"),
        ("emblem.svg", "image/svg+xml"),
        ("staff.js", "text/javascript; charset=utf-8"),
    )
}

PAGE_HEADERS = {
    # Our own stylesheet, our own forms, our one small script (keyboard shortcuts; the pages
    # work without it: pickers are datalists, focus is autofocus); no inline script, no
    # framing (clickjacking a signing form), no referrer leaking document tokens to the public
    # page's host. data: images: the result's preview, drawn by the server into the page.
    "Content-Security-Policy": "; ".join(
        [
            "default-src 'none'",
            "style-src 'self'",
            "script-src 'self'",
            "img-src 'self' data:",
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _local(value: dt.datetime, fmt: str = "%d/%m/%Y %H:%M") -> str:
    return value.astimezone(VIETNAM_TZ).strftime(fmt)


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["vnd"] = format_vnd
_env.filters["words"] = amount_in_words
_env.filters["local"] = _local
_env.globals["asset"] = lambda name: ASSETS[name].url
_env.globals["role_of"] = labels.role_of
_env.globals["nav_links"] = labels.nav_links


def page(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    service = request.app.state.service
    context.setdefault("actor", None)
    context.setdefault("csrf", "")
    context.setdefault("title", "Trang làm việc")
    context.setdefault("nav", "")
    unit = current_unit(service.settings)  # today's profile (esign/data/units.toml)
    html = _env.get_template(template).render(
        unit_name=unit.name,
        unit_parent=unit.parent,
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})


def asset(name: str) -> Response:
    found = ASSETS.get(name)
    if found is None:
        raise HTTPException(404)
    return Response(
        found.content,
        media_type=found.media_type,
        headers={
            "ETag": f'"{found.etag}"',
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )


class LoginRequired(Exception):
    """No valid session: the page answers with a redirect to the login form."""


def error_page(request: Request, *, status: int, message_vi: str) -> Response:
    return page(
        request, "error.html", status=status, message=message_vi, title="Không thực hiện được"
    )


def login_redirect() -> Response:
    response = redirect(LOGIN_URL)
    clear_session_cookie(response)
    return response


class StaffRoute(APIRoute):
    """Every error of a staff page becomes a page: 422 with the message for input the user must
    correct, 403 for the wrong role or a refused form, a redirect when not logged in. The forms
    catch their own errors to keep the user's input; this is the net under them."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except (LoginRequired, AuthenticationError):
                return login_redirect()
            except EsignError as exc:
                status = exc.status if 400 <= exc.status < 500 else 500
                return error_page(request, status=status, message_vi=exc.message_vi)
            except (ReceiptsError, CertsError) as exc:
                return error_page(request, status=422, message_vi=exc.message_vi)
            except RequestValidationError:
                return error_page(request, status=422, message_vi="Dữ liệu gửi lên không hợp lệ")
            except HTTPException:
                raise  # the app's handlers answer (413 for a body too large)
            except Exception as exc:
                failure = storage_failure(exc)
                if failure is not None:  # full disk, read-only folder, database locked: 503
                    log.warning("storage failure on %s: %s", request.url.path, exc)
                    return error_page(
                        request, status=503, message_vi=f"{failure.message_vi} ({failure.code})"
                    )
                log.exception("unexpected error on %s %s", request.method, request.url.path)
                return error_page(
                    request, status=500, message_vi="Lỗi hệ thống, đã ghi nhận. Hãy thử lại sau."
                )

        return guarded
