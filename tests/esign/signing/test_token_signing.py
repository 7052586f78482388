"""Officials sign with keys on a PKCS#11 token (SoftHSM2): one document, and batches through
the workflows' one batch signer (:func:`esign.workflows.batches.sign_batch`), as the API and
the staff pages run it: one PIN entry, one outcome per result document, and a stop when the
token's certificate changes mid-batch."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pkcs11
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from pkcs11 import Attribute, CertificateType, ObjectClass

from certs import BuiltPki, KeyAlgorithm, KeyStore, Pkcs11KeyStore, PkiFolder, RevocationReason
from certs.errors import WrongPinError
from esign.db import Database
from esign.db.models import StoredDocument
from esign.errors import SigningError
from esign.service import Service
from esign.signing import pki as wiring
from esign.signing.errors import WrongSignerError
from esign.signing.report import Indication, Verdict
from esign.signing.sign import DocumentSigner, PadesLevel, field_name_for, prepare_approval_fields
from esign.signing.tokens import TokenCertificateReader
from esign.signing.verify import TrustConfig, verify, verify_in_process
from esign.workflows.actors import SYSTEM, Actor
from esign.workflows.audit_log import latest_entries
from esign.workflows.batches import CERTIFICATE_CHANGED, sign_batch
from esign.workflows.binding import binding_policy
from esign.workflows.keys import (
    KeyPolicy,
    SigningKey,
    key_source_of,
    open_signing_key,
    set_key_source,
)
from esign.workflows.queries import stored_pdf
from esign.workflows.results import SignOutcome, get_result, official_signer
from esign.workflows.users import get_user, register_certificate
from tests.esign.api.conftest import Api, make_api
from tests.esign.api.test_results_api import MARITAL, _dossier
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


@dataclass
class Desk:
    """A service over SQLite with the API's users; the judicial officer (``tuphap``) is bound
    to the judicial officer's certificate, whose key is on the test token."""

    api: Api
    officer: Actor

    @property
    def service(self) -> Service:
        return self.api.service

    def results(self, count: int) -> list[int]:
        """``count`` marital-status results waiting for the judicial officer's signature."""
        clerk = self.api.login("clerk")
        ids = []
        for _ in range(count):
            r = clerk.post(
                "/api/v1/results", json={"dossier_id": _dossier(self.api), "data": MARITAL}
            )
            assert r.status_code == 201, r.text
            ids.append(int(r.json()["id"]))
        return ids

    def signer(self, store: KeyStore) -> DocumentSigner:
        with self.service.db.reading() as s:
            return official_signer(s, self.officer, self.service, store)

    def sign(self, signer: DocumentSigner, ids: list[int], **options: Any) -> list[SignOutcome]:
        return sign_batch(self.service.db.transaction, self.officer, signer, ids, **options)

    def signed_fields(self, result_id: int) -> list[str]:
        with self.service.db.reading() as s:
            return [x.role for x in get_result(s, result_id).signatures if x.signed_at is not None]


@pytest.fixture
def desk(tmp_path: Path, pki_template: Path) -> Iterator[Desk]:
    database = Database(f"sqlite:///{tmp_path / 'esign.sqlite3'}")
    database.migrate()
    try:
        for api in make_api(database, tmp_path, pki_template):
            pem = api.service.pki.certificate("judicial-officer").public_bytes(Encoding.PEM)
            with database.transaction() as s:
                register_certificate(
                    s,
                    SYSTEM,
                    user_id=api.users["tuphap"],
                    certificate_pem=pem.decode(),
                    policy=binding_policy(api.service.pki),
                )
                officer = Actor.of(get_user(s, api.users["tuphap"]))
            yield Desk(api=api, officer=officer)
    finally:
        database.dispose()


def test_refused_certificate_signs_no_byte(token: SoftHsmToken, desk: Desk) -> None:
    ids = desk.results(3)
    folder = desk.service.pki
    folder.revoke(
        "judicial-officer",
        reason=RevocationReason.KEY_COMPROMISE,
        at=datetime.now(UTC) - timedelta(hours=1),
    )
    with counting_store(token, folder, "nguyen-thi-huong", "judicial-officer") as store:
        with pytest.raises(WrongSignerError, match="thu hồi") as caught:
            desk.signer(store)  # the official's signer is refused when built
        assert caught.value.code == "certificate_refused"
        # and the batch checks again before its first document, whoever built the signer
        outcomes = desk.sign(wiring.make_signer(folder, store, level=PadesLevel.B_B), ids)
        assert store.signatures == 0
    assert [o.result_id for o in outcomes] == ids
    assert [(o.ok, o.code) for o in outcomes] == [(False, "certificate_refused")] * 3
    assert all(o.message_en and o.message_en.startswith("Not signed") for o in outcomes)
    assert all(desk.signed_fields(i) == [] for i in ids)


def _break_pdf(desk: Desk, result_id: int) -> None:
    """What a damaged stored file looks like to the signer (a disk or a copy gone wrong)."""
    with desk.service.db.transaction() as s:
        doc = s.get(StoredDocument, get_result(s, result_id).document_id)
        assert doc is not None
        doc.content = b"%PDF-1.7 not really"


def _give_field_to(desk: Desk, result_id: int, role: str) -> None:
    with desk.service.db.transaction() as s:
        get_result(s, result_id).signatures[0].role = role


def test_batch_one_session_an_outcome_per_document(
    token: SoftHsmToken, desk: Desk, trust: TrustConfig
) -> None:
    first, broken, other_role, fourth, sixth = desk.results(5)
    _break_pdf(desk, broken)
    _give_field_to(desk, other_role, "vice_chairman")
    ids = [first, broken, other_role, fourth, first, sixth]  # ``first`` twice: signed already
    seen: list[SignOutcome] = []
    folder = desk.service.pki
    with counting_store(token, folder, "nguyen-thi-huong", "judicial-officer") as store:
        signer = desk.signer(store)
        reader = TokenCertificateReader(
            module=SOFTHSM_MODULE, token_label=token.label, label="nguyen-thi-huong"
        )
        try:
            outcomes = desk.sign(signer, ids, current_certificate=reader, on_outcome=seen.append)
        finally:
            reader.close()
        # Three documents signed, plus the one signature that sizes /Contents, once per signer:
        # nothing is signed twice, nothing re-opened.
        assert store.signatures == 3 + 1

    assert outcomes == seen
    assert [o.result_id for o in outcomes] == ids
    assert [o.ok for o in outcomes] == [True, False, False, True, False, True]
    assert [o.code for o in outcomes] == [
        None, "signing_failed", "wrong_signer", None, "conflict", None
    ]  # fmt: skip
    assert outcomes[1].message_en and "Broken PDF" in outcomes[1].message_en
    assert outcomes[4].message_vi and "đã ký" in outcomes[4].message_vi
    with pytest.raises(AttributeError):
        outcomes[0].code = "x"  # type: ignore[misc]  # frozen
    for result_id in (first, fourth, sixth):
        assert desk.signed_fields(result_id) == ["judicial_officer"]
        with desk.service.db.reading() as s:
            pdf = stored_pdf(s, get_result(s, result_id).document_id)
        report = verify_in_process(pdf.content, trust, expected_sha256=pdf.sha256)
        # Signed by its first official only, the result still awaits the next one.
        assert report.verdict is Verdict.INCOMPLETE, report.message_en
        assert report.awaiting
    for result_id in (broken, other_role):
        assert desk.signed_fields(result_id) == []
    with desk.service.db.reading() as s:
        actions = [e.action for e in latest_entries(s, limit=100)]
    assert actions.count("result.sign") == 3


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
    desk: Desk,
    test_pki: BuiltPki,
    swap_label: str,
    replacement: str | None,
) -> None:
    """Through the key source the administrator registered, as the API and the staff pages
    open it: the token's certificate is read again between documents."""
    ids = desk.results(5)
    der = test_pki.certificate(replacement).public_bytes(Encoding.DER) if replacement else None
    source = {
        "kind": "pkcs11",
        "module": str(SOFTHSM_MODULE),
        "token_label": token.label,
        "key_label": swap_label,
    }
    with desk.service.db.transaction() as s:
        set_key_source(s, SYSTEM, user_id=desk.officer.user_id, source=source, policy=_policy(desk))
        registered = key_source_of(s, desk.officer)

    def after_each(outcome: SignOutcome) -> None:
        if outcome.result_id == ids[1]:
            _rewrite_certificate(token, swap_label, der)

    with open_signing_key(registered, secret=TOKEN_PIN, policy=_policy(desk)) as key:
        assert key.current_certificate is not None
        assert key.current_certificate() == key.store.certificate.public_bytes(Encoding.DER)
        signer = desk.signer(key.store)
        outcomes = desk.sign(
            signer, ids, current_certificate=key.current_certificate, on_outcome=after_each
        )
        assert key.current_certificate() == der

    assert [o.ok for o in outcomes] == [True, True, False, False, False]
    for outcome in outcomes[2:]:
        assert outcome.code == CERTIFICATE_CHANGED
        assert outcome.message_en == "Not signed: certificate changed on the token mid-batch"
        assert outcome.message_vi and outcome.message_vi.startswith("Chưa ký")
        assert desk.signed_fields(outcome.result_id) == []


def test_batch_stops_when_the_token_cannot_be_read(token: SoftHsmToken, desk: Desk) -> None:
    ids = desk.results(3)
    folder = desk.service.pki
    with counting_store(token, folder, "nguyen-thi-huong", "judicial-officer") as store:
        reader = TokenCertificateReader(
            module=SOFTHSM_MODULE, token_label=token.label, label="nguyen-thi-huong"
        )
        outcomes = desk.sign(
            desk.signer(store),
            ids,
            current_certificate=reader,
            on_outcome=lambda outcome: reader.close(),
        )
    assert [o.ok for o in outcomes] == [True, False, False]
    assert {o.code for o in outcomes[1:]} == {"token_unavailable"}
    assert outcomes[2].message_en == "Not signed: the token session is closed"


def _policy(desk: Desk) -> KeyPolicy:
    """The service's key directory, and the SoftHSM2 module allowed (ESIGN_PKCS11_MODULES)."""
    return KeyPolicy(
        key_dir=desk.service.settings.data_dir / "pki" / "keys", pkcs11_modules=(SOFTHSM_MODULE,)
    )


def test_a_wrong_pin_opens_nothing(token: SoftHsmToken, desk: Desk) -> None:
    source = {
        "kind": "pkcs11",
        "module": str(SOFTHSM_MODULE),
        "token_label": token.label,
        "key_label": "nguyen-thi-huong",
    }
    opened: list[SigningKey] = []
    with (
        pytest.raises(SigningError) as caught,
        open_signing_key(source, secret="000000", policy=_policy(desk)) as key,
    ):
        opened.append(key)
    assert caught.value.code == WrongPinError.code
    assert opened == []  # no key, no signer, nothing signed
    # The right PIN opens the token again: the failed attempt left no session behind.
    with open_signing_key(source, secret=TOKEN_PIN, policy=_policy(desk)) as key:
        assert key.store.certificate == desk.service.pki.certificate("judicial-officer")
