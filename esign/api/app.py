"""The FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from .. import staff, web
from ..config import Settings, get_settings
from ..service import Service
from . import errors
from .routes import auth, certificates, dossiers, pki, receipts, reports, results

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, *, service: Service | None = None) -> FastAPI:
    """The app; ``service`` lets tests and the CLI share one already built."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = service is None
        app.state.service = service or Service.from_settings(settings or get_settings())
        try:
            yield
        finally:
            if own:
                app.state.service.close()

    app = FastAPI(
        title="Biên lai điện tử và chữ ký số — phường",
        summary="E-receipts and digital signatures for a ward's one-stop office",
        version="1",
        lifespan=lifespan,
        responses={422: {"description": "Dữ liệu không hợp lệ / invalid input"}},
    )
    if service is not None:
        app.state.service = service
    errors.install(app)
    api = APIRouter(prefix=API_PREFIX)
    api.include_router(auth.router)
    api.include_router(dossiers.router)
    api.include_router(receipts.router)
    api.include_router(results.router)
    api.include_router(certificates.router)
    api.include_router(reports.router)
    api.include_router(web.api_router)  # POST /api/v1/verify (public)
    app.include_router(web.router)  # public pages /v/<token>, /verify: first, the busiest
    app.include_router(api)
    app.include_router(staff.router)  # the staff's HTML pages under /staff (no schema)
    app.include_router(pki.router)  # at the URLs the certificates name: /pki/...
    return app
