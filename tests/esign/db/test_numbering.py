from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from esign.db import Database
from esign.db.models import ReceiptCounter
from esign.errors import ValidationError
from esign.numbering import take_number


def test_numbers_start_at_one_per_series_and_year(database: Database) -> None:
    with database.transaction() as s:
        assert take_number(s, template_symbol="01BLP0-001", series="VA-26E", year=2026) == 1
        assert take_number(s, template_symbol="01BLP0-001", series="VA-26E", year=2026) == 2
        assert take_number(s, template_symbol="EBL01", series="26TVA", year=2026) == 1
        assert take_number(s, template_symbol="EBL01", series="26TVA", year=2026) == 2
        assert take_number(s, template_symbol="EBL01", series="27TVA", year=2027) == 1


@pytest.mark.parametrize(
    ("series", "year"), [("VA-26E", 2027), ("26TVA", 2027), ("27TVA", 2026), ("VA-25E", 2026)]
)
def test_a_series_takes_numbers_only_in_its_year(
    database: Database, series: str, year: int
) -> None:
    """NĐ 254/2026 Điều 23.2: numbers restart each 1 January; the series carries the year
    (TT 91/2026 Phụ lục II.2.b). "VA-26E / 0000001" must never be printed twice."""
    with pytest.raises(ValidationError) as caught, database.transaction() as s:
        take_number(s, template_symbol="EBL01", series=series, year=year)
    assert caught.value.code == "series_year"


def test_rollback_gives_the_number_back(database: Database) -> None:
    with database.transaction() as s:
        take_number(s, template_symbol="T", series="S", year=2026)
    with pytest.raises(RuntimeError), database.transaction() as s:
        assert take_number(s, template_symbol="T", series="S", year=2026) == 2
        raise RuntimeError("failure after numbering, before commit")
    with database.transaction() as s:
        assert take_number(s, template_symbol="T", series="S", year=2026) == 2


def test_concurrent_numbers_are_gapless(database: Database) -> None:
    taken: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(10):
            with database.transaction() as s:
                n = take_number(s, template_symbol="T", series="S", year=2026)
            with lock:
                taken.append(n)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(taken) == list(range(1, 81))
    with database.reading() as s:
        assert s.scalar(select(ReceiptCounter.last_number)) == 80
