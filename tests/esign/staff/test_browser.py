"""The clerk at the counter, in Debian's Chromium (headless, desktop size) against a real server:
log in, quote, issue with a double click, and see one receipt's number and total."""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import ConsoleMessage, Response, ViewportSize, sync_playwright
from sqlalchemy import select

from esign.app import create_app
from esign.config import Settings
from esign.db import Database
from esign.db.models import Receipt, UserRole
from esign.service import Service
from esign.signing.levels import PadesLevel
from esign.workflows.actors import SYSTEM
from esign.workflows.series import create_series
from esign.workflows.users import create_user
from receipts.catalog import default_catalog
from tests.esign.api.conftest import PASSWORD
from tests.utils import scheme_now

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 800}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def _serving(service: Service, port: int) -> Iterator[str]:
    config = uvicorn.Config(
        create_app(service=service),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        ws="none",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"staff-uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(20)


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
    try:
        with _serving(service, port) as base:
            yield base, service
    finally:
        database.dispose()


def test_clerk_issues_a_receipt_in_chromium(site: tuple[str, Service], artifacts_dir: Path) -> None:
    base, service = site
    shots = artifacts_dir / "staff"
    shots.mkdir(exist_ok=True)
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(message.text)  # a CSP refusal or a missing file shows here

    def on_response(response: Response) -> None:
        if response.status >= 400:
            problems.append(f"{response.status} {response.url}")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=DESKTOP, locale="vi-VN")
            page.on("console", on_console)
            page.on("response", on_response)
            page.goto(f"{base}/staff/")
            assert page.url == f"{base}/staff/login"
            page.fill("input[name=username]", "clerk")
            page.fill("input[name=password]", PASSWORD)
            page.click("button:has-text('Đăng nhập')")
            page.wait_for_url(f"{base}/staff/")
            assert page.locator("h1").inner_text() == "Thu phí tại bộ phận một cửa"
            # The stylesheet applied: the header band is red.
            band = page.eval_on_selector(".top", "e => getComputedStyle(e).borderBottomColor")
            assert band == "rgb(242, 194, 48)"

            page.fill("input[name=procedure]", "CT-BS")
            page.fill("input[name=pages]", "3")
            page.fill("input[name=copies]", "2")
            page.fill("input[name=payer_name]", "Bùi Thị Trang")
            page.fill("input[name=payer_address]", "Khu dân cư Văn An 1, phường Văn An")
            page.check("input[name=payment_method][value=bank_transfer]")
            page.click("button:has-text('Tính phí')")
            page.wait_for_selector("#quote-total")
            assert page.inner_text("#quote-total") == "10.000 đ"
            page.screenshot(path=str(shots / "clerk-quote.png"))

            page.dblclick("button:has-text('Xuất biên lai')")  # an impatient clerk
            page.wait_for_selector("#receipt-number")
            page.wait_for_load_state("load")
            number = page.inner_text("#receipt-number")
            assert number == scheme_now.number(1)
            assert page.inner_text("#receipt-total") == "10.000 đ"
            assert "Mười nghìn đồng" in page.inner_text("#issued")
            page.screenshot(path=str(shots / "clerk-issued.png"))
            page.click("#today summary")  # the cancel form opens without any script
            page.screenshot(path=str(shots / "clerk-issued-full.png"), full_page=True)

            pdf_href = page.get_attribute("#issued a:has-text('PDF')", "href")
            assert pdf_href is not None
            pdf = page.request.get(f"{base}{pdf_href}")  # the session cookie goes along
            assert pdf.status == 200 and pdf.body().startswith(b"%PDF")
        finally:
            browser.close()
    with service.db.reading() as s:
        receipts = s.scalars(select(Receipt)).all()
        assert [(r.number, r.total, r.payment_method) for r in receipts] == [
            (1, 10_000, "bank_transfer")
        ]
    assert problems == []
