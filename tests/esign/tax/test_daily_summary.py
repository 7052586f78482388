"""Mẫu 01/TH-BLĐT equals the ledger: a seeded day (receipts issued, cancelled, replaced; an
earlier day's receipt cancelled today), its signed XML (our XSD, our verifier, xmlsec1) and its
workbook compared row by row and total by total with what the database holds."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from cryptography.hazmat.primitives import serialization
from lxml import etree
from sqlalchemy import select

from certs import Role
from esign.db.models import Receipt, ReceiptNotice
from esign.tax.senders import FolderSender
from esign.workflows import outbox, tax_reports
from esign.workflows.actors import SYSTEM, Actor
from esign.workflows.notices import record_notice
from esign.workflows.receipts import FeeInput, cancel_receipt, issue_receipt, replace_receipt
from receipts.calendar import VIETNAM_TZ
from receipts.pdf import PaymentMethod
from receipts.xml.tax import tax_schema_errors, verify_tax_xml
from tests.esign.api.conftest import Api

XMLSEC1 = shutil.which("xmlsec1")
STATUS_CODE = {"issued": 0, "cancelled": 1}


def _clerk(api: Api) -> Actor:
    with api.service.db.reading() as s:
        from esign.db.models import User

        return Actor.of(s.get_one(User, api.users["clerk"]))


def _issue(api: Api, clerk: Actor, payer: str, copies: int, *, at: dt.datetime | None) -> int:
    with api.service.db.transaction() as s:
        r = issue_receipt(
            s,
            clerk,
            api.service,
            payer_name=payer,
            payer_address="Chu Văn An, Hải Phòng",
            payment_method=PaymentMethod.CASH,
            fees=FeeInput(procedure_code="CT-BS", pages=copies),
            issued_at=at,
        )
        return r.id


def _seed(api: Api) -> tuple[dt.date, dict[str, int]]:
    """Today (Vietnam): 5 receipts issued, one cancelled, one replaced; yesterday: 2 issued,
    one of them cancelled today."""
    clerk = _clerk(api)
    now = dt.datetime.now(dt.UTC)
    yesterday = now - dt.timedelta(days=1)
    ids = {
        "old_kept": _issue(api, clerk, "Phạm Văn Hòa", 1, at=yesterday),
        "old_cancelled": _issue(api, clerk, "Đỗ Thị Lan", 2, at=yesterday),
        "a": _issue(api, clerk, "Bùi Thị Trang", 1, at=None),
        "b": _issue(api, clerk, "Nguyễn Văn Bình", 3, at=None),
        "c": _issue(api, clerk, "Trần Thị Ngọc Ánh", 2, at=None),
        "d": _issue(api, clerk, "Lê Quang Hưng", 5, at=None),
        "e": _issue(api, clerk, "Vũ Thị Hạnh", 4, at=None),
    }
    with api.service.db.transaction() as s:
        cancel_receipt(s, clerk, ids["b"], reason="Thu trùng", reason_code="thu_trung")
        cancel_receipt(s, clerk, ids["old_cancelled"], reason="Người nộp yêu cầu")
        new = replace_receipt(
            s,
            clerk,
            api.service,
            ids["c"],
            reason="Sai số trang",
            reason_code="sai_so_tien",
            fees=FeeInput(procedure_code="CT-BS", pages=6),
        )
        ids["c_new"] = new.id
        for key, kind, text in (
            ("a", "payer_name", "Tên đúng: Bùi Thị Thu Trang"),
            ("e", "payer_address", "Địa chỉ đúng: tổ 3, Chu Văn An"),
        ):
            record_notice(
                s,
                clerk,
                api.service,
                ids[key],
                error=kind,
                description=text,
                notified_to="Tại quầy",
            )
    return now.astimezone(VIETNAM_TZ).date(), ids


def _ref(r: Receipt) -> tuple[str, str, int, str]:
    return (
        r.template_symbol,
        r.series,
        r.number,
        r.issued_at.astimezone(VIETNAM_TZ).date().isoformat(),
    )


def _expected(api: Api, day: dt.date) -> list[dict[str, Any]]:
    """The rows as the ledger has them, computed here from the table's own columns."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=VIETNAM_TZ)
    end = start + dt.timedelta(days=1)
    with api.service.db.reading() as s:
        every = s.scalars(select(Receipt).order_by(Receipt.issued_at, Receipt.id)).all()
        by_id = {r.id: r for r in every}
        rows: list[dict[str, Any]] = []
        earlier: list[dict[str, Any]] = []
        for r in every:
            issued_today = start <= r.issued_at < end
            cancelled_today = r.cancelled_at is not None and start <= r.cancelled_at < end
            if not issued_today and not cancelled_today:
                continue
            related = []
            if r.replaces_id:
                related.append(("replaces", _ref(by_id[r.replaces_id])))
            if r.replaced_by_id:
                related.append(("replaced_by", _ref(by_id[r.replaced_by_id])))
            state = 3 if r.replaces_id else (1 if r.status.value == "cancelled" else 0)
            (rows if issued_today else earlier).append(
                {
                    "ref": _ref(r),
                    "payer": r.payer_name,
                    "fees": "; ".join(line["name"] for line in r.lines),
                    "total": r.total,
                    "state": state,
                    "status": r.status.value,
                    "related": related,
                }
            )
    # the day's receipts in issue order, then earlier receipts cancelled that day
    return rows + earlier


def _expected_notices(
    api: Api, day: dt.date
) -> list[tuple[str, str, tuple[str, str, int, str], str]]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=VIETNAM_TZ)
    with api.service.db.reading() as s:
        out = []
        for n in s.scalars(select(ReceiptNotice).order_by(ReceiptNotice.id)).all():
            if start <= n.issued_at < start + dt.timedelta(days=1):
                r = s.get_one(Receipt, n.receipt_id)
                out.append(
                    (str(n.id), day.isoformat(), _ref(r), f"{n.error_kind}: {n.description}")
                )
        return out


def _xml_notices(xml: bytes) -> list[tuple[str, str, tuple[str, str, int, str], str]]:
    root = etree.fromstring(xml)
    out = []
    for t in root.findall("DLBTHop/DSTBao/TBao"):
        b = t.find("BLai")
        ref = (
            b.findtext("KHMSBLai"),
            b.findtext("KHBLai"),
            int(b.findtext("SBLai")),
            b.findtext("NLap"),
        )
        out.append((t.findtext("STBao"), t.findtext("NTBao"), ref, t.findtext("LDo")))
    return out


def _xml_rows(xml: bytes) -> list[dict[str, Any]]:
    root = etree.fromstring(xml)

    def ref(el: Any) -> tuple[str, str, int, str]:
        return (
            el.findtext("KHMSBLai"),
            el.findtext("KHBLai"),
            int(el.findtext("SBLai")),
            el.findtext("NLap"),
        )

    return [
        {
            "ref": ref(d.find("BLai")),
            "payer": d.findtext("TNNop"),
            "fees": d.findtext("TKThu"),
            "total": int(d.findtext("TgTien")),
            "state": int(d.findtext("TThai")),
            "status": d.findtext("TTHTai"),
            "related": [(q.findtext("QHe"), ref(q.find("BLai"))) for q in d.findall("LQuan")],
        }
        for d in root.findall("DLBTHop/DSDLieu/DLieu")
    ]


def _xmlsec1(tmp_path: Path, xml: bytes, api: Api) -> subprocess.CompletedProcess[str]:
    assert XMLSEC1 is not None, "install Debian's xmlsec1"
    pki = api.service.pki
    store = pki.key_store(pki.only(Role.SEAL))
    pem = serialization.Encoding.PEM
    (tmp_path / "s.xml").write_bytes(xml)
    *intermediates, root = store.chain
    (tmp_path / "root.pem").write_bytes(root.public_bytes(pem))
    args = [
        XMLSEC1,
        "--verify",
        "--id-attr:Id",
        "DLBTHop",
        "--trusted-pem",
        str(tmp_path / "root.pem"),
    ]
    for i, c in enumerate(intermediates):
        (tmp_path / f"ca{i}.pem").write_bytes(c.public_bytes(pem))
        args += ["--untrusted-pem", str(tmp_path / f"ca{i}.pem")]
    return subprocess.run(
        [*args, str(tmp_path / "s.xml")], capture_output=True, text=True, check=False
    )


def test_the_days_summary_equals_the_ledger(api: Api, tmp_path: Path) -> None:
    day, _ids = _seed(api)
    with api.service.db.transaction() as s:
        sub = tax_reports.queue_daily_summary(s, SYSTEM, api.service, day=day)
        xml, xlsx = sub.xml, sub.xlsx
        sub_id = sub.id
    expected = _expected(api, day)
    # the family: 5 issued today (one cancelled, one replaced), the replacement, one of
    # yesterday's cancelled today; yesterday's kept receipt is not in today's summary
    assert len(expected) == 7
    assert sorted(r["state"] for r in expected) == [0, 0, 0, 0, 1, 1, 3]

    # XML: valid, signed by the ward's seal, verified by us and by xmlsec1
    assert tax_schema_errors(xml) == ()
    cert = tax_reports.seal_certificate(api.service)
    check = verify_tax_xml(xml, certificate=cert)
    assert check.valid, check.reasons
    done = _xmlsec1(tmp_path, xml, api)
    assert done.returncode == 0 and "OK" in done.stdout + done.stderr, done.stderr
    assert _xml_rows(xml) == expected
    root = etree.fromstring(xml)
    live = [r for r in expected if r["status"] == "issued"]
    assert int(root.findtext("DLBTHop/TCong/SLuong")) == len(expected)
    assert int(root.findtext("DLBTHop/TCong/TgTien")) == sum(r["total"] for r in expected)
    assert int(root.findtext("DLBTHop/TCong/SLHLuc")) == len(live)
    assert int(root.findtext("DLBTHop/TCong/TgTienHLuc")) == sum(r["total"] for r in live)
    assert root.findtext("DLBTHop/KDLieu") == day.isoformat()
    notices = _expected_notices(api, day)
    assert len(notices) == 2 and _xml_notices(xml) == notices
    assert int(root.findtext("DLBTHop/TCong/SLTBao")) == len(notices)

    # Excel: the same rows and totals
    (tmp_path / "s.xlsx").write_bytes(xlsx)
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx")["01-TH-BLDT"]
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    header = values.index(next(c for c in values if c and c[0] == "STT"))
    table = values[header + 1 : header + 1 + len(expected)]
    for got, want in zip(table, expected, strict=True):
        assert (got[1], got[2], got[3]) == want["ref"][:3]
        assert got[4] == dt.date.fromisoformat(want["ref"][3]).strftime("%d/%m/%Y")
        assert (got[5], got[6], got[7]) == (want["payer"], want["fees"], want["total"])
        assert str(got[8]).startswith(f"{want['state']} - ")
        for _relation, ref in want["related"]:
            assert f"{ref[0]} / {ref[1]} / {ref[2]:07d}" in str(got[10])
    totals = {row[1]: row[7] for row in values[header + 1 + len(expected) :] if row and row[1]}
    assert totals["Tổng số dòng"] == len(expected)
    assert totals["Tổng tiền (đồng)"] == sum(r["total"] for r in expected)
    assert totals["Tổng tiền còn hiệu lực (đồng)"] == sum(r["total"] for r in live)
    assert totals["Số thông báo sai sót"] == len(notices)
    sheet = openpyxl.load_workbook(tmp_path / "s.xlsx")["04-SS"]
    listed = [r for r in sheet.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert [(r[1], r[3], r[5]) for r in listed] == [
        (n[0], f"{n[2][0]} / {n[2][1]} / {n[2][2]:07d}", n[3]) for n in notices
    ]

    # The notices queued as they were signed when recorded, once
    with api.service.db.transaction() as s:
        queued = tax_reports.queue_pending_notices(s, SYSTEM, api.service)
        stored = [
            bytes(n.document.content)
            for n in s.scalars(select(ReceiptNotice).order_by(ReceiptNotice.id)).all()
        ]
        assert [q.xml for q in queued] == stored
        assert tax_reports.queue_pending_notices(s, SYSTEM, api.service) == []
    # Sent through the folder: the same bytes, the state recorded
    with api.service.db.transaction() as s:
        sent = outbox.send_pending(s, SYSTEM, FolderSender(tmp_path / "outbox"))
    assert [v.state for v in sent] == ["sent"] * 3
    assert (tmp_path / "outbox" / f"{sent[0].reference}.xml").read_bytes() == xml
    with api.service.db.reading() as s:
        view = outbox.get_submission(s, SYSTEM, sub_id)
    assert [e[1] for e in view.events] == ["queued", "sent"]


@pytest.mark.parametrize("offset", [0, 1])
def test_a_tampered_summary_fails_both_verifiers(api: Api, tmp_path: Path, offset: int) -> None:
    clerk = _clerk(api)
    _issue(api, clerk, "Bùi Thị Trang", 1 + offset, at=None)
    day = dt.datetime.now(VIETNAM_TZ).date()
    with api.service.db.transaction() as s:
        xml = tax_reports.queue_daily_summary(s, SYSTEM, api.service, day=day).xml
    forged = xml.replace(b"<TgTien>", b"<TgTien>1", 1)
    assert forged != xml
    assert not verify_tax_xml(forged, certificate=tax_reports.seal_certificate(api.service)).valid
    assert _xmlsec1(tmp_path, forged, api).returncode != 0
