"""Batch signing: an official signs many documents with one PIN entry.

The key store is opened once (one PIN entry, one token session) and its
:class:`~esign.signing.sign.DocumentSigner` built once; :func:`sign_batch` checks the
certificate before the first document, signs the documents in order and answers one frozen
:class:`BatchResult` per document: a document that cannot be signed (wrong field, out of turn,
broken PDF) is reported and the others are still signed.

Between documents the certificate is read again from where the key lives (for a token,
:class:`TokenCertificateReader`) and compared with the one checked at the start: if someone
swapped the token or rewrote its certificate mid-way, the batch stops and the remaining
documents are reported "not signed: certificate changed". :class:`TokenBatchSigner` puts the
three together for a PKCS#11 token.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import pkcs11
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pkcs11 import Attribute, ObjectClass
from pkcs11 import exceptions as p11_errors

from certs import CertsError, KeyStore, Pkcs11KeyStore
from receipts.pdf import SignaturePlace

from ..errors import EsignError
from .errors import SigningError
from .sign import DocumentSigner, Signed, _run

CertificateSource = Callable[[], bytes | None]
"""Reads the DER of the certificate the key store holds now (None: there is none)."""

CERTIFICATE_CHANGED = "certificate_changed"


@dataclass(frozen=True, slots=True)
class BatchDocument:
    """One document of a batch: either an approval of a prepared field (``field_name`` and
    ``role``) or a certification in a new field (``place``)."""

    document_id: str
    pdf: bytes
    field_name: str | None = None
    role: str | None = None
    place: SignaturePlace | None = None

    def __post_init__(self) -> None:
        if (self.field_name is None) == (self.place is None):
            raise ValueError("a batch document needs either field_name or place")


@dataclass(frozen=True, slots=True)
class BatchResult:
    document_id: str
    signed: Signed | None
    code: str | None = None
    message_vi: str | None = None
    message_en: str | None = None

    @property
    def ok(self) -> bool:
        return self.signed is not None


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    results: tuple[BatchResult, ...]
    stopped_by: str | None = None
    """The code that stopped the batch (``certificate_changed``, ``certificate_refused``)."""

    @property
    def signed_count(self) -> int:
        return sum(1 for r in self.results if r.ok)

    @property
    def all_signed(self) -> bool:
        return all(r.ok for r in self.results)


def sign_batch(
    signer: DocumentSigner,
    documents: Sequence[BatchDocument],
    *,
    current_certificate: CertificateSource | None = None,
    on_result: Callable[[BatchResult], None] | None = None,
) -> BatchOutcome:
    """Sign ``documents`` in order with ``signer`` (see the module's docstring).

    ``current_certificate`` re-reads the store's certificate between documents; ``on_result``
    is called after each document (a progress bar, the audit log)."""
    return _run(
        async_sign_batch(
            signer, documents, current_certificate=current_certificate, on_result=on_result
        )
    )


async def async_sign_batch(
    signer: DocumentSigner,
    documents: Sequence[BatchDocument],
    *,
    current_certificate: CertificateSource | None = None,
    on_result: Callable[[BatchResult], None] | None = None,
) -> BatchOutcome:
    checked = signer.store.certificate.public_bytes(Encoding.DER)
    results: list[BatchResult] = []

    def report(result: BatchResult) -> None:
        results.append(result)
        if on_result is not None:
            on_result(result)

    def stop(code: str, vi: str, en: str) -> BatchOutcome:
        for doc in documents[len(results) :]:
            report(BatchResult(doc.document_id, None, code, vi, en))
        return BatchOutcome(tuple(results), stopped_by=code)

    try:
        signer.check_certificate()  # fresh for every batch: a revocation since counts
    except (EsignError, CertsError) as exc:
        vi, en = _messages(exc)
        return stop(_code(exc), f"Chưa ký: {vi}", f"Not signed: {en}")
    for doc in documents:
        if current_certificate is not None:
            try:
                now = current_certificate()
            except (EsignError, CertsError) as exc:  # the token is gone: sign nothing more
                vi, en = _messages(exc)
                return stop(_code(exc), f"Chưa ký: {vi}", f"Not signed: {en}")
            if now != checked:
                return stop(
                    CERTIFICATE_CHANGED,
                    "Chưa ký: chứng thư số trên thiết bị ký số đã thay đổi giữa chừng",
                    "Not signed: certificate changed on the token mid-batch",
                )
        try:
            if doc.place is not None:
                signed = await signer.async_certify(doc.pdf, place=doc.place)
            else:
                assert doc.field_name is not None
                signed = await signer.async_approve(
                    doc.pdf, field_name=doc.field_name, role=doc.role
                )
        except (EsignError, CertsError) as exc:
            vi, en = _messages(exc)
            report(BatchResult(doc.document_id, None, _code(exc), vi, en))
            continue
        except Exception as exc:  # a file pyHanko chokes on must not stop the others
            report(
                BatchResult(
                    doc.document_id,
                    None,
                    SigningError.code,
                    f"Không ký được tài liệu: tệp hỏng ({type(exc).__name__})",
                    f"Could not sign the document: broken file ({type(exc).__name__}: {exc})",
                )
            )
            continue
        report(BatchResult(doc.document_id, signed))
    return BatchOutcome(tuple(results))


def _code(exc: EsignError | CertsError) -> str:
    return str(exc.code)


def _messages(exc: EsignError | CertsError) -> tuple[str, str]:
    return exc.message_vi, exc.message_en


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


class TokenBatchSigner:
    """An official's token opened once for batches: one PIN entry, one session, one signer.

    ``build`` makes the signer over the opened store (``esign.signing.pki.make_signer``
    with the PKI and the level). The PIN is handed to the token and not kept."""

    def __init__(
        self,
        *,
        module: str | Path,
        token_label: str,
        key_label: str,
        pin: str,
        build: Callable[[KeyStore], DocumentSigner],
        cert_label: str | None = None,
        chain: Sequence[x509.Certificate] = (),
    ) -> None:
        self.store = Pkcs11KeyStore(
            module=module,
            token_label=token_label,
            key_label=key_label,
            pin=pin,
            cert_label=cert_label,
            chain=chain,
        )
        try:
            self.signer = build(self.store)
            self.reader = TokenCertificateReader(
                module=module, token_label=token_label, label=cert_label or key_label
            )
        except BaseException:
            self.store.close()
            raise

    def sign(
        self,
        documents: Sequence[BatchDocument],
        *,
        on_result: Callable[[BatchResult], None] | None = None,
    ) -> BatchOutcome:
        return sign_batch(
            self.signer, documents, current_certificate=self.reader, on_result=on_result
        )

    async def async_sign(
        self,
        documents: Sequence[BatchDocument],
        *,
        on_result: Callable[[BatchResult], None] | None = None,
    ) -> BatchOutcome:
        return await async_sign_batch(
            self.signer, documents, current_certificate=self.reader, on_result=on_result
        )

    def close(self) -> None:
        self.reader.close()
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


__all__ = [
    "CERTIFICATE_CHANGED",
    "BatchDocument",
    "BatchOutcome",
    "BatchResult",
    "CertificateSource",
    "TokenBatchSigner",
    "TokenCertificateReader",
    "async_sign_batch",
    "sign_batch",
]
