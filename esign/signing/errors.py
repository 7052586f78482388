"""Errors of signing (verification never raises for a bad file: it reports)."""

from __future__ import annotations

from ..errors import ConflictError, SigningError, ValidationError

__all__ = ["FieldOrderError", "SigningError", "UnreadablePdfError", "WrongSignerError"]


class FieldOrderError(ConflictError):
    """A field signed before the ones the procedure puts first, or signed twice."""

    code = "signing_out_of_order"


class WrongSignerError(SigningError):
    """The field names another role, or the certificate is not the official's."""

    code = "wrong_signer"
    status = 403


class UnreadablePdfError(ValidationError):
    """A supplied PDF whose structure cannot be read (broken, hostile, password-protected)."""

    code = "unreadable_pdf"
