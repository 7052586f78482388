"""The KeyStore interface is what pyHanko needs: a CMS signature made through it, with a
timestamp from the ward's TSA, validates against the ward's trust root and CRLs."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from asn1crypto import cms
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from certs import KeyStore, PkiFolder
from tests.utils.certs_helpers import FolderTimeStamper, open_store
from tests.utils.softhsm import SoftHsmToken

DOCUMENT = "Giấy xác nhận tình trạng hôn nhân".encode()


class KeyStoreSigner(Signer):
    """The few lines esign needs to hand a KeyStore to pyHanko (the parsed key is reused)."""

    def __init__(self, store: KeyStore) -> None:
        self.store = store
        super().__init__(
            signing_cert=store.asn1_certificate,
            cert_registry=SimpleCertificateStore.from_certs(store.asn1_chain),
            signature_mechanism=store.signature_algorithm("sha256"),
        )

    async def async_sign_raw(
        self, data: bytes, digest_algorithm: str, dry_run: bool = False
    ) -> bytes:
        return self.store.sign(data, hash_algorithm=digest_algorithm)


def sign_and_validate(store: KeyStore, folder: PkiFolder, now: datetime) -> object:
    async def run() -> object:
        signed = await KeyStoreSigner(store).async_sign_general_data(
            DOCUMENT, "sha256", timestamper=FolderTimeStamper(folder, now)
        )
        assert isinstance(signed, cms.ContentInfo)
        context = ValidationContext(
            trust_roots=list(folder.trust_store().asn1_roots),
            crls=[folder.crl(), folder.crl("root-ca")],
            revocation_mode="require",
        )
        return await async_validate_detached_cms(
            DOCUMENT, signed["content"], signer_validation_context=context
        )

    return asyncio.run(run())


def assert_good(status: object, store: KeyStore) -> None:
    assert status.intact and status.valid and status.trusted  # type: ignore[attr-defined]
    assert status.signing_cert.dump() == store.asn1_certificate.dump()  # type: ignore[attr-defined]
    assert status.timestamp_validity is not None  # type: ignore[attr-defined]
    assert status.timestamp_validity.valid and status.timestamp_validity.trusted  # type: ignore[attr-defined]


def test_seal_signature_with_timestamp(shared_folder: PkiFolder, now: datetime) -> None:
    store = shared_folder.key_store("seal")
    assert_good(sign_and_validate(store, shared_folder, now), store)


def test_a_revoked_official_signature_is_not_trusted(
    shared_folder: PkiFolder, now: datetime
) -> None:
    status = sign_and_validate(shared_folder.key_store("revoked-official"), shared_folder, now)
    assert status.intact and status.valid  # type: ignore[attr-defined]
    assert status.revoked and not status.trusted  # type: ignore[attr-defined]


@pytest.mark.softhsm
@pytest.mark.parametrize("label", ["nguyen-thi-huong", "tran-van-minh"])
def test_token_signature_with_timestamp(
    shared_folder: PkiFolder, now: datetime, token: SoftHsmToken, label: str
) -> None:
    with open_store(token, key_label=label, chain=shared_folder.chain("seal")) as store:
        assert_good(sign_and_validate(store, shared_folder, now), store)
