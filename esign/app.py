"""The composition root: the one place that builds the FastAPI app from the faces.

::

    esign.app ──► esign.api (JSON API, /pki)   esign.staff (/staff pages)   esign.web (public)
                        └──────────────┬───────────────┘
                                  esign.http (deps, JSON errors, session cookie)
                                       └──► esign.workflows ──► db, signing, seal, audit

No face imports another; each reads and changes data through the workflows. ``esign serve``,
the tests and the benchmarks build the app here (``uvicorn esign.app:create_app --factory``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from . import api, staff, web
from .config import Settings, get_settings
from .http import API_PREFIX, docs, errors
from .http.limits import BodyLimits
from .service import Service


def create_app(settings: Settings | None = None, *, service: Service | None = None) -> FastAPI:
    """The app; ``service`` lets tests and the CLI share one already built (the app then
    leaves closing it to them)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = service is None
        app.state.service = service or Service.from_settings(settings or get_settings())
        try:
            yield
        finally:
            web.flush_scans(app, close=True)
            if own:
                app.state.service.close()

    app = FastAPI(
        title="Biên lai điện tử và chữ ký số — phường",
        summary="E-receipts and digital signatures for a ward's one-stop office",
        version="1",
        lifespan=lifespan,
        docs_url=None,  # served from local assets below, not a CDN
        redoc_url=None,
        responses={422: {"description": "Dữ liệu không hợp lệ / invalid input"}},
    )
    if service is not None:
        app.state.service = service
    errors.install(app)
    docs.install(app)

    def upload_limit() -> int:
        running: Service | None = getattr(app.state, "service", None)
        return running.settings.upload_limit_bytes if running else 20 * 1024 * 1024

    app.add_middleware(BodyLimits, untyped_limit=upload_limit)  # JSON/form size and depth
    app.include_router(web.router)  # public pages /v/<token>, /verify: first, the busiest
    app.include_router(web.api_router, prefix=API_PREFIX)  # POST /api/v1/verify (public)
    app.include_router(api.router)
    app.include_router(staff.router)  # the staff's HTML pages under /staff (no schema)
    app.include_router(api.pki_router)  # at the URLs the certificates name: /pki/...
    return app
