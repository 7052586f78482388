"""Building the declared PKI: keys, names, extensions, validity relative to the build time."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from certs import BuiltPki, KeyType, Role

DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")


def _ext(cert: x509.Certificate, kind: type[x509.ExtensionType]) -> x509.Extension:  # type: ignore[type-arg]
    return cert.extensions.get_extension_for_class(kind)


def test_key_types_are_as_declared(test_pki: BuiltPki) -> None:
    for entity in test_pki.spec.entities:
        key = test_pki.certificate(entity.name).public_key()
        if entity.key_type is KeyType.RSA_2048:
            assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 2048
        else:
            assert isinstance(key, ec.EllipticCurvePublicKey)
            assert isinstance(key.curve, ec.SECP256R1)


def test_every_certificate_is_signed_by_its_declared_issuer(test_pki: BuiltPki) -> None:
    for name, issued in test_pki.issued.items():
        issuer = test_pki.certificate(issued.issuer)
        issued.certificate.verify_directly_issued_by(issuer)  # raises if not
        if issued.issuer != name:
            top = test_pki.chain(name)[-1]
            assert top.issuer == top.subject  # chains end at a self-signed root


def test_chain_goes_up_to_the_root(test_pki: BuiltPki) -> None:
    assert test_pki.chain("seal") == (
        test_pki.certificate("issuing-ca"),
        test_pki.certificate("root-ca"),
    )
    assert test_pki.chain("stranger-official") == (test_pki.certificate("other-root"),)


def test_vietnamese_subject_names(test_pki: BuiltPki) -> None:
    officer = test_pki.certificate("judicial-officer").subject
    assert officer.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Nguyễn Thị Hương"
    assert officer.get_attributes_for_oid(NameOID.TITLE)[0].value == "Công chức Tư pháp - Hộ tịch"
    seal = test_pki.certificate("seal").subject
    organization = seal.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value
    assert organization == "UBND phường Chu Văn An"


def test_signer_profile(test_pki: BuiltPki) -> None:
    for name in ("seal", "judicial-officer", "chairman", "vice-chairman"):
        cert = test_pki.certificate(name)
        usage = _ext(cert, x509.KeyUsage)
        assert usage.critical
        assert usage.value.digital_signature and usage.value.content_commitment
        assert not usage.value.key_cert_sign
        assert list(_ext(cert, x509.ExtendedKeyUsage).value) == [DOCUMENT_SIGNING]
        assert _ext(cert, x509.BasicConstraints).value.ca is False
    usage = _ext(test_pki.certificate("no-nonrep-official"), x509.KeyUsage).value
    assert usage.digital_signature and not usage.content_commitment


def test_tsa_has_only_a_critical_timestamping_eku(test_pki: BuiltPki) -> None:
    eku = _ext(test_pki.certificate("tsa"), x509.ExtendedKeyUsage)
    assert eku.critical
    assert list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]


def test_ocsp_responder_has_nocheck_and_ocsp_signing(test_pki: BuiltPki) -> None:
    cert = test_pki.certificate("ocsp")
    assert list(_ext(cert, x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.OCSP_SIGNING]
    assert isinstance(_ext(cert, x509.OCSPNoCheck).value, x509.OCSPNoCheck)
    assert cert.issuer == test_pki.certificate("issuing-ca").subject


def test_cas(test_pki: BuiltPki) -> None:
    root = _ext(test_pki.certificate("root-ca"), x509.BasicConstraints)
    issuing = _ext(test_pki.certificate("issuing-ca"), x509.BasicConstraints)
    assert root.critical and root.value.ca and root.value.path_length is None
    assert issuing.value.ca and issuing.value.path_length == 0
    assert _ext(test_pki.certificate("issuing-ca"), x509.KeyUsage).value.crl_sign


def test_validity_is_relative_to_the_build_time(test_pki: BuiltPki, now: datetime) -> None:
    assert test_pki.built_at == now
    seal = test_pki.certificate("seal")
    assert seal.not_valid_before_utc == now - timedelta(days=1)
    assert seal.not_valid_after_utc == now + timedelta(days=3 * 365)
    assert test_pki.certificate("expired-official").not_valid_after_utc < now
    assert test_pki.certificate("future-official").not_valid_before_utc > now


def test_revocation_and_distribution_urls(test_pki: BuiltPki, now: datetime) -> None:
    (revocation,) = test_pki.revocations
    assert revocation.name == "revoked-official"
    assert revocation.serial_number == test_pki.certificate("revoked-official").serial_number
    assert revocation.revoked_at == now - timedelta(days=2)
    points = _ext(test_pki.certificate("seal"), x509.CRLDistributionPoints).value
    urls = [n.value for p in points for n in (p.full_name or [])]
    assert urls == [f"{test_pki.spec.base_url}/crl/issuing-ca.crl"]
    access = _ext(test_pki.certificate("seal"), x509.AuthorityInformationAccess).value
    assert f"{test_pki.spec.base_url}/ocsp" in [a.access_location.value for a in access]


def test_roles_find_officials(test_pki: BuiltPki) -> None:
    assert test_pki.names_for(Role.SEAL) == ("seal",)
    assert set(test_pki.names_for(Role.JUDICIAL_OFFICER)) == {
        "judicial-officer", "expired-official", "revoked-official", "stranger-official",
    }  # fmt: skip


def test_unknown_name(test_pki: BuiltPki) -> None:
    from certs.errors import UnknownEntityError

    with pytest.raises(UnknownEntityError):
        test_pki.certificate("mayor")
