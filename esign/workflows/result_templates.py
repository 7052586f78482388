"""The result templates the API accepts: each maps a JSON body to a receipts.pdf template.

A new kind of result is one more entry here (and a template function in receipts.pdf).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticError

from receipts.pdf import Issuer, Official, ResultDocument
from receipts.pdf.templates import (
    Parent,
    Person,
    birth_registration_extract,
    copy_certification,
    marital_status_confirmation,
)
from receipts.pdf.templates.birth_extract import TITLE as BIRTH_TITLE
from receipts.pdf.templates.copy_certification import TITLE as COPY_TITLE
from receipts.pdf.templates.marital_status import TITLE as MARITAL_TITLE

from ..errors import ValidationError
from .snapshot import NamedPerson, PersonRole


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonIn(_In):
    full_name: str = Field(min_length=1, max_length=150)
    date_of_birth: dt.date
    gender: str = Field(min_length=1, max_length=20)
    ethnicity: str = Field(default="Kinh", max_length=40)
    nationality: str = Field(default="Việt Nam", max_length=40)
    personal_id: str = Field(min_length=1, max_length=20)
    residence: str = Field(min_length=1, max_length=250)

    def model(self) -> Person:
        return Person(**self.model_dump())


class ParentIn(_In):
    full_name: str = Field(min_length=1, max_length=150)
    birth_year: int | None = None
    ethnicity: str | None = None
    nationality: str | None = None
    residence: str | None = None

    def model(self) -> Parent:
        return Parent(**self.model_dump())


class MaritalStatusIn(_In):
    requester: str = Field(min_length=1, max_length=150)
    person: PersonIn
    marital_status: str = Field(min_length=1, max_length=300)
    purpose: str = Field(min_length=1, max_length=300)
    residence_period: str | None = Field(default=None, max_length=300)


class BirthExtractIn(_In):
    child: PersonIn
    place_of_birth: str = Field(min_length=1, max_length=250)
    hometown: str = Field(min_length=1, max_length=250)
    mother: ParentIn | None = None
    father: ParentIn | None = None
    registered_by: str = Field(min_length=1, max_length=150)
    registered_on: dt.date


class CopyCertificationIn(_In):
    requester: str = Field(min_length=1, max_length=150)
    document_name: str = Field(min_length=1, max_length=250)
    copy_pages: int = Field(ge=1, le=10_000)
    copies: int = Field(ge=1, le=1_000)
    copy_pdf_base64: str | None = Field(default=None, max_length=14_000_000, repr=False)
    """The scanned copy: when given, the certification page is appended to its pages (and
    ``copy_pages`` must be its page count)."""


Build = Callable[..., ResultDocument]
STORED_ONLY = frozenset({"copy_sha256", "copy_removed"})
"""Keys a stored result's data has that its input never had (see ``results._stored_data``)."""


@dataclass(frozen=True)
class TemplateSpec:
    kind: str
    suffix: str
    schema: type[_In]
    make: Callable[[Any, dict[str, Any]], ResultDocument]
    people_of: Callable[[Any], tuple[NamedPerson, ...]]
    """The people the document names, each with its role; exactly one is the subject (whom
    the document is about: its seal states that name, masked)."""
    title: str
    """As printed (the template's own title)."""

    def parse(self, data: dict[str, Any]) -> Any:
        # A stored record keeps the copy's hash and what its rebuild removed in place of the
        # copy (results._stored_data): not input fields.
        data = {k: v for k, v in data.items() if k not in STORED_ONLY}
        try:
            return self.schema.model_validate(data)
        except PydanticError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ValidationError(
                f"Dữ liệu kết quả không hợp lệ ở “{where}”: {first['msg']}",
                f"Invalid result data at {where}: {first['msg']}",
            ) from exc

    def number(self, seq: int, year: int) -> str:
        return f"{seq}/{year}/{self.suffix}"

    def people(self, data: dict[str, Any]) -> tuple[NamedPerson, ...]:
        return self.people_of(self.parse(data))

    def subject(self, data: dict[str, Any]) -> str:
        return next(p.name for p in self.people(data) if p.role is PersonRole.SUBJECT)

    def build(
        self,
        data: dict[str, Any],
        *,
        issuer: Issuer,
        number: str,
        issued_at: dt.datetime,
        officials: tuple[Official, ...],
        qr_text: str,
        seq: int,
    ) -> ResultDocument:
        common = {
            "issuer": issuer,
            "issued_at": issued_at,
            "officials": officials,
            "qr_text": qr_text,
            "number": number,
            "seq": seq,
        }
        return self.make(self.parse(data), common)


def _marital(d: MaritalStatusIn, c: dict[str, Any]) -> ResultDocument:
    return marital_status_confirmation(
        issuer=c["issuer"],
        number=c["number"],
        issued_at=c["issued_at"],
        requester=d.requester,
        person=d.person.model(),
        marital_status=d.marital_status,
        purpose=d.purpose,
        officials=c["officials"],
        qr_text=c["qr_text"],
        residence_period=d.residence_period,
    )


def _birth(d: BirthExtractIn, c: dict[str, Any]) -> ResultDocument:
    return birth_registration_extract(
        issuer=c["issuer"],
        number=c["number"],
        issued_at=c["issued_at"],
        child=d.child.model(),
        place_of_birth=d.place_of_birth,
        hometown=d.hometown,
        mother=d.mother.model() if d.mother else None,
        father=d.father.model() if d.father else None,
        registered_by=d.registered_by,
        registered_on=d.registered_on,
        officials=c["officials"],
        qr_text=c["qr_text"],
    )


def _copy(d: CopyCertificationIn, c: dict[str, Any]) -> ResultDocument:
    year = c["issued_at"].year
    return copy_certification(
        issuer=c["issuer"],
        certification_number=c["seq"],
        book_number=f"01/{year}-SCT/BS",
        issued_at=c["issued_at"],
        document_name=d.document_name,
        copy_pages=d.copy_pages,
        copies=d.copies,
        officials=c["officials"],
        qr_text=c["qr_text"],
    )


def _person(role: PersonRole, name: str, address: str | None = None) -> NamedPerson:
    return NamedPerson(role=role, name=name, address=address)


def _marital_people(d: MaritalStatusIn) -> tuple[NamedPerson, ...]:
    return (
        _person(PersonRole.SUBJECT, d.person.full_name, d.person.residence),
        _person(PersonRole.REQUESTER, d.requester),
    )


def _birth_people(d: BirthExtractIn) -> tuple[NamedPerson, ...]:
    people = [
        _person(PersonRole.SUBJECT, d.child.full_name, d.child.residence),
        _person(PersonRole.REQUESTER, d.registered_by),
    ]
    if d.mother is not None:
        people.append(_person(PersonRole.MOTHER, d.mother.full_name, d.mother.residence))
    if d.father is not None:
        people.append(_person(PersonRole.FATHER, d.father.full_name, d.father.residence))
    return tuple(people)


def _copy_people(d: CopyCertificationIn) -> tuple[NamedPerson, ...]:
    return (_person(PersonRole.SUBJECT, d.requester),)


TEMPLATES: dict[str, TemplateSpec] = {
    "marital_status": TemplateSpec(
        "marital_status", "XNTTHN", MaritalStatusIn, _marital, _marital_people, MARITAL_TITLE
    ),
    "birth_extract": TemplateSpec(
        "birth_extract", "TLKS", BirthExtractIn, _birth, _birth_people, BIRTH_TITLE
    ),
    "copy_certification": TemplateSpec(
        "copy_certification", "SCT/BS", CopyCertificationIn, _copy, _copy_people, COPY_TITLE
    ),
}
