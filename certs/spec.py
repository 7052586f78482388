"""The PKI declaration: typed identifiers and the loader of ``data/pki.toml``.

The development PKI and the test PKI are data, not code: ``esign certs init`` and the tests
both go through :func:`load_spec`, so an edge case is added by declaring an entity.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from .errors import SpecError

DEFAULT_SPEC_PATH = Path(__file__).parent / "data" / "pki.toml"
DEV_ARCHITECTURE = "ward"
TEST_ARCHITECTURE = "ward-test"


class Role(StrEnum):
    """What an entity is for; esign matches officials to signature fields by role."""

    ROOT_CA = "root_ca"
    ISSUING_CA = "issuing_ca"
    SEAL = "seal"
    JUDICIAL_OFFICER = "judicial_officer"
    CHAIRMAN = "chairman"
    VICE_CHAIRMAN = "vice_chairman"
    TSA = "tsa"
    OCSP = "ocsp"

    @property
    def label_vi(self) -> str:
        return _ROLE_LABELS[self]

    @property
    def signs_documents(self) -> bool:
        return self in _DOCUMENT_SIGNERS


_ROLE_LABELS = {
    Role.ROOT_CA: "CA gốc",
    Role.ISSUING_CA: "CA cấp phát",
    Role.SEAL: "Con dấu UBND phường",
    Role.JUDICIAL_OFFICER: "Công chức Tư pháp - Hộ tịch",
    Role.CHAIRMAN: "Chủ tịch UBND phường",
    Role.VICE_CHAIRMAN: "Phó Chủ tịch UBND phường",
    Role.TSA: "Dịch vụ dấu thời gian",
    Role.OCSP: "Máy chủ OCSP",
}
_DOCUMENT_SIGNERS = frozenset({Role.SEAL, Role.JUDICIAL_OFFICER, Role.CHAIRMAN, Role.VICE_CHAIRMAN})


class KeyType(StrEnum):
    RSA_2048 = "rsa-2048"
    ECDSA_P256 = "ecdsa-p256"


class RevocationReason(StrEnum):
    """RFC 5280 CRLReason, named as asn1crypto names them."""

    UNSPECIFIED = "unspecified"
    KEY_COMPROMISE = "key_compromise"
    CA_COMPROMISE = "ca_compromise"
    AFFILIATION_CHANGED = "affiliation_changed"
    SUPERSEDED = "superseded"
    CESSATION_OF_OPERATION = "cessation_of_operation"
    CERTIFICATE_HOLD = "certificate_hold"
    PRIVILEGE_WITHDRAWN = "privilege_withdrawn"

    @property
    def label_vi(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    RevocationReason.UNSPECIFIED: "không nêu lý do",
    RevocationReason.KEY_COMPROMISE: "lộ khóa bí mật",
    RevocationReason.CA_COMPROMISE: "CA bị lộ khóa",
    RevocationReason.AFFILIATION_CHANGED: "thay đổi đơn vị công tác",
    RevocationReason.SUPERSEDED: "đã được thay thế",
    RevocationReason.CESSATION_OF_OPERATION: "thôi giữ chức vụ / ngừng hoạt động",
    RevocationReason.CERTIFICATE_HOLD: "tạm dừng",
    RevocationReason.PRIVILEGE_WITHDRAWN: "bị thu hồi quyền",
}

KEY_USAGES = frozenset(
    {
        "digital_signature",
        "non_repudiation",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
    }
)
EXTENDED_KEY_USAGES = {
    "document_signing": "1.3.6.1.5.5.7.3.36",
    "time_stamping": "1.3.6.1.5.5.7.3.8",
    "ocsp_signing": "1.3.6.1.5.5.7.3.9",
    "email_protection": "1.3.6.1.5.5.7.3.4",
    "client_auth": "1.3.6.1.5.5.7.3.2",
}
SUBJECT_ATTRIBUTES = ("C", "ST", "L", "O", "OU", "title", "CN", "UID", "serialNumber")


@dataclass(frozen=True)
class Profile:
    key_usage: frozenset[str]
    extended_key_usage: tuple[str, ...] = ()
    extended_key_usage_critical: bool = False
    ca: bool = False
    path_length: int | None = None
    ocsp_nocheck: bool = False


@dataclass(frozen=True)
class RevocationSpec:
    at: timedelta
    reason: RevocationReason


@dataclass(frozen=True)
class EntitySpec:
    name: str
    role: Role
    key_type: KeyType
    issuer: str
    subject: tuple[tuple[str, str], ...]
    valid_from: timedelta
    valid_until: timedelta
    profile: Profile
    revoked: RevocationSpec | None = None

    @property
    def self_signed(self) -> bool:
        return self.issuer == self.name


@dataclass(frozen=True)
class ArchitectureSpec:
    name: str
    description: str
    base_url: str
    trust: tuple[str, ...]
    tsa_policy: str
    entities: tuple[EntitySpec, ...]
    """Issuers come before what they issue."""

    def entity(self, name: str) -> EntitySpec:
        for entity in self.entities:
            if entity.name == name:
                return entity
        raise SpecError(f"Không có thực thể '{name}'", f"no entity '{name}'")


def load_spec(
    path: Path | None = None, *, architecture: str = DEV_ARCHITECTURE
) -> ArchitectureSpec:
    """Read one architecture of a PKI declaration file (``data/pki.toml`` by default)."""
    path = path or DEFAULT_SPEC_PATH
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SpecError(
            f"Không đọc được tệp khai báo PKI {path}: {exc}",
            f"cannot read the PKI declaration {path}: {exc}",
        ) from exc
    try:
        return _Loader(document).architecture(architecture)
    except (KeyError, TypeError, ValueError) as exc:
        raise SpecError(
            f"Tệp khai báo PKI {path} sai ({architecture}): {exc}",
            f"invalid PKI declaration {path} ({architecture}): {exc}",
        ) from exc


_OFFSET = re.compile(r"^([+-])(\d+)([ydh])$")
_UNITS = {"y": timedelta(days=365), "d": timedelta(days=1), "h": timedelta(hours=1)}


def parse_offset(text: str) -> timedelta:
    """``"-1d"``, ``"+3y"``, ``"+12h"`` or ``"0"`` → a signed timedelta."""
    if text == "0":
        return timedelta(0)
    match = _OFFSET.match(text)
    if match is None:
        raise ValueError(f"bad time offset {text!r} (expected e.g. '-1d', '+3y', '+12h')")
    sign = -1 if match[1] == "-" else 1
    return sign * int(match[2]) * _UNITS[match[3]]


class _Loader:
    def __init__(self, document: Mapping[str, Any]) -> None:
        self.profiles = {
            name: _profile(name, table) for name, table in document.get("profiles", {}).items()
        }
        self.architectures: Mapping[str, Any] = document["architectures"]

    def architecture(self, name: str, _seen: tuple[str, ...] = ()) -> ArchitectureSpec:
        if name in _seen:
            raise ValueError(f"'extends' loops through {name!r}")
        if name not in self.architectures:
            raise KeyError(f"no architecture {name!r}")
        table = self.architectures[name]
        parent = self.architecture(table["extends"], (*_seen, name)) if "extends" in table else None
        entities = {e.name: e for e in parent.entities} if parent else {}
        for entity_name, entity_table in table.get("entities", {}).items():
            entities[entity_name] = self.entity(entity_name, entity_table)
        spec = ArchitectureSpec(
            name=name,
            description=str(table.get("description", parent.description if parent else "")),
            base_url=str(table.get("base_url", parent.base_url if parent else "")).rstrip("/"),
            trust=tuple(table.get("trust", parent.trust if parent else ())),
            tsa_policy=str(table.get("tsa_policy", parent.tsa_policy if parent else "")),
            entities=_issuers_first(entities),
        )
        _validate(spec)
        return spec

    def entity(self, name: str, table: Mapping[str, Any]) -> EntitySpec:
        unknown = set(table) - {
            "role", "profile", "key", "issuer", "valid", "subject", "revoked", "key_usage",
        }  # fmt: skip
        if unknown:
            raise ValueError(f"entity {name!r}: unknown keys {sorted(unknown)}")
        profile = self.profiles[table["profile"]]
        if "key_usage" in table:
            profile = Profile(
                key_usage=_key_usages(table["key_usage"]),
                extended_key_usage=profile.extended_key_usage,
                extended_key_usage_critical=profile.extended_key_usage_critical,
                ca=profile.ca,
                path_length=profile.path_length,
                ocsp_nocheck=profile.ocsp_nocheck,
            )
        valid_from, valid_until = (parse_offset(v) for v in table["valid"])
        if valid_from >= valid_until:
            raise ValueError(f"entity {name!r}: validity ends before it starts")
        revoked = None
        if "revoked" in table:
            revoked = RevocationSpec(
                at=parse_offset(table["revoked"]["at"]),
                reason=RevocationReason(table["revoked"]["reason"]),
            )
        subject = tuple(
            (attribute, unicodedata.normalize("NFC", str(value)))
            for attribute, value in table["subject"].items()
        )
        for attribute, _ in subject:
            if attribute not in SUBJECT_ATTRIBUTES:
                raise ValueError(f"entity {name!r}: unknown subject attribute {attribute!r}")
        return EntitySpec(
            name=name,
            role=Role(table["role"]),
            key_type=KeyType(table["key"]),
            issuer=str(table["issuer"]),
            subject=subject,
            valid_from=valid_from,
            valid_until=valid_until,
            profile=profile,
            revoked=revoked,
        )


def _profile(name: str, table: Mapping[str, Any]) -> Profile:
    ekus = tuple(str(e) for e in table.get("extended_key_usage", ()))
    for eku in ekus:
        if eku not in EXTENDED_KEY_USAGES:
            raise ValueError(f"profile {name!r}: unsupported extended key usage {eku!r}")
    return Profile(
        key_usage=_key_usages(table["key_usage"]),
        extended_key_usage=ekus,
        extended_key_usage_critical=bool(table.get("extended_key_usage_critical", False)),
        ca=bool(table.get("ca", False)),
        path_length=table.get("path_length"),
        ocsp_nocheck=bool(table.get("ocsp_nocheck", False)),
    )


def _key_usages(values: Any) -> frozenset[str]:
    usages = frozenset(str(v) for v in values)
    if not usages <= KEY_USAGES:
        raise ValueError(f"unsupported key usage {sorted(usages - KEY_USAGES)}")
    return usages


def _issuers_first(entities: Mapping[str, EntitySpec]) -> tuple[EntitySpec, ...]:
    ordered: list[EntitySpec] = []
    placed: set[str] = set()
    pending = list(entities.values())
    while pending:
        ready = [e for e in pending if e.self_signed or e.issuer in placed]
        if not ready:
            names = sorted(e.name for e in pending)
            raise ValueError(f"issuers missing or circular for {names}")
        for entity in ready:
            ordered.append(entity)
            placed.add(entity.name)
            pending.remove(entity)
    return tuple(ordered)


def _validate(spec: ArchitectureSpec) -> None:
    by_name = {e.name: e for e in spec.entities}
    for entity in spec.entities:
        if not by_name[entity.issuer].profile.ca:
            raise ValueError(f"{entity.name!r} is issued by {entity.issuer!r}, not a CA")
        if entity.revoked is not None and entity.self_signed:
            raise ValueError(f"{entity.name!r}: a root cannot be revoked by a CRL")
    for name in spec.trust:
        if name not in by_name or not by_name[name].self_signed:
            raise ValueError(f"trust root {name!r} is not a self-signed entity")
    for role in (Role.ISSUING_CA, Role.TSA, Role.OCSP):
        if sum(e.role is role for e in spec.entities) != 1:
            raise ValueError(f"exactly one entity must have the role {role.value!r}")
