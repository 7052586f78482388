"""The procedure catalog, fee quotes and dossiers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter

from receipts.calendar import VIETNAM_TZ
from receipts.fees import quote

from ...db.models import Dossier, DossierStatus
from ...jsonable import to_jsonable
from ...workflows import dossiers
from ..deps import ActorDep, DossierClerk, DossierReader, FeeQuoter, ServiceDep
from ..schemas import DossierCreate, DossierPublic, ListOf, QuoteCreate

router = APIRouter(tags=["fees and dossiers"])


@router.get("/procedures")
def list_procedures(service: ServiceDep, actor: ActorDep) -> dict[str, Any]:
    procs = sorted(service.catalog.procedures.values(), key=lambda p: p.code)
    data = [p.model_dump(mode="json") for p in procs]
    return {"data": data, "count": len(data)}


@router.post("/quotes")
def make_quote(body: QuoteCreate, service: ServiceDep, actor: FeeQuoter) -> Any:
    """The fee of a procedure on a day, line by line with the legal basis of each."""
    q = quote(
        body.procedure_code,
        on=body.on or dt.datetime.now(VIETNAM_TZ).date(),
        pages=body.pages,
        copies=body.copies,
        cases=body.cases,
        categories=body.categories,
        channel=body.channel,
        catalog=service.catalog,
    )
    return to_jsonable(q)


@router.post("/dossiers", response_model=DossierPublic, status_code=201)
def create_dossier(body: DossierCreate, service: ServiceDep, actor: DossierClerk) -> Dossier:
    quote_input = {
        k: v
        for k, v in body.model_dump(include={"pages", "copies", "cases", "categories"}).items()
        if v
    }
    with service.db.transaction() as s:
        return dossiers.receive_dossier(
            s,
            actor,
            procedure_code=body.procedure_code,
            applicant_name=body.applicant_name,
            applicant_address=body.applicant_address,
            channel=body.channel,
            catalog=service.catalog,
            quote_input=quote_input,
        )


@router.get("/dossiers", response_model=ListOf[DossierPublic])
def list_dossiers(
    service: ServiceDep,
    actor: DossierReader,
    status: DossierStatus | None = None,
    offset: int = 0,
    limit: int = 50,
) -> dict[str, object]:
    with service.db.reading() as s:
        page = dossiers.list_dossiers(s, status=status, offset=offset, limit=limit)
    return {"data": page.items, "count": page.count}


@router.get("/dossiers/{dossier_id}", response_model=DossierPublic)
def get_dossier(
    dossier_id: int,
    service: ServiceDep,
    actor: DossierReader,
) -> Dossier:
    with service.db.reading() as s:
        return dossiers.get_dossier(s, dossier_id)


@router.get("/dossiers/{dossier_id}/quote")
def dossier_quote(dossier_id: int, service: ServiceDep, actor: DossierClerk) -> Any:
    with service.db.reading() as s:
        return to_jsonable(
            dossiers.dossier_quote(dossiers.get_dossier(s, dossier_id), catalog=service.catalog)
        )


@router.post("/dossiers/{dossier_id}/return", response_model=DossierPublic)
def return_dossier(dossier_id: int, service: ServiceDep, actor: DossierClerk) -> Dossier:
    """The result was handed to the applicant."""
    with service.db.transaction() as s:
        return dossiers.mark_returned(s, actor, dossier_id)
