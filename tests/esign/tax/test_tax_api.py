"""The admin's API over the same workflows: the outbox (queue, send, fail, retry), paper
receipts, unverified law; roles enforced."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lxml import etree
from sqlalchemy import select

from esign.db.models import ReceiptSeries
from esign.tax.senders import OUTBOX_FOLDER, FolderSender
from esign.workflows import outbox, tax_reports
from esign.workflows.actors import SYSTEM
from esign.workflows.snapshot import unit_profile
from receipts.xml.tax import verify_tax_xml
from tests.esign.api.conftest import Api

from .test_daily_summary import _clerk, _issue


def test_summary_queue_send_and_files_over_http(api: Api) -> None:
    _issue(api, _clerk(api), "Bùi Thị Trang", 2, at=None)
    admin = api.login("admin")
    clerk = api.login("clerk")
    assert clerk.post("/api/v1/tax/summaries", json={}).status_code == 403
    r = admin.post("/api/v1/tax/summaries", json={})
    assert r.status_code == 201, r.text
    sub = r.json()
    assert (sub["state"], sub["rows"], sub["sequence"]) == ("queued", 1, 1)
    again = admin.post("/api/v1/tax/summaries", json={}).json()
    assert again["sequence"] == 2 and again["reference"] != sub["reference"]  # a supplement
    future = (tax_reports.vietnam_today() + dt.timedelta(days=1)).isoformat()
    assert admin.post("/api/v1/tax/summaries", json={"day": future}).status_code == 422
    sent = admin.post("/api/v1/tax/send").json()
    assert sent["count"] == 2 and {s["state"] for s in sent["data"]} == {"sent"}
    folder = api.service.settings.data_dir / OUTBOX_FOLDER
    xml = admin.get(f"/api/v1/tax/submissions/{sub['id']}/xml").content
    assert (folder / f"{sub['reference']}.xml").read_bytes() == xml
    assert admin.get(f"/api/v1/tax/submissions/{sub['id']}/xlsx").content[:2] == b"PK"
    listed = admin.get("/api/v1/tax/submissions", params={"state": "sent"}).json()
    assert listed["count"] == 2


def test_a_failed_send_is_recorded_and_retried(api: Api, tmp_path: Path) -> None:
    _issue(api, _clerk(api), "Nguyễn Văn Bình", 1, at=None)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the folder should be")
    with api.service.db.transaction() as s:
        sub_id = tax_reports.queue_daily_summary(
            s, SYSTEM, api.service, day=tax_reports.vietnam_today()
        ).id
    for attempt in (1, 2):
        with api.service.db.transaction() as s:
            [view] = outbox.send_pending(s, SYSTEM, FolderSender(blocked / "out"))
        assert (view.state, view.attempts) == ("failed", attempt)
        assert view.last_error and "not-a-folder" in view.last_error
    with api.service.db.transaction() as s:
        [view] = outbox.send_pending(s, SYSTEM, FolderSender(tmp_path / "out"))
    assert (view.state, view.attempts, view.last_error) == ("sent", 3, None)
    with api.service.db.reading() as s:
        events = [e[1] for e in outbox.get_submission(s, SYSTEM, sub_id).events]
    assert events == ["queued", "failed", "retried", "failed", "retried", "sent"]
    with api.service.db.transaction() as s:  # nothing left to send
        assert outbox.send_pending(s, SYSTEM, FolderSender(tmp_path / "out")) == []


def test_paper_receipts_and_law_over_http(api: Api) -> None:
    admin = api.login("admin")
    clerk = api.login("clerk")
    body = {"template_symbol": "01BLP0-001", "series": "AA-22E", "from_number": 1, "to_number": 20}
    assert clerk.post("/api/v1/paper/stock", json=body).status_code == 403
    assert admin.post("/api/v1/paper/stock", json=body).status_code == 201
    use = {
        "template_symbol": "01BLP0-001",
        "series": "AA-22E",
        "number": 3,
        "payer_name": "Bùi Thị Trang",
        "amount": 8000,
        "description": "Bản sao trích lục",
    }
    late = clerk.post("/api/v1/paper/uses", json={**use, "used_on": "2027-01-01"})
    assert late.status_code == 422 and late.json()["error"]["code"] == "paper_receipts_expired"
    ok = clerk.post("/api/v1/paper/uses", json={**use, "used_on": "2026-11-30"})
    assert ok.status_code == 201, ok.text
    early = admin.post(
        "/api/v1/paper/destructions",
        json={
            "template_symbol": "01BLP0-001",
            "series": "AA-22E",
            "from_number": 4,
            "to_number": 20,
            "destroyed_on": "2026-12-31",
            "decision": "QĐ 01",
        },
    )
    assert (
        early.status_code == 422 and early.json()["error"]["code"] == "paper_destruction_too_early"
    )
    [stock] = clerk.get("/api/v1/paper/stock").json()["data"]
    assert (stock["used"], stock["remaining"]) == (1, 19)

    assert clerk.get("/api/v1/law/unverified").status_code == 403
    law = admin.get("/api/v1/law/unverified").json()
    assert law["count"] == len(law["data"]) > 0 and law["needs_acknowledgement"]
    assert all(item["reason"] for item in law["data"])
    stale = admin.post("/api/v1/law/acknowledgements", json={"fingerprint": "f" * 64})
    assert stale.status_code == 409
    ack = admin.post("/api/v1/law/acknowledgements", json={"fingerprint": law["fingerprint"]})
    assert ack.status_code == 201, ack.text
    after = admin.get("/api/v1/law/unverified").json()
    assert not after["needs_acknowledgement"]
    assert after["acknowledged"]["actor"] == "admin:admin"


def test_ended_days_are_queued_once_and_today_waits(api: Api) -> None:
    clerk = _clerk(api)
    now = dt.datetime.now(dt.UTC)
    days = (3, 1)  # two ended days with receipts; the day between has none
    for back in days:
        _issue(api, clerk, "Phạm Văn Hòa", back, at=now - dt.timedelta(days=back))
    _issue(api, clerk, "Vũ Thị Hạnh", 1, at=None)  # today: not ended, not queued
    with api.service.db.transaction() as s:
        queued = tax_reports.queue_due_summaries(s, SYSTEM, api.service, now=now)
        periods = [q.period for q in queued]
    today = tax_reports.vietnam_today(now)
    assert periods == sorted(today - dt.timedelta(days=b) for b in days)
    with api.service.db.transaction() as s:
        assert tax_reports.queue_due_summaries(s, SYSTEM, api.service, now=now) == []


def test_registration_names_the_series_and_the_seal_certificate(api: Api) -> None:
    admin = api.login("admin")
    r = admin.post(
        "/api/v1/tax/registrations",
        json={"contact_name": "Lê Thị Thu", "contact_phone": "0220 3 888 888", "change": True},
    )
    assert r.status_code == 201, r.text
    xml = admin.get(f"/api/v1/tax/submissions/{r.json()['id']}/xml").content
    cert = tax_reports.seal_certificate(api.service)
    check = verify_tax_xml(xml, certificate=cert)
    assert check.valid, check.reasons
    root = etree.fromstring(xml)
    with api.service.db.reading() as s:
        series = s.scalars(select(ReceiptSeries).where(ReceiptSeries.active.is_(True))).all()
    assert [
        (k.findtext("KHMSBLai"), k.findtext("KHBLai"))
        for k in root.iterfind("DLTKhai/DSKHieu/KHieu")
    ] == [(x.template_symbol, x.series) for x in series]
    assert root.findtext("DLTKhai/DSCTSSDung/CTS/Seri") == format(cert.serial_number, "x")
    assert root.findtext("DLTKhai/HThuc") == "2"
    unit = unit_profile(api.service.settings, on=tax_reports.vietnam_today())
    assert root.findtext("DLTKhai/TTChung/NNT/MST") == unit.tax_code
    assert root.findtext("DLTKhai/TTChung/NNT/TNNT") == unit.name
