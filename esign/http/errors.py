"""JSON errors with a stable code and a message in Vietnamese and English; never a traceback.

:func:`install` puts the handlers on the app (the staff pages answer their own errors with
pages, :class:`esign.staff.render.StaffRoute`); :func:`error_body` is the one shape, also for
the answers the public pages build themselves (rate limit, busy)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, SQLAlchemyError
from starlette.exceptions import HTTPException as StarletteHTTPException

from certs.errors import CertsError
from receipts.errors import ReceiptsError

from ..db.failures import storage_failure
from ..errors import EsignError, TooManyAttempts

log = logging.getLogger("esign.http")


def error_body(code: str, message_vi: str, message_en: str, **extra: object) -> dict[str, object]:
    return {"error": {"code": code, "message_vi": message_vi, "message_en": message_en, **extra}}


def _out_of_range(exc: BaseException) -> bool:
    if isinstance(exc, OverflowError):
        return True
    if isinstance(exc, DataError):
        text = str(exc.orig).lower()
        return "out of range" in text or "overflow" in text
    return isinstance(getattr(exc, "orig", None), OverflowError)


def install(app: FastAPI) -> None:
    @app.exception_handler(EsignError)
    async def _esign(request: Request, exc: EsignError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        if isinstance(exc, TooManyAttempts) and exc.retry_after is not None:
            headers = {"Retry-After": str(exc.retry_after)}
        return JSONResponse(
            error_body(exc.code, exc.message_vi, exc.message_en),
            status_code=exc.status,
            headers=headers,
        )

    @app.exception_handler(ReceiptsError)
    async def _receipts(request: Request, exc: ReceiptsError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message_vi, exc.message_en), status_code=422)

    @app.exception_handler(CertsError)
    async def _certs(request: Request, exc: CertsError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message_vi, exc.message_en), status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))}
            for e in exc.errors()
        ]
        return JSONResponse(
            error_body(
                "invalid_request",
                "Dữ liệu gửi lên không hợp lệ",
                "The request is not valid",
                details=details,
            ),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {
            404: ("Không tìm thấy", "Not found"),
            405: ("Phương thức không được hỗ trợ", "Method not allowed"),
            429: ("Quá nhiều yêu cầu, vui lòng thử lại sau", "Too many requests"),
        }
        vi, en = messages.get(exc.status_code, (str(exc.detail), str(exc.detail)))
        return JSONResponse(
            error_body(f"http_{exc.status_code}", vi, en),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    async def _storage(request: Request, exc: Exception) -> JSONResponse:
        if _out_of_range(exc):
            return await _range(request, exc)
        failure = storage_failure(exc)
        if failure is None:
            return await _unexpected(request, exc)
        # Full disk, read-only folder, database locked or down: the transaction rolled back.
        log.warning("storage failure on %s %s: %s", request.method, request.url.path, exc)
        return JSONResponse(
            error_body(failure.code, failure.message_vi, failure.message_en),
            status_code=503,
            headers={"Retry-After": "30"},
        )

    async def _range(request: Request, exc: Exception) -> JSONResponse:
        # An id or offset past 2**63 (SQLite and PostgreSQL bind 64-bit integers) or a date
        # the time zones cannot shift (0001-01-01): the caller's value, not our error.
        return JSONResponse(
            error_body(
                "value_out_of_range",
                "Giá trị nằm ngoài giới hạn cho phép (số hoặc ngày quá lớn, quá nhỏ)",
                "A value is out of range (a number or a date too large or too small)",
            ),
            status_code=422,
        )

    app.add_exception_handler(OverflowError, _range)
    # Handled by the exception middleware (an answer, not a re-raised 500).
    app.add_exception_handler(SQLAlchemyError, _storage)
    app.add_exception_handler(OSError, _storage)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        failure = storage_failure(exc)
        if failure is not None:
            return await _storage(request, exc)
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(
            error_body("internal_error", "Lỗi hệ thống, đã ghi nhận", "Internal error, logged"),
            status_code=500,
        )
