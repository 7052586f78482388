"""Officials sign with keys on a PKCS#11 token (SoftHSM2): one document, and batches."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pkcs11
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from pkcs11 import Attribute, CertificateType, ObjectClass

from certs import BuiltPki, KeyAlgorithm, KeyStore, Pkcs11KeyStore, PkiFolder, RevocationReason
from certs.errors import WrongPinError
from esign.signing import pki as wiring
from esign.signing.batch import (
    CERTIFICATE_CHANGED,
    BatchDocument,
    BatchResult,
    TokenBatchSigner,
    TokenCertificateReader,
    sign_batch,
)
from esign.signing.errors import WrongSignerError
from esign.signing.report import Indication, Verdict
from esign.signing.sign import DocumentSigner, PadesLevel, field_name_for, prepare_approval_fields
from esign.signing.verify import TrustConfig, verify, verify_in_process
from tests.utils.certs_helpers import TOKEN_PIN, open_store
from tests.utils.softhsm import SOFTHSM_MODULE, SoftHsm, SoftHsmToken

from .conftest import RESULT_PLACES, simple_pdf

pytestmark = pytest.mark.softhsm

OFFICER, CHAIRMAN = field_name_for(1, "judicial_officer"), field_name_for(2, "chairman")


class CountingStore(Pkcs11KeyStore):
    """The token store, counting the signatures it makes (the token does the signing)."""

    signatures = 0

    def sign_digest(self, digest: bytes, *, hash_algorithm: str = "sha256") -> bytes:
        self.signatures += 1
        return super().sign_digest(digest, hash_algorithm=hash_algorithm)


def counting_store(token: SoftHsmToken, folder: PkiFolder, label: str, name: str) -> CountingStore:
    store = CountingStore(
        module=SOFTHSM_MODULE,
        token_label=token.label,
        key_label=label,
        pin=TOKEN_PIN,
        chain=folder.chain(name),
    )
    store.signatures = 0  # the key-matches-certificate probe made at opening
    return store


@pytest.fixture(scope="module")
def prepared() -> bytes:
    return prepare_approval_fields(simple_pdf("GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"), RESULT_PLACES)


@pytest.mark.poppler
def test_two_officials_sign_a_result_with_token_keys(
    token: SoftHsmToken,
    shared_folder: PkiFolder,
    prepared: bytes,
    trust: TrustConfig,
    tmp_path: Path,
) -> None:
    chain = shared_folder.chain
    # One store at a time: a second login on the same token fails (see the report).
    with open_store(token, chain=chain("judicial-officer")) as huong:
        assert huong.key_algorithm is KeyAlgorithm.RSA
        officer = wiring.make_signer(shared_folder, huong, level=PadesLevel.B_T)
        first = officer.approve(prepared, field_name=OFFICER, role="judicial_officer")
    with open_store(token, key_label="tran-van-minh", chain=chain("chairman")) as minh:
        assert minh.key_algorithm is KeyAlgorithm.ECDSA
        chairman = wiring.make_signer(shared_folder, minh, level=PadesLevel.B_T)
        second = chairman.approve(first.pdf, field_name=CHAIRMAN, role="chairman")

    report = verify(second.pdf, trust=trust)  # the isolated path, as for an upload
    assert report.verdict is Verdict.VALID, report.message_en
    assert [s.field_name for s in report.signatures] == [OFFICER, CHAIRMAN]
    assert [s.signer_name for s in report.signatures] == ["Nguyễn Thị Hương", "Trần Văn Minh"]
    assert all(s.indication is Indication.TOTAL_PASSED for s in report.signatures)
    assert all(s.level == "B-T" for s in report.signatures)
    assert report.signatures[1].covers_whole_file
    # The signing time we return is the one written in the file (/M), not a later clock.
    assert [s.signing_time for s in report.signatures] == [first.signed_at, second.signed_at]
    assert second.certificate_sha256 != first.certificate_sha256

    path = tmp_path / "result.pdf"
    path.write_bytes(second.pdf)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    assert out.count("Signature is Valid") == 2, out


def test_refused_certificate_signs_no_byte(
    token: SoftHsmToken, pki_folder: PkiFolder, prepared: bytes
) -> None:
    now = datetime.now(UTC)
    pki_folder.revoke(
        "judicial-officer", reason=RevocationReason.KEY_COMPROMISE, at=now - timedelta(hours=1)
    )
    with counting_store(token, pki_folder, "nguyen-thi-huong", "judicial-officer") as store:
        signer = wiring.make_signer(pki_folder, store, level=PadesLevel.B_B)
        with pytest.raises(WrongSignerError, match="thu hồi") as caught:
            signer.approve(prepared, field_name=OFFICER, role="judicial_officer")
        assert caught.value.code == "certificate_refused"
        assert store.signatures == 0

        outcome = sign_batch(
            signer, [BatchDocument("hs-1", prepared, OFFICER, "judicial_officer")] * 3
        )
        assert outcome.stopped_by == "certificate_refused"
        assert [r.ok for r in outcome.results] == [False] * 3
        assert all(r.message_en and "Not signed" in r.message_en for r in outcome.results)
        assert store.signatures == 0


def test_batch_one_session_a_result_per_document(
    token: SoftHsmToken, shared_folder: PkiFolder, prepared: bytes, trust: TrustConfig
) -> None:
    birth = prepare_approval_fields(simple_pdf("TRÍCH LỤC KHAI SINH"), RESULT_PLACES)
    docs = [
        BatchDocument("hs-1", prepared, OFFICER, "judicial_officer"),
        BatchDocument("hs-2", b"%PDF-1.7 not really", OFFICER, "judicial_officer"),
        BatchDocument("hs-3", prepared, OFFICER, "chairman"),  # another role's field
        BatchDocument("hs-4", birth, OFFICER, "judicial_officer"),
        BatchDocument("hs-5", prepared, CHAIRMAN, "chairman"),  # before the officer signed
        BatchDocument("hs-6", prepared, OFFICER, "judicial_officer"),
    ]
    seen: list[BatchResult] = []
    with counting_store(token, shared_folder, "nguyen-thi-huong", "judicial-officer") as store:
        signer = wiring.make_signer(shared_folder, store, level=PadesLevel.B_B)
        reader = TokenCertificateReader(
            module=SOFTHSM_MODULE, token_label=token.label, label="nguyen-thi-huong"
        )
        try:
            outcome = sign_batch(signer, docs, current_certificate=reader, on_result=seen.append)
        finally:
            reader.close()
        # Three documents signed, plus the one signature that sizes /Contents, once per signer:
        # nothing is signed twice, nothing re-opened.
        assert store.signatures == 3 + 1

    assert outcome.stopped_by is None
    assert list(outcome.results) == seen
    assert [r.document_id for r in outcome.results] == [d.document_id for d in docs]
    assert [r.ok for r in outcome.results] == [True, False, False, True, False, True]
    assert outcome.signed_count == 3
    broken, wrong_role, early = outcome.results[1], outcome.results[2], outcome.results[4]
    assert broken.code == "signing_failed" and broken.signed is None
    assert wrong_role.code == "wrong_signer"
    assert wrong_role.message_vi and "chairman" in wrong_role.message_vi
    assert early.code == "signing_out_of_order"
    assert early.message_vi and "phải ký trước" in early.message_vi
    with pytest.raises(AttributeError):
        outcome.results[0].code = "x"  # type: ignore[misc]  # frozen
    for result in outcome.results:
        if result.signed is not None:
            report = verify_in_process(result.signed.pdf, trust)
            # A result signed by its first official only still awaits the next one.
            expected = Verdict.INCOMPLETE if report.awaiting else Verdict.VALID
            assert report.verdict is expected, report.message_en


@pytest.fixture
def swap_label(softhsm: SoftHsm, token: SoftHsmToken, test_pki: BuiltPki) -> Iterator[str]:
    """The judicial officer's key and certificate under a label of this test's own."""
    label = f"swap-{uuid.uuid4().hex[:12]}"
    bundle = pkcs12.load_pkcs12(test_pki.export_pkcs12("judicial-officer", password="t"), b"t")
    assert bundle.key is not None
    softhsm.import_key(
        token,
        label=label,
        key=bundle.key,  # type: ignore[arg-type]
        certificate=test_pki.certificate("judicial-officer"),
        object_id=label.encode(),
    )
    yield label
    # Leave the shared token as it was: other tests' stores list every certificate on it.
    lib = pkcs11.lib(str(SOFTHSM_MODULE))
    with lib.get_token(token_label=token.label).open(rw=True, user_pin=token.pin) as session:
        for obj in list(session.get_objects({Attribute.LABEL: label})):
            obj.destroy()


def _rewrite_certificate(token: SoftHsmToken, label: str, der: bytes | None) -> None:
    """What a second program does to the token mid-batch: delete the certificate, and write
    another one under the same label (the official's login covers this session)."""
    lib = pkcs11.lib(str(SOFTHSM_MODULE))
    with lib.get_token(token_label=token.label).open(rw=True) as session:
        for obj in session.get_objects(
            {Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.LABEL: label}
        ):
            obj.destroy()
        if der is not None:
            session.create_object(
                {
                    Attribute.CLASS: ObjectClass.CERTIFICATE,
                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                    Attribute.TOKEN: True,
                    Attribute.LABEL: label,
                    Attribute.ID: label.encode(),
                    Attribute.SUBJECT: x509.load_der_x509_certificate(der).subject.public_bytes(),
                    Attribute.VALUE: der,
                }
            )


@pytest.mark.parametrize("replacement", ["vice-chairman", None], ids=["replaced", "removed"])
def test_batch_stops_when_the_token_certificate_changes(
    token: SoftHsmToken,
    shared_folder: PkiFolder,
    test_pki: BuiltPki,
    swap_label: str,
    prepared: bytes,
    replacement: str | None,
) -> None:
    docs = [BatchDocument(f"hs-{i}", prepared, OFFICER, "judicial_officer") for i in range(5)]
    der = test_pki.certificate(replacement).public_bytes(Encoding.DER) if replacement else None

    def build(store: KeyStore) -> DocumentSigner:
        return wiring.make_signer(shared_folder, store, level=PadesLevel.B_B)

    def after_each(result: BatchResult) -> None:
        if result.document_id == "hs-1":
            _rewrite_certificate(token, swap_label, der)

    with TokenBatchSigner(
        module=SOFTHSM_MODULE,
        token_label=token.label,
        key_label=swap_label,
        pin=TOKEN_PIN,
        build=build,
        chain=shared_folder.chain("judicial-officer"),
    ) as batch:
        assert batch.reader() == batch.store.certificate.public_bytes(Encoding.DER)
        outcome = batch.sign(docs, on_result=after_each)
        assert batch.reader() == der

    assert outcome.stopped_by == CERTIFICATE_CHANGED
    assert [r.ok for r in outcome.results] == [True, True, False, False, False]
    for result in outcome.results[2:]:
        assert result.signed is None
        assert result.code == CERTIFICATE_CHANGED
        assert result.message_en == "Not signed: certificate changed on the token mid-batch"
        assert result.message_vi and result.message_vi.startswith("Chưa ký")


def test_batch_stops_when_the_token_cannot_be_read(
    token: SoftHsmToken, shared_folder: PkiFolder, prepared: bytes
) -> None:
    docs = [BatchDocument(f"hs-{i}", prepared, OFFICER, "judicial_officer") for i in range(3)]
    with TokenBatchSigner(
        module=SOFTHSM_MODULE,
        token_label=token.label,
        key_label="nguyen-thi-huong",
        pin=TOKEN_PIN,
        build=lambda store: wiring.make_signer(shared_folder, store, level=PadesLevel.B_B),
        chain=shared_folder.chain("judicial-officer"),
    ) as batch:
        outcome = batch.sign(docs, on_result=lambda result: batch.reader.close())
    assert outcome.stopped_by == "token_unavailable"
    assert [r.ok for r in outcome.results] == [True, False, False]
    assert outcome.results[2].message_en == "Not signed: the token session is closed"


def test_batch_signer_refuses_a_wrong_pin(token: SoftHsmToken, shared_folder: PkiFolder) -> None:
    built: list[KeyStore] = []

    def build(store: KeyStore) -> DocumentSigner:
        built.append(store)
        return wiring.make_signer(shared_folder, store, level=PadesLevel.B_B)

    with pytest.raises(WrongPinError):
        TokenBatchSigner(
            module=SOFTHSM_MODULE,
            token_label=token.label,
            key_label="nguyen-thi-huong",
            pin="000000",
            build=build,
        )
    assert built == []  # no signer built, nothing signed
