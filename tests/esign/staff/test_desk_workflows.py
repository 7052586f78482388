"""The desks' query workflows on SQLite and PostgreSQL: receipts found by payer (without
diacritics), number, dossier and day range over several days; a past day's book and closing;
the procedure picker's folding."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from esign.db import Database
from esign.db.models import Receipt, ReceiptStatus
from esign.errors import ConflictError, ValidationError
from esign.workflows.actors import Actor
from esign.workflows.daybook import close_day, day_book
from esign.workflows.dossiers import receive_dossier
from esign.workflows.receipts import FeeInput, cancel_receipt, issue_receipt
from esign.workflows.search import (
    ReceiptQuery,
    find_procedures,
    fold,
    resolve_procedure,
    search_receipts,
)
from esign.workflows.users import get_user
from receipts.calendar import VIETNAM_TZ
from receipts.catalog import Channel
from receipts.pdf import PaymentMethod
from tests.esign.api.conftest import Api, make_api

DAY = dt.date(2026, 3, 10)
# (day offset, hour, payer, method, pages)
SEEDED = [
    (0, 8, "Đỗ Thị Hằng", PaymentMethod.CASH, 1),
    (0, 9, "Trần Văn Bình", PaymentMethod.BANK_TRANSFER, 3),
    (0, 23, "Nguyễn Thị Ánh Tuyết", PaymentMethod.CASH, 2),  # 23:xx Vietnam: still that day
    (1, 0, "Lê Đức Anh", PaymentMethod.ONLINE, 1),  # 00:xx the next day
    (1, 10, "Đặng Văn Đức", PaymentMethod.CASH, 4),
    (2, 14, "ĐỖ VĂN HẢI", PaymentMethod.CASH, 2),
]


@pytest.fixture
def api(database: Database, tmp_path: Path, pki_template: Path) -> Iterator[Api]:
    yield from make_api(database, tmp_path, pki_template)


def _clerk(api: Api) -> Actor:
    with api.service.db.reading() as s:
        return Actor.of(get_user(s, api.users["clerk"]))


def _seed(api: Api) -> list[int]:
    clerk = _clerk(api)
    ids = []
    for offset, hour, name, method, pages in SEEDED:
        at = dt.datetime.combine(DAY + dt.timedelta(days=offset), dt.time(hour, 30), VIETNAM_TZ)
        with api.service.db.transaction() as s:
            r = issue_receipt(
                s, clerk, api.service, payer_name=name, payer_address="Phường Văn An",
                payment_method=method, fees=FeeInput(procedure_code="CT-BS", pages=pages),
                issued_at=at,
            )  # fmt: skip
            ids.append(r.id)
    return ids


def test_fold_and_the_procedure_picker(api: Api) -> None:
    assert fold("  Đỗ  Thị HẰNG ") == "do thi hang"
    assert fold("Nguyễn Ánh Tuyết") == fold("nguyen anh tuyet")
    catalog = api.service.catalog
    for typed in ("chung thuc ban sao", "CHỨNG THỰC BẢN SAO", "ct-bs", "CT-BS · x"):
        assert resolve_procedure(catalog, typed).code == "CT-BS", typed
    several = find_procedures(catalog, "khai sinh")
    assert len(several) > 1 and all("khai sinh" in fold(p.name_vi) for p in several)
    with pytest.raises(ValidationError, match="hãy gõ cụ thể hơn"):
        resolve_procedure(catalog, "khai sinh")
    with pytest.raises(ValidationError, match="Không tìm thấy"):
        resolve_procedure(catalog, "xyz khong co")


def test_search_by_payer_number_dossier_and_days(api: Api) -> None:
    ids = _seed(api)
    clerk = _clerk(api)
    with api.service.db.transaction() as s:
        dossier = receive_dossier(
            s, clerk, procedure_code="CT-BS", applicant_name="Vũ Thị Lan",
            applicant_address="Phường Văn An", channel=Channel.COUNTER,
            catalog=api.service.catalog, quote_input={"pages": 2},
        )  # fmt: skip
        code = dossier.code
        by_dossier = issue_receipt(
            s, clerk, api.service, payer_name="Vũ Thị Lan", payer_address="Phường Văn An",
            payment_method=PaymentMethod.CASH, dossier_id=dossier.id,
        ).id  # fmt: skip
    with api.service.db.reading() as s:
        rows = {r.id: r for r in s.query(Receipt).all()}

        def found(**query: object) -> set[int]:
            return {r.id for r in search_receipts(s, ReceiptQuery(**query))}  # type: ignore[arg-type]

        # Every typed word, folded, in the folded name: computed from the rows, not listed.
        for typed in ("do", "do van", "DUC", "van duc", "anh tuyet", "tran binh", "hai"):
            words = fold(typed).split()
            expected = {i for i, r in rows.items() if all(w in fold(r.payer_name) for w in words)}
            assert found(payer=typed) == expected, typed
            assert expected, typed
        assert found(payer="do") == {ids[0], ids[5]}  # Đỗ and ĐỖ
        assert found(payer="dang duc") == {ids[4]}  # đ → d
        assert found(number=rows[ids[3]].number) == {ids[3]}
        assert found(dossier=code[-6:].lower()) == {by_dossier}
        # Vietnam days: 23:30 on DAY is DAY, 00:30 the next day is not.
        assert found(date_from=DAY, date_to=DAY) == set(ids[:3])
        next_day, third_day = DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2)
        assert found(date_from=next_day, date_to=third_day) == set(ids[3:6])
        assert found(payer="do", date_from=DAY, date_to=DAY) == {ids[0]}
        assert found() == set()
    with pytest.raises(ValidationError):
        ReceiptQuery(date_from=DAY, date_to=DAY - dt.timedelta(days=1))


def test_a_past_days_book_and_its_closing(api: Api) -> None:
    ids = _seed(api)
    clerk = _clerk(api)
    with api.service.db.transaction() as s:
        cancel_receipt(s, clerk, ids[1], reason="Thu nhầm", reason_code="thu_trung")
    with api.service.db.reading() as s:
        book = day_book(s, DAY)
        rows = [s.get(Receipt, i) for i in ids[:3]]
    assert [r.id for r in book.receipts] == ids[:3]  # the cancelled one listed too
    counted = [r for r in rows if r is not None and r.status is ReceiptStatus.ISSUED]
    by_method = {m.method: (m.payments, m.amount) for m in book.by_method}
    assert by_method[PaymentMethod.CASH] == (2, sum(r.total for r in counted))
    assert by_method[PaymentMethod.BANK_TRANSFER] == (0, 0)  # cancelled: not taken
    assert book.amount == sum(r.total for r in counted) and book.closing is None
    with api.service.db.transaction() as s:
        closing = close_day(s, clerk, DAY)
    assert (closing.payments, closing.amount) == (2, book.amount)
    with api.service.db.reading() as s:
        again = day_book(s, DAY)
        assert again.closing is not None and again.closing.amount == book.amount
        assert day_book(s, DAY + dt.timedelta(days=1)).closing is None
    with pytest.raises(ConflictError, match="đã chốt sổ"), api.service.db.transaction() as s:
        close_day(s, clerk, DAY)


def test_series_choices_by_the_days_scheme(api: Api) -> None:
    from esign.workflows.actors import SYSTEM
    from esign.workflows.counter import series_choices
    from esign.workflows.series import create_series

    with api.service.db.transaction() as s:
        create_series(s, SYSTEM, template_symbol="01BLP0-001", series="VB-26E")
        create_series(s, SYSTEM, template_symbol="01BLP0-001", series="VA-25E")
    with api.service.db.reading() as s:
        # Before 1 July 2026: the registered series of the day's year, to choose from.
        assert series_choices(s, day=DAY) == [("01BLP0-001", "VA-26E"), ("01BLP0-001", "VB-26E")]
        # From 1 July 2026 the law sets the one series: nothing to choose.
        assert series_choices(s, day=dt.date(2026, 7, 1)) == []
