"""The signing inbox: overdue first, select all, who signed and who is next, a preview of page
1, and returning a document for correction (the workflow, its audit entry, the clerk's list)."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import json
import logging
import re
import threading
import time
from collections.abc import Callable

import pytest
from PIL import Image
from sqlalchemy import select

from esign.db.models import AuditEntry, Dossier, DossierStatus, ResultDocument, User
from esign.staff import official_jobs
from esign.workflows.actors import Actor
from esign.workflows.inbox import returned_for_correction
from esign.workflows.results import SignOutcome

from .conftest import Staff, hidden
from .test_official_and_roles import _finished, _queue_two


def _make_overdue(staff: Staff, result_id: int) -> None:
    with staff.api.service.db.transaction() as s:
        result = s.get(ResultDocument, result_id)
        assert result is not None
        dossier = s.get(Dossier, result.dossier_id)
        assert dossier is not None
        dossier.due_date = dt.date.today() - dt.timedelta(days=2)


def _order(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr id="doc-(\d+)"', page)]


def test_overdue_first_select_all_and_preview(staff: Staff, officials: str) -> None:
    docs = _queue_two(staff)
    (first, _), (second, second_number) = docs
    officer = staff.login("tuphap")
    assert _order(officer.get("/staff/").text) == [first, second]
    _make_overdue(staff, second)
    page = officer.get("/staff/").text
    assert _order(page) == [second, first]
    assert "1 quá hạn" in html.unescape(page)
    assert f'value="{first}" id="pick-{first}" checked' not in page
    everything = officer.get("/staff/?all=1").text
    for result_id, _ in docs:
        assert f'value="{result_id}" id="pick-{result_id}" checked' in everything
    # Who signs: the officer now, the chairman (named) after.
    text = html.unescape(page)
    assert (
        len(
            re.findall(
                r'<li class="next">Công chức Tư pháp - Hộ tịch: [^<]+ —\s+đến lượt</li>', text
            )
        )
        == 2
    )
    assert len(re.findall(r'<li class="later">Chủ tịch: [^<]+ —\s+chờ</li>', text)) == 2

    png = officer.get(f"/staff/results/{first}/preview.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    image = Image.open(io.BytesIO(png.content))
    assert image.width == 640 and image.height > image.width  # an A4 page, upright
    gray = image.convert("L")
    darkest = gray.getextrema()[0]
    assert isinstance(darkest, int) and darkest < 100  # dark ink on the page, not a blank

    # After the officer signs one, the chairman sees it signed by name, and his turn.
    done = _finished(
        officer,
        officer.post(
            "/staff/sign",
            data={"csrf": hidden(page, "csrf"), "result_id": str(first), "secret": officials},
        ),
    )
    assert "1/1" in done.text
    chairman = html.unescape(staff.login("chutich").get("/staff/").text)
    with staff.api.service.db.reading() as s:
        officer_name = s.scalar(select(User.full_name).where(User.username == "tuphap"))
    assert f"Công chức Tư pháp - Hộ tịch: {officer_name} —" in chairman
    assert "đã ký" in chairman and second_number not in chairman


def test_return_for_correction(staff: Staff, officials: str) -> None:
    docs = _queue_two(staff)
    (first, first_number), (second, _) = docs
    officer = staff.login("tuphap")
    page = officer.get("/staff/").text
    token = hidden(page, "csrf")
    short = officer.post(f"/staff/results/{first}/return", data={"csrf": token, "reason": "  ab"})
    assert short.status_code == 422
    text = html.unescape(short.text)
    assert "Lý do trả lại cần ít nhất 5 ký tự" in text and 'value="  ab"' in text
    assert f'id="reason-error-{first}"' in text
    empty = officer.post(f"/staff/results/{first}/return", data={"csrf": token, "reason": ""})
    assert "Lý do trả lại không được để trống" in html.unescape(empty.text)

    reason = "Sai ngày sinh của người yêu cầu"
    r = officer.post(f"/staff/results/{first}/return", data={"csrf": token, "reason": reason})
    assert r.status_code == 303 and r.headers["location"] == f"/staff/?returned={first}"
    after = html.unescape(officer.get(r.headers["location"]).text)
    assert f"Đã trả lại văn bản {first_number} để sửa." in after
    assert _order(after) == [second]
    with staff.api.service.db.reading() as s:
        result = s.get(ResultDocument, first)
        assert result is not None and result.status.value == "returned"
        dossier = s.get(Dossier, result.dossier_id)
        assert dossier is not None
        assert dossier.status is DossierStatus.FEE_PAID and dossier.processing_at is None
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "result.return")).one()
        assert entry.actor == "official:tuphap" and entry.subject == f"result:{first}"
        assert json.loads(entry.details)["reason"] == reason
        clerk = s.get(User, staff.api.users["clerk"])
        assert clerk is not None
        listed = returned_for_correction(s, Actor.of(clerk))
        assert [(x.result_id, x.reason, x.dossier_code) for x in listed] == [
            (first, reason, dossier.code)
        ]
    # Returned once: neither returned again nor signed.
    again = officer.post(f"/staff/results/{first}/return", data={"csrf": token, "reason": reason})
    assert again.status_code == 409
    signed = _finished(
        officer,
        officer.post(
            "/staff/sign",
            data={"csrf": token, "result_id": str(first), "secret": officials},
        ),
    )
    assert "không ký được — Văn bản" in html.unescape(signed.text)
    assert "đã được trả lại để sửa" in html.unescape(signed.text)
    # The chairman cannot return a document whose turn is the officer's.
    chairman = staff.login("chutich")
    r = chairman.post(
        f"/staff/results/{second}/return",
        data={"csrf": hidden(chairman.get("/staff/").text, "csrf"), "reason": reason},
    )
    assert r.status_code == 409


def test_job_page_shows_progress_until_done(staff: Staff, officials: str) -> None:
    """While a batch runs, its page reloads itself (Refresh) and shows n/total and what waits;
    once done it stops reloading. The run is held by an event to see the middle."""
    docs = _queue_two(staff)
    officer = staff.login("tuphap")
    user_id = staff.api.users["tuphap"]
    release, halfway = threading.Event(), threading.Event()

    def run(on_outcome: Callable[[SignOutcome], None]) -> object:
        on_outcome(SignOutcome(result_id=docs[0][0], ok=True))
        halfway.set()
        assert release.wait(30)
        on_outcome(SignOutcome(result_id=docs[1][0], ok=False, message_vi="Chưa đến lượt bạn"))
        return None

    closed: list[bool] = []
    key = contextlib.ExitStack()
    key.callback(lambda: closed.append(True))
    job = official_jobs.start(user_id, [i for i, _ in docs], run, key)
    assert halfway.wait(30)
    middle = officer.get(f"/staff/sign/jobs/{job.id}")
    assert middle.status_code == 200 and middle.headers["refresh"] == "1"
    text = html.unescape(middle.text)
    assert 'value="1"' in text and "1/2" in text and f"{docs[1][1]}</strong>: đang chờ ký" in text
    assert "Về danh sách chờ ký</a></p>" not in text
    release.set()
    deadline = time.monotonic() + 30
    while not job.snapshot()[1]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    done = officer.get(f"/staff/sign/jobs/{job.id}")
    assert "refresh" not in done.headers
    text = html.unescape(done.text)
    assert "2/2" in text and "ký được 1" in text and "không ký được — Chưa đến lượt bạn" in text
    assert closed == [True]  # the key is closed when the batch ends
    # Another official does not see it.
    assert staff.login("chutich").get(f"/staff/sign/jobs/{job.id}").status_code == 404


def test_the_password_is_never_echoed_or_logged(
    staff: Staff, officials: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    (first, _), _ = _queue_two(staff)
    officer = staff.login("tuphap")
    token = hidden(officer.get("/staff/").text, "csrf")
    wrong_secret = "sai-mat-khau-" + officials[:6]
    wrong = officer.post(
        "/staff/sign", data={"csrf": token, "result_id": str(first), "secret": wrong_secret}
    )
    assert wrong.status_code == 422 and wrong_secret not in wrong.text
    done = _finished(
        officer,
        officer.post(
            "/staff/sign", data={"csrf": token, "result_id": str(first), "secret": officials}
        ),
    )
    assert "1/1" in done.text and officials not in done.text
    assert officials not in officer.get("/staff/").text
    assert caplog.records  # something was logged at all (the check is not vacuous)
    assert officials not in caplog.text and wrong_secret not in caplog.text
    with staff.api.service.db.reading() as s:
        details = " ".join(s.scalars(select(AuditEntry.details)))
    assert officials not in details and wrong_secret not in details
