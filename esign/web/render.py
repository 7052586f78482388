"""Templates, the page's own static files, and the headers every public page carries.

Nothing on these pages comes from another host, and the Content-Security-Policy says so to the
browser: scripts, styles and requests only from this origin, no inline script or style, no
``<base>``, no framing, and Trusted Types required, so that even a bug in our script cannot turn
text into markup. The JSON block that hands the page's data to the script
(``<script type="application/json">``) is data, not script: CSP does not run it and Jinja's
``tojson`` escapes ``<``, ``>`` and ``&`` inside it.

The static files are few and small: they are read once, at import, and served from memory with
an ETag; their URLs carry a hash of their content, so browsers may keep them for a year.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from fastapi.responses import HTMLResponse

from .i18n import Lang

HERE = Path(__file__).resolve().parent
STATIC_PREFIX = "/static/web"

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "require-trusted-types-for 'script'",
    ]
)

PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    # A status can change (a receipt cancelled an hour later): never show a stored copy.
    "Cache-Control": "no-store",
}

_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str
    etag: str


def _load_assets() -> dict[str, Asset]:
    assets = {}
    for path in sorted((HERE / "static").iterdir()):
        if path.suffix in _TYPES and path.is_file():
            body = path.read_bytes()
            digest = hashlib.sha256(body).hexdigest()[:16]
            assets[path.name] = Asset(body=body, content_type=_TYPES[path.suffix], etag=digest)
    return assets


ASSETS = _load_assets()


def asset_url(name: str) -> str:
    return f"{STATIC_PREFIX}/{name}?v={ASSETS[name].etag}"


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # package files: a change ships with a restart, no stat per render
)
_env.globals["asset"] = asset_url


def page(
    name: str,
    lang: Lang,
    *,
    unit_name: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    html = _env.get_template(name).render(
        lang=lang, t=lang.t, unit_name=unit_name, q=_lang_query(lang), **context
    )
    return HTMLResponse(html, status_code=status_code, headers={**PAGE_HEADERS, **(headers or {})})


def _lang_query(lang: Lang) -> str:
    """What internal links append to keep the reader's language."""
    return "?lang=en" if lang.code == "en" else ""
