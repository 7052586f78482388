"""The verification URL printed in the QR: ``<public url>/v/<token>#<seal>``.

The seal goes in the fragment, which browsers never send to the server: the page's script reads
it and checks it locally, and the server's logs never see it.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit

from .errors import QrUrlError

TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
"""Tokens are URL-safe as they are (``secrets.token_urlsafe(16)`` gives 22 characters)."""

_SEAL = re.compile(r"[0-9]+")
MAX_URL = 2000


class QrLink(NamedTuple):
    host: str
    token: str
    seal: str


def _bad(vi: str, en: str) -> QrUrlError:
    return QrUrlError(f"Mã QR không phải đường dẫn xác minh: {vi}", f"not a verification URL: {en}")


def verification_url(public_url: str, token: str) -> str:
    """``<public url>/v/<token>``: the one place that builds a document's public address (the QR
    adds the seal after ``#`` with :func:`qr_url`)."""
    parts = urlsplit(public_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise _bad(f"địa chỉ công khai {public_url!r}", f"public URL {public_url!r}")
    if not TOKEN.fullmatch(token):
        raise _bad("mã tra cứu sai", f"bad token {token!r}")
    return f"{public_url.rstrip('/')}/v/{token}"


def qr_url(public_url: str, token: str, seal: str) -> str:
    if not _SEAL.fullmatch(seal):
        raise _bad("con dấu phải là chữ số", "the seal must be digits")
    return f"{verification_url(public_url, token)}#{seal}"


def parse_qr_url(text: str) -> QrLink:
    """``(host, token, seal)`` of a scanned URL; :class:`QrUrlError` when it is not one of ours.

    The seal is returned as written: :func:`esign.seal.verify_seal` judges it.
    """
    text = text.strip()
    if len(text) > MAX_URL:
        raise _bad("quá dài", "too long")
    try:
        parts = urlsplit(text)
        host = parts.netloc
    except ValueError as exc:
        raise _bad("không đọc được", "unparsable") from exc
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise _bad("không phải http(s)", "not an http(s) URL")
    if "@" in host:
        # "https://phuong.gov.vn@evil.example/…" shows a trusted name but goes elsewhere.
        raise _bad("địa chỉ có tên người dùng", "user info in the host")
    segments = parts.path.split("/")
    if len(segments) < 3 or segments[-2] != "v" or parts.query:
        raise _bad("đường dẫn không có dạng /v/<mã>", "path is not /v/<token>")
    token = segments[-1]
    if not TOKEN.fullmatch(token):
        raise _bad("mã tra cứu sai", "bad token")
    if not parts.fragment:
        raise _bad("thiếu con dấu sau dấu #", "no seal after '#'")
    return QrLink(host=host.lower(), token=token, seal=parts.fragment)
