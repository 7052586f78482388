"""CRL and OCSP: what the ward publishes, read back by cryptography and by pyHanko's validator."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from asn1crypto import ocsp as asn1_ocsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathValidationError, RevokedError

from certs import PkiFolder, Problem, RevocationReason
from certs.algorithms import to_asn1
from certs.errors import (
    AlreadyRevokedError,
    MalformedRequestError,
    RevocationError,
    UnknownEntityError,
)
from tests.utils.certs_helpers import NONCE, ocsp_request


def validate(
    folder: PkiFolder,
    name: str,
    now: datetime,
    *,
    crls: list[bytes],
    ocsps: list[bytes] = [],  # noqa: B006
) -> None:
    """pyHanko's validator, revocation information required for every certificate."""
    context = ValidationContext(
        trust_roots=list(folder.trust_store().asn1_roots),
        other_certs=[to_asn1(c) for c in folder.chain(name)],
        moment=now,
        crls=crls,
        ocsps=ocsps,
        revocation_mode="require",
    )
    validator = CertificateValidator(to_asn1(folder.certificate(name)), validation_context=context)
    asyncio.run(validator.async_validate_usage({"non_repudiation"}))


# ---------------------------------------------------------------- CRL


def test_crl_content(shared_folder: PkiFolder, now: datetime) -> None:
    crl = x509.load_der_x509_crl(shared_folder.crl())
    issuing = shared_folder.certificate("issuing-ca")
    assert crl.issuer == issuing.subject
    assert crl.is_signature_valid(issuing.public_key())  # type: ignore[arg-type]
    assert crl.last_update_utc == now and crl.next_update_utc == now + timedelta(days=7)
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 1
    (entry,) = list(crl)
    assert entry.serial_number == shared_folder.certificate("revoked-official").serial_number
    assert entry.revocation_date_utc == now - timedelta(days=2)
    reason = entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    assert reason is x509.ReasonFlags.key_compromise
    root_crl = x509.load_der_x509_crl(shared_folder.crl("root-ca"))
    assert list(root_crl) == []


def test_pyhanko_accepts_the_crls(shared_folder: PkiFolder, now: datetime) -> None:
    crls = [shared_folder.crl("issuing-ca"), shared_folder.crl("root-ca")]
    validate(shared_folder, "seal", now, crls=crls)
    with pytest.raises(RevokedError, match="CRL indicates the end-entity certificate was revoked"):
        validate(shared_folder, "revoked-official", now, crls=crls)
    # Control: without the issuing CA's CRL the same validation fails, so the CRL was used.
    with pytest.raises(PathValidationError):
        validate(shared_folder, "seal", now, crls=crls[1:])


# ---------------------------------------------------------------- OCSP


def test_ocsp_good_revoked_unknown(shared_folder: PkiFolder, now: datetime) -> None:
    good = ocsp.load_der_ocsp_response(
        shared_folder.answer_ocsp(ocsp_request(shared_folder, "seal"), now=now)
    )
    assert good.response_status is ocsp.OCSPResponseStatus.SUCCESSFUL
    assert good.certificate_status is ocsp.OCSPCertStatus.GOOD
    assert good.serial_number == shared_folder.certificate("seal").serial_number
    assert good.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == NONCE
    responder = shared_folder.certificate("ocsp")
    assert good.certificates == [responder]
    assert good.this_update_utc == now and good.next_update_utc == now + timedelta(days=1)
    key = responder.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    key.verify(good.signature, good.tbs_response_bytes, ec.ECDSA(hashes.SHA256()))

    revoked = ocsp.load_der_ocsp_response(
        shared_folder.answer_ocsp(ocsp_request(shared_folder, "revoked-official"), now=now)
    )
    assert revoked.certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert revoked.revocation_time_utc == now - timedelta(days=2)
    assert revoked.revocation_reason is x509.ReasonFlags.key_compromise

    # A serial the issuing CA never issued: same issuer hashes, unknown serial.
    request = asn1_ocsp.OCSPRequest.load(ocsp_request(shared_folder, "seal"))
    request["tbs_request"]["request_list"][0]["req_cert"]["serial_number"] = 4242
    unknown = ocsp.load_der_ocsp_response(shared_folder.answer_ocsp(request.dump(), now=now))
    assert unknown.certificate_status is ocsp.OCSPCertStatus.UNKNOWN


def test_ocsp_with_sha256_cert_id(shared_folder: PkiFolder, now: datetime) -> None:
    request = ocsp_request(shared_folder, "chairman", algorithm=hashes.SHA256())
    response = ocsp.load_der_ocsp_response(shared_folder.answer_ocsp(request, now=now))
    assert response.certificate_status is ocsp.OCSPCertStatus.GOOD
    assert isinstance(response.hash_algorithm, hashes.SHA256)


def test_ocsp_for_another_ca_is_unauthorized(shared_folder: PkiFolder, now: datetime) -> None:
    # The stranger's issuer is not the ward's issuing CA.
    response = ocsp.load_der_ocsp_response(
        shared_folder.answer_ocsp(ocsp_request(shared_folder, "stranger-official"), now=now)
    )
    assert response.response_status is ocsp.OCSPResponseStatus.UNAUTHORIZED


@pytest.mark.parametrize(
    "request_bytes",
    [b"", b"GET / HTTP/1.1", b"\x30\x03\x02\x01\x01", b"\x30\x82\xff\xff"],
)
def test_ocsp_garbage_is_a_clear_error(
    shared_folder: PkiFolder, now: datetime, request_bytes: bytes
) -> None:
    with pytest.raises(MalformedRequestError) as info:
        shared_folder.answer_ocsp(request_bytes, now=now)
    assert info.value.code == "malformed_request"


def test_pyhanko_accepts_the_ocsp_responses(shared_folder: PkiFolder, now: datetime) -> None:
    root_crl = [shared_folder.crl("root-ca")]  # for the issuing CA itself
    good = shared_folder.answer_ocsp(ocsp_request(shared_folder, "seal"), now=now)
    validate(shared_folder, "seal", now, crls=root_crl, ocsps=[good])
    revoked = shared_folder.answer_ocsp(ocsp_request(shared_folder, "revoked-official"), now=now)
    with pytest.raises(RevokedError, match="OCSP response indicates the end-entity certificate"):
        validate(shared_folder, "revoked-official", now, crls=root_crl, ocsps=[revoked])
    # Control: the seal's OCSP response is what made the difference.
    with pytest.raises(PathValidationError):
        validate(shared_folder, "seal", now, crls=root_crl)


# ---------------------------------------------------------------- revoking


def test_revoke_publishes_a_new_crl_and_ocsp_follows(pki_folder: PkiFolder, now: datetime) -> None:
    later = now + timedelta(hours=1)
    revocation = pki_folder.revoke(
        "vice-chairman", reason=RevocationReason.AFFILIATION_CHANGED, at=now, now=later
    )
    assert revocation.serial_number == pki_folder.certificate("vice-chairman").serial_number
    crl = x509.load_der_x509_crl(pki_folder.crl())
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 2
    assert crl.get_revoked_certificate_by_serial_number(revocation.serial_number) is not None
    assert len(list(crl)) == 2  # the one revoked at build time stays
    response = ocsp.load_der_ocsp_response(
        pki_folder.answer_ocsp(ocsp_request(pki_folder, "vice-chairman"), now=later)
    )
    assert response.certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert response.revocation_reason is x509.ReasonFlags.affiliation_changed
    assert pki_folder.check("vice-chairman", at=later).has(Problem.REVOKED)
    crls = [pki_folder.crl(), pki_folder.crl("root-ca")]
    with pytest.raises(RevokedError):
        validate(pki_folder, "vice-chairman", later, crls=crls)
    # Persisted: a new PkiFolder on the same path sees it.
    reopened = type(pki_folder)(pki_folder.path)
    assert reopened.revocation_of("vice-chairman") == revocation


def test_revoking_twice_or_a_root_or_in_the_future(pki_folder: PkiFolder, now: datetime) -> None:
    with pytest.raises(AlreadyRevokedError):
        pki_folder.revoke("revoked-official", reason=RevocationReason.SUPERSEDED, at=now)
    with pytest.raises(RevocationError, match="CA gốc"):
        pki_folder.revoke("root-ca", reason=RevocationReason.CA_COMPROMISE, at=now)
    with pytest.raises(RevocationError, match="tương lai"):
        pki_folder.revoke(
            "seal", reason=RevocationReason.SUPERSEDED, at=now + timedelta(days=2), now=now
        )
    with pytest.raises(UnknownEntityError):
        pki_folder.revoke("mayor", reason=RevocationReason.SUPERSEDED, at=now)


def test_revoking_the_issuing_ca_goes_into_the_root_crl(
    pki_folder: PkiFolder, now: datetime
) -> None:
    pki_folder.revoke("issuing-ca", reason=RevocationReason.CA_COMPROMISE, at=now, now=now)
    root_crl = x509.load_der_x509_crl(pki_folder.crl("root-ca"))
    serial = pki_folder.certificate("issuing-ca").serial_number
    assert root_crl.get_revoked_certificate_by_serial_number(serial) is not None
    result = pki_folder.check("seal", at=now)
    assert [f.problem.value for f in result.problems] == ["issuer_invalid"]
