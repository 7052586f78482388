"""Unverified law: the list the administrator sees, and their acknowledgement of it.

The law-as-data marks what could not be checked against the gazette "chưa xác minh /
unverified" (:func:`receipts.unverified.unverified_law`: the catalog's tariffs and citations,
the receipt schemes, the calendar). Production refuses to start while that list is not empty
and no administrator has acknowledged *this* list (:mod:`esign.production`): the
acknowledgement records the list's fingerprint, so a list that changes (a new province file, a
mark added) needs a new acknowledgement. The administrator acknowledges the fingerprint they
were shown: if the list changed in between, the acknowledgement is refused, so nobody
acknowledges a list they have not seen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from receipts.catalog import UnverifiedItem
from receipts.unverified import fingerprint, unverified_law

from .. import audit
from ..db.models import UserRole
from ..db.tax_models import LawAcknowledgement
from ..errors import ConflictError
from ..service import Service
from .actors import Actor, require


@dataclass(frozen=True, slots=True, kw_only=True)
class Acknowledgement:
    fingerprint: str
    items: int
    actor: str
    at: dt.datetime
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LawStatus:
    items: tuple[UnverifiedItem, ...]
    fingerprint: str
    acknowledged: Acknowledgement | None
    """The acknowledgement of this very list, if any (the latest)."""

    @property
    def needs_acknowledgement(self) -> bool:
        return bool(self.items) and self.acknowledged is None


def _view(row: LawAcknowledgement) -> Acknowledgement:
    return Acknowledgement(
        fingerprint=row.fingerprint,
        items=row.items,
        actor=row.actor,
        at=row.acknowledged_at,
        note=row.note,
    )


def current_items(service: Service) -> tuple[UnverifiedItem, ...]:
    return unverified_law(service.catalog)


def law_status(session: Session, service: Service) -> LawStatus:
    """The current list, its fingerprint and whether an administrator acknowledged it (no
    role check: production's start-up check reads it too)."""
    items = current_items(service)
    fp = fingerprint(items)
    row = session.scalars(
        select(LawAcknowledgement)
        .where(LawAcknowledgement.fingerprint == fp)
        .order_by(LawAcknowledgement.id.desc())
        .limit(1)
    ).first()
    return LawStatus(items=items, fingerprint=fp, acknowledged=_view(row) if row else None)


def unverified_for_admin(session: Session, actor: Actor, service: Service) -> LawStatus:
    require(actor, UserRole.ADMIN)
    return law_status(session, service)


def acknowledge(
    session: Session,
    actor: Actor,
    service: Service,
    *,
    seen_fingerprint: str,
    note: str | None = None,
) -> Acknowledgement:
    """Record that ``actor`` acknowledged the list whose fingerprint they were shown."""
    require(actor, UserRole.ADMIN)
    status = law_status(session, service)
    if seen_fingerprint.strip().lower() != status.fingerprint:
        raise ConflictError(
            "Danh sách chưa xác minh đã thay đổi: hãy xem lại danh sách hiện tại rồi xác nhận",
            "The list of unverified law changed: review the current list, then acknowledge it",
            code="law_list_changed",
        )
    row = LawAcknowledgement(
        fingerprint=status.fingerprint,
        items=len(status.items),
        note=note.strip()[:500] if note and note.strip() else None,
        actor=actor.label,
    )
    session.add(row)
    session.flush()
    audit.append(
        session,
        actor=actor.label,
        action="law.acknowledge",
        subject=f"law:{status.fingerprint[:16]}",
        details={"fingerprint": status.fingerprint, "items": len(status.items), "note": row.note},
    )
    return _view(row)
