"""A document's snapshot: everything it states and everything needed to check it later, stored
once at issue and never changed (a database trigger refuses to).

Receipts, result documents and certified copies each store one :class:`DocumentSnapshot`: the
unit as it was that day (:class:`UnitProfile`), the legal scheme it was issued under, its lines
and total, the people it names (each with a role), its seal and the facts the seal covers, and
its signature fields. What is shown or checked about an issued document later (``/v``, the
upload check, the API) is built from the snapshot plus the document's current status, never
from today's settings or another table; :func:`seal_claims` is the one function that turns a
snapshot into the seal's facts, at issue and at every check.

Stored as canonical JSON (:meth:`DocumentSnapshot.to_json`): keys sorted, no spaces, NFC text,
ints for money, times in UTC ISO 8601; ``from_json(to_json(s)) == s``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from receipts.calendar import VIETNAM_TZ
from receipts.fees import FeeLine, total_of
from receipts.scheme import number_text

from ..config import Settings
from ..seal import DocumentKind, SealClaims, mask_name
from ..units import unit_on

SNAPSHOT_VERSION = 1


class PersonRole(enum.StrEnum):
    PAYER = "payer"
    CLERK = "clerk"
    SUBJECT = "subject"
    """Whom a result is about: the person confirmed, the child registered."""
    APPLICANT = "applicant"
    """Who filed the dossier (for a birth extract often a parent)."""
    REQUESTER = "requester"
    MOTHER = "mother"
    FATHER = "father"


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


@dataclass(frozen=True, kw_only=True)
class UnitProfile:
    """The issuing unit as a document names it: for receipts the collecting unit (name, tax
    code, address), for results the header lines and the place of the date line."""

    name: str
    address: str
    tax_code: str
    parent: str
    header_lines: tuple[str, ...]
    place: str
    code: str | None = None
    """The administrative unit code (10579 Văn An, 10549 Chu Văn An); None in snapshots
    written before the unit was dated."""
    signing_location: str | None = None


# Fields added after snapshots were first stored: left out of the JSON when None, so an older
# snapshot reads back to exactly the text it was stored as.
_OPTIONAL_KEYS = {"unit": ("code", "signing_location"), "seal": ("xml_sha256",)}


def unit_profile(settings: Settings, *, on: dt.date) -> UnitProfile:
    """The unit's identity in force on ``on`` (``esign/data/units.toml``, today's with the
    settings' overrides): the one place a document takes it from. ``on`` is the document's
    issue day in Vietnam."""
    unit = unit_on(settings, on=on)
    return UnitProfile(
        name=unit.name,
        address=unit.address,
        tax_code=unit.tax_code,
        parent=unit.parent,
        header_lines=unit.header_lines,
        place=unit.place,
        code=unit.code,
        signing_location=unit.signing_location,
    )


@dataclass(frozen=True, kw_only=True)
class Scheme:
    """The legal scheme a document was issued under and its identity in that scheme."""

    label: str
    """``receipt/nd123-2020``, ``receipt/nd254-2026``, ``result/<template>``."""
    number: int | str
    """Receipts: the integer number (printed on 7 digits); results: the document number."""
    template_symbol: str | None = None
    series: str | None = None

    @property
    def number_label(self) -> str:
        if isinstance(self.number, int):
            return number_text(self.template_symbol or "", self.number)
        return self.number

    @property
    def full_label(self) -> str:
        if self.template_symbol and self.series:
            return f"{self.template_symbol} · {self.series} · {self.number_label}"
        return self.number_label


def receipt_scheme(template_symbol: str) -> str:
    """NĐ 254/2026 symbols start with ``EBL`` (TT 91/2026 Phụ lục II.2.a); the others are the
    vendor practice of NĐ 123/2020 (LAW.md)."""
    return "receipt/nd254-2026" if template_symbol.startswith("EBL") else "receipt/nd123-2020"


@dataclass(frozen=True, kw_only=True)
class NamedPerson:
    role: PersonRole
    name: str
    address: str | None = None

    @property
    def masked(self) -> str:
        return mask_name(self.name)


@dataclass(frozen=True, kw_only=True)
class SealFacts:
    """The seal and what it covers beyond the rest of the snapshot."""

    pdf_sha256: str
    """Hex SHA-256 of the unsigned PDF as laid out (see ``workflows.documents``)."""
    person_role: PersonRole
    """Whose masked name the seal states: the payer of a receipt, the subject of a result."""
    text: str | None = None
    """The seal itself (the digits after ``#``); None only while the document is being made."""
    xml_sha256: str | None = None
    """Hex SHA-256 of the signed XML original (receipts under NĐ 254/2026, TT 91 Điều 18)."""


@dataclass(frozen=True, kw_only=True)
class SignatureField:
    field_name: str
    role: str
    title: str
    name: str
    page: int
    rect: tuple[float, float, float, float]


@dataclass(frozen=True, kw_only=True)
class Reference:
    """The document this one replaces or adjusts, as printed on it."""

    kind: str
    """``replaces`` or ``adjusts`` (``receipts.pdf.ReferenceKind``)."""
    template_symbol: str
    series: str
    number: int
    issued_on: dt.date
    reason: str
    """As printed: the public reason (a label of the fixed list), never the clerk's free text."""

    @property
    def label(self) -> str:
        return (
            f"{self.template_symbol} · {self.series} · "
            f"{number_text(self.template_symbol, self.number)}"
        )


@dataclass(frozen=True, kw_only=True)
class DocumentSnapshot:
    kind: DocumentKind
    template: str
    """``receipt`` or a result template (``marital_status``, ``birth_extract``, …)."""
    title: str
    unit: UnitProfile
    scheme: Scheme
    issued_at: dt.datetime
    people: tuple[NamedPerson, ...]
    seal: SealFacts
    signatures: tuple[SignatureField, ...] = ()
    lines: tuple[FeeLine, ...] = ()
    payment_method: str | None = None
    reference: Reference | None = None
    dossier_code: str | None = None
    procedure_code: str | None = None
    version: int = SNAPSHOT_VERSION

    @property
    def total(self) -> int | None:
        """Receipts: the sum of the lines (``receipts.fees.total_of``); results: None."""
        return total_of(self.lines) if self.kind is DocumentKind.RECEIPT else None

    @property
    def issued_on(self) -> dt.date:
        return self.issued_at.astimezone(VIETNAM_TZ).date()

    def person(self, role: PersonRole) -> NamedPerson | None:
        return next((p for p in self.people if p.role is role), None)

    @property
    def sealed_person(self) -> NamedPerson:
        person = self.person(self.seal.person_role)
        if person is None:
            raise ValueError(f"the snapshot names no {self.seal.person_role.value}")
        return person

    def sealed(self, text: str) -> DocumentSnapshot:
        return dataclasses.replace(self, seal=dataclasses.replace(self.seal, text=text))

    # -- canonical JSON
    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "kind": "receipt" if self.kind is DocumentKind.RECEIPT else "result",
            "template": self.template,
            "title": self.title,
            "unit": _compact("unit", _plain(self.unit)),
            "scheme": _plain(self.scheme),
            "issued_at": self.issued_at.astimezone(dt.UTC).isoformat(),
            "people": [_plain(p) for p in self.people],
            "seal": _compact("seal", _plain(self.seal)),
            "signatures": [_plain(s) for s in self.signatures],
            "lines": [line.to_json() for line in self.lines],
            "payment_method": self.payment_method,
            "reference": _plain(self.reference) if self.reference else None,
            "dossier_code": self.dossier_code,
            "procedure_code": self.procedure_code,
        }

    def to_json(self) -> str:
        return canonical_json(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> DocumentSnapshot:
        return cls.from_dict(json.loads(text))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> DocumentSnapshot:
        if d.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"unknown snapshot version {d.get('version')!r}")
        unit = dict(d["unit"])
        unit["header_lines"] = tuple(unit["header_lines"])
        ref = d.get("reference")
        return cls(
            version=SNAPSHOT_VERSION,
            kind=DocumentKind.RECEIPT if d["kind"] == "receipt" else DocumentKind.RESULT,
            template=d["template"],
            title=d["title"],
            unit=UnitProfile(**unit),
            scheme=Scheme(**d["scheme"]),
            issued_at=dt.datetime.fromisoformat(d["issued_at"]),
            people=tuple(
                NamedPerson(role=PersonRole(p["role"]), name=p["name"], address=p.get("address"))
                for p in d["people"]
            ),
            seal=SealFacts(
                pdf_sha256=d["seal"]["pdf_sha256"],
                person_role=PersonRole(d["seal"]["person_role"]),
                text=d["seal"].get("text"),
                xml_sha256=d["seal"].get("xml_sha256"),
            ),
            signatures=tuple(
                SignatureField(**{**s, "rect": tuple(s["rect"])}) for s in d["signatures"]
            ),
            lines=tuple(FeeLine.from_json(line) for line in d["lines"]),
            payment_method=d.get("payment_method"),
            reference=(
                Reference(**{**ref, "issued_on": dt.date.fromisoformat(ref["issued_on"])})
                if ref
                else None
            ),
            dossier_code=d.get("dossier_code"),
            procedure_code=d.get("procedure_code"),
        )


def _compact(part: str, value: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in value.items() if not (v is None and k in _OPTIONAL_KEYS.get(part, ()))}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return _nfc(value)
    return value


def canonical_json(value: Any) -> str:
    """Keys sorted, no spaces, UTF-8 text as is, every string NFC."""

    def nfc(v: Any) -> Any:
        if isinstance(v, str):
            return _nfc(v)
        if isinstance(v, dict):
            return {_nfc(str(k)): nfc(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [nfc(x) for x in v]
        if isinstance(v, float) and v.is_integer():
            return int(v)  # 12.0 and 12 are one value: one spelling
        return v

    return json.dumps(nfc(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def seal_claims(snapshot: DocumentSnapshot) -> SealClaims:
    """The facts a document's seal states, from its snapshot: at issue (to make the seal) and at
    every check (``/v``, the upload check, the API). The one place they are worked out."""
    return SealClaims(
        unit_tax_code=snapshot.unit.tax_code,
        kind=snapshot.kind,
        template_symbol=snapshot.scheme.template_symbol,
        series=snapshot.scheme.series,
        number=snapshot.scheme.number,
        issued_on=snapshot.issued_on,
        total=snapshot.total,
        payer_masked=snapshot.sealed_person.masked,
        pdf_sha256=bytes.fromhex(snapshot.seal.pdf_sha256),
        xml_sha256=(bytes.fromhex(snapshot.seal.xml_sha256) if snapshot.seal.xml_sha256 else None),
    )


__all__ = [
    "SNAPSHOT_VERSION",
    "DocumentSnapshot",
    "NamedPerson",
    "PersonRole",
    "Reference",
    "Scheme",
    "SealFacts",
    "SignatureField",
    "UnitProfile",
    "canonical_json",
    "receipt_scheme",
    "seal_claims",
    "unit_profile",
]
