"""The PKCS#11 key store: a key on a USB token (or an HSM), used through python-pkcs11.

The session is opened once, with one PIN entry, and kept until :meth:`close`; the PIN is not
kept at all. Data is hashed here and the token signs the digest with the raw mechanisms
(``CKM_RSA_PKCS`` over a DigestInfo, ``CKM_ECDSA``), which every token supports: SoftHSM2, for
one, has no ``CKM_ECDSA_SHA256``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pkcs11
from asn1crypto import algos, core
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pkcs11 import Attribute, Mechanism, ObjectClass
from pkcs11 import KeyType as P11KeyType
from pkcs11 import exceptions as p11_errors
from pkcs11.util.ec import encode_ecdsa_signature

from .algorithms import KeyAlgorithm, digest
from .algorithms import hash_algorithm as _hash
from .errors import (
    CertificateParseError,
    KeyMismatchError,
    KeyNotFoundError,
    Pkcs11ModuleError,
    SigningError,
    TokenBusyError,
    TokenNotFoundError,
    WrongPinError,
)
from .keystores import KeyStore

_PROBE = b"certs: does this key belong to this certificate?"


class Pkcs11KeyStore(KeyStore):
    """A key and certificate on a PKCS#11 token, found by token label and object labels.

    ``chain`` adds certificates the token does not hold (a registered chain); every other
    certificate on the token is part of :attr:`chain` too.
    """

    def __init__(
        self,
        *,
        module: str | Path,
        token_label: str,
        key_label: str,
        pin: str,
        cert_label: str | None = None,
        chain: Sequence[x509.Certificate] = (),
    ) -> None:
        self._session: Any = None
        self._lock = threading.Lock()  # a PKCS#11 session is not safe across threads
        token = _find_token(str(module), token_label)
        try:
            self._session = token.open(user_pin=pin)
        except (p11_errors.PinIncorrect, p11_errors.PinInvalid, p11_errors.PinLenRange) as exc:
            raise WrongPinError(
                f"Sai mã PIN của thiết bị ký số '{token_label}'",
                f"wrong PIN for token '{token_label}'",
            ) from exc
        except p11_errors.UserAlreadyLoggedIn as exc:
            # PKCS#11 keeps one login per token for the whole process: another store holds it.
            # Opening a session without the PIN would skip the PIN check, so refuse instead.
            raise TokenBusyError(
                f"Thiết bị ký số '{token_label}' đang được dùng cho một lượt ký khác: "
                "thử lại khi lượt đó xong",
                f"token '{token_label}' is in use by another signing session: retry when it ends",
            ) from exc
        except p11_errors.PinLocked as exc:
            raise WrongPinError(
                f"Mã PIN của thiết bị '{token_label}' đã bị khóa: liên hệ nơi cấp thiết bị",
                f"the PIN of token '{token_label}' is locked: contact the token's issuer",
            ) from exc
        except p11_errors.PKCS11Error as exc:
            raise TokenNotFoundError(
                f"Không mở được thiết bị ký số '{token_label}': {type(exc).__name__}",
                f"cannot open token '{token_label}': {type(exc).__name__}",
            ) from exc
        try:
            self._key = self._find_key(key_label)
            certificate, others = self._find_certificates(cert_label or key_label)
            super().__init__(certificate=certificate, chain=[*chain, *others])
            self._check_key_matches()
        except BaseException:
            self.close()
            raise

    def _find_key(self, label: str) -> Any:
        try:
            return self._session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=label)
        except p11_errors.NoSuchKey as exc:
            raise KeyNotFoundError(
                f"Không có khóa bí mật nhãn '{label}' trên thiết bị",
                f"no private key labelled '{label}' on the token",
            ) from exc
        except p11_errors.MultipleObjectsReturned as exc:
            raise KeyNotFoundError(
                f"Có nhiều khóa bí mật nhãn '{label}' trên thiết bị",
                f"several private keys labelled '{label}' on the token",
            ) from exc

    def _find_certificates(self, label: str) -> tuple[x509.Certificate, list[x509.Certificate]]:
        signer: x509.Certificate | None = None
        others: list[x509.Certificate] = []
        for obj in self._session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}):
            try:
                cert = x509.load_der_x509_certificate(bytes(obj[Attribute.VALUE]))
            except ValueError as exc:
                raise CertificateParseError(
                    "Thiết bị ký số chứa chứng thư số hỏng",
                    "the token holds a corrupt certificate",
                ) from exc
            if signer is None and obj[Attribute.LABEL] == label:
                signer = cert
            else:
                others.append(cert)
        if signer is None:
            raise KeyNotFoundError(
                f"Không có chứng thư số nhãn '{label}' trên thiết bị",
                f"no certificate labelled '{label}' on the token",
            )
        return signer, others

    def _check_key_matches(self) -> None:
        # One test signature at open time: a token with a mislabelled certificate must fail
        # here, with a clear message, not later as an invalid signature on a citizen's receipt.
        mismatch = KeyMismatchError(
            "Khóa trên thiết bị không khớp với chứng thư số",
            "the key on the token does not match the certificate",
        )
        expected = P11KeyType.RSA if self.key_algorithm is KeyAlgorithm.RSA else P11KeyType.EC
        if self._key.key_type != expected:
            raise mismatch
        signature = self.sign(_PROBE)
        public_key = self.certificate.public_key()
        try:
            if isinstance(public_key, rsa.RSAPublicKey):
                public_key.verify(signature, _PROBE, padding.PKCS1v15(), _hash("sha256"))
            elif isinstance(public_key, ec.EllipticCurvePublicKey):
                public_key.verify(signature, _PROBE, ec.ECDSA(_hash("sha256")))
        except InvalidSignature as exc:
            raise mismatch from exc

    def sign(self, data: bytes, *, hash_algorithm: str = "sha256") -> bytes:
        return self.sign_digest(digest(data, hash_algorithm), hash_algorithm=hash_algorithm)

    def sign_digest(self, digest: bytes, *, hash_algorithm: str = "sha256") -> bytes:
        algorithm = _hash(hash_algorithm)
        if len(digest) != algorithm.digest_size:
            raise SigningError(
                f"Độ dài mã băm sai cho {hash_algorithm}",
                f"digest length {len(digest)} does not fit {hash_algorithm}",
            )
        if self._session is None:
            raise SigningError(
                "Phiên làm việc với thiết bị ký số đã đóng",
                "the token session is closed",
            )
        try:
            with self._lock:
                if self.key_algorithm is KeyAlgorithm.RSA:
                    info = algos.DigestInfo(
                        {
                            "digest_algorithm": {
                                "algorithm": hash_algorithm.lower(),
                                "parameters": core.Null(),
                            },
                            "digest": digest,
                        }
                    )
                    return bytes(self._key.sign(info.dump(), mechanism=Mechanism.RSA_PKCS))
                raw = bytes(self._key.sign(digest, mechanism=Mechanism.ECDSA))
                return encode_ecdsa_signature(raw)
        except p11_errors.PKCS11Error as exc:
            raise SigningError(
                f"Thiết bị ký số từ chối ký: {type(exc).__name__}",
                f"the token failed to sign: {type(exc).__name__}",
            ) from exc

    def close(self) -> None:
        # Only the session: the module stays loaded (python-pkcs11 shares it process-wide,
        # other stores may use it).
        session, self._session = self._session, None
        if session is not None:
            # A token pulled out has ended the session already.
            with contextlib.suppress(p11_errors.PKCS11Error):
                session.close()


def _find_token(module: str, token_label: str) -> Any:
    if not Path(module).is_file():
        raise Pkcs11ModuleError(
            f"Không tìm thấy thư viện PKCS#11 {module}: cài trình điều khiển của thiết bị ký số",
            f"PKCS#11 module {module} not found: install the token's driver",
        )
    try:
        lib = pkcs11.lib(module)
    except p11_errors.PKCS11Error as exc:
        raise Pkcs11ModuleError(
            f"Không nạp được thư viện PKCS#11 {module}",
            f"cannot load PKCS#11 module {module}",
        ) from exc
    try:
        return lib.get_token(token_label=token_label)
    except p11_errors.NoSuchToken as exc:
        raise TokenNotFoundError(
            f"Không thấy thiết bị ký số '{token_label}': cắm USB token và thử lại",
            f"no token labelled '{token_label}': plug the token in and retry",
        ) from exc
    except p11_errors.MultipleTokensReturned as exc:
        raise TokenNotFoundError(
            f"Có nhiều thiết bị ký số cùng nhãn '{token_label}': chỉ cắm một",
            f"several tokens labelled '{token_label}': plug in only one",
        ) from exc
    except p11_errors.PKCS11Error as exc:
        raise TokenNotFoundError(
            f"Không đọc được danh sách thiết bị ký số: {type(exc).__name__}",
            f"cannot list tokens: {type(exc).__name__}",
        ) from exc


__all__ = ["Pkcs11KeyStore"]
