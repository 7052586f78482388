"""The QR seal's keys, for administrators: list, rotate, withdraw. The same workflows as
``esign seal rotate|withdraw`` (:mod:`esign.workflows.seal_keys`): one lock, one audit entry."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import BaseModel

from ...seal.jwks import KeyStatus, PublishedKey
from ...workflows import seal_keys as flows
from ..deps import AdminCertificates, ServiceDep
from ..schemas import ListOf

router = APIRouter(tags=["seal keys"])


class SealKeyPublic(BaseModel):
    kid: str
    status: KeyStatus
    created: dt.datetime


class SealKeyChangePublic(BaseModel):
    key: SealKeyPublic
    """The new key (rotation) or the withdrawn one."""
    active: SealKeyPublic


def _public(key: PublishedKey) -> SealKeyPublic:
    return SealKeyPublic(kid=key.kid, status=key.status, created=key.created)


def _change(change: flows.SealKeyChange) -> SealKeyChangePublic:
    return SealKeyChangePublic(key=_public(change.key), active=_public(change.active))


@router.get("/seal-keys", response_model=ListOf[SealKeyPublic])
def list_keys(service: ServiceDep, actor: AdminCertificates) -> ListOf[SealKeyPublic]:
    data = [_public(k) for k in flows.list_seal_keys(actor, service.settings.data_dir / "seal")]
    return ListOf(data=data, count=len(data))


@router.post("/seal-keys/rotate", response_model=SealKeyChangePublic, status_code=201)
def rotate(service: ServiceDep, actor: AdminCertificates) -> SealKeyChangePublic:
    """A new active key; the old one is retired (its seals still verify)."""
    with service.db.transaction() as session:
        change = flows.rotate_seal_key(session, actor, service.settings.data_dir / "seal")
    return _change(change)


@router.post("/seal-keys/{kid}/withdraw", response_model=SealKeyChangePublic)
def withdraw(kid: str, service: ServiceDep, actor: AdminCertificates) -> SealKeyChangePublic:
    """Withdraw a key: every seal it signed is void from now on."""
    with service.db.transaction() as session:
        change = flows.withdraw_seal_key(session, actor, service.settings.data_dir / "seal", kid)
    return _change(change)
