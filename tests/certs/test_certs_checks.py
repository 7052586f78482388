"""check_signing_certificate, for each identity of the test PKI."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from certs import (
    BuiltPki,
    CertStatus,
    CrlRevocationChecker,
    PkiFolder,
    Problem,
    RevocationRegister,
    TrustStore,
    check_signing_certificate,
)
from certs.errors import CertificateParseError, CertificateRefusedError

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def register_of(pki: BuiltPki) -> RevocationRegister:
    cas = [n for n in pki.issued if pki.spec.entity(n).profile.ca]
    return RevocationRegister(
        authorities={n: pki.certificate(n) for n in cas},
        issued={
            ca: frozenset(
                e.certificate.serial_number
                for e in pki.issued.values()
                if e.issuer == ca and e.name != ca
            )
            for ca in cas
        },
        revocations=pki.revocations,
    )


def check(pki: BuiltPki, name: str, at: datetime, **options: object):  # type: ignore[no-untyped-def]
    kwargs: dict[str, object] = {
        "trust": pki.trust_store(),
        "at": at,
        "revocation": register_of(pki),
        "intermediates": pki.chain(name),
    }
    kwargs.update(options)
    return check_signing_certificate(pki.certificate(name), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["seal", "judicial-officer", "chairman", "vice-chairman"])
def test_good_signers_are_accepted(test_pki: BuiltPki, now: datetime, name: str) -> None:
    result = check(test_pki, name, now)
    assert result.accepted, result.problems
    assert result.path == (test_pki.certificate(name), *test_pki.chain(name))
    assert result.revocation is not None and result.revocation.status is CertStatus.GOOD
    result.raise_if_refused()  # no exception


@pytest.mark.parametrize(
    ("name", "problem", "words"),
    [
        ("expired-official", Problem.EXPIRED, "đã hết hạn"),
        ("future-official", Problem.NOT_YET_VALID, "chưa có hiệu lực"),
        ("revoked-official", Problem.REVOKED, "đã bị thu hồi"),
        ("no-nonrep-official", Problem.NO_NON_REPUDIATION, "nonRepudiation"),
        ("stranger-official", Problem.UNTRUSTED, "không do CA được tin cậy cấp"),
    ],
)
def test_each_edge_case_is_refused_for_its_reason(
    test_pki: BuiltPki, now: datetime, name: str, problem: Problem, words: str
) -> None:
    result = check(test_pki, name, now)
    assert not result.accepted
    assert [f.problem for f in result.problems] == [problem]
    assert words in result.problems[0].message_vi
    assert result.problems[0].message_en
    with pytest.raises(CertificateRefusedError) as info:
        result.raise_if_refused()
    assert info.value.check is result
    assert words in info.value.message_vi


def test_revocation_reason_and_date_are_told(test_pki: BuiltPki, now: datetime) -> None:
    result = check(test_pki, "revoked-official", now)
    day = (now - timedelta(days=2)).astimezone(VIETNAM_TZ).strftime("%d/%m/%Y")
    assert f"ngày {day}" in result.problems[0].message_vi
    assert "lộ khóa bí mật" in result.problems[0].message_vi


def test_a_ca_certificate_may_not_sign_documents(test_pki: BuiltPki, now: datetime) -> None:
    result = check(test_pki, "issuing-ca", now)
    assert {f.problem for f in result.problems} == {
        Problem.NO_DIGITAL_SIGNATURE,
        Problem.NO_NON_REPUDIATION,
        Problem.CA_CERTIFICATE,
    }


def test_a_root_in_the_file_is_not_trusted(test_pki: BuiltPki, now: datetime) -> None:
    # The stranger's root comes along as an "intermediate": trust still says no.
    result = check(
        test_pki, "stranger-official", now, intermediates=(test_pki.certificate("other-root"),)
    )
    assert result.has(Problem.UNTRUSTED) and result.path == ()
    trusting = TrustStore((test_pki.certificate("other-root"),))
    result = check(test_pki, "stranger-official", now, trust=trusting, revocation=None)
    assert result.accepted


def test_without_intermediates_there_is_no_path(test_pki: BuiltPki, now: datetime) -> None:
    assert check(test_pki, "seal", now, intermediates=()).has(Problem.UNTRUSTED)


def test_without_revocation_checking_revoked_is_not_seen(test_pki: BuiltPki, now: datetime) -> None:
    result = check(test_pki, "revoked-official", now, revocation=None)
    assert result.accepted and result.revocation is None


def test_unknown_revocation_status_refuses(test_pki: BuiltPki, now: datetime) -> None:
    empty = RevocationRegister(authorities={}, issued={})
    result = check(test_pki, "seal", now, revocation=empty)
    assert [f.problem for f in result.problems] == [Problem.REVOCATION_UNKNOWN]


def test_crl_checker(shared_folder: PkiFolder, test_pki: BuiltPki, now: datetime) -> None:
    crls = CrlRevocationChecker([shared_folder.crl("issuing-ca"), shared_folder.crl("root-ca")])
    assert check(test_pki, "seal", now, revocation=crls).accepted
    revoked = check(test_pki, "revoked-official", now, revocation=crls)
    assert [f.problem for f in revoked.problems] == [Problem.REVOKED]
    assert revoked.revocation is not None and revoked.revocation.source == "crl"
    # A CRL of another CA says nothing about the seal.
    only_root = CrlRevocationChecker([shared_folder.crl("root-ca")])
    assert check(test_pki, "seal", now, revocation=only_root).has(Problem.REVOCATION_UNKNOWN)
    # A CRL too old for the moment asked about says nothing either.
    late = now + timedelta(days=30)
    assert check(test_pki, "seal", late, revocation=crls).has(Problem.REVOCATION_UNKNOWN)


def test_crl_checker_rejects_garbage() -> None:
    with pytest.raises(CertificateParseError):
        CrlRevocationChecker([b"not a CRL"])


def test_register_knows_the_revocation_date(test_pki: BuiltPki, now: datetime) -> None:
    register = register_of(test_pki)
    serial = test_pki.certificate("revoked-official").serial_number
    assert register.lookup("issuing-ca", serial, at=now).status is CertStatus.REVOKED
    before = now - timedelta(days=3)
    assert register.lookup("issuing-ca", serial, at=before).status is CertStatus.GOOD
    assert register.lookup("issuing-ca", 12345, at=now).status is CertStatus.UNKNOWN


def test_folder_check_uses_its_trust_and_register(shared_folder: PkiFolder, now: datetime) -> None:
    assert shared_folder.check("seal", at=now).accepted
    assert shared_folder.check("revoked-official", at=now).has(Problem.REVOKED)
