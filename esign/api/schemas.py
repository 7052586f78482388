"""Request and response bodies: ``XCreate`` in, ``XPublic`` out, lists as ``{data, count}``."""

from __future__ import annotations

import datetime as dt
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from receipts.catalog import Channel

from ..db.models import DossierStatus, UserRole
from ..identifiers import OfficialRole, ProcedureCode

T = TypeVar("T")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListOf(BaseModel, Generic[T]):
    data: list[T]
    count: int


class ErrorDetail(BaseModel):
    code: str
    message_vi: str
    message_en: str


class ErrorBody(BaseModel):
    error: ErrorDetail


class LoginCreate(Strict):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    full_name: str
    role: UserRole
    official_role: OfficialRole | None
    title: str | None
    certificate_sha256: str | None
    active: bool
    created_at: dt.datetime


class UserCreate(Strict):
    username: str = Field(min_length=3, max_length=64)
    full_name: str = Field(min_length=1, max_length=200)
    role: UserRole
    password: str = Field(min_length=10, max_length=200)
    official_role: OfficialRole | None = None
    title: str | None = Field(default=None, max_length=200)


class CertificateRegister(Strict):
    certificate_pem: str = Field(min_length=50, max_length=20_000)


class TokenCreate(Strict):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[str] = Field(min_length=1, max_length=10)
    days: int = Field(default=90, ge=1, le=366)


class TokenPublic(BaseModel):
    id: int
    name: str
    scopes: list[str]
    expires_at: dt.datetime
    token: str | None = None
    """The secret, shown once when the token is created."""


class QuoteCreate(Strict):
    procedure_code: ProcedureCode
    on: dt.date | None = None
    pages: int | None = Field(default=None, ge=1, le=10_000)
    copies: int | None = Field(default=None, ge=1, le=1_000)
    cases: int | None = Field(default=None, ge=1, le=1_000)
    categories: list[str] = Field(default_factory=list, max_length=5)
    channel: Channel = Channel.COUNTER


class DossierCreate(Strict):
    procedure_code: ProcedureCode
    applicant_name: str = Field(min_length=1, max_length=200)
    applicant_address: str = Field(min_length=1, max_length=500)
    channel: Channel = Channel.COUNTER
    pages: int | None = Field(default=None, ge=1, le=10_000)
    copies: int | None = Field(default=None, ge=1, le=1_000)
    cases: int | None = Field(default=None, ge=1, le=1_000)
    categories: list[str] = Field(default_factory=list, max_length=5)


class DossierPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    procedure_code: str
    applicant_name: str
    applicant_address: str
    channel: str
    status: DossierStatus
    received_at: dt.datetime
    due_date: dt.date
    fee_paid_at: dt.datetime | None
    processing_at: dt.datetime | None
    result_signed_at: dt.datetime | None
    returned_at: dt.datetime | None
