"""The PKCS#11 key store against a real SoftHSM2 token."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes

from certs import BuiltPki, KeyAlgorithm
from certs.errors import (
    KeyMismatchError,
    KeyNotFoundError,
    Pkcs11ModuleError,
    SigningError,
    TokenNotFoundError,
    WrongPinError,
)
from tests.utils.certs_helpers import DATA, TOKEN_PIN, open_store, verify
from tests.utils.softhsm import SoftHsmToken

pytestmark = pytest.mark.softhsm


def test_rsa_signature_through_the_token_verifies(token: SoftHsmToken, test_pki: BuiltPki) -> None:
    with open_store(token) as store:
        assert store.certificate == test_pki.certificate("judicial-officer")
        assert store.key_algorithm is KeyAlgorithm.RSA
        signature = store.sign(DATA)
        verify(store, signature, DATA)
        # PKCS#1 v1.5 is deterministic: the token and the software key agree byte for byte.
        assert signature == test_pki.key_store("judicial-officer").sign(DATA)
        verify(store, store.sign(DATA, hash_algorithm="sha384"), DATA, "sha384")


def test_ecdsa_signature_through_the_token_verifies(
    token: SoftHsmToken, test_pki: BuiltPki
) -> None:
    with open_store(token, key_label="tran-van-minh") as store:
        assert store.certificate == test_pki.certificate("chairman")
        assert store.key_algorithm is KeyAlgorithm.ECDSA
        verify(store, store.sign(DATA), DATA)
        h = hashes.Hash(hashes.SHA256())
        h.update(DATA)
        verify(store, store.sign_digest(h.finalize()), DATA)


def test_chain_has_token_certificates_and_the_given_chain(
    token: SoftHsmToken, test_pki: BuiltPki
) -> None:
    root = test_pki.certificate("root-ca")
    with open_store(token, chain=[root]) as store:
        assert test_pki.certificate("issuing-ca") in store.chain  # stored on the token
        assert root in store.chain  # passed in
        assert store.certificate not in store.chain
        assert len(store.asn1_chain) == len(store.chain)


def test_one_session_for_many_signatures(token: SoftHsmToken) -> None:
    store = open_store(token)
    session = store._session
    for _ in range(5):
        verify(store, store.sign(DATA), DATA)
    assert store._session is session
    store.close()
    store.close()  # idempotent
    with pytest.raises(SigningError):
        store.sign(DATA)


def test_wrong_pin(token: SoftHsmToken) -> None:
    with pytest.raises(WrongPinError) as info:
        open_store(token, pin="999999")
    assert info.value.code == "wrong_pin"
    assert "Sai mã PIN" in info.value.message_vi
    assert "999999" not in str(info.value) and TOKEN_PIN not in str(info.value)
    open_store(token).close()  # the right PIN still works afterwards


def test_missing_token(token: SoftHsmToken) -> None:
    with pytest.raises(TokenNotFoundError, match="cắm USB token"):
        open_store(token, token_label="no-such-token")


def test_missing_key_label(token: SoftHsmToken) -> None:
    with pytest.raises(KeyNotFoundError, match="khóa bí mật nhãn 'nobody'"):
        open_store(token, key_label="nobody")


def test_missing_certificate_label(token: SoftHsmToken) -> None:
    with pytest.raises(KeyNotFoundError, match="chứng thư số nhãn 'nobody'"):
        open_store(token, cert_label="nobody")


@pytest.mark.parametrize("label", ["mismatch", "mismatch-rsa"])
def test_key_that_does_not_match_its_certificate(token: SoftHsmToken, label: str) -> None:
    with pytest.raises(KeyMismatchError):
        open_store(token, key_label=label)


def test_missing_module(token: SoftHsmToken, tmp_path: Path) -> None:
    with pytest.raises(Pkcs11ModuleError, match="trình điều khiển"):
        open_store(token, module=tmp_path / "libnothing.so")


def test_module_that_is_not_a_library(token: SoftHsmToken, tmp_path: Path) -> None:
    fake = tmp_path / "libfake.so"
    fake.write_bytes(b"not an ELF file")
    with pytest.raises(Pkcs11ModuleError, match="Không nạp được"):
        open_store(token, module=fake)


def test_second_store_on_an_open_token_is_refused_not_let_in(token: SoftHsmToken) -> None:
    from certs.errors import TokenBusyError

    with open_store(token), pytest.raises(TokenBusyError) as err:
        # Even with a wrong PIN: a second login is refused, never skipped.
        open_store(token, key_label="tran-van-minh", pin="000000")
    assert err.value.code == "token_busy"
    with open_store(token, key_label="tran-van-minh") as again:  # free again once closed
        assert again.certificate is not None
