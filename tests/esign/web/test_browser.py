"""What a citizen sees: Debian's Chromium, headless, at phone size, opening the QR's URL on a real
server (uvicorn on 127.0.0.1, a secure context, so the seal is checked with WebCrypto)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from esign.app import create_app
from esign.db import Database
from esign.seal import mask_name, qr_url
from esign.service import Service
from esign.workflows.actors import Actor
from tests.utils import scheme_now

from .documents import CHILD, MOTHER, SECRET_NAMES, make_officials, make_result
from .forgery import forgeries, genuine_claims, withdrawn_seal
from .helpers import ADDRESS, PAYER, PAYER_MASKED, Issued, build_service, cancel, issue, replace
from .server import free_port, serve

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
PHONE: ViewportSize = {"width": 390, "height": 844}
T = TypeVar("T")


@dataclass
class Site:
    base: str
    service: Service
    clerk: Actor
    tmp: Path

    def url(self, receipt: Issued, seal: str | None = None) -> str:
        return qr_url(self.base, receipt.token, seal if seal is not None else receipt.seal)


@contextlib.contextmanager
def _site(tmp: Path, pki_template: Path) -> Iterator[Site]:
    database = Database(f"sqlite:///{tmp / 'esign.sqlite3'}")
    database.migrate()
    port = free_port()
    service, clerk = build_service(
        database, tmp / "data", pki_template, public_url=f"http://127.0.0.1:{port}"
    )
    try:
        with serve(create_app(service=service), port) as base:
            yield Site(base=base, service=service, clerk=clerk, tmp=tmp)
    finally:
        database.dispose()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, pki_template: Path) -> Iterator[Site]:
    with _site(tmp_path_factory.mktemp("site"), pki_template) as s:
        yield s


@dataclass(frozen=True)
class Documents:
    valid: Issued
    cancelled: Issued
    replaced: Issued
    replacement: Issued


def _off_loop(work: Callable[[], T]) -> T:
    """Run service work in a thread: Playwright's sync API keeps an event loop running in this
    one, and signing refuses to start its own inside a running loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(work).result()


@pytest.fixture(scope="module")
def documents(site: Site) -> Documents:
    def work() -> Documents:
        valid = issue(site.service, site.clerk)
        cancelled = issue(site.service, site.clerk, payer="Nguyễn Văn Bình", pages=1)
        cancel(
            site.service,
            site.clerk,
            cancelled.id,
            "Thu nhầm phí, đã hoàn trả tiền cho người nộp",
            code="thu_trung",
        )
        replaced = issue(site.service, site.clerk, payer="Trần Thị Hồng Nhung", pages=5)
        replacement = replace(site.service, site.clerk, replaced.id, "Ghi sai số trang")
        return Documents(
            valid=valid, cancelled=cancelled, replaced=replaced, replacement=replacement
        )

    return _off_loop(work)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    """A phone-sized page; any script error or policy violation fails the test."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on(
        "console",
        lambda m: (
            problems.append(m.text) if m.type == "error" and "status of 404" not in m.text else None
        ),
    )
    yield page
    context.close()
    assert not problems


def _settled(page: Page) -> None:
    # Selectors, not wait_for_function: the page's CSP forbids the eval that one uses.
    page.wait_for_selector('#seal-check:not([data-state="checking"])', timeout=10_000)


def _open(page: Page, url: str) -> str:
    """Open ``url``, wait for the seal check, return its state."""
    page.goto("about:blank")  # a new seal in the same page would only change the fragment
    page.goto(url)
    _settled(page)
    state = page.get_attribute("#seal-check", "data-state")
    assert state is not None
    return state


def _shot(page: Page, artifacts_dir: Path, name: str) -> None:
    folder = artifacts_dir / "web"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))
    page.screenshot(path=str(folder / f"{name}-full.png"), full_page=True)


def _no_private_data(page: Page, payer: str) -> None:
    html = page.content()
    assert payer not in html and ADDRESS not in html


def test_valid_receipt(phone: Page, site: Site, documents: Documents, artifacts_dir: Path) -> None:
    assert _open(phone, site.url(documents.valid)) == "genuine"
    assert phone.inner_text("#verdict h1") == "Văn bản thật, đang có hiệu lực"
    assert phone.inner_text("#person") == PAYER_MASKED
    assert phone.inner_text("#seal-text") == "Con dấu QR đúng là của phường, khớp với hồ sơ lưu."
    assert "Đã kiểm tra ngay trên điện thoại của bạn" in phone.inner_text("#seal-note")
    assert phone.is_hidden("#seal-warning")
    assert "UBND phường Chu Văn An" in phone.inner_text(".signers")
    assert phone.inner_text("#doc-number") == scheme_now.label(1)
    _no_private_data(phone, PAYER)
    _shot(phone, artifacts_dir, "valid")
    # The English switch keeps the seal (it lives in the fragment) and checks it again.
    phone.click("a.lang")
    phone.wait_for_url("**/v/*?lang=en#*")
    phone.wait_for_selector('#seal-check[data-state="genuine"]')
    assert phone.inner_text("#verdict h1") == "Genuine and valid"
    assert phone.inner_text("#seal-text").startswith("The QR seal is genuine")
    # The original PDF downloads from the page.
    with phone.expect_download() as download:
        phone.click("#download")
    assert (
        download.value.suggested_filename
        == f"bien-lai-{scheme_now.SERIES}-{scheme_now.number(1)}.pdf"
    )


def test_cancelled_receipt(
    phone: Page, site: Site, documents: Documents, artifacts_dir: Path
) -> None:
    assert _open(phone, site.url(documents.cancelled)) == "genuine"
    assert phone.inner_text("#verdict h1") == "ĐÃ HỦY — không còn giá trị"
    assert phone.get_attribute("#verdict", "data-tone") == "bad"
    # The public reason is the fixed list's; the clerk's words stay internal.
    assert phone.inner_text("#cancel-reason") == "Thu trùng"
    assert "hoàn trả" not in phone.content()
    assert phone.inner_text("#cancel-date").endswith("(GMT+7)")
    assert phone.inner_text("#person") == "N***** V** B***"
    _no_private_data(phone, "Nguyễn Văn Bình")
    _shot(phone, artifacts_dir, "cancelled")


def test_replaced_receipt(
    phone: Page, site: Site, documents: Documents, artifacts_dir: Path
) -> None:
    assert _open(phone, site.url(documents.replaced)) == "genuine"
    assert phone.inner_text("#verdict h1") == "ĐÃ BỊ THAY THẾ"
    assert phone.inner_text("#replaced-by") == scheme_now.label(4)
    assert phone.inner_text("#person") == "T*** T** H*** N****"
    _shot(phone, artifacts_dir, "replaced")
    # Following the link: the replacement is valid; no seal came with that link.
    phone.click("#replaced-by")
    phone.wait_for_url(f"**/v/{documents.replacement.token}")
    _settled(phone)
    assert phone.inner_text("#verdict h1") == "Văn bản thật, đang có hiệu lực"
    assert phone.get_attribute("#seal-check", "data-state") == "absent"
    assert phone.is_hidden("#download")  # no seal, no download
    assert phone.inner_text("#replaces") == scheme_now.label(3)
    _shot(phone, artifacts_dir, "replacement")


def test_birth_extract_requested_by_a_parent(phone: Page, site: Site, artifacts_dir: Path) -> None:
    """The child is the subject the seal states; the parent who asked is named apart. The page
    checks the seal in the browser, offers no PDF (it names people in full), and points to the
    upload check instead."""

    def work() -> tuple[str, str]:
        officials = make_officials(site.service)
        _, token, seal = make_result(
            site.service, site.clerk, "birth_extract", signatures=2, officials=officials
        )
        return token, seal

    token, seal = _off_loop(work)
    assert _open(phone, qr_url(site.base, token, seal)) == "genuine"
    assert phone.inner_text("#verdict h1") == "Văn bản thật, đang có hiệu lực"
    assert phone.inner_text("#person") == mask_name(CHILD)
    assert phone.inner_text("#applicant") == mask_name(MOTHER)
    assert phone.locator("#download-form").count() == 0 and phone.is_visible("#no-download")
    html = phone.content()
    assert all(secret not in html for secret in SECRET_NAMES)
    _shot(phone, artifacts_dir, "birth-extract")


def test_unknown_token(phone: Page, site: Site, artifacts_dir: Path) -> None:
    response = phone.goto(f"{site.base}/v/AAAAAAAAAAAAAAAAAAAAAA#123")
    assert response is not None and response.status == 404
    assert phone.inner_text("#verdict h1") == "Không tìm thấy văn bản"
    _shot(phone, artifacts_dir, "unknown")


def test_without_webcrypto_the_server_checks(
    browser: Browser, site: Site, documents: Documents, artifacts_dir: Path
) -> None:
    """A page over plain http on a LAN address has no crypto.subtle: the server answers."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    context.add_init_script("Object.defineProperty(window, 'isSecureContext', {value: false})")
    page = context.new_page()
    try:
        assert _open(page, site.url(documents.valid)) == "genuine"
        assert "máy chủ của phường đã kiểm tra thay" in page.inner_text("#seal-note")
        forged = forgeries(
            site.service.keyring,
            seal=documents.valid.seal,
            token=documents.valid.token,
            other_seal=documents.cancelled.seal,
            attacker=site.tmp / "attacker-no-webcrypto",
        )["changed_total"][0]
        assert _open(page, site.url(documents.valid, forged)) == "bad"
        assert "máy chủ của phường đã kiểm tra thay" in page.inner_text("#seal-note")
        _shot(page, artifacts_dir, "server-checked-forgery")
    finally:
        context.close()


def test_pdf_check_page(phone: Page, site: Site, documents: Documents, artifacts_dir: Path) -> None:
    pdf = site.tmp / "bien-lai.pdf"
    pdf.write_bytes(_off_loop(lambda: _stored_pdf(site, documents.valid)))
    phone.goto(f"{site.base}/verify")
    phone.set_input_files("#file", str(pdf))
    phone.click("button[type=submit]")
    phone.wait_for_selector("#verdict")
    assert phone.get_attribute("#verdict", "data-verdict") == "valid"
    assert phone.inner_text("#verdict h1") == "Chữ ký số hợp lệ"
    assert phone.get_attribute("#record", "data-on-record") == "yes"
    _shot(phone, artifacts_dir, "pdf-check")


def _stored_pdf(site: Site, receipt: Issued) -> bytes:
    from sqlalchemy import select

    from esign.db.models import StoredDocument

    with site.service.db.reading() as s:
        content = s.scalar(
            select(StoredDocument.content).where(StoredDocument.sha256 == receipt.sha256)
        )
    assert content is not None
    return content


@pytest.fixture(scope="module")
def tamper_site(tmp_path_factory: pytest.TempPathFactory, pki_template: Path) -> Iterator[Site]:
    """A site of its own: one case withdraws a key of its keyring."""
    with _site(tmp_path_factory.mktemp("tamper-site"), pki_template) as s:
        yield s


REASONS = {
    "bad_signature": "chữ ký không khớp",
    "unknown_key": "khóa ký không có trong tập khóa công bố",
    "withdrawn_key": "khóa ký đã bị thu hồi",
    "mismatch": "thông tin trong con dấu khác với hồ sơ lưu",
    "malformed": "con dấu bị hỏng hoặc bị sửa",
}


def test_tampered_seals_are_not_genuine(
    phone: Page, tamper_site: Site, artifacts_dir: Path
) -> None:
    site = tamper_site
    receipt = _off_loop(lambda: issue(site.service, site.clerk))
    other = _off_loop(lambda: issue(site.service, site.clerk, payer="Lê Văn Tám"))
    cases = forgeries(
        site.service.keyring,
        seal=receipt.seal,
        token=receipt.token,
        other_seal=other.seal,
        attacker=site.tmp / "attacker",
    )
    claims = genuine_claims(site.service.keyring, receipt.seal, receipt.token)
    cases["withdrawn_key"] = (
        withdrawn_seal(site.service.keyring.folder, claims, receipt.token),
        "withdrawn_key",
    )
    for name, (seal, verdict) in cases.items():
        assert _open(phone, site.url(receipt, seal)) == "bad", name
        assert phone.inner_text("#seal-text") == "Con dấu QR KHÔNG đúng", name
        note = phone.inner_text("#seal-note")
        assert note.startswith(f"Lý do: {REASONS[verdict]}"), (name, note)
        assert phone.is_visible("#seal-warning"), name
        assert phone.get_attribute("#verdict", "data-demoted") == "true"
        # The server's record still says the receipt is valid: the paper is what is wrong.
        assert phone.inner_text("#verdict h1") == "Văn bản thật, đang có hiệu lực"
        if name == "changed_total":
            _shot(phone, artifacts_dir, "tampered")
    # The genuine seal, signed by a key now retired (not withdrawn), still passes.
    assert _open(phone, site.url(receipt)) == "genuine"
    assert "khóa cũ" in phone.inner_text("#seal-note")
