"""The public side of the service: what a citizen, a bank or another office sees without login.

::

    GET  /v/<token>                       the QR's page: verdict, masked facts, signers, PDF link
    POST /v/<token>/pdf                   a receipt's signed PDF, for the holder of its seal
                                          (GET: never a file; results: never a file)
    POST /v/<token>/seal                  the server's seal check (browsers without WebCrypto)
    GET  /.well-known/esign-seal-keys.json  the seal keys (JWK Set with statuses)
    GET  /verify, POST /verify            upload a PDF, read its signature report
    POST /api/v1/verify                   the same report as JSON
    GET  /static/web/<file>               this package's script, style and emblem

What the pages show comes from ``esign.workflows.public`` (the document's snapshot and its
status); this package runs no SQL of its own. Vietnamese by default, English with
``?lang=en``. Rate limit: :mod:`.ratelimit`; why the seal is checked in the browser and when
the server checks it: :mod:`.pages`; the headers: :mod:`.render`.
"""

from __future__ import annotations

from fastapi import APIRouter

from . import pages, upload
from .state import flush_scans

router = APIRouter(include_in_schema=False)
router.include_router(upload.router)
router.include_router(pages.router)  # last: its /v/{token} takes every other /v/ path

api_router = upload.api_router
"""Routes for the API's ``/api/v1`` prefix."""

__all__ = ["api_router", "flush_scans", "router"]
