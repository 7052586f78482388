"""Paper receipts (NĐ 254/2026 Điều 44.2: use until 31/12/2026, destroy from 1/1/2027, Mẫu
02/HUY-HĐBLG) and the acknowledgement of unverified law that production waits for."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from esign.config import Settings
from esign.db.models import AuditEntry, User
from esign.errors import (
    ConfigurationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from esign.production import check_production, problems
from esign.service import Service
from esign.workflows import law_ack, paper_stock
from esign.workflows.actors import SYSTEM, Actor
from receipts.unverified import fingerprint, unverified_law
from tests.esign.api.conftest import Api

D = dt.date


def _actor(api: Api, username: str) -> Actor:
    with api.service.db.reading() as s:
        return Actor.of(s.get_one(User, api.users[username]))


def _actions(api: Api) -> list[str]:
    with api.service.db.reading() as s:
        return [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.seq)).all()]


@pytest.mark.parametrize(
    ("series", "first", "last"), [("AA-22E", 1, 50), ("VA-25P", 101, 300), ("BX-24E", 7, 7)]
)
def test_paper_stock_use_and_destruction_follow_the_dates(
    api: Api, series: str, first: int, last: int
) -> None:
    clerk = _actor(api, "clerk")
    with api.service.db.transaction() as s:
        stock = paper_stock.record_stock(
            s,
            SYSTEM,
            template_symbol="01BLP0-001",
            series=series,
            from_number=first,
            to_number=last,
        )
        assert stock.remaining == last - first + 1
        with pytest.raises(ConflictError):  # overlapping ranges of one series
            paper_stock.record_stock(
                s,
                SYSTEM,
                template_symbol="01BLP0-001",
                series=series,
                from_number=last,
                to_number=last + 5,
            )
        # used on the last allowed day: recorded
        paper_stock.use_paper_receipt(
            s,
            clerk,
            template_symbol="01blp0-001",
            series=series,
            number=first,
            used_on=D(2026, 12, 31),
            payer_name="Bùi Thị Trang",
            amount=8_000,
            description="Lệ phí cấp bản sao trích lục",
            today=D(2027, 1, 2),
        )
    with api.service.db.transaction() as s:
        for day in (D(2027, 1, 1), D(2027, 3, 15)):  # after 31/12/2026: refused, whatever the clock
            with pytest.raises(ValidationError) as err:
                paper_stock.use_paper_receipt(
                    s,
                    clerk,
                    template_symbol="01BLP0-001",
                    series=series,
                    number=last,
                    used_on=day,
                    payer_name="Nguyễn Văn Bình",
                    amount=10_000,
                    description="Chứng thực",
                    today=day,
                )
            assert err.value.code == "paper_receipts_expired"
        with pytest.raises(ConflictError):  # a number is used once
            paper_stock.use_paper_receipt(
                s,
                clerk,
                template_symbol="01BLP0-001",
                series=series,
                number=first,
                used_on=D(2026, 12, 30),
                payer_name="X",
                amount=1,
                description="Y",
                today=D(2026, 12, 31),
            )
        with pytest.raises(NotFoundError):  # outside the stock
            paper_stock.use_paper_receipt(
                s,
                clerk,
                template_symbol="01BLP0-001",
                series=series,
                number=last + 1,
                used_on=D(2026, 12, 30),
                payer_name="X",
                amount=1,
                description="Y",
                today=D(2026, 12, 31),
            )
        for day in (D(2026, 12, 31), D(2026, 7, 1)):  # destruction before 1/1/2027: refused
            with pytest.raises(ValidationError) as err:
                paper_stock.record_destruction(
                    s,
                    SYSTEM,
                    template_symbol="01BLP0-001",
                    series=series,
                    from_number=last,
                    to_number=last,
                    destroyed_on=day,
                    decision="QĐ 01/QĐ-UBND",
                    method="Cắt hủy",
                    today=D(2027, 1, 5),
                )
            assert err.value.code == "paper_destruction_too_early"
        with pytest.raises(PermissionDeniedError):
            paper_stock.record_destruction(
                s,
                clerk,
                template_symbol="01BLP0-001",
                series=series,
                from_number=last,
                to_number=last,
                destroyed_on=D(2027, 1, 2),
                decision="QĐ",
                method="Cắt hủy",
                today=D(2027, 1, 5),
            )
    if last > first:
        # the used number cannot be destroyed
        with api.service.db.transaction() as s, pytest.raises(ConflictError):
            paper_stock.record_destruction(
                s,
                SYSTEM,
                template_symbol="01BLP0-001",
                series=series,
                from_number=first,
                to_number=last,
                destroyed_on=D(2027, 1, 2),
                decision="QĐ",
                method="Cắt hủy",
                today=D(2027, 1, 5),
            )
        with api.service.db.transaction() as s:
            notice = paper_stock.record_destruction(
                s,
                SYSTEM,
                template_symbol="01BLP0-001",
                series=series,
                from_number=first + 1,
                to_number=last,
                destroyed_on=D(2027, 1, 2),
                decision="Quyết định 05/QĐ-UBND ngày 02/01/2027",
                method="Cắt hủy",
                today=D(2027, 1, 5),
            )
            assert (notice.form, notice.count) == ("02/HUY-HĐBLG", last - first)
            assert "Điều 44.2" in notice.legal_basis
            [view] = paper_stock.list_stock(s, SYSTEM)
            assert (view.used, view.destroyed, view.remaining) == (1, last - first, 0)
        assert _actions(api).count("paper.destroy") == 1
    assert _actions(api).count("paper.use") == 1 and _actions(api).count("paper.stock") == 1


def test_acknowledging_unverified_law(api: Api) -> None:
    service = api.service
    items = unverified_law(service.catalog)
    assert items, "the catalog carries unverified marks today"
    with service.db.reading() as s:
        status = law_ack.law_status(s, service)
    assert status.fingerprint == fingerprint(items) and status.needs_acknowledgement
    clerk = _actor(api, "clerk")
    with service.db.transaction() as s:
        with pytest.raises(PermissionDeniedError):
            law_ack.acknowledge(s, clerk, service, seen_fingerprint=status.fingerprint)
        with pytest.raises(ConflictError) as err:  # a list the administrator did not see
            law_ack.acknowledge(s, SYSTEM, service, seen_fingerprint="0" * 64)
        assert err.value.code == "law_list_changed"
    with service.db.transaction() as s:
        ack = law_ack.acknowledge(
            s, SYSTEM, service, seen_fingerprint=status.fingerprint, note="Đã xem, chờ công báo"
        )
    assert ack.items == len(items)
    with service.db.reading() as s:
        assert not law_ack.law_status(s, service).needs_acknowledgement
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "law.acknowledge")).one()
    assert json.loads(entry.details)["fingerprint"] == status.fingerprint


def test_production_waits_for_the_acknowledgement_of_the_current_list(tmp_path: Path) -> None:
    def service(province: str) -> Service:
        settings = Settings(
            data_dir=tmp_path / "data",
            environment="production",  # type: ignore[arg-type]
            province=province,
        )
        return Service.from_settings(settings)

    def law_lines(svc: Service) -> list[str]:
        return [p for p in problems(svc) if "chưa xác minh" in p]

    hd = service("HD")
    assert len(law_lines(hd)) == 1
    with hd.db.reading() as s:
        fp = law_ack.law_status(s, hd).fingerprint
    assert fp in law_lines(hd)[0]
    with hd.db.transaction() as s:
        law_ack.acknowledge(s, SYSTEM, hd, seen_fingerprint=fp)
    assert law_lines(hd) == []
    with pytest.raises(ConfigurationError):  # still unfit for other reasons (sqlite, http)
        check_production(hd)
    hd.close()
    # Another province's file: another list, another fingerprint: the acknowledgement lapses.
    hp = service("HP")
    with hp.db.reading() as s:
        assert law_ack.law_status(s, hp).fingerprint != fp
    assert len(law_lines(hp)) == 1
    hp.close()
