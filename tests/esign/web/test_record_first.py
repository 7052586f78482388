"""The record first: a file signed with the ward's certificates must be what the ward issued,
and the page's headline is the document's current status.

Forged "documents of the ward" made with its real keys outside the service (a seal on a PDF the
ward never issued, an official's approval on one, the last official signing a genuine result
behind the service's back) are refused as "không phải bản do phường phát hành" by the upload
page, the API and ``esign verify --record``, although every signature in them is intact and
trusted; a genuine but cancelled or replaced receipt opens on its status, never a green
"valid"."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from certs import Role
from esign.cli.main import app
from esign.config import get_settings
from esign.signing import pki as wiring
from esign.signing.levels import PadesLevel
from esign.signing.report import Verdict
from esign.signing.sign import DocumentSigner, field_name_for, prepare_approval_fields
from esign.signing.verify import verify
from tests.esign.signing.conftest import RECEIPT_BOX, RESULT_PLACES, simple_pdf

from .conftest import Web
from .documents import make_officials, make_result, stored_pdf

NOT_ISSUED = "không phải bản do phường phát hành"


def _signer(web: Web, name: str) -> DocumentSigner:
    pki = web.service.pki
    return wiring.make_signer(pki, pki.key_store(name), level=PadesLevel.B_B)


def _upload(web: Web, pdf: bytes) -> tuple[str, dict[str, object]]:
    page = web.client.post("/verify", files={"file": ("x.pdf", pdf, "application/pdf")})
    api = web.client.post(
        "/api/v1/verify", content=pdf, headers={"Content-Type": "application/pdf"}
    )
    assert page.status_code == 200 and api.status_code == 200, (page.text, api.text)
    return html.unescape(page.text), api.json()


def _seal_on_a_new_pdf(web: Web) -> bytes:
    seal = web.service.pki.only(Role.SEAL)
    return _signer(web, seal).certify(simple_pdf("BIÊN LAI 17.000 đ"), place=RECEIPT_BOX).pdf


def _official_on_a_new_pdf(web: Web) -> bytes:
    prepared = prepare_approval_fields(simple_pdf("GIẤY XÁC NHẬN"), list(RESULT_PLACES))
    role = RESULT_PLACES[0].role
    return (
        _signer(web, "judicial-officer")
        .approve(prepared, field_name=field_name_for(1, role), role=role)
        .pdf
    )


def _last_signature_behind_the_service(web: Web) -> bytes:
    officials = make_officials(web.service)
    _, token, _ = make_result(
        web.service, web.clerk, "marital_status", signatures=1, officials=officials
    )
    half = stored_pdf(web.service, token)
    signed: bytes = (
        _signer(web, "chairman")
        .approve(half, field_name=field_name_for(2, "chairman"), role="chairman")
        .pdf
    )
    return signed


FORGED: dict[str, Callable[[Web], bytes]] = {
    "seal on a PDF the ward never issued": _seal_on_a_new_pdf,
    "official's approval on a PDF the ward never issued": _official_on_a_new_pdf,
    "last official signing outside the service": _last_signature_behind_the_service,
}


@pytest.mark.parametrize("make", FORGED.values(), ids=list(FORGED))
def test_our_keys_outside_the_service_are_not_our_documents(
    web: Web, make: Callable[[Web], bytes]
) -> None:
    forged = make(web)
    # The signature mathematics alone is satisfied: every signature intact and trusted.
    alone = verify(forged, trust=web.service.trust, isolate=False, visual=False)
    assert alone.signatures and all(s.intact and s.trusted for s in alone.signatures)
    assert alone.verdict in (Verdict.VALID, Verdict.INCOMPLETE), alone.message_en
    text, api = _upload(web, forged)
    assert api["verdict"] == "invalid" and api["headline"] == "not_issued", api
    problems = api["problems"]
    assert isinstance(problems, list)
    assert problems[0]["code"] == "not_issued_by_unit"
    assert 'data-verdict="invalid"' in text and 'data-tone="bad"' in text
    assert "KHÔNG phải bản do phường phát hành" in text
    assert "Chữ ký số hợp lệ" not in text


def test_genuine_documents_stay_valid_and_on_record(web: Web) -> None:
    issued = web.issue()
    receipt = stored_pdf(web.service, issued.token)
    officials = make_officials(web.service)
    _, token, _ = make_result(
        web.service, web.clerk, "marital_status", signatures=2, officials=officials
    )
    result = stored_pdf(web.service, token)
    for pdf in (receipt, result):
        text, api = _upload(web, pdf)
        assert api["verdict"] == "valid" and api["headline"] == "valid", api["message_en"]
        record = api["record"]
        assert isinstance(record, dict) and record["current_version"] and record["on_record"]
        assert 'data-tone="ok"' in text and NOT_ISSUED not in text


@pytest.mark.parametrize("change", ["cancel", "replace"])
def test_a_genuine_but_withdrawn_receipt_opens_on_its_status(web: Web, change: str) -> None:
    issued = web.issue()
    pdf = stored_pdf(web.service, issued.token)
    if change == "cancel":
        web.cancel(issued, "Thu nhầm", code="thu_trung")
    else:
        web.replace(issued, "Sai số tiền")
    text, api = _upload(web, pdf)
    # The signatures are genuine ...
    assert api["verdict"] == "valid", api["message_en"]
    # ... but what a person reads first is that the receipt no longer counts.
    expected = {"cancel": "cancelled", "replace": "replaced"}[change]
    assert api["headline"] == expected
    record = api["record"]
    assert isinstance(record, dict) and record["status"] == expected
    assert 'data-tone="bad"' in text and 'data-tone="ok"' not in text
    heading = {"cancel": "ĐÃ BỊ HỦY", "replace": "ĐÃ ĐƯỢC THAY THẾ"}[change]
    assert heading in text


@pytest.fixture
def cli_env(web_sqlite: Web, monkeypatch: pytest.MonkeyPatch) -> Iterator[Web]:
    settings = web_sqlite.service.settings
    monkeypatch.setenv("ESIGN_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ESIGN_DATABASE_URL", str(settings.database_url))
    monkeypatch.setenv("ESIGN_PUBLIC_URL", settings.public_url)
    monkeypatch.delenv("ESIGN_TIMESTAMP_URLS", raising=False)
    get_settings.cache_clear()
    yield web_sqlite
    get_settings.cache_clear()


def test_cli_verify_record(cli_env: Web, tmp_path: Path) -> None:
    web = cli_env
    runner = CliRunner()
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(_seal_on_a_new_pdf(web))
    # Without the record, the seal's signature is all there is to judge: valid.
    assert runner.invoke(app, ["verify", str(forged)]).exit_code == 0
    done = runner.invoke(app, ["verify", str(forged), "--record", "--json"])
    assert done.exit_code == 1, done.output
    answer = json.loads(done.output)
    assert answer["verdict"] == "invalid"
    assert answer["problems"][0]["code"] == "not_issued_by_unit"
    issued = web.issue()
    genuine = tmp_path / "genuine.pdf"
    genuine.write_bytes(stored_pdf(web.service, issued.token))
    web.cancel(issued, "Thu nhầm", code="thu_trung")
    done = runner.invoke(app, ["verify", str(genuine), "--record"])
    assert done.exit_code == 0, done.output
    assert "cancelled" in done.output
