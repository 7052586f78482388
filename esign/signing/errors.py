"""Errors of signing (verification never raises for a bad file: it reports).

EsignError (esign.errors)
├── ConflictError
│   └── FieldOrderError      a field signed out of order, or twice
├── SigningError
│   └── WrongSignerError     the field names another role or official
├── ValidationError
│   └── UnreadablePdfError   a supplied PDF whose structure cannot be read
└── VisualCheckError         a renderer of the visual check failed or ran out of time
"""

from __future__ import annotations

from ..errors import ConflictError, EsignError, SigningError, ValidationError

__all__ = [
    "FieldOrderError",
    "SigningError",
    "UnreadablePdfError",
    "VisualCheckError",
    "WrongSignerError",
]


class FieldOrderError(ConflictError):
    """A field signed before the ones the procedure puts first, or signed twice."""

    code = "signing_out_of_order"


class WrongSignerError(SigningError):
    """The field names another role, or the certificate is not the official's."""

    code = "wrong_signer"
    status = 403


class VisualCheckError(EsignError):
    """PDFium or poppler could not render a revision (error, crash, time budget): the
    verifier answers "cannot verify" (:mod:`esign.signing.visual`)."""

    code, status = "visual_check_failed", 422


class UnreadablePdfError(ValidationError):
    """A supplied PDF whose structure cannot be read (broken, hostile, password-protected)."""

    code = "unreadable_pdf"
