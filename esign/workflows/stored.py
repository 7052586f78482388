"""The snapshot of a stored document: the one written at issue, or, for a row issued before
snapshots existed (migration 0003 left it NULL), one built from that row's own columns.

Old receipts stored their unit, payer, lines and total, so theirs is exact. Old result
documents stored neither their unit nor their people apart from the dossier: theirs takes the
unit from the settings (the only record there is) and the people from the stored template data,
which is what their seal was made from.
"""

from __future__ import annotations

from receipts.fees import FeeLine

from ..config import Settings
from ..db.models import Dossier, Receipt, ResultDocument
from ..seal import DocumentKind
from .result_templates import TEMPLATES
from .snapshot import (
    DocumentSnapshot,
    NamedPerson,
    PersonRole,
    Scheme,
    SealFacts,
    UnitProfile,
    receipt_scheme,
    unit_profile,
)


def snapshot_of_receipt(receipt: Receipt) -> DocumentSnapshot:
    if receipt.snapshot is not None:
        return DocumentSnapshot.from_json(receipt.snapshot)
    return DocumentSnapshot(
        kind=DocumentKind.RECEIPT,
        template="receipt",
        title="BIÊN LAI THU PHÍ, LỆ PHÍ",
        unit=UnitProfile(
            name=receipt.unit_name,
            address=receipt.unit_address,
            tax_code=receipt.unit_tax_code,
            parent="",
            header_lines=(),
            place="",
        ),
        scheme=Scheme(
            label=receipt_scheme(receipt.template_symbol),
            number=receipt.number,
            template_symbol=receipt.template_symbol,
            series=receipt.series,
        ),
        issued_at=receipt.issued_at,
        people=(
            NamedPerson(
                role=PersonRole.PAYER, name=receipt.payer_name, address=receipt.payer_address
            ),
            NamedPerson(role=PersonRole.CLERK, name=receipt.clerk_name),
        ),
        seal=SealFacts(
            pdf_sha256=receipt.unsigned_sha256, person_role=PersonRole.PAYER, text=receipt.seal
        ),
        lines=tuple(FeeLine.from_json(row) for row in receipt.lines),
        payment_method=receipt.payment_method,
        procedure_code=receipt.procedure_code,
    )


def snapshot_of_result(
    result: ResultDocument, *, dossier: Dossier | None, settings: Settings
) -> DocumentSnapshot:
    """``dossier`` and ``settings`` are read only for a row without a snapshot."""
    if result.snapshot is not None:
        return DocumentSnapshot.from_json(result.snapshot)
    spec = TEMPLATES[result.template]
    people = spec.people(result.data)
    if dossier is not None:
        people = (
            *people,
            NamedPerson(
                role=PersonRole.APPLICANT,
                name=dossier.applicant_name,
                address=dossier.applicant_address,
            ),
        )
    return DocumentSnapshot(
        kind=DocumentKind.RESULT,
        template=result.template,
        title=spec.title,
        unit=unit_profile(settings, on=result.created_at.date()),
        scheme=Scheme(label=f"result/{result.template}", number=result.number),
        issued_at=result.created_at,
        people=people,
        seal=SealFacts(pdf_sha256=result.unsigned_sha256, person_role=PersonRole.SUBJECT),
        dossier_code=dossier.code if dossier is not None else None,
        procedure_code=dossier.procedure_code if dossier is not None else None,
    )
