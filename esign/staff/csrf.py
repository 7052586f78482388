"""Cross-site request forgery: a token in every POST form, derived from the session's secret.

The token is ``HMAC-SHA256(key=session secret, "esign-staff-csrf/v1")``, base64url. The session
secret is 256 random bits that live only in the HttpOnly session cookie (the database keeps its
SHA-256), so a page on another site, which can make the browser *send* the cookie but never
*read* it, cannot compute the token; and the token, shown in our pages, does not reveal the
secret. Nothing is stored: every app process behind the load balancer checks a token the same
way, and a logout (the session deleted, a new secret at the next login) voids the old tokens.

Why not SameSite=Strict alone: older browsers ignore it, and "same site" is wider than "same
origin": another host of the same registrable domain (a sibling ward's portal under the same
provincial domain) is same-site, and so are its forms. ``Sec-Fetch-Site`` (sent by current
browsers) refuses such posts early; the token refuses them everywhere.

Before login there is no session: the login form's token is derived the same way from a random
pre-login cookie (HttpOnly, SameSite=Strict, path ``/staff/login``): a double-submit cookie that
stops "login CSRF" (a forged post logging the clerk into another account).
"""

from __future__ import annotations

import secrets

from starlette.requests import Request

from ..http.csrf import CsrfRefused, token_for, token_matches

__all__ = ["FIELD", "PRELOGIN_COOKIE", "CsrfRefused", "check", "new_prelogin_secret", "token_for"]

PRELOGIN_COOKIE = "esign_staff_login"
FIELD = "csrf"


def new_prelogin_secret() -> str:
    return secrets.token_urlsafe(32)


def check(request: Request, *, secret: str | None, token: str) -> None:
    """Refuse a post from another site, or without the token of this session."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        raise CsrfRefused(
            "Biểu mẫu gửi từ trang khác bị từ chối", "A form posted from another site is refused"
        )
    if not token_matches(secret, token):
        raise CsrfRefused(
            "Biểu mẫu đã hết hạn hoặc không hợp lệ: hãy tải lại trang rồi làm lại",
            "The form has expired or is not valid: reload the page and try again",
        )
