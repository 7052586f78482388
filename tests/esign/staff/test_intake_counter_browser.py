"""The intake desk and the counter in Debian's Chromium against a real server, one browser for
the whole walk: intake → dossier received → slips printed → result drafted from it (preview);
a clerk issues five receipts keyboard-only, prints with the shortcut, replaces one, finds one by
a name typed without diacritics, and closes the day. Every page is photographed at 360 px and
1366 px (the folder is printed); the keystrokes for one receipt are counted and printed."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, Response, ViewportSize, sync_playwright
from sqlalchemy import select

from esign.config import Settings
from esign.db import Database
from esign.db.models import Dossier, DossierStatus, Receipt, ReceiptStatus, UserRole
from esign.service import Service
from esign.signing.levels import PadesLevel
from esign.workflows.actors import SYSTEM
from esign.workflows.series import create_series
from esign.workflows.users import create_user
from receipts.catalog import default_catalog
from tests.esign.api.conftest import PASSWORD
from tests.utils import scheme_now

from .test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port, _serving

pytestmark = pytest.mark.browser

DESK: ViewportSize = {"width": 1366, "height": 800}
PHONE: ViewportSize = {"width": 360, "height": 780}
ADDRESS = "Khu dân cư Văn An 1, phường Văn An"
# name, payment method (arrow presses from "cash" in the radio group), pages, copies
WALK = [
    ("Đỗ Thị Hằng", 0, "1", ""),
    ("Trần Văn Bình", 1, "3", "2"),
    ("Nguyễn Thị Ánh Tuyết", 0, "2", ""),
    ("Lê Đức Anh", 2, "1", "3"),
    ("Phạm Quốc Việt", 0, "4", ""),
]
METHODS = ["cash", "bank_transfer", "online"]


@pytest.fixture
def site(tmp_path: Path, pki_template: Path) -> Iterator[tuple[str, Service]]:
    database = Database(f"sqlite:///{tmp_path / 'esign.sqlite3'}")
    database.migrate()
    data = tmp_path / "data"
    shutil.copytree(pki_template, data / "pki")
    port = _free_port()
    settings = Settings(
        data_dir=data,
        database_url=database.url,
        signing_level=PadesLevel.B_B,
        public_url=f"http://127.0.0.1:{port}",
    )
    service = Service(settings=settings, db=database, catalog=default_catalog("HD"))
    with database.transaction() as s:
        create_series(s, SYSTEM, template_symbol="01BLP0-001", series="VA-26E")
        create_user(
            s, SYSTEM, username="clerk", full_name="Lê Thị Thu", role=UserRole.CLERK,
            password=PASSWORD,
        )  # fmt: skip
        create_user(
            s, SYSTEM, username="tuphap", full_name="Trần Thị Mai", role=UserRole.OFFICIAL,
            password=PASSWORD, official_role="judicial_officer",
            title="Công chức Tư pháp - Hộ tịch",
        )  # fmt: skip
        create_user(
            s, SYSTEM, username="chutich", full_name="Nguyễn Văn Hùng", role=UserRole.OFFICIAL,
            password=PASSWORD, official_role="chairman", title="Chủ tịch UBND phường",
        )  # fmt: skip
    try:
        with _serving(service, port) as base:
            yield base, service
    finally:
        database.dispose()


class Keys:
    """The keyboard, counted: each key press and each character typed is one keystroke."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.count = 0

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)
            self.count += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.count += len(text)


def _focused(page: Page) -> str:
    return str(page.evaluate("(e => e ? e.id || e.name || '' : '')(document.activeElement)"))


def test_intake_and_counter_in_chromium(
    site: tuple[str, Service], artifacts_dir: Path, tmp_path: Path
) -> None:
    base, service = site
    shots = artifacts_dir / "staff-intake-counter"
    shots.mkdir(exist_ok=True)
    problems: list[str] = []
    taken: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        expected = re.match(
            r"Failed to load resource: .* status of (403|404|409|422) ", message.text
        )
        if message.type in ("error", "warning") and not expected:
            problems.append(message.text)  # a CSP refusal or a missing file shows here

    def on_response(response: Response) -> None:
        # A page may answer 403/404/409/422 on purpose; a stylesheet, script or image never.
        page_answer = response.request.resource_type == "document"
        if response.status >= 400 and not (page_answer and response.status in (403, 404, 409, 422)):
            problems.append(f"{response.status} {response.url}")

    def shoot(page: Page, name: str) -> None:
        """The page at a desk's width and at a phone's, whole; no sideways scrolling on the
        phone beyond what a wide table's own scroller holds."""
        for label, size in (("1366", DESK), ("360", PHONE)):
            page.set_viewport_size(size)
            path = shots / f"{name}-{label}.png"
            page.screenshot(path=str(path), full_page=True)
            taken.append(path.name)
            if size is PHONE:
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= 362, (name, width)
        page.set_viewport_size(DESK)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=DESK, locale="vi-VN")
            page = context.new_page()
            page.on("console", on_console)
            page.on("response", on_response)
            page.goto(f"{base}/staff/")
            shoot(page, "01-login")
            page.fill("input[name=username]", "clerk")
            page.fill("input[name=password]", PASSWORD)
            page.click("button:has-text('Đăng nhập')")
            page.wait_for_url(f"{base}/staff/")

            # --- intake: the procedure typed without diacritics, an error first ----------
            page.click("nav a:has-text('Tiếp nhận hồ sơ')")
            page.wait_for_url(f"{base}/staff/intake")
            assert _focused(page) == "procedure"
            shoot(page, "02-intake")
            page.keyboard.type("xac nhan tinh trang hon nhan")
            page.fill("input[name=applicant_name]", "Đỗ Thị Hằng")
            page.click("#receive-button")
            page.wait_for_selector("#err-applicant_address")
            assert page.inner_text("#err-applicant_address") == "Địa chỉ không được để trống"
            assert page.input_value("input[name=applicant_name]") == "Đỗ Thị Hằng"
            assert _focused(page) == "applicant_address"
            shoot(page, "03-intake-error")
            page.keyboard.type("Số 5 ngõ 12, phường Văn An")
            page.keyboard.press("Enter")
            page.wait_for_selector("#received")
            with service.db.reading() as s:
                dossier = s.scalars(select(Dossier)).one()
                due = dossier.due_date
                assert dossier.procedure_code == "HT-XNTTHN"
            assert f"{due:%d/%m/%Y}" in page.inner_text("#due-date")
            shoot(page, "04-dossier-received")

            # --- the slips, printed (the print stylesheet leaves only them) ---------------
            page.keyboard.press("Enter")  # the slips' link has the focus
            page.wait_for_selector("#appointment-slip")
            assert f"ngày {due:%d/%m/%Y}" in page.inner_text("#slip-due")
            shoot(page, "05-slips")
            page.emulate_media(media="print")
            assert not page.is_visible("nav.nav") and not page.is_visible("header.top")
            assert page.is_visible("#appointment-slip")
            pdf = tmp_path / "slips.pdf"
            page.pdf(path=str(pdf), format="A4")
            page.emulate_media(media="screen")
            printed = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True)
            assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in printed.stdout
            assert "PHIẾU HẸN TRẢ KẾT QUẢ" in printed.stdout and "Đăng xuất" not in printed.stdout
            shutil.copy(pdf, shots / "slips.pdf")

            # --- the result drafted from the dossier, previewed, created ------------------
            page.goto(f"{base}/staff/dossiers/{dossier.id}")
            page.click("#draft-link")
            page.wait_for_selector("#result-form")
            assert page.input_value("input[name=requester]") == "Đỗ Thị Hằng"
            assert (
                page.input_value("input[name='person.residence']") == "Số 5 ngõ 12, phường Văn An"
            )
            page.fill("input[name='person.date_of_birth']", "1990-04-12")
            page.fill("input[name='person.gender']", "Nữ")
            page.fill("input[name='person.personal_id']", "034190001234")
            page.fill("input[name=marital_status]", "Chưa đăng ký kết hôn với ai")
            page.click("#preview-button")
            page.wait_for_selector("#err-purpose")  # the purpose was left out
            assert page.inner_text("#err-purpose") == "Hãy nhập mục đích sử dụng"
            assert page.input_value("input[name='person.personal_id']") == "034190001234"
            page.fill("input[name=purpose]", "Để đăng ký kết hôn")
            page.click("#preview-button")
            page.wait_for_selector("#preview")
            width = page.eval_on_selector("#preview", "img => img.naturalWidth")
            assert width > 300
            shoot(page, "06-result-preview")
            page.keyboard.press("Enter")  # "Tạo văn bản và chuyển ký" has the focus
            page.wait_for_selector("#results li.result")
            assert "chờ ký" in page.inner_text("#results")
            assert page.inner_text("#dossier-status") == "Đang giải quyết"
            shoot(page, "07-dossier-with-result")

            # --- the counter, keyboard only: five receipts ---------------------------------
            page.goto(f"{base}/staff/")
            counts: list[int] = []
            for i, (name, arrows, pages, copies) in enumerate(WALK):
                keys = Keys(page)
                assert _focused(page) == "procedure", i
                keys.type("ct-bs")
                keys.press("Tab")  # pages
                keys.type(pages)
                keys.press("Tab")  # copies ("1" unless typed; Tab selects it)
                if copies:
                    keys.type(copies)
                keys.press("Tab", 2)  # cases, then the payer's name
                keys.type(name)
                keys.press("Tab")
                keys.type(ADDRESS)
                if arrows:
                    keys.press("Tab")  # the checked radio (cash)
                    keys.press("ArrowRight", arrows)
                with page.expect_navigation():
                    keys.press("Enter")  # "Tính phí"
                page.wait_for_selector("#quote-total")
                assert _focused(page) == "issue-button", i
                if i == 0:
                    shoot(page, "08-counter-quote")
                with page.expect_navigation():
                    keys.press("Enter")  # "Xuất biên lai"
                page.wait_for_selector("#receipt-number")
                assert page.inner_text("#receipt-number") == scheme_now.number(i + 1)
                counts.append(keys.count)
                if i == 0:
                    shoot(page, "09-counter-issued")
                    with page.expect_popup() as popup:
                        page.keyboard.press("Alt+s")  # the A5 copy, by its shortcut
                    copy = popup.value
                    copy.wait_for_load_state()
                    href = page.get_attribute("#print-a5", "href")
                    assert href and copy.url == f"{base}{href}", copy.url
                    a5 = tmp_path / "a5.pdf"
                    a5.write_bytes(page.request.get(copy.url).body())
                    info = subprocess.run(["pdfinfo", str(a5)], capture_output=True, text=True)
                    assert re.search(r"Page size:\s+419\.5\d* x 595\.2\d* pts", info.stdout)
                    copy.close()
                    page.bring_to_front()
                    page.focus("input[name=procedure]")
            print(f"\nkeystrokes for one receipt keyboard-only: {counts[0]} (all five: {counts})")
            with service.db.reading() as s:
                rows = s.scalars(select(Receipt).where(Receipt.dossier_id.is_(None))).all()
                assert [(r.payer_name, r.payment_method) for r in rows] == [
                    (n, METHODS[a]) for n, a, _, _ in WALK
                ]
            # The typed part of the count is the data; the rest is the form's own cost.
            overhead = counts[0] - len("ct-bs") - len(WALK[0][0]) - len(ADDRESS) - len(WALK[0][2])
            assert overhead <= 7, overhead  # five Tabs, Enter to quote, Enter to issue
            shoot(page, "10-counter-list")

            # --- replace one (the payer's name misspelt) ------------------------------------
            second = rows[1]
            row = page.locator(f"#receipt-{second.id}")
            row.locator("details.replace summary").click()
            row.locator("details.replace input[name=reason]").fill("Sai dấu tên người nộp")
            row.locator("details.replace input[name=payer_name]").fill("Trần Văn Bính")
            shoot(page, "11-counter-replace-form")
            row.locator("details.replace button").click()
            page.wait_for_selector("#replaced")
            assert page.inner_text("#receipt-number") == scheme_now.number(6)

            # --- find one by a name typed without diacritics ---------------------------------
            page.click("nav a:has-text('Tra cứu biên lai')")
            page.wait_for_url(f"{base}/staff/receipts/search")
            assert _focused(page) == "payer"
            page.keyboard.type("nguyen thi anh tuyet")
            page.keyboard.press("Enter")
            page.wait_for_selector("#found")
            assert page.locator("#found tbody tr").count() == 1
            assert page.inner_text("#found .payer-name") == "Nguyễn Thị Ánh Tuyết"
            shoot(page, "12-search")

            # --- the day's takings and its closing -------------------------------------------
            page.click("nav a:has-text('Bảng kê thu')")
            page.wait_for_selector("#totals")
            with service.db.reading() as s:
                counted = [
                    r for r in s.scalars(select(Receipt)) if r.status is ReceiptStatus.ISSUED
                ]
            expected = sum(r.total for r in counted)
            shown = page.inner_text("#total-amount")
            assert shown == f"{expected:,}".replace(",", ".") + " đ"
            assert page.inner_text("#total-count") == str(len(counted))
            shoot(page, "13-daybook")
            page.click("#close-day")
            page.wait_for_selector("#closed")
            shoot(page, "14-daybook-closed")

            # --- a clerk's closed doors ------------------------------------------------------
            csrf = page.get_attribute("input[name=csrf]", "value") or ""
            refused = page.request.post(f"{base}/staff/sign", form={"csrf": csrf})
            assert refused.status == 403 and "Việc này chỉ dành cho" in refused.text()
            for door in ("admin/users", "admin/certificates", "admin/audit"):
                answer = page.goto(f"{base}/staff/{door}")
                assert answer is not None and answer.status == 403, door
                assert "Việc này chỉ dành cho" in page.inner_text("main")
            shoot(page, "15-forbidden")
            answer = page.goto(f"{base}/staff/dossiers/999999")
            assert answer is not None and answer.status == 404
            shoot(page, "16-not-found")
        finally:
            browser.close()
    with service.db.reading() as s:
        assert s.scalars(select(Dossier)).one().status is DossierStatus.PROCESSING
    print(f"screenshots ({len(taken)}) in {shots}")
    assert problems == [], problems
