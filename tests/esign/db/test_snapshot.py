"""The document snapshot: canonical JSON that reads back equal, written once (the database
refuses a change), and rows from before snapshots read through the same function."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from esign.config import Settings
from esign.db import Database
from esign.db.models import Dossier, Receipt, ResultDocument
from esign.seal import DocumentKind
from esign.workflows.snapshot import (
    DocumentSnapshot,
    NamedPerson,
    PersonRole,
    Reference,
    Scheme,
    SealFacts,
    SignatureField,
    canonical_json,
    seal_claims,
    unit_profile,
)
from esign.workflows.stored import snapshot_of_receipt, snapshot_of_result
from receipts.catalog import default_catalog
from receipts.fees import FeeLine, quote, total_of
from tests.esign.web.documents import make_officials, make_result, sign_next
from tests.esign.web.helpers import build_service, cancel, issue

SETTINGS = Settings(data_dir=Path("/nonexistent"))


def _receipt_snapshot(n: int, *, name: str = "Bùi Thị Trang") -> DocumentSnapshot:
    q = quote("CT-BS", on=dt.date(2026, 11, 27), pages=n + 1, copies=n, catalog=default_catalog())
    manual = FeeLine(
        name="Phí khác", legal_basis="NQ 1/2026", quantity=n, unit_price=1_000, amount=n * 1_000
    )
    return DocumentSnapshot(
        kind=DocumentKind.RECEIPT,
        template="receipt",
        title="BIÊN LAI THU PHÍ, LỆ PHÍ",
        unit=unit_profile(SETTINGS, on=dt.date(2026, 11, 27)),
        scheme=Scheme(
            label="receipt/nd123-2020", number=n, template_symbol="01BLP0-001", series="VA-26E"
        ),
        issued_at=dt.datetime(2026, 11, 27, 2, 30, n, tzinfo=dt.UTC),
        people=(
            NamedPerson(role=PersonRole.PAYER, name=name, address="Văn An 1"),
            NamedPerson(role=PersonRole.CLERK, name="Lê Thị Thu"),
        ),
        seal=SealFacts(pdf_sha256=f"{n:064x}", person_role=PersonRole.PAYER, text=str(10**n)),
        signatures=(
            SignatureField(
                field_name="Seal",
                role="ward",
                title="ĐƠN VỊ THU",
                name="",
                page=0,
                rect=(330.5, 60.0, 560.25, 120.0),
            ),
        ),
        lines=(*q.lines, manual),
        payment_method="cash",
        reference=Reference(
            kind="replaces",
            template_symbol="01BLP0-001",
            series="VA-26E",
            number=n + 100,
            issued_on=dt.date(2026, 11, 26),
            reason="Sai số tiền",
        )
        if n % 2
        else None,
        dossier_code=f"H23-{n}",
        procedure_code="CT-BS",
    )


def _result_snapshot(n: int) -> DocumentSnapshot:
    return DocumentSnapshot(
        kind=DocumentKind.RESULT,
        template="birth_extract",
        title="TRÍCH LỤC KHAI SINH",
        unit=unit_profile(SETTINGS, on=dt.date(2026, 11, 27)),
        scheme=Scheme(label="result/birth_extract", number=f"{n}/2026/TLKS"),
        issued_at=dt.datetime(2026, 11, 27, 2, 30, tzinfo=dt.UTC),
        people=(
            NamedPerson(role=PersonRole.SUBJECT, name="Nguyễn Minh Khôi"),
            NamedPerson(role=PersonRole.APPLICANT, name="Phạm Thị Lan"),
        ),
        seal=SealFacts(pdf_sha256="ab" * 32, person_role=PersonRole.SUBJECT),
    )


@pytest.mark.parametrize(
    "snap",
    [_receipt_snapshot(n) for n in (1, 2, 5)] + [_result_snapshot(n) for n in (1, 77)],
    ids=lambda s: f"{s.template}-{s.scheme.number}",
)
def test_round_trip_and_canonical(snap: DocumentSnapshot) -> None:
    text_ = snap.to_json()
    back = DocumentSnapshot.from_json(text_)
    assert back == snap and back.to_json() == text_
    assert seal_claims(back) == seal_claims(snap)
    # Canonical: sorted keys, no spaces, the same text from a reordered parse.
    parsed = json.loads(text_)
    assert canonical_json(parsed) == text_
    assert json.dumps(parsed, ensure_ascii=False, sort_keys=True, separators=(",", ":")) == text_
    assert list(parsed) == sorted(parsed)
    if snap.kind is DocumentKind.RECEIPT:
        assert snap.total == total_of(snap.lines) == sum(line["amount"] for line in parsed["lines"])
        assert all(isinstance(line["amount"], int) for line in parsed["lines"])
        assert seal_claims(snap).total == snap.total
    else:
        assert snap.total is None and seal_claims(snap).payer_masked == "N***** M*** K***"


def test_text_is_nfc_whatever_was_typed() -> None:
    typed = unicodedata.normalize("NFD", "Bùi Thị Trang")
    snap = _receipt_snapshot(3, name=typed)
    stored = snap.to_json()
    assert unicodedata.normalize("NFC", stored) == stored
    assert "Bùi Thị Trang" in stored
    assert seal_claims(DocumentSnapshot.from_json(stored)).payer_masked == "B** T** T****"


def test_a_stored_snapshot_is_never_changed(
    database: Database, tmp_path: Path, pki_template: Path
) -> None:
    service, clerk = build_service(database, tmp_path / "data", pki_template)
    r = issue(service, clerk)
    cancel(service, clerk, r.id, "Nhầm")  # status changes are updates of other columns: allowed
    with service.db.reading() as s:
        row = s.get(Receipt, r.id)
        assert row is not None and row.snapshot is not None and row.status.value == "cancelled"
        original = row.snapshot
    for new in ("{}", None):
        with pytest.raises(DBAPIError), service.db.transaction() as s:
            s.execute(
                text("UPDATE receipts SET snapshot = :v WHERE id = :id"), {"v": new, "id": r.id}
            )
    with pytest.raises(DBAPIError), service.db.transaction() as s:
        s.execute(
            text("UPDATE receipts SET snapshot = snapshot || ' ' WHERE id = :id"),
            {"id": r.id},
        )
    # A result's snapshot too, while its signatures (updates of other columns) go on.
    officials = make_officials(service)
    result_id, _, _ = make_result(
        service, clerk, "copy_certification", signatures=0, officials=officials
    )
    with pytest.raises(DBAPIError), service.db.transaction() as s:
        s.execute(
            text("UPDATE result_documents SET snapshot = '{}' WHERE id = :id"), {"id": result_id}
        )
    sign_next(service, officials, result_id)
    with service.db.reading() as s:
        row = s.get(Receipt, r.id)
        assert row is not None and row.snapshot == original


def test_a_row_from_before_snapshots_reads_the_same(tmp_path: Path, pki_template: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'esign.sqlite3'}")
    database.migrate()
    try:
        service, clerk = build_service(database, tmp_path / "data", pki_template)
        for payer, pages in (("Bùi Thị Trang", 3), ("Nguyễn Văn Bình", 1), ("Đỗ Hà", 7)):
            r = issue(service, clerk, payer=payer, pages=pages)
            with service.db.reading() as s:
                row = s.get(Receipt, r.id)
                assert row is not None
                stored = snapshot_of_receipt(row)
                columns = {c.key: getattr(row, c.key) for c in Receipt.__table__.columns}
            legacy = snapshot_of_receipt(Receipt(**{**columns, "snapshot": None}))
            # Rows without a snapshot predate the XML original (NĐ 254/2026, from 1/7/2026):
            # the seal field 10 that binds it is the one fact a legacy row cannot carry.
            assert seal_claims(legacy) == dataclasses.replace(seal_claims(stored), xml_sha256=None)
            assert legacy.lines == stored.lines and legacy.total == r.total
            assert legacy.unit.name == stored.unit.name and legacy.seal.text == r.seal
    finally:
        database.dispose()
        shutil.rmtree(tmp_path / "data", ignore_errors=True)


def test_fee_line_round_trips_every_shape() -> None:
    catalog = default_catalog()
    lines = [
        *quote("CT-BS", on=dt.date(2026, 11, 27), pages=5, copies=2, catalog=catalog).lines,
        *quote(
            "HT-NCMC", on=dt.date(2026, 11, 27), categories=["poor_household"], catalog=catalog
        ).lines,
        FeeLine(name="x", legal_basis="y", quantity=1, unit_price=0, amount=0),
    ]
    assert any(line.exemption is not None for line in lines)
    for line in lines:
        assert FeeLine.from_json(json.loads(json.dumps(line.to_json()))) == line
    assert dataclasses.replace(lines[0], quantity=lines[0].quantity).amount == lines[0].amount


def test_a_result_from_before_snapshots_reads_the_same(tmp_path: Path, pki_template: Path) -> None:
    """Its seal was made from the template data's subject and today's unit: so is its view."""
    database = Database(f"sqlite:///{tmp_path / 'esign.sqlite3'}")
    database.migrate()
    try:
        service, clerk = build_service(database, tmp_path / "data", pki_template)
        officials = make_officials(service)
        for template in ("marital_status", "birth_extract", "copy_certification"):
            result_id, _, seal = make_result(
                service, clerk, template, signatures=0, officials=officials
            )
            with service.db.reading() as s:
                row = s.get(ResultDocument, result_id)
                assert row is not None
                dossier = s.get(Dossier, row.dossier_id)
                stored = snapshot_of_result(row, dossier=None, settings=service.settings)
                columns = {c.key: getattr(row, c.key) for c in ResultDocument.__table__.columns}
            legacy = snapshot_of_result(
                ResultDocument(**{**columns, "snapshot": None}),
                dossier=dossier,
                settings=service.settings,
            )
            assert seal_claims(legacy) == seal_claims(stored), template
            assert legacy.title == stored.title and legacy.seal.text is None
            assert {p.role for p in legacy.people} == {p.role for p in stored.people}
            assert stored.seal.text == seal
    finally:
        database.dispose()
