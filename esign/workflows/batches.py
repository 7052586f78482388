"""The one batch signer: an official signs many result documents with one entry of the password
or PIN, from the API, the staff pages or a test alike.

The key is opened once (:func:`esign.workflows.keys.open_signing_key`) and its signer built
once (:func:`esign.workflows.results.official_signer`). :func:`sign_batch` checks the
certificate again right before the first document (a revocation since the signer was built
counts), then signs each document in its own transaction: a document that cannot be signed
(out of turn, no field for the role, already signed, a broken file) is reported and the others
are still signed. Between documents it reads the certificate again from where the key lives
(for a token, :class:`esign.signing.tokens.TokenCertificateReader`): if it changed or cannot
be read, the batch stops and the remaining documents are reported "not signed"."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding

from certs import CertsError

from ..errors import EsignError
from ..signing.errors import SigningError
from ..signing.sign import DocumentSigner
from ..signing.tokens import CertificateSource
from .actors import Actor
from .results import SignOutcome, sign_one

log = logging.getLogger("esign.batches")

CERTIFICATE_CHANGED = "certificate_changed"


def _refused(result_id: int, code: str, vi: str, en: str) -> SignOutcome:
    return SignOutcome(result_id=result_id, ok=False, code=code, message_vi=vi, message_en=en)


def sign_batch(
    transaction: Callable[[], Any],
    actor: Actor,
    signer: DocumentSigner,
    result_ids: Sequence[int],
    *,
    current_certificate: CertificateSource | None = None,
    on_outcome: Callable[[SignOutcome], None] | None = None,
) -> list[SignOutcome]:
    """One outcome per document, in order (see the module's docstring). ``transaction`` opens
    one database transaction (``db.transaction``); ``on_outcome`` is called after each
    document."""
    checked = signer.store.certificate.public_bytes(Encoding.DER)
    outcomes: list[SignOutcome] = []

    def report(outcome: SignOutcome) -> None:
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    def stop(code: str, vi: str, en: str) -> list[SignOutcome]:
        for result_id in result_ids[len(outcomes) :]:
            report(_refused(result_id, code, f"Chưa ký: {vi}", f"Not signed: {en}"))
        return outcomes

    try:
        signer.check_certificate()
    except (EsignError, CertsError) as exc:
        return stop(str(exc.code), exc.message_vi, exc.message_en)
    for result_id in result_ids:
        if current_certificate is not None:
            try:
                now = current_certificate()
            except (EsignError, CertsError) as exc:  # the token is gone: sign nothing more
                return stop(str(exc.code), exc.message_vi, exc.message_en)
            if now != checked:
                return stop(
                    CERTIFICATE_CHANGED,
                    "chứng thư số trên thiết bị ký số đã thay đổi giữa chừng",
                    "certificate changed on the token mid-batch",
                )
        try:
            with transaction() as session:
                outcome = sign_one(session, actor, signer, result_id)
        except (EsignError, CertsError) as exc:
            outcome = _refused(result_id, str(exc.code), exc.message_vi, exc.message_en)
        except Exception as exc:  # a file pyHanko chokes on must not stop the others
            log.exception("signing result %s failed", result_id)
            outcome = _refused(
                result_id,
                SigningError.code,
                f"Không ký được văn bản: tệp hỏng ({type(exc).__name__})",
                f"Could not sign the document: broken file ({type(exc).__name__})",
            )
        report(outcome)
    return outcomes
