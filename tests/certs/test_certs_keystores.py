"""Software and PKCS#12 key stores: signing, caching, and clear errors on bad files."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import Encoding

from certs import BuiltPki, KeyAlgorithm, Pkcs12KeyStore, PkiFolder, SoftwareKeyStore
from certs.errors import (
    CertsError,
    CorruptKeyFileError,
    KeyMismatchError,
    KeyStoreError,
    SigningError,
    WrongPasswordError,
)
from tests.utils.certs_helpers import DATA, verify


@pytest.mark.parametrize(("name", "algorithm"), [("seal", "rsa"), ("chairman", "ecdsa")])
def test_software_store_signs_and_describes_itself(
    test_pki: BuiltPki, name: str, algorithm: str
) -> None:
    store = test_pki.key_store(name)
    assert store.key_algorithm is KeyAlgorithm(algorithm)
    verify(store, store.sign(DATA), DATA)
    verify(store, store.sign(DATA, hash_algorithm="sha384"), DATA, "sha384")
    assert store.signature_algorithm().signature_algo == (
        "rsassa_pkcs1v15" if algorithm == "rsa" else "ecdsa"
    )
    assert store.signature_algorithm()["algorithm"].native == f"sha256_{algorithm}"
    assert isinstance(store.asn1_certificate, asn1_x509.Certificate)
    assert store.asn1_certificate.dump() == store.certificate.public_bytes(Encoding.DER)
    assert store.chain == test_pki.chain(name)
    assert [c.dump() for c in store.asn1_chain] == [
        c.public_bytes(Encoding.DER) for c in test_pki.chain(name)
    ]


@pytest.mark.parametrize("name", ["seal", "chairman"])
def test_sign_digest_matches_sign(test_pki: BuiltPki, name: str) -> None:
    store = test_pki.key_store(name)
    h = hashes.Hash(hashes.SHA256())
    h.update(DATA)
    signature = store.sign_digest(h.finalize())
    verify(store, signature, DATA)
    key = store.certificate.public_key()
    h = hashes.Hash(hashes.SHA256())
    h.update(DATA)
    if isinstance(key, rsa.RSAPublicKey):  # PKCS#1 v1.5 is deterministic
        assert signature == store.sign(DATA)
        key.verify(signature, h.finalize(), padding.PKCS1v15(), Prehashed(hashes.SHA256()))


def test_weak_or_unknown_hashes_are_refused(test_pki: BuiltPki) -> None:
    store = test_pki.key_store("seal")
    with pytest.raises(SigningError):
        store.sign(DATA, hash_algorithm="sha1")
    with pytest.raises(SigningError):
        store.sign_digest(b"short", hash_algorithm="sha256")


def test_key_must_match_certificate(test_pki: BuiltPki) -> None:
    with pytest.raises(KeyMismatchError):
        SoftwareKeyStore(
            key=ec.generate_private_key(ec.SECP256R1()),
            certificate=test_pki.certificate("chairman"),
        )


def test_pkcs12_store_from_the_folder(shared_folder: PkiFolder) -> None:
    store = shared_folder.key_store("seal")
    assert store is shared_folder.key_store("seal")  # opened once per folder
    verify(store, store.sign(DATA), DATA)
    assert store.chain == shared_folder.chain("seal")


def test_the_parsed_key_is_kept(shared_folder: PkiFolder) -> None:
    # Re-reading the PKCS#12 (PBKDF2) and re-checking the RSA key costs tens of ms per call;
    # a store that kept only the file would need seconds for 40 signatures.
    store = shared_folder.key_store("judicial-officer")
    start = time.perf_counter()
    for _ in range(40):
        store.sign(DATA)
    assert time.perf_counter() - start < 0.8


def test_store_never_shows_its_secrets(shared_folder: PkiFolder) -> None:
    password = (shared_folder.path / "password").read_text().strip()
    store = shared_folder.key_store("seal")
    assert password not in repr(store) + repr(vars(store))
    public = [attr for attr in dir(store) if not attr.startswith("_")]
    assert [attr for attr in public if "key" in attr or "pass" in attr] == ["key_algorithm"]


def test_wrong_password(shared_folder: PkiFolder) -> None:
    with pytest.raises(WrongPasswordError) as info:
        Pkcs12KeyStore(shared_folder.path / "keys" / "seal.p12", password="not-it")
    assert info.value.code == "wrong_password"
    assert "Sai mật khẩu" in info.value.message_vi


@pytest.mark.parametrize("content", [b"", b"garbage", b"0\x82\x01\x00truncated"])
def test_corrupt_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.p12"
    path.write_bytes(content)
    with pytest.raises(CorruptKeyFileError):
        Pkcs12KeyStore(path, password="x")


def test_truncated_real_file_is_an_error_of_ours(shared_folder: PkiFolder, tmp_path: Path) -> None:
    data = (shared_folder.path / "keys" / "seal.p12").read_bytes()
    path = tmp_path / "cut.p12"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(KeyStoreError):
        Pkcs12KeyStore(path, password=(shared_folder.path / "password").read_text().strip())


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KeyStoreError, match="Không đọc được"):
        Pkcs12KeyStore(tmp_path / "absent.p12", password="x")


def test_errors_share_one_base() -> None:
    for error in (WrongPasswordError, CorruptKeyFileError, KeyMismatchError, SigningError):
        assert issubclass(error, CertsError)
