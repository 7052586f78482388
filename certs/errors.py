"""Errors of the ``certs`` package: one tree, one base class.

Every error carries a stable ``code`` (for logs, the HTTP layer and tests) and a message in
Vietnamese and English that a clerk can act on. Third-party exceptions are chained with
``raise ... from exc``; the message never contains a private key, a password or a PIN.

::

    CertsError
    ├── SpecError                     the PKI declaration file is unreadable or inconsistent
    ├── PkiFolderError                the data folder is missing, incomplete or corrupt
    │   └── UnknownEntityError        no certificate of that name in the folder
    ├── KeyStoreError                 a key store cannot be opened or used
    │   ├── WrongPasswordError        wrong PKCS#12 password
    │   ├── CorruptKeyFileError       the file is not a readable PKCS#12 / certificate
    │   ├── KeyMismatchError          the private key does not belong to the certificate
    │   ├── Pkcs11ModuleError         the PKCS#11 module is missing or cannot be loaded
    │   ├── TokenNotFoundError        no token with that label is plugged in
    │   ├── TokenBusyError            the token is already open for signing in this process
    │   ├── WrongPinError             the token refused the PIN (or the PIN is locked)
    │   ├── KeyNotFoundError          no key / certificate with that label on the token
    │   └── SigningError              the signature operation itself failed
    ├── CertificateError              a certificate cannot be used
    │   ├── CertificateParseError     not a certificate (corrupt PEM / DER, empty bundle)
    │   ├── UntrustedChainError       does not chain to a configured trust root
    │   └── CertificateRefusedError   check_signing_certificate said no (``.check`` has why)
    ├── RevocationError               revoking is impossible
    │   ├── AlreadyRevokedError
    │   └── NotOurCertificateError    the certificate was not issued by the ward's CA
    └── MalformedRequestError         an OCSP / timestamp request that is not valid DER
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from .checks import SigningCertificateCheck


class CertsError(Exception):
    """Base class of every error raised by ``certs``."""

    code: ClassVar[str] = "certs_error"

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.message_vi = message_vi
        self.message_en = message_en


class SpecError(CertsError):
    code = "spec_invalid"


class PkiFolderError(CertsError):
    code = "pki_folder"


class UnknownEntityError(PkiFolderError):
    code = "unknown_entity"


class KeyStoreError(CertsError):
    code = "key_store"


class WrongPasswordError(KeyStoreError):
    code = "wrong_password"


class CorruptKeyFileError(KeyStoreError):
    code = "corrupt_key_file"


class KeyMismatchError(KeyStoreError):
    code = "key_mismatch"


class Pkcs11ModuleError(KeyStoreError):
    code = "pkcs11_module"


class TokenNotFoundError(KeyStoreError):
    code = "token_not_found"


class TokenBusyError(KeyStoreError):
    code = "token_busy"


class WrongPinError(KeyStoreError):
    code = "wrong_pin"


class KeyNotFoundError(KeyStoreError):
    code = "key_not_found"


class SigningError(KeyStoreError):
    code = "signing_failed"


class CertificateError(CertsError):
    code = "certificate"


class CertificateParseError(CertificateError):
    code = "certificate_unreadable"


class UntrustedChainError(CertificateError):
    code = "untrusted_chain"


class CertificateRefusedError(CertificateError):
    """Raised by :meth:`SigningCertificateCheck.raise_if_refused`; ``check`` says why."""

    code = "certificate_refused"

    def __init__(self, check: SigningCertificateCheck) -> None:
        super().__init__(
            "Không được ký bằng chứng thư số này: "
            + "; ".join(p.message_vi for p in check.problems),
            "This certificate may not sign: " + "; ".join(p.message_en for p in check.problems),
        )
        self.check = check


class RevocationError(CertsError):
    code = "revocation"


class AlreadyRevokedError(RevocationError):
    code = "already_revoked"


class NotOurCertificateError(RevocationError):
    code = "not_our_certificate"


class MalformedRequestError(CertsError):
    code = "malformed_request"
