"""Errors of the ``esign`` package.

Every error raised on purpose here derives from :class:`EsignError`: a stable ``code`` for
machines, a message in Vietnamese and one in English, and the HTTP status the API answers with.
The errors of ``receipts`` and ``certs`` are translated at the API boundary the same way::

    EsignError
    ├── NotFoundError            404  no such receipt, dossier, user, …
    ├── PermissionDeniedError    403  the role may not do this
    ├── AuthenticationError      401  no or bad credentials
    ├── ValidationError          422  input a clerk must correct
    ├── ConflictError            409  the state does not allow it (cancelled, out of order)
    │   └── IdempotencyInFlight  409  a request with the same key is still running
    ├── IdempotencyMismatch      422  the same key was used with another body
    ├── SigningError             422  a document could not be signed (certificate, token, PIN)
    ├── TooManyAttempts          429  too many wrong passwords or PINs: wait, or locked
    ├── TaxSendError             502  a report could not be delivered to the tax authority
    └── ConfigurationError       500  the service is not set up for this (refuses to start)
"""

from __future__ import annotations


class EsignError(Exception):
    code: str = "error"
    status: int = 400

    def __init__(
        self, message_vi: str, message_en: str | None = None, *, code: str | None = None
    ) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi
        self.message_en = message_en or message_vi
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return f"{self.message_vi} / {self.message_en}"


class NotFoundError(EsignError):
    code, status = "not_found", 404


class PermissionDeniedError(EsignError):
    code, status = "forbidden", 403


class AuthenticationError(EsignError):
    code, status = "unauthenticated", 401


class ValidationError(EsignError):
    code, status = "invalid_input", 422


class ConflictError(EsignError):
    code, status = "conflict", 409


class IdempotencyInFlight(ConflictError):
    code = "idempotency_in_flight"


class IdempotencyMismatch(EsignError):
    code, status = "idempotency_key_reused", 422


class SigningError(EsignError):
    code, status = "signing_failed", 422


class ConfigurationError(EsignError):
    code, status = "configuration_error", 500


class TooManyAttempts(EsignError):
    code, status = "too_many_attempts", 429

    def __init__(self, *, retry_after: int | None, locked: bool) -> None:
        if locked:
            super().__init__(
                "Tài khoản tạm khóa do nhập sai quá nhiều lần: liên hệ quản trị viên",
                "Locked after too many failed attempts: ask an administrator",
                code="locked",
            )
        else:
            super().__init__(
                f"Nhập sai quá nhiều lần: thử lại sau {retry_after} giây",
                f"Too many failed attempts: retry in {retry_after} s",
            )
        self.retry_after, self.locked = retry_after, locked


class TaxSendError(EsignError):
    """The outbox's sender could not deliver a report (folder not writable, authority down):
    recorded on the submission as ``failed`` with this message, retried later."""

    code, status = "tax_send_failed", 502
