"""The forgeries of tests/esign/signing/test_forgeries.py through the public channels: the
/verify page and POST /api/v1/verify refuse them (checked in the isolated child), and a result
awaiting its last signature is "incomplete" there too, never "valid"."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest

from tests.esign.signing import forged_updates as F

from .conftest import Web
from .documents import make_officials, make_result, sign_next, stored_pdf

FORGERIES = [
    F.widget_as_signature_field,
    F.stamp_annotation,
    F.duplicate_page_entry,
    F.info_only,
    F.need_appearances,
    F.unreferenced_objects,
    F.hidden_object_in_revision,
    F.fake_revision_after_eof,
]


def _post(web: Web, pdf: bytes) -> tuple[str, dict[str, object]]:
    page = web.client.post("/verify", files={"file": ("bien-lai.pdf", pdf, "application/pdf")})
    assert page.status_code == 200, page.text
    api = web.client.post(
        "/api/v1/verify", content=pdf, headers={"Content-Type": "application/pdf"}
    )
    assert api.status_code == 200, api.text
    return html.unescape(page.text), api.json()


@pytest.mark.parametrize("forge", FORGERIES, ids=lambda f: f.__name__)
def test_forgeries_of_a_server_receipt_are_refused_everywhere(
    web_sqlite: Web, forge: Callable[[bytes], bytes]
) -> None:
    web = web_sqlite  # a fresh service each time: the upload rate limit stays out of the way
    issued = web.issue()
    genuine = web.client.post(f"/v/{issued.token}/pdf", data={"seal": issued.seal}).content
    text, api = _post(web, genuine)
    assert api["verdict"] == "valid" and 'data-verdict="valid"' in text
    for forged in (forge(genuine),):
        text, api = _post(web, forged)
        assert api["verdict"] == "invalid", api["message_en"]
        assert 'data-verdict="invalid"' in text and "Chữ ký số KHÔNG hợp lệ" in text
        assert "Chữ ký số hợp lệ" not in text
        reason = str(api["message_vi"])
        assert "lần sửa" in reason or "%%EOF" in reason, reason
        assert reason in text  # the page names the reason too
        problems = api["problems"]
        assert isinstance(problems, list) and problems
        assert all(p["code"] and p["message_vi"] for p in problems)
        # The signed part is the genuine receipt on record; the file as a whole is not.
        record = api["record"]
        assert isinstance(record, dict)
        assert record["on_record"] is True and record["current_version"] is False


def test_a_result_awaiting_its_last_signature_is_incomplete(web_sqlite: Web) -> None:
    """A result the ward issued, signed by its first official: "incomplete" on the page and in
    the API, naming the official awaited; valid once the chairman has signed (through the
    service: a signature made outside it is not the ward's document, test_record_first)."""
    web = web_sqlite
    officials = make_officials(web.service)
    result_id, token, _ = make_result(
        web.service, web.clerk, "marital_status", signatures=1, officials=officials
    )
    text, api = _post(web, stored_pdf(web.service, token))
    assert api["verdict"] == "incomplete", api["message_en"]
    assert api["verdict_vi"] == "Chưa đủ chữ ký"
    assert "còn chờ Chủ tịch UBND" in str(api["message_vi"])
    assert api["awaiting"] == ["Chủ tịch UBND"] and api["problems"] == []
    assert 'data-verdict="incomplete"' in text and "Chưa đủ chữ ký: văn bản còn chờ" in text
    assert "Chữ ký số hợp lệ" not in text
    sign_next(web.service, officials, result_id)
    _, api = _post(web, stored_pdf(web.service, token))
    assert api["verdict"] == "valid", api["message_en"]
