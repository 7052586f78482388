"""The signing inbox, the administration and the reports desks in Debian's Chromium against a
real server on a loopback port, in one browser session: two officials sign a batch with
progress and the citizen's ``/v`` shows it signed; the administrator deactivates a user (whose
open session ends), binds a certificate and exports a month's report; a clerk cannot open the
signing inbox or the administration. Every page added is shot at 360 px and 1366 px into a
temporary folder the test prints."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import openpyxl
import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from sqlalchemy import select

from certs import PkiFolder
from esign.config import Settings
from esign.db import Database
from esign.db.models import ReceiptStatus, ResultDocument, User, UserRole
from esign.service import Service
from esign.signing.levels import PadesLevel
from esign.workflows.actors import SYSTEM, Actor
from esign.workflows.dossiers import receive_dossier
from esign.workflows.keys import set_key_source
from esign.workflows.results import create_result
from esign.workflows.series import create_series
from esign.workflows.users import create_user, register_certificate
from receipts.catalog import Channel, default_catalog
from tests.esign.api.conftest import PASSWORD
from tests.esign.api.test_reports_api import A, B, _line, _receipts

from .test_browser import CHROMIUM, CHROMIUM_ARGS, _free_port, _serving
from .test_official_and_roles import PEOPLE, _marital

pytestmark = pytest.mark.browser
VN = dt.timezone(dt.timedelta(hours=7))
WIDE = {"width": 1366, "height": 900}
NARROW = {"width": 360, "height": 740}


class Site:
    def __init__(self, base: str, service: Service, secret: str, tokens: list[str]) -> None:
        self.base, self.service, self.secret, self.tokens = base, service, secret, tokens

    def user(self, username: str) -> User:
        with self.service.db.reading() as s:
            user = s.scalar(select(User).where(User.username == username))
            assert user is not None
            s.expunge(user)
            return user


@pytest.fixture
def site(tmp_path: Path, pki_template: Path) -> Iterator[Site]:
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
    pki = PkiFolder(data / "pki")
    ids: dict[str, int] = {}
    with database.transaction() as s:
        create_series(s, SYSTEM, template_symbol="01BLP0-001", series="VA-26E")
        for username, name, role, official in (
            ("admin", "Trần Quản Trị", UserRole.ADMIN, None),
            ("clerk", "Lê Thị Thu", UserRole.CLERK, None),
            ("clerk2", "Ngô Văn Bình", UserRole.CLERK, None),
            ("tuphap", "Nguyễn Thị Lan", UserRole.OFFICIAL, "judicial_officer"),
            ("chutich", "Phạm Văn Hùng", UserRole.OFFICIAL, "chairman"),
        ):
            user = create_user(
                s, SYSTEM, username=username, full_name=name, role=role, password=PASSWORD,
                official_role=official,
            )  # fmt: skip
            ids[username] = user.id
        for username, cert in (("tuphap", "judicial-officer"), ("chutich", "chairman")):
            set_key_source(
                s, SYSTEM, user_id=ids[username],
                source={"kind": "pkcs12", "path": str(pki.path / "keys" / f"{cert}.p12")},
            )  # fmt: skip
        # The chairman's certificate is bound already; the officer's is bound in the browser.
        pem = pki.certificate("chairman").public_bytes(Encoding.PEM).decode()
        register_certificate(s, SYSTEM, user_id=ids["chutich"], certificate_pem=pem)
        clerk = s.get(User, ids["clerk"])
        assert clerk is not None
        tokens = []
        for name in PEOPLE:
            dossier = receive_dossier(
                s, Actor.of(clerk), procedure_code="HT-XNTTHN", applicant_name=name,
                applicant_address="Văn An 1", channel=Channel.ONLINE, catalog=service.catalog,
            )  # fmt: skip
            result = create_result(
                s, Actor.of(clerk), service, dossier_id=dossier.id, data=_marital(name)
            )
            tokens.append(result.token)
    # October 2026's receipts: 20 000 + 15 000 + 5 000 = 40 000 đồng.
    api = cast(Any, SimpleNamespace(service=service, users=ids))
    issued = ReceiptStatus.ISSUED
    rows = [
        (dt.datetime(2026, 10, 5, 9, tzinfo=VN), _line(A, 2, 10_000), "cash"),
        (dt.datetime(2026, 10, 5, 10, tzinfo=VN), _line(B, 3, 5_000), "online"),
        (dt.datetime(2026, 10, 31, 23, tzinfo=VN), _line(B, 1, 5_000), "bank_transfer"),
    ]
    _receipts(
        api,
        [
            {"issued_at": at, "lines": [line], "payment_method": method, "status": issued}
            for at, line, method in rows
        ],
    )
    secret = (pki.path / "password").read_text().strip()
    try:
        with _serving(service, port) as base:
            yield Site(base, service, secret, tokens)
    finally:
        database.dispose()


class Shots:
    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="desks2-shots-"))
        print(f"\nscreenshots: {self.folder}")
        self.taken: list[str] = []

    def __call__(self, page: Page, name: str) -> None:
        """The page at 1366 px and 360 px (full length), then back to 1366 px."""
        for label, size in (("1366", WIDE), ("360", NARROW)):
            page.set_viewport_size(cast(Any, size))
            path = self.folder / f"{name}-{label}.png"
            page.screenshot(path=str(path), full_page=True)
            self.taken.append(path.name)
        page.set_viewport_size(cast(Any, WIDE))
        # At 360 px nothing is wider than the screen but the scrolling tables.
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= 1366


def _login(
    browser: Browser, base: str, username: str, password: str = PASSWORD
) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport=cast(Any, WIDE), locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/staff/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button:has-text('Đăng nhập')")
    page.wait_for_url(f"{base}/staff/")
    return context, page


def _sign_all(page: Page, base: str, secret: str, shots: Shots, name: str) -> str:
    page.goto(f"{base}/staff/")
    page.click("#select-all")
    page.wait_for_url(f"{base}/staff/?all=1#queue")
    boxes = page.locator("input[name=result_id]")
    assert boxes.count() == 2 and all(boxes.nth(i).is_checked() for i in range(2))
    shots(page, f"inbox-{name}")
    page.fill("input[name=secret]", secret)
    page.click("#sign-button")
    page.wait_for_url(f"{base}/staff/sign/jobs/**")
    job_url = page.url
    page.wait_for_selector("#back", timeout=60_000)  # the page reloads itself until done
    assert page.get_attribute("#progress", "value") == "2"
    assert page.inner_text("#progress-text").startswith("2/2")
    shots(page, f"job-{name}")
    assert secret not in page.content()
    return job_url


def test_desks_in_chromium(site: Site) -> None:
    base = site.base
    shots = Shots()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # --- a clerk cannot open the signing inbox or the administration
            _, clerk = _login(browser, base, "clerk")
            assert "Thu phí" in clerk.inner_text("h1")
            for path in (
                "/staff/admin/users",
                "/staff/admin/certificates",
                "/staff/admin/audit",
                "/staff/sign/jobs/x",
            ):
                response = clerk.goto(f"{base}{path}")
                assert response is not None and response.status == 403, path
            assert "/staff/sign" not in clerk.content()

            # --- the administrator deactivates clerk2, whose open session ends
            _, other = _login(browser, base, "clerk2")
            _, admin = _login(browser, base, "admin")
            shots(admin, "admin-home")
            admin.click("nav.subnav a:has-text('Người dùng')")
            admin.wait_for_url(f"{base}/staff/admin/users")
            admin.click("#user-clerk2 button:has-text('Khóa tài khoản')")
            admin.wait_for_selector("#notice")
            assert "Đã khóa" in admin.inner_text("#user-clerk2")
            shots(admin, "admin-users")
            other.goto(f"{base}/staff/")
            assert other.url == f"{base}/staff/login"
            assert not site.user("clerk2").active

            # --- binds the officer's certificate
            admin.goto(f"{base}/staff/admin/certificates")
            admin.select_option("#bind select[name=user_id]", str(site.user("tuphap").id))
            admin.select_option("#bind select[name=name]", "judicial-officer")
            admin.click("#bind button")
            admin.wait_for_selector("#notice")
            assert site.user("tuphap").certificate_sha256 is not None
            assert "Nguyễn Thị Lan" in admin.inner_text("#cert-judicial-officer")
            shots(admin, "admin-certificates")
            for path, name in (
                ("series", "admin-series"),
                ("catalog", "admin-catalog"),
                ("audit", "admin-audit"),
            ):
                admin.goto(f"{base}/staff/admin/{path}")
                assert admin.locator("h1").count() == 1
                shots(admin, name)

            # --- two officials sign both documents in a batch, with progress
            _, officer = _login(browser, base, "tuphap")
            first_job = _sign_all(officer, base, site.secret, shots, "officer")
            outcomes = officer.inner_text("#outcomes")
            assert outcomes.count("đã ký") == 2 and "đủ chữ ký" not in outcomes
            officer.reload()  # a reload shows the result again: nothing is posted twice
            assert officer.url == first_job and officer.inner_text("#outcomes") == outcomes
            _, chairman = _login(browser, base, "chutich")
            chairman.goto(f"{base}/staff/")
            assert chairman.inner_text("#queue").count("Nguyễn Thị Lan") == 2  # who signed
            _sign_all(chairman, base, site.secret, shots, "chairman")
            assert chairman.inner_text("#outcomes").count("văn bản đã đủ chữ ký") == 2
            with site.service.db.reading() as s:
                statuses = {r.status.value for r in s.scalars(select(ResultDocument))}
            assert statuses == {"signed"}

            # --- the citizen's page says signed, on a phone
            citizen = browser.new_context(viewport=cast(Any, NARROW), locale="vi-VN").new_page()
            for token in site.tokens:
                citizen.goto(f"{base}/v/{token}")
                assert citizen.get_attribute("#verdict", "data-state") == "valid"
                assert citizen.locator("li.signer[data-signed=yes]").count() == 2

            # --- and exports October's report
            admin.goto(f"{base}/staff/reports")
            admin.fill("input[name=date_from]", "2026-10-01")
            admin.fill("input[name=date_to]", "2026-10-31")
            admin.click("#range button")
            admin.wait_for_url(f"{base}/staff/reports?date_from=2026-10-01&date_to=2026-10-31")
            assert admin.inner_text("#total-amount") == "40.000 đ"
            assert admin.inner_text("#total-receipts") == "3"
            admin.wait_for_load_state("networkidle")
            charts = admin.locator("img.chart")
            assert charts.count() == 3
            assert all(charts.nth(i).evaluate("i => i.naturalWidth") > 0 for i in range(3))
            shots(admin, "reports")
            with admin.expect_download() as info:
                admin.click("#export-xlsx")
            download = info.value
            assert download.suggested_filename == "bao-cao_20261001-20261031.xlsx"
            book = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
            month: Any = book["Theo tháng"]
            assert [list(r) for r in month.iter_rows(min_row=2, values_only=True)] == [
                ["2026-10", 3, 0, 40_000]
            ]
            items: Any = book["Theo khoản phí"]
            assert [(r[0], r[2], r[3]) for r in items.iter_rows(min_row=2, values_only=True)] == [
                (A[0], 2, 20_000), (B[0], 4, 20_000)
            ]  # fmt: skip
        finally:
            browser.close()
    assert len(shots.taken) == 2 * 11
