"""The certificates API: administrators list, import and revoke; every change is audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, Encoding, pkcs12
from cryptography.x509.oid import NameOID
from fastapi.testclient import TestClient
from sqlalchemy import select

from certs import BuiltPki
from esign import audit
from esign.db.models import AuditEntry, User, UserRole
from esign.workflows.actors import SYSTEM
from esign.workflows.users import create_user

from .conftest import PASSWORD as USER_PASSWORD
from .conftest import Api

PASSWORD = "mật-khẩu-của-cán-bộ"
URL = "/api/v1/certificates"


def _trust_other_root(api: Api, test_pki: BuiltPki) -> None:
    """What an administrator does to trust a government CA: drop its root into trust/."""
    root = test_pki.certificate("other-root").public_bytes(Encoding.PEM)
    (api.service.pki.path / "trust" / "other-root.pem").write_bytes(root)


def _outside_official(test_pki: BuiltPki, cn: str) -> tuple[bytes, x509.Certificate]:
    """A signer's PKCS#12 from another CA (the test PKI's other-root), as a government CA
    would issue it: not in the folder yet."""
    ca = pkcs12.load_pkcs12(test_pki.export_pkcs12("other-root", password="t"), b"t")
    assert ca.key is not None and ca.cert is not None
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    usage = dict.fromkeys(
        ("key_encipherment", "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign"),
        False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "UBND phường Văn An"),
                    x509.NameAttribute(NameOID.COMMON_NAME, cn),
                ]
            )
        )
        .issuer_name(ca.cert.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                encipher_only=False,
                decipher_only=False,
                **usage,
            ),
            critical=True,
        )
        .sign(ca.key, hashes.SHA256())  # type: ignore[arg-type]
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"token", key, cert, [ca.cert.certificate], BestAvailableEncryption(PASSWORD.encode())
    )
    return p12, cert


def _entries(api: Api, action: str) -> list[AuditEntry]:
    with api.service.db.reading() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _import(client: TestClient, data: bytes, **fields: object) -> Any:
    return client.post(
        f"{URL}/import",
        files={"file": ("chung-thu.p12", data, "application/x-pkcs12")},
        data={k: str(v) for k, v in fields.items()},
    )


def test_list_and_show(api: Api) -> None:
    admin = api.login("admin")
    pki = api.service.pki
    r = admin.get(URL)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == len(body["data"]) == len(pki.entries())
    rows = {row["name"]: row for row in body["data"]}
    cert = pki.certificate("judicial-officer")
    officer = rows["judicial-officer"]
    assert officer["serial"] == format(cert.serial_number, "x")
    assert officer["sha256"] == hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest()
    assert officer["subject"] == pki.entry("judicial-officer").subject
    assert officer["role"] == "judicial_officer" and officer["issuer"] == "issuing-ca"
    assert officer["revoked"] is None and officer["imported"] is False
    assert dt.datetime.fromisoformat(officer["not_after"]) == cert.not_valid_after_utc
    revocation = pki.revocation_of("revoked-official")
    assert revocation is not None
    revoked = rows["revoked-official"]["revoked"]
    assert revoked["reason"] == "key_compromise"
    assert dt.datetime.fromisoformat(revoked["at"]) == revocation.revoked_at

    one = admin.get(f"{URL}/judicial-officer").json()
    assert x509.load_pem_x509_certificate(one["certificate_pem"].encode()) == cert
    assert one["chain"][0] == pki.certificate("issuing-ca").subject.rfc4514_string()
    missing = admin.get(f"{URL}/khong-co")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_only_administrators_manage_certificates(api: Api, test_pki: BuiltPki) -> None:
    _trust_other_root(api, test_pki)
    p12, _ = _outside_official(test_pki, "Ngô Thị Thu")
    anonymous = TestClient(api.client.app)
    for client, status in ((api.login("clerk"), 403), (api.login("tuphap"), 403), (anonymous, 401)):
        assert client.get(URL).status_code == status
        assert client.get(f"{URL}/seal").status_code == status
        r = _import(client, p12, role="judicial_officer", password=PASSWORD)
        assert r.status_code == status
        r2 = client.post(f"{URL}/judicial-officer/revoke", json={"reason": "key_compromise"})
        assert r2.status_code == status
        assert r2.json()["error"]["message_vi"]
    assert api.service.pki.revocation_of("judicial-officer") is None
    assert "ngo-thi-thu" not in {e.name for e in api.service.pki.entries()}
    assert _entries(api, "certificate.import") == _entries(api, "certificate.revoke") == []


def test_import_and_bind_to_an_official(api: Api, test_pki: BuiltPki) -> None:
    _trust_other_root(api, test_pki)
    admin = api.login("admin")
    p12, expected = _outside_official(test_pki, "Ngô Thị Thu")
    r = _import(admin, p12, role="judicial_officer", password=PASSWORD, user_id=api.users["tuphap"])
    assert r.status_code == 201, r.text
    cert = r.json()
    assert cert["name"] == "ngo-thi-thu" and cert["imported"] and cert["has_key"]
    assert cert["sha256"] == hashlib.sha256(expected.public_bytes(Encoding.DER)).hexdigest()
    assert api.service.pki.certificate("ngo-thi-thu") == expected
    assert "ngo-thi-thu" in {row["name"] for row in admin.get(URL).json()["data"]}
    # The certificate names Ngô Thị Thu, the user is Nguyễn Thị Hương: held for a second
    # administrator (esign.workflows.binding), then bound.
    with api.service.db.transaction() as s:
        user = s.get(User, api.users["tuphap"])
        assert user is not None and user.certificate_sha256 is None
        assert user.certificate_pending_pem is not None
        second = create_user(
            s,
            SYSTEM,
            username="admin2",
            full_name="Quản trị 2",
            role=UserRole.ADMIN,
            password=USER_PASSWORD,
        )
        second_id = second.id
    api.users["admin2"] = second_id
    confirm = f"/api/v1/users/{api.users['tuphap']}/certificate/confirm"
    assert api.login("admin2").post(confirm).status_code == 200
    with api.service.db.reading() as s:
        user = s.get(User, api.users["tuphap"])
        assert user is not None and user.certificate_sha256 == cert["sha256"]
    (entry,) = _entries(api, "certificate.import")
    assert entry.actor == "admin:admin" and entry.subject == "certificate:ngo-thi-thu"
    assert f'"sha256":"{cert["sha256"]}"' in entry.details
    assert len(_entries(api, "user.certificate")) == 1
    with api.service.db.reading() as s:
        assert all(PASSWORD not in e.details for e in s.scalars(select(AuditEntry)))

    # One certificate, one name: the same one again, or one already in the folder, is refused.
    for again in (p12, test_pki.export_pkcs12("stranger-official", password=PASSWORD)):
        r = _import(admin, again, role="judicial_officer", password=PASSWORD, name="ban-sao")
        assert r.status_code == 409 and r.json()["error"]["code"] == "conflict", r.text
    assert len(_entries(api, "certificate.import")) == 1

    # A token's certificate: the certificate (DER) and its chain (PEM) as two files.
    _, token_cert = _outside_official(test_pki, "Phan Văn Long")
    der = token_cert.public_bytes(Encoding.DER)
    chain = test_pki.certificate("other-root").public_bytes(Encoding.PEM)
    r = admin.post(
        f"{URL}/import",
        files={
            "file": ("token.cer", der, "application/pkix-cert"),
            "chain": ("chain.pem", chain, "application/x-pem-file"),
        },
        data={"role": "chairman", "name": "token-thu"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "token-thu" and r.json()["has_key"] is False
    assert r.json()["role"] == "chairman"
    assert api.service.pki.chain("token-thu") == (test_pki.certificate("other-root"),)


def test_refused_imports_change_nothing(api: Api, test_pki: BuiltPki) -> None:
    admin = api.login("admin")
    p12, _ = _outside_official(test_pki, "Ngô Thị Thu")
    before = {e.name for e in api.service.pki.entries()}

    untrusted = _import(admin, p12, role="judicial_officer", password=PASSWORD)
    assert untrusted.status_code == 422
    error = untrusted.json()["error"]
    assert error["code"] == "untrusted_chain" and error["message_vi"] and error["message_en"]

    _trust_other_root(api, test_pki)
    cases: list[tuple[dict[str, object], int, str]] = [
        (dict(role="judicial_officer", password="sai-mat-khau"), 422, "wrong_password"),
        (dict(role="judicial_officer"), 422, "wrong_password"),  # no password for a PKCS#12
        (dict(role="tsa", password=PASSWORD), 422, "invalid_input"),
        # tuphap is the judicial officer: not the chairman this certificate would be for
        (
            dict(role="chairman", password=PASSWORD, user_id=api.users["tuphap"]),
            422,
            "invalid_input",
        ),
        (dict(role="judicial_officer", password=PASSWORD, user_id=999), 404, "not_found"),
        (dict(role="judicial_officer", password=PASSWORD, name="Tên Có Dấu"), 422, "pki_folder"),
        (dict(role="president", password=PASSWORD), 422, "invalid_request"),
        (dict(role="judicial_officer", surprise="x"), 422, "invalid_request"),
    ]
    for fields, status, code in cases:
        r = _import(admin, p12, **fields)
        assert r.status_code == status, (fields, r.text)
        assert r.json()["error"]["code"] == code, fields

    no_file = admin.post(f"{URL}/import", data={"role": "chairman"}, files={"x": ("a", b"b")})
    assert no_file.status_code == 422
    as_json = admin.post(f"{URL}/import", json={"role": "chairman"})
    assert as_json.status_code == 415
    huge = _import(admin, b"\x30" * 300_000, role="chairman")
    assert huge.status_code == 413
    assert {e.name for e in api.service.pki.entries()} == before
    assert _entries(api, "certificate.import") == []


def test_revoke_publishes_the_crl_and_is_audited(api: Api) -> None:
    admin = api.login("admin")
    pki = api.service.pki
    serial = pki.certificate("judicial-officer").serial_number
    crl_before = x509.load_der_x509_crl(api.client.get("/pki/crl/issuing-ca.crl").content)
    assert crl_before.get_revoked_certificate_by_serial_number(serial) is None
    yesterday = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=7)).date() - dt.timedelta(days=1)

    r = admin.post(
        f"{URL}/judicial-officer/revoke",
        json={"reason": "key_compromise", "revoked_at": yesterday.isoformat()},
    )
    assert r.status_code == 200, r.text
    revoked = r.json()["revoked"]
    assert revoked["reason"] == "key_compromise"
    vn = dt.timezone(dt.timedelta(hours=7))
    assert dt.datetime.fromisoformat(revoked["at"]) == dt.datetime.combine(yesterday, dt.time(), vn)
    crl = x509.load_der_x509_crl(api.client.get("/pki/crl/issuing-ca.crl").content)
    entry = crl.get_revoked_certificate_by_serial_number(serial)
    assert entry is not None
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason is (
        x509.ReasonFlags.key_compromise
    )
    (audited,) = _entries(api, "certificate.revoke")
    assert (
        audited.subject == "certificate:judicial-officer" and '"key_compromise"' in audited.details
    )

    again = admin.post(f"{URL}/judicial-officer/revoke", json={"reason": "superseded"})
    assert again.status_code == 422 and again.json()["error"]["code"] == "already_revoked"
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
    r = admin.post(f"{URL}/chairman/revoke", json={"reason": "superseded", "revoked_at": future})
    assert r.status_code == 422 and r.json()["error"]["code"] == "revocation"
    # Year 1 would overflow on its way to UTC: refused as invalid input, not a crash.
    year_one = {"reason": "superseded", "revoked_at": "0001-01-01"}
    r = admin.post(f"{URL}/chairman/revoke", json=year_one)
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    r = admin.post(f"{URL}/chairman/revoke", json={"reason": "lost it"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
    r = admin.post(f"{URL}/khong-co/revoke", json={"reason": "superseded"})
    assert r.status_code == 404
    assert pki.revocation_of("chairman") is None
    assert len(_entries(api, "certificate.revoke")) == 1


def test_a_database_failure_after_the_folder_changed_is_logged(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_append(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    admin = api.login("admin", raise_server_exceptions=False)
    monkeypatch.setattr(audit, "append", broken_append)
    with caplog.at_level(logging.CRITICAL, logger="esign.certificates"):
        r = admin.post(f"{URL}/vice-chairman/revoke", json={"reason": "superseded"})
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
    # The folder change stands (a published CRL cannot be taken back) and says so loudly.
    assert api.service.pki.revocation_of("vice-chairman") is not None
    (record,) = [rec for rec in caplog.records if rec.levelno == logging.CRITICAL]
    assert "certificate.revoke" in record.getMessage()
    assert "vice-chairman" in record.getMessage()
    assert _entries(api, "certificate.revoke") == []
