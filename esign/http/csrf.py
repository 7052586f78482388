"""Cross-site request forgery, for every face: the token and the API's check.

The token is ``HMAC-SHA256(key=session secret, "esign-staff-csrf/v1")``, base64url (why, and
the staff forms' use of it: :mod:`esign.staff.csrf`). The JSON API authenticated by the session
cookie asks for it in the ``X-CSRF-Token`` header on every request that may change something
(any method but GET, HEAD, OPTIONS), with a body or not: a form on another site can make the
browser send the cookie, never a custom header (that needs CORS, which we do not grant). The
login answer and ``GET /api/v1/auth/me`` carry the token in the same header. A bearer token is
not sent by browsers on their own, so it needs no CSRF token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from fastapi import Request

from ..errors import PermissionDeniedError

HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_PURPOSE = b"esign-staff-csrf/v1"


class CsrfRefused(PermissionDeniedError):
    code = "csrf_refused"


def token_for(secret: str) -> str:
    digest = hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_matches(secret: str | None, token: str | None) -> bool:
    return bool(secret and token) and hmac.compare_digest(
        (token or "").encode(), token_for(secret or "").encode()
    )


def check_cookie_request(request: Request, secret: str) -> None:
    """Refuse a state change authenticated by the session cookie without the header."""
    if request.method.upper() in SAFE_METHODS:
        return
    if not token_matches(secret, request.headers.get(HEADER)):
        raise CsrfRefused(
            f"Thiếu hoặc sai mã chống giả mạo ({HEADER}): tải lại trang rồi làm lại",
            f"Missing or wrong {HEADER} header for a cookie-authenticated change",
        )
