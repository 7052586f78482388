"""Log in and out through a form; the session cookie is the one the API reads too."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from ..errors import AuthenticationError, TooManyAttempts
from ..http.client import request_address
from ..http.cookies import clear_session_cookie, session_secret, set_session_cookie
from ..http.deps import ServiceDep
from ..workflows import users
from . import csrf
from .render import LOGIN_URL, PREFIX, StaffRoute, page, redirect
from .session import StaffDep, optional_staff, text

router = APIRouter(route_class=StaffRoute)


def _login_form(
    request: Request, prelogin: str, *, status: int = 200, username: str = "", error: str = ""
) -> Response:
    response = page(
        request,
        "login.html",
        status=status,
        csrf=csrf.token_for(prelogin),
        title="Đăng nhập",
        username=username,
        error=error,
    )
    response.set_cookie(
        csrf.PRELOGIN_COOKIE,
        prelogin,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path=LOGIN_URL,
        max_age=12 * 3600,
    )
    return response


@router.get("/login")
def login_form(request: Request, service: ServiceDep) -> Response:
    if optional_staff(request, service) is not None:
        return redirect(f"{PREFIX}/")
    prelogin = request.cookies.get(csrf.PRELOGIN_COOKIE) or csrf.new_prelogin_secret()
    return _login_form(request, prelogin)


@router.post("/login")
async def login(request: Request, service: ServiceDep) -> Response:
    form = await request.form()
    prelogin = request.cookies.get(csrf.PRELOGIN_COOKIE)
    csrf.check(request, secret=prelogin, token=text(form, csrf.FIELD))
    assert prelogin is not None
    username = text(form, "username", limit=64).strip().lower()
    password = text(form, "password", limit=1024)
    try:
        # Hashes outside the write lock; a failure is committed (audited, counted) before this
        # raises (esign.workflows.users.login).
        outcome = await run_in_threadpool(
            users.login,
            service.db,
            username=username,
            password=password,
            address=request_address(request),
            replaces_session=session_secret(request),
        )
    except (AuthenticationError, TooManyAttempts) as exc:
        if isinstance(exc, TooManyAttempts):
            await asyncio.sleep(users.REFUSAL_DELAY)  # the tarpit (esign.api.routes.auth)
        return _login_form(
            request,
            prelogin,
            status=exc.status,
            username=username,
            error=exc.message_vi,
        )
    secret = outcome.session_secret
    response = redirect(f"{PREFIX}/")
    set_session_cookie(request, response, secret, hours=users.SESSION_HOURS)
    response.delete_cookie(csrf.PRELOGIN_COOKIE, path=LOGIN_URL)
    return response


@router.post("/logout")
async def logout(request: Request, staff: StaffDep, service: ServiceDep) -> Response:
    staff.check(request, await request.form())

    def work() -> None:
        with service.db.transaction() as s:
            users.end_web_session(s, staff.secret)

    await run_in_threadpool(work)
    response = redirect(LOGIN_URL)
    clear_session_cookie(response)
    return response
