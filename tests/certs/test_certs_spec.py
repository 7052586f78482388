"""The PKI declaration file and its loader."""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest

from certs import DEV_ARCHITECTURE, TEST_ARCHITECTURE, KeyType, Role, load_spec
from certs.errors import SpecError
from certs.spec import parse_offset


def test_dev_pki_declares_every_role_and_both_key_types() -> None:
    spec = load_spec(architecture=DEV_ARCHITECTURE)
    roles = {e.role for e in spec.entities}
    assert roles == set(Role)
    assert {e.key_type for e in spec.entities} == {KeyType.RSA_2048, KeyType.ECDSA_P256}
    assert spec.trust == ("root-ca",)
    officer = spec.entity("judicial-officer")
    assert dict(officer.subject)["CN"] == "Nguyễn Thị Hương"
    assert dict(officer.subject)["title"] == "Công chức Tư pháp - Hộ tịch"
    assert dict(spec.entity("chairman").subject)["CN"] == "Trần Văn Minh"


def test_entities_come_issuers_first() -> None:
    spec = load_spec(architecture=TEST_ARCHITECTURE)
    seen: set[str] = set()
    for entity in spec.entities:
        assert entity.self_signed or entity.issuer in seen
        seen.add(entity.name)


def test_test_pki_extends_the_dev_pki_with_the_edge_cases() -> None:
    dev = load_spec(architecture=DEV_ARCHITECTURE)
    test = load_spec(architecture=TEST_ARCHITECTURE)
    names = {e.name for e in test.entities}
    assert {e.name for e in dev.entities} < names
    assert test.entity("expired-official").valid_until < timedelta(0)
    assert test.entity("future-official").valid_from > timedelta(0)
    revoked = test.entity("revoked-official").revoked
    assert revoked is not None and revoked.reason.value == "key_compromise"
    assert "non_repudiation" not in test.entity("no-nonrep-official").profile.key_usage
    assert test.entity("stranger-official").issuer == "other-root"
    assert "other-root" not in test.trust


def test_subject_text_is_nfc() -> None:
    for entity in load_spec(architecture=TEST_ARCHITECTURE).entities:
        for _, value in entity.subject:
            assert unicodedata.is_normalized("NFC", value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", timedelta(0)),
        ("-1d", timedelta(days=-1)),
        ("+3y", timedelta(days=3 * 365)),
        ("+12h", timedelta(hours=12)),
    ],
)
def test_offsets(text: str, expected: timedelta) -> None:
    assert parse_offset(text) == expected


ENTITY = """
[profiles.ca]
ca = true
key_usage = ["key_cert_sign", "crl_sign"]
[profiles.leaf]
key_usage = ["digital_signature"]
[architectures.a]
trust = ["root"]
[architectures.a.entities.root]
role = "root_ca"
profile = "ca"
key = "rsa-2048"
issuer = "root"
valid = ["-1d", "+1y"]
subject = { CN = "Root" }
[architectures.a.entities.issuing]
role = "issuing_ca"
profile = "ca"
key = "rsa-2048"
issuer = "root"
valid = ["-1d", "+1y"]
subject = { CN = "Issuing" }
[architectures.a.entities.tsa]
role = "tsa"
profile = "leaf"
key = "ecdsa-p256"
issuer = "issuing"
valid = ["-1d", "+1y"]
subject = { CN = "TSA" }
[architectures.a.entities.ocsp]
role = "ocsp"
profile = "leaf"
key = "ecdsa-p256"
issuer = "issuing"
valid = ["-1d", "+1y"]
subject = { CN = "OCSP" }
"""


def test_a_minimal_valid_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "pki.toml"
    path.write_text(ENTITY, encoding="utf-8")
    spec = load_spec(path, architecture="a")
    assert [e.name for e in spec.entities] == ["root", "issuing", "tsa", "ocsp"]


@pytest.mark.parametrize(
    ("change", "architecture"),
    [
        (
            (
                'valid = ["-1d", "+1y"]\nsubject = { CN = "TSA" }',
                'valid = ["+1y", "-1d"]\nsubject = { CN = "TSA" }',
            ),
            "a",
        ),
        (('key = "ecdsa-p256"', 'key = "dsa-1024"'), "a"),
        (('issuer = "issuing"', 'issuer = "nobody"'), "a"),
        (('issuer = "issuing"', 'issuer = "tsa"'), "a"),
        (('role = "tsa"', 'role = "mayor"'), "a"),
        (('subject = { CN = "TSA" }', 'subject = { CN = "TSA", X = "?" }'), "a"),
        (
            (
                'valid = ["-1d", "+1y"]\nsubject = { CN = "OCSP" }',
                'valid = ["-1 day", "+1y"]\nsubject = { CN = "OCSP" }',
            ),
            "a",
        ),
        (("", ""), "missing-architecture"),
        (('key_usage = ["digital_signature"]', 'key_usage = ["sign_everything"]'), "a"),
        (('role = "ocsp"', 'role = "tsa"'), "a"),
        (("[architectures.a]", '[architectures.a]\nextends = "a"'), "a"),
        (("[profiles.ca]", "[profiles.ca"), "a"),
    ],
)
def test_bad_declarations_are_spec_errors(
    tmp_path: Path, change: tuple[str, str], architecture: str
) -> None:
    old, new = change
    assert old in ENTITY
    path = tmp_path / "pki.toml"
    path.write_text(ENTITY.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(path, architecture=architecture)
    assert info.value.code == "spec_invalid"
    assert str(path) in info.value.message_vi


def test_missing_file_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="Không đọc được"):
        load_spec(tmp_path / "absent.toml")
