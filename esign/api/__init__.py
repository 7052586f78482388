"""The HTTP API (FastAPI), versioned under ``/api/v1``; the PKI's endpoints under ``/pki``.

Routers only: the app is built by the composition root, :func:`esign.app.create_app`."""

from fastapi import APIRouter

from ..http import API_PREFIX
from .routes import (
    auth,
    certificates,
    dossiers,
    pki,
    receipts,
    reports,
    results,
    seal_keys,
    tax,
    users,
)

router = APIRouter(prefix=API_PREFIX)
for _routes in (auth, users, dossiers, receipts, results, certificates, seal_keys, reports, tax):
    router.include_router(_routes.router)

pki_router = pki.router
"""At the URLs the certificates name (``/pki/...``), outside the versioned API."""

__all__ = ["pki_router", "router"]
