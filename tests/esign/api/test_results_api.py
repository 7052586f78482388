from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from PIL import ImageChops, ImageStat
from sqlalchemy import select

from esign.db.models import AuditEntry
from esign.signing.report import Verdict
from esign.signing.verify import verify
from esign.workflows.actors import SYSTEM
from esign.workflows.binding import binding_policy
from esign.workflows.keys import key_policy, set_key_source
from esign.workflows.users import register_certificate

from .conftest import Api

PERSON = {
    "full_name": "Bùi Thị Trang",
    "date_of_birth": "1995-03-14",
    "gender": "Nữ",
    "personal_id": "030195001234",
    "residence": "Khu dân cư Văn An 1, phường Văn An, thành phố Chí Linh, tỉnh Hải Dương",
}
MARITAL = {
    "requester": "Bùi Thị Trang",
    "person": PERSON,
    "marital_status": "Chưa đăng ký kết hôn với ai",
    "purpose": "Làm thủ tục đăng ký kết hôn",
}


@pytest.fixture
def officials(api: Api) -> str:
    """Bind tuphap and chutich to their certificates and PKCS#12 files; returns the password."""
    pki = api.service.pki
    with api.service.db.transaction() as s:
        for username, name in (("tuphap", "judicial-officer"), ("chutich", "chairman")):
            pem = pki.certificate(name).public_bytes(Encoding.PEM).decode()
            register_certificate(
                s,
                SYSTEM,
                user_id=api.users[username],
                certificate_pem=pem,
                policy=binding_policy(pki),
            )
            set_key_source(
                s,
                SYSTEM,
                user_id=api.users[username],
                source={"kind": "pkcs12", "path": str(pki.path / "keys" / f"{name}.p12")},
                policy=key_policy(api.service.settings),
            )
    return (pki.path / "password").read_text().strip()


def _dossier(api: Api) -> int:
    clerk = api.login("clerk")
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "procedure_code": "HT-XNTTHN",
            "applicant_name": "Bùi Thị Trang",
            "applicant_address": "Văn An 1",
        },
    )
    return int(r.json()["id"])


def test_result_signed_in_order_and_dossier_follows(
    api: Api, officials: str, tmp_path: Path
) -> None:
    clerk = api.login("clerk")
    dossier_id = _dossier(api)
    r = clerk.post("/api/v1/results", json={"dossier_id": dossier_id, "data": MARITAL})
    assert r.status_code == 201, r.text
    result = r.json()
    assert result["number"].endswith("/XNTTHN") and result["next_role"] == "judicial_officer"
    assert [s["role"] for s in result["signatures"]] == ["judicial_officer", "chairman"]
    assert clerk.get(f"/api/v1/dossiers/{dossier_id}").json()["status"] == "processing"

    chairman, officer = api.login("chutich"), api.login("tuphap")
    assert chairman.get("/api/v1/results/queue").json()["count"] == 0
    assert officer.get("/api/v1/results/queue").json()["count"] == 1
    # Out of order: the chairman cannot sign first.
    early = chairman.post(
        "/api/v1/results/sign", json={"result_ids": [result["id"]], "secret": officials}
    )
    assert early.status_code == 200
    assert early.json()["data"][0]["ok"] is False
    assert early.json()["data"][0]["code"] == "signing_out_of_order"
    # A wrong password: a clear error, nothing signed.
    bad = officer.post(
        "/api/v1/results/sign", json={"result_ids": [result["id"]], "secret": "sai-mat-khau"}
    )
    assert bad.status_code == 422 and "mật khẩu" in bad.json()["error"]["message_vi"]
    first = officer.post(
        "/api/v1/results/sign", json={"result_ids": [result["id"]], "secret": officials}
    )
    assert first.json()["data"][0]["ok"] is True, first.text
    assert chairman.get("/api/v1/results/queue").json()["count"] == 1
    second = chairman.post(
        "/api/v1/results/sign", json={"result_ids": [result["id"]], "secret": officials}
    )
    assert second.json()["data"][0]["ok"] and second.json()["data"][0]["completed"]
    done = clerk.get(f"/api/v1/results/{result['id']}").json()
    assert done["status"] == "signed" and done["next_role"] is None
    assert clerk.get(f"/api/v1/dossiers/{dossier_id}").json()["status"] == "result_signed"
    assert clerk.post(f"/api/v1/dossiers/{dossier_id}/return").json()["status"] == "returned"

    pdf = clerk.get(f"/api/v1/results/{result['id']}/pdf").content
    report = verify(pdf, trust=api.service.trust, isolate=False)
    assert report.verdict is Verdict.VALID, report.message_en
    assert [s.signer_name for s in report.signatures if s.kind != "document_timestamp"] == [
        "Nguyễn Thị Hương",
        "Trần Văn Minh",
    ]
    path = tmp_path / "result.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    assert out.count("Signature is Valid") == 2


def test_official_must_use_the_registered_certificate(api: Api, officials: str) -> None:
    # The judicial officer's key source points at the chairman's file: refused before signing.
    pki = api.service.pki
    with api.service.db.transaction() as s:
        set_key_source(
            s,
            SYSTEM,
            user_id=api.users["tuphap"],
            source={"kind": "pkcs12", "path": str(pki.path / "keys" / "chairman.p12")},
            policy=key_policy(api.service.settings),
        )
    clerk = api.login("clerk")
    result = clerk.post(
        "/api/v1/results", json={"dossier_id": _dossier(api), "data": MARITAL}
    ).json()
    r = api.login("tuphap").post(
        "/api/v1/results/sign", json={"result_ids": [result["id"]], "secret": officials}
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "certificate_mismatch"


def test_batch_gives_one_outcome_per_document(api: Api, officials: str) -> None:
    clerk = api.login("clerk")
    ids = [
        clerk.post("/api/v1/results", json={"dossier_id": _dossier(api), "data": MARITAL}).json()[
            "id"
        ]
        for _ in range(3)
    ]
    officer = api.login("tuphap")
    r = officer.post(
        "/api/v1/results/sign", json={"result_ids": [*ids, 999_999], "secret": officials}
    )
    outcomes = r.json()["data"]
    assert [o["ok"] for o in outcomes] == [True, True, True, False]
    assert outcomes[3]["code"] == "not_found"


def test_roles(api: Api, officials: str) -> None:
    dossier_id = _dossier(api)
    body = {"dossier_id": dossier_id, "data": MARITAL}
    assert api.login("tuphap").post("/api/v1/results", json=body).status_code == 403
    assert (
        api.login("clerk")
        .post("/api/v1/results/sign", json={"result_ids": [1], "secret": "x"})
        .status_code
        == 403
    )
    assert api.login("admin").get("/api/v1/results/queue").status_code == 403
    assert (
        api.login("clerk")
        .put(
            f"/api/v1/users/{api.users['tuphap']}/key-source",
            json={"kind": "pkcs12", "path": "/tmp/x.p12"},
        )
        .status_code
        == 403
    )


def test_bad_result_data(api: Api) -> None:
    clerk = api.login("clerk")
    dossier_id = _dossier(api)
    r = clerk.post(
        "/api/v1/results",
        json={"dossier_id": dossier_id, "data": {**MARITAL, "person": {"full_name": "x"}}},
    )
    assert r.status_code == 422 and "person" in r.json()["error"]["message_en"]
    r = clerk.post(
        "/api/v1/results",
        json={"dossier_id": dossier_id, "data": {**MARITAL, "requester": "A\x07B"}},
    )
    assert r.status_code == 422
    assert clerk.get(f"/api/v1/dossiers/{dossier_id}").json()["status"] == "received"


def _certify_copy(
    api: Api, officials: str, copy: bytes, pages: int
) -> tuple[dict[str, Any], bytes]:
    """A copy-certification dossier for ``copy``, its result created and signed: the result as
    the clerk sees it, and the signed PDF."""
    import base64

    clerk = api.login("clerk")
    r = clerk.post(
        "/api/v1/dossiers",
        json={
            "procedure_code": "CT-BS",
            "applicant_name": "Ngô Văn Hải",
            "applicant_address": "Văn An 2",
            "pages": pages,
            "copies": 1,
        },
    )
    dossier_id = r.json()["id"]
    data = {
        "requester": "Ngô Văn Hải",
        "document_name": "Bằng tốt nghiệp THPT",
        "copy_pages": pages,
        "copies": 1,
        "copy_pdf_base64": base64.b64encode(copy).decode(),
    }
    wrong = clerk.post(
        "/api/v1/results", json={"dossier_id": dossier_id, "data": {**data, "copy_pages": 9}}
    )
    assert wrong.status_code == 422 and f"{pages} trang" in wrong.json()["error"]["message_vi"]
    result = clerk.post("/api/v1/results", json={"dossier_id": dossier_id, "data": data})
    assert result.status_code == 201, result.text
    signed = api.login("chutich").post(
        "/api/v1/results/sign", json={"result_ids": [result.json()["id"]], "secret": officials}
    )
    assert signed.json()["data"][0]["ok"], signed.text
    seen = clerk.get(f"/api/v1/results/{result.json()['id']}")
    assert seen.json()["warnings"] == result.json()["warnings"]
    return result.json(), clerk.get(f"/api/v1/results/{result.json()['id']}/pdf").content


def test_copy_certification_is_appended_to_the_copy(api: Api, officials: str) -> None:
    import pypdfium2

    from tests.esign.signing.conftest import simple_pdf
    from tests.utils.pdf_checks import render

    copy = simple_pdf("BẰNG TỐT NGHIỆP TRUNG HỌC PHỔ THÔNG", pages=2)
    result, pdf = _certify_copy(api, officials, copy, 2)
    assert result["warnings"] == []  # a plain copy: nothing removed, nothing to say
    doc = pypdfium2.PdfDocument(pdf)
    assert len(doc) == 3  # the copy's two pages, then the certification page
    # The copy's pages are pictures of the supplied pages now (the rebuild), no text objects.
    assert doc[0].get_textpage().get_text_range().strip() == ""
    for page in (0, 1):
        before, after = render(copy, page, dpi=40), render(pdf, page, dpi=40)
        assert before.size == after.size
        assert ImageStat.Stat(ImageChops.difference(before, after)).mean[0] < 2
    assert (
        "Chứng thực" in doc[2].get_textpage().get_text_range()
        or "CHỨNG THỰC" in doc[2].get_textpage().get_text_range()
    )
    report = verify(pdf, trust=api.service.trust, isolate=False)
    assert report.verdict is Verdict.VALID, report.message_en


def _active_copy() -> bytes:
    """Two pages with JavaScript run at opening, a filled text field and a link."""
    from tests.esign.signing.active_pdfs import base_objects, write

    objs = base_objects()
    objs[1] = (
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 8 0 R /AcroForm << /Fields [ 9 0 R ] >> >>"
    )
    objs[3] = objs[3].replace(b"/Contents", b"/Annots [ 9 0 R 10 0 R ] /Contents")
    objs[8] = b"<< /S /JavaScript /JS (this.getField\\('ho_ten'\\).value = 'x') >>"
    objs[9] = (
        b"<< /FT /Tx /T (ho_ten) /V (Nguyen Van A) /Type /Annot /Subtype /Widget "
        b"/Rect [ 60 600 260 630 ] /P 3 0 R /F 4 >>"
    )
    objs[10] = (
        b"<< /Type /Annot /Subtype /Link /Rect [ 40 500 340 560 ] "
        b"/A << /S /URI /URI (https://lua-dao.example) >> >>"
    )
    return write(objs)


def _active_keys(pdf: bytes) -> list[str]:
    """Every trace of active content in the signed file, read with pyHanko's reader over all
    objects of all revisions (independent of esign.signing.sanitize)."""
    import io

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    bad = {"/JS", "/JavaScript", "/OpenAction", "/AA", "/XFA", "/EmbeddedFiles", "/URI"}
    found: list[str] = []
    for revision in range(reader.xrefs.total_revisions):
        for ref in reader.xrefs.explicit_refs_in_revision(revision):
            if not ref.idnum:
                continue
            obj = reader.get_object(ref, revision=revision)
            stack = [obj]
            while stack:
                item = stack.pop()
                if isinstance(item, generic.DictionaryObject):
                    found += [f"{ref.idnum}:{k}" for k in item if k in bad]
                    if "/Subtype" in item and item["/Subtype"] in ("/Link", "/FileAttachment"):
                        found.append(f"{ref.idnum}:{item['/Subtype']}")
                    stack.extend(dict.values(item))
                elif isinstance(item, generic.ArrayObject):
                    stack.extend(list.__iter__(item))
    raw_form = reader.root.get("/AcroForm")  # pyHanko's .get() does not dereference
    form = raw_form.get_object() if raw_form is not None else None
    for raw in list.__iter__(form["/Fields"]) if form is not None else []:
        field = raw.get_object()
        if "/FT" not in field or field["/FT"] != "/Sig":
            found.append(f"field {field.get('/T')}: {field.get('/FT')}")
    return found


def test_a_copy_with_javascript_and_a_form_is_rebuilt_and_the_clerk_warned(
    api: Api, officials: str, tmp_path: Path
) -> None:
    copy = _active_copy()
    assert all(k in copy for k in (b"/JS", b"/OpenAction", b"/AcroForm", b"/URI"))
    assert _active_keys(copy)  # the check sees them in the supplied file
    result, pdf = _certify_copy(api, officials, copy, 2)
    (warning,) = result["warnings"]
    assert warning["code"] == "copy_active_content_removed"
    assert warning["message_vi"].startswith("Đã loại bỏ nội dung động")
    for said in ("JavaScript", "trường biểu mẫu", "/OpenAction", "/URI"):
        assert said in warning["message_vi"], warning
    assert "JavaScript" in warning["message_en"] and "form field" in warning["message_en"]
    with api.service.db.reading() as s:
        entry = s.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "result.create",
                AuditEntry.subject == f"result:{result['id']}",
            )
        )
        assert entry is not None
        logged = json.loads(entry.details)["copy_removed"]
    assert {"javascript", "open_action", "form_field", "annotation", "uri_action"} == set(logged)
    assert _active_keys(pdf) == []
    report = verify(pdf, trust=api.service.trust, isolate=False)
    assert report.verdict is Verdict.VALID, report.message_en
    path = tmp_path / "ban-sao.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    assert out.count("Signature is Valid") == 1, out
