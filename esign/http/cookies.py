"""The session cookie: one name, one set of attributes, for the API's and the staff's logins."""

from __future__ import annotations

from fastapi import Request, Response

SESSION_COOKIE = "esign_session"


def session_secret(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or None


def set_session_cookie(request: Request, response: Response, secret: str, *, hours: int) -> None:
    """HttpOnly and SameSite=Strict (no script reads it, no other site sends it); Secure when
    the request came over https (a development server on plain http still logs in)."""
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=hours * 3600,
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE)
