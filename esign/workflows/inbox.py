"""The official's signing inbox: the documents waiting for them, overdue first, with who has
signed and who is next; and returning a document for correction with a reason.

A returned document leaves every queue (status ``returned``, never signed further); its dossier
goes back to the step before processing (``fee_paid``), where the clerk drafts a new result from
the corrected data. The reason is kept in the audit entry (``result.return``), the one record of
who sent what back and why; :func:`returned_for_correction` reads it back for the clerk."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..db.models import (
    AuditEntry,
    Dossier,
    DossierStatus,
    ResultDocument,
    ResultStatus,
    User,
    UserRole,
)
from ..errors import ConflictError, ValidationError
from .actors import Actor, require
from .dossiers import clean_text, dossiers_by_id, get_dossier
from .results import get_result, next_signature, queue

RETURN_ACTION = "result.return"
MIN_REASON = 5


@dataclass(frozen=True, slots=True)
class SignerState:
    position: int
    role: str
    name: str | None
    """Who signed, or the official who holds the role now (None if nobody does)."""
    signed_at: dt.datetime | None
    is_next: bool


@dataclass(frozen=True, slots=True)
class InboxItem:
    result_id: int
    number: str
    template: str
    created_at: dt.datetime
    dossier_code: str
    applicant: str
    procedure_code: str
    due_date: dt.date
    overdue: bool
    signers: tuple[SignerState, ...]


def inbox(session: Session, actor: Actor, *, today: dt.date) -> list[InboxItem]:
    """The documents whose turn has come for this official: overdue dossiers first, then by due
    date, then oldest first."""
    rows = queue(session, actor)
    dossiers = dossiers_by_id(session, {r.dossier_id for r, _ in rows})
    names = _names(session, rows)
    items = []
    for result, _ in rows:
        dossier = dossiers[result.dossier_id]
        nxt = next_signature(result)
        items.append(
            InboxItem(
                result_id=result.id,
                number=result.number,
                template=result.template,
                created_at=result.created_at,
                dossier_code=dossier.code,
                applicant=dossier.applicant_name,
                procedure_code=dossier.procedure_code,
                due_date=dossier.due_date,
                overdue=dossier.due_date < today,
                signers=tuple(
                    SignerState(
                        position=s.position,
                        role=s.role,
                        name=names.get(("id", s.signed_by_id))
                        if s.signed_by_id is not None
                        else names.get(("role", s.role)),
                        signed_at=s.signed_at,
                        is_next=nxt is not None and s.id == nxt.id,
                    )
                    for s in sorted(result.signatures, key=lambda s: s.position)
                ),
            )
        )
    items.sort(key=lambda i: (not i.overdue, i.due_date, i.result_id))
    return items


def _names(
    session: Session, rows: Sequence[tuple[ResultDocument, object]]
) -> dict[tuple[str, object], str]:
    signed_by = {s.signed_by_id for r, _ in rows for s in r.signatures if s.signed_by_id}
    roles = {s.role for r, _ in rows for s in r.signatures}
    out: dict[tuple[str, object], str] = {}
    if signed_by:
        for user in session.scalars(select(User).where(User.id.in_(signed_by))):
            out[("id", user.id)] = user.full_name
    if roles:
        holders = session.scalars(
            select(User)
            .where(
                User.role == UserRole.OFFICIAL,
                User.official_role.in_(roles),
                User.active.is_(True),
            )
            .order_by(User.id.desc())  # the first active holder wins, as results._officials
        )
        for user in holders:
            out[("role", user.official_role)] = user.full_name
    return out


def return_for_correction(
    session: Session, actor: Actor, result_id: int, *, reason: str
) -> ResultDocument:
    """Send a document whose turn has come for this official back for correction."""
    require(actor, UserRole.OFFICIAL, scope="results")
    text = clean_text(reason, field_vi="Lý do trả lại", field_en="Reason", max_length=500)
    if len(text) < MIN_REASON:
        raise ValidationError(
            f"Lý do trả lại cần ít nhất {MIN_REASON} ký tự",
            f"The reason needs at least {MIN_REASON} characters",
        )
    result = get_result(session, result_id, for_update=True)
    sig = next_signature(result)
    if result.status is not ResultStatus.AWAITING_SIGNATURES or sig is None:
        raise ConflictError(
            f"Văn bản {result.number} không còn chờ ký",
            f"{result.number} is not awaiting signatures",
        )
    if sig.role != actor.official_role:
        raise ConflictError(
            f"Chưa đến lượt bạn xử lý văn bản {result.number}",
            f"Not your turn on {result.number}",
            code="signing_out_of_order",
        )
    result.status = ResultStatus.RETURNED
    dossier = get_dossier(session, result.dossier_id, for_update=True)
    if dossier.status is DossierStatus.PROCESSING:
        dossier.status = DossierStatus.FEE_PAID
        dossier.processing_at = None
    audit.append(
        session,
        actor=actor.label,
        action=RETURN_ACTION,
        subject=f"result:{result.id}",
        details={
            "number": result.number,
            "dossier": dossier.code,
            "reason": text,
            "signed_before": [s.role for s in result.signatures if s.signed_at is not None],
        },
    )
    session.flush()
    return result


@dataclass(frozen=True, slots=True)
class ReturnedResult:
    result_id: int
    number: str
    dossier_id: int
    dossier_code: str
    applicant: str
    returned_at: dt.datetime
    returned_by: str
    reason: str


def returned_for_correction(
    session: Session, actor: Actor, *, limit: int = 50
) -> list[ReturnedResult]:
    """The documents sent back whose dossier still waits for a new result (newest first): the
    clerk's and intake's to-do list."""
    require(actor, UserRole.CLERK, UserRole.ADMIN, UserRole.OFFICIAL, scope="results")
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == RETURN_ACTION)
        .order_by(AuditEntry.seq.desc())
        .limit(limit * 4)
    ).all()
    ids = [int(e.subject.split(":", 1)[1]) for e in entries]
    results = {
        r.id: r for r in session.scalars(select(ResultDocument).where(ResultDocument.id.in_(ids)))
    }
    dossiers: dict[int, Dossier] = dossiers_by_id(session, {r.dossier_id for r in results.values()})
    out: list[ReturnedResult] = []
    seen: set[int] = set()
    for entry, result_id in zip(entries, ids, strict=True):
        result = results.get(result_id)
        if result is None:
            continue
        dossier = dossiers[result.dossier_id]
        if dossier.id in seen or dossier.status not in (
            DossierStatus.RECEIVED,
            DossierStatus.FEE_PAID,
        ):
            continue  # a new result is drafted already, or a newer return is listed
        seen.add(dossier.id)
        details = json.loads(entry.details)
        out.append(
            ReturnedResult(
                result_id=result.id,
                number=result.number,
                dossier_id=dossier.id,
                dossier_code=dossier.code,
                applicant=dossier.applicant_name,
                returned_at=entry.at,
                returned_by=entry.actor,
                reason=str(details.get("reason", "")),
            )
        )
        if len(out) >= limit:
            break
    return out
