"""The staff pages: the clerk's counter, the officials' signing desk, the administrator's links.

::

    GET  /staff/login, POST /staff/login   log in (sets the API's own session cookie)
    POST /staff/logout
    GET  /staff/                           the page of the user's role (the clerk: the counter)
    POST /staff/receipts                   action=quote: the fee; action=issue: the receipt
    POST /staff/receipts/{id}/cancel       cancel an issued receipt (reason required)
    POST /staff/receipts/{id}/replace      a new receipt in its place (:mod:`.clerk`)
    GET  /staff/receipts/search, /staff/daybook, POST /staff/daybook/close,
    GET  /staff/receipts/{id}/print        the counter's other pages (:mod:`.counter`)
    GET  /staff/intake, /staff/dossiers/…  the intake desk (:mod:`.intake`)
    POST /staff/sign                       sign the chosen documents, one password or PIN entry
    GET  /staff/sign/jobs/{job}, POST /staff/results/{id}/return, GET …/preview.png
                                           the signing inbox's other routes (:mod:`.official`)
    GET  /staff/admin/{users,certificates,series,catalog,audit} (+ their POSTs)
                                           administration (:mod:`.admin`, :mod:`.admin_certs`)
    GET  /staff/reports, /staff/reports/chart/{name}.svg, /staff/reports/export.{csv,xlsx}
                                           reports (:mod:`.reports`)
    GET  /staff/static/…                   the stylesheet, the emblem, one small script
                                           (keyboard shortcuts; pages work without it)

Server-rendered Vietnamese pages over the same workflows as the API. Every POST form carries a
CSRF token (:mod:`.csrf`); every error becomes the Vietnamese message on the page, the user's
input kept (:mod:`.render`); issuing is idempotent per drawn form (:mod:`.clerk`).
"""

from __future__ import annotations

from fastapi import APIRouter

from . import admin, admin_certs, auth, clerk, counter, dashboard, intake, official, reports
from .render import PREFIX

MAX_BODY = 64 * 1024
"""No staff form is larger: a bigger body is refused (413) before it is parsed."""

router = APIRouter(prefix=PREFIX, include_in_schema=False, max_body_size=MAX_BODY)
router.include_router(auth.router)
router.include_router(dashboard.router)
router.include_router(clerk.router)
router.include_router(counter.router)
router.include_router(intake.router)
router.include_router(official.router)
router.include_router(reports.router)
router.include_router(admin.router)
router.include_router(admin_certs.router)

__all__ = ["router"]
