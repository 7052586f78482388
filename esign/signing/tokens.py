"""Reading the certificate a PKCS#11 token holds now, between the documents of a signing batch:
if someone swaps the token or rewrites its certificate mid-way, the batch stops
(:func:`esign.workflows.batches.sign_batch`)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pkcs11
from cryptography import x509
from pkcs11 import Attribute, ObjectClass
from pkcs11 import exceptions as p11_errors

from .errors import SigningError

CertificateSource = Callable[[], bytes | None]
"""Reads the DER of the certificate the key store holds now (None: there is none)."""


class TokenCertificateReader:
    """Reads the certificate stored under ``label`` on a PKCS#11 token, in a session of its
    own (about half a millisecond on SoftHSM2).

    It asks for no PIN: certificates are public objects, and on a token that keeps them
    private the key store's login counts for every session of the process. Close it before
    the key store: while any session is open the token stays logged in, and the next store
    opened on it would be refused (``UserAlreadyLoggedIn``)."""

    def __init__(self, *, module: str | Path, token_label: str, label: str) -> None:
        self.label = label
        self._session: Any = None
        try:
            token = pkcs11.lib(str(module)).get_token(token_label=token_label)
        except p11_errors.NoSuchToken as exc:
            raise SigningError(
                f"Không thấy thiết bị ký số '{token_label}': cắm USB token và thử lại",
                f"no token labelled '{token_label}': plug the token in and retry",
                code="token_not_found",
            ) from exc
        except p11_errors.PKCS11Error as exc:  # the module is missing or not a PKCS#11 one
            raise SigningError(
                f"Không dùng được thư viện PKCS#11 {module} hoặc thiết bị '{token_label}'",
                f"cannot use PKCS#11 module {module} or token '{token_label}': "
                f"{type(exc).__name__}",
                code="token_unavailable",
            ) from exc
        try:
            self._session = token.open()
        except p11_errors.PKCS11Error as exc:
            raise SigningError(
                f"Không đọc được thiết bị ký số '{token_label}'",
                f"cannot read token '{token_label}': {type(exc).__name__}",
                code="token_unavailable",
            ) from exc

    def __call__(self) -> bytes | None:
        if self._session is None:
            raise SigningError(
                "Phiên đọc thiết bị ký số đã đóng",
                "the token session is closed",
                code="token_unavailable",
            )
        try:
            found = list(
                self._session.get_objects(
                    {Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: self.label}
                )
            )
            if len(found) != 1:
                return None
            return bytes(found[0][Attribute.VALUE])
        except p11_errors.PKCS11Error as exc:
            raise SigningError(
                "Không đọc được chứng thư số trên thiết bị ký số",
                f"cannot read the certificate on the token: {type(exc).__name__}",
                code="token_unavailable",
            ) from exc

    def certificate(self) -> x509.Certificate | None:
        der = self()
        return x509.load_der_x509_certificate(der) if der is not None else None

    def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            with contextlib.suppress(p11_errors.PKCS11Error):
                session.close()
