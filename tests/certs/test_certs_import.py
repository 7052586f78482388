"""Registering certificates issued elsewhere: trust comes from trust/, never from the file."""

from __future__ import annotations

from datetime import datetime

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from certs import BuiltPki, PkiFolder, Problem, RevocationReason, Role
from certs.errors import (
    CertificateParseError,
    CertificateRefusedError,
    NotOurCertificateError,
    PkiFolderError,
    UntrustedChainError,
    WrongPasswordError,
)
from tests.utils.certs_helpers import DATA, verify

PASSWORD = "mật-khẩu-của-cán-bộ"


def trust_other_root(folder: PkiFolder, test_pki: BuiltPki) -> None:
    """What an administrator does to trust a government CA: drop its root into trust/."""
    root = test_pki.certificate("other-root").public_bytes(Encoding.PEM)
    (folder.path / "trust" / "other-root.pem").write_bytes(root)


def stranger_p12(test_pki: BuiltPki) -> bytes:
    return test_pki.export_pkcs12("stranger-official", password=PASSWORD)


def test_a_root_inside_the_file_is_not_trusted(
    pki_folder: PkiFolder, test_pki: BuiltPki, now: datetime
) -> None:
    data = stranger_p12(test_pki)  # it carries other-root as its chain
    with pytest.raises(UntrustedChainError, match="CA gốc được tin cậy"):
        pki_folder.import_certificate(data, role=Role.JUDICIAL_OFFICER, password=PASSWORD, now=now)
    assert "ngo-thi-thu" not in {e.name for e in pki_folder.entries()}


def test_pkcs12_import_once_the_root_is_configured(
    pki_folder: PkiFolder, test_pki: BuiltPki, now: datetime
) -> None:
    trust_other_root(pki_folder, test_pki)
    entry = pki_folder.import_certificate(
        stranger_p12(test_pki), role=Role.JUDICIAL_OFFICER, password=PASSWORD, now=now
    )
    assert entry.name == "ngo-thi-thu"  # from "Ngô Thị Thu"
    assert entry.imported and entry.has_key and entry.role is Role.JUDICIAL_OFFICER
    assert entry.certificate == test_pki.certificate("stranger-official")
    assert pki_folder.chain("ngo-thi-thu") == (test_pki.certificate("other-root"),)
    store = pki_folder.key_store("ngo-thi-thu")  # re-encrypted under the folder's password
    verify(store, store.sign(DATA), DATA)
    result = pki_folder.check("ngo-thi-thu", at=now)
    assert result.accepted and result.revocation is None
    assert pki_folder.names_for(Role.JUDICIAL_OFFICER)[-1] == "ngo-thi-thu"
    with pytest.raises(NotOurCertificateError):
        pki_folder.revoke("ngo-thi-thu", reason=RevocationReason.KEY_COMPROMISE, at=now)
    with pytest.raises(PkiFolderError, match="Đã có chứng thư tên"):
        pki_folder.import_certificate(
            stranger_p12(test_pki), role=Role.JUDICIAL_OFFICER, password=PASSWORD, now=now
        )


def test_token_certificate_with_its_chain_in_pem(
    pki_folder: PkiFolder, test_pki: BuiltPki, now: datetime
) -> None:
    trust_other_root(pki_folder, test_pki)
    bundle = test_pki.certificate("other-root").public_bytes(Encoding.PEM) + test_pki.certificate(
        "stranger-official"
    ).public_bytes(Encoding.PEM)
    entry = pki_folder.import_certificate(bundle, role=Role.CHAIRMAN, name="token-thu", now=now)
    assert entry.name == "token-thu" and not entry.has_key
    with pytest.raises(PkiFolderError, match="thiết bị ký số"):
        pki_folder.key_store("token-thu")


def test_a_single_der_certificate_finds_its_chain_in_the_folder(
    pki_folder: PkiFolder, test_pki: BuiltPki, now: datetime
) -> None:
    # Imagine the vice-chairman's certificate re-imported from a token: the issuing CA comes
    # from the folder, not from the file.
    der = test_pki.certificate("vice-chairman").public_bytes(Encoding.DER)
    entry = pki_folder.import_certificate(der, role=Role.VICE_CHAIRMAN, name="pho-ct", now=now)
    assert pki_folder.chain(entry.name) == test_pki.chain("vice-chairman")


def test_an_expired_certificate_is_refused(
    pki_folder: PkiFolder, test_pki: BuiltPki, now: datetime
) -> None:
    data = test_pki.export_pkcs12("expired-official", password=PASSWORD)
    with pytest.raises(CertificateRefusedError) as info:
        pki_folder.import_certificate(
            data, role=Role.JUDICIAL_OFFICER, password=PASSWORD, name="lan", now=now
        )
    assert info.value.check.has(Problem.EXPIRED)


def test_passwords(pki_folder: PkiFolder, test_pki: BuiltPki, now: datetime) -> None:
    with pytest.raises(WrongPasswordError, match="--password"):
        pki_folder.import_certificate(stranger_p12(test_pki), role=Role.CHAIRMAN, now=now)
    with pytest.raises(WrongPasswordError, match="Sai mật khẩu"):
        pki_folder.import_certificate(
            stranger_p12(test_pki), role=Role.CHAIRMAN, password="sai", now=now
        )


@pytest.mark.parametrize(
    "data", [b"", b"garbage", b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"]
)
def test_unreadable_files(pki_folder: PkiFolder, now: datetime, data: bytes) -> None:
    with pytest.raises(CertificateParseError):
        pki_folder.import_certificate(data, role=Role.CHAIRMAN, now=now)


def test_a_bundle_of_cas_only(pki_folder: PkiFolder, test_pki: BuiltPki, now: datetime) -> None:
    data = test_pki.certificate("root-ca").public_bytes(Encoding.PEM)
    with pytest.raises(CertificateParseError, match="đúng một chứng thư"):
        pki_folder.import_certificate(data, role=Role.CHAIRMAN, now=now)


def test_invalid_name(pki_folder: PkiFolder, test_pki: BuiltPki, now: datetime) -> None:
    der = test_pki.certificate("vice-chairman").public_bytes(Encoding.DER)
    with pytest.raises(PkiFolderError, match="không hợp lệ"):
        pki_folder.import_certificate(der, role=Role.CHAIRMAN, name="../etc", now=now)
