"""The XML original of receipts under NĐ 254/2026 (TT 91/2026 Điều 18): XSD-valid, signed by the
ward's seal key (XMLDSig) and verified by xmlsec1 up to the test root, embedded in the PDF as an
associated file, stored, and bound to the PDF by the QR seal (field 10, its SHA-256). Receipts
issued before 1 July 2026 have none and keep their form."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from esign.seal import verify_seal
from esign.signing.report import Verdict
from esign.signing.verify import verify_in_process
from esign.workflows.receipts import replace_receipt
from esign.workflows.stored import snapshot_of_receipt
from esign.workflows.xml_original import embedded_xml, seal_key_store, xml_original_of
from receipts.fees import FeeLine
from receipts.xml import schema_errors, verify_receipt_xml
from tests.esign.api.conftest import Api
from tests.utils.pdf_checks import page_texts, squash

from .helpers import LINE, clerk, issue

XMLSEC1 = shutil.which("xmlsec1")

COPIES = FeeLine(
    name="Phí cấp bản sao trích lục hộ tịch",
    legal_basis="Thông tư 281/2016/TT-BTC, Điều 4, dòng 4",
    quantity=3,
    unit_price=8_000,
    amount=24_000,
    charge="phi",
)
EXEMPT = FeeLine(
    name="Lệ phí đăng ký khai sinh đúng hạn",
    legal_basis="Luật Hộ tịch 2014, Điều 11 khoản 1",
    quantity=1,
    unit_price=8_000,
    amount=0,
    exemption_reason="Miễn lệ phí (Luật Hộ tịch, Điều 11)",
    charge="le_phi",
)
CASES: dict[str, tuple[FeeLine, ...]] = {
    "one line": (LINE,),
    "copies": (COPIES,),
    "two lines, one exempt": (COPIES, EXEMPT),
}


def xmlsec1_verify(tmp_path: Path, xml: bytes, api: Api) -> subprocess.CompletedProcess[str]:
    """Debian's xmlsec1: the signature over DLBLai and the seal's chain to the test root."""
    assert XMLSEC1 is not None, "Debian's xmlsec1 is required"
    store = seal_key_store(api.service)
    pem = serialization.Encoding.PEM
    (tmp_path / "r.xml").write_bytes(xml)
    *intermediates, root = store.chain
    (tmp_path / "root.pem").write_bytes(root.public_bytes(pem))
    args = [
        XMLSEC1,
        "--verify",
        "--id-attr:Id",
        "DLBLai",
        "--trusted-pem",
        str(tmp_path / "root.pem"),
    ]
    for i, c in enumerate(intermediates):
        (tmp_path / f"ca{i}.pem").write_bytes(c.public_bytes(pem))
        args += ["--untrusted-pem", str(tmp_path / f"ca{i}.pem")]
    return subprocess.run(
        [*args, str(tmp_path / "r.xml")], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("day", [dt.date(2026, 7, 1), dt.date(2027, 1, 1)])
def test_every_new_receipt_has_a_signed_bound_xml_original(
    law_api: Api, tmp_path: Path, case: str, day: dt.date
) -> None:
    receipt = issue(law_api, day, lines=CASES[case], payer="Nguyễn Văn Ánh")
    with law_api.service.db.transaction() as s:
        xml = xml_original_of(s, receipt.id)
        pdf = bytes(s.get(type(receipt), receipt.id).document.content)  # type: ignore[union-attr]
    assert xml is not None
    assert schema_errors(xml) == ()
    ours = verify_receipt_xml(xml, certificate=seal_key_store(law_api.service).certificate)
    assert ours.valid, ours.reasons
    done = xmlsec1_verify(tmp_path, xml, law_api)
    assert done.returncode == 0 and "OK" in done.stdout + done.stderr, done.stderr
    # What the XML states is what the receipt states.
    snap = snapshot_of_receipt(receipt)
    text = xml.decode()
    assert f"<KHBLai>{snap.scheme.series}</KHBLai>" in text
    assert f"<SBLai>{receipt.number}</SBLai>" in text
    assert f"<TgTien>{receipt.total}</TgTien>" in text
    assert f"<NLap>{day.isoformat()}</NLap>" in text
    # Embedded in the signed PDF, and bound by the seal.
    assert embedded_xml(pdf) == xml
    assert snap.seal.xml_sha256 == hashlib.sha256(xml).hexdigest()
    assert receipt.seal is not None
    check = verify_seal(
        receipt.seal, published_keys=law_api.service.keyring.published_keys(), token=receipt.token
    )
    assert check.ok and check.claims is not None
    assert check.claims.xml_sha256 == hashlib.sha256(xml).digest()
    # Our verifier (revision whitelist, structure, rendering) still calls the receipt valid.
    report = verify_in_process(pdf, law_api.service.trust, expected_sha256=None)
    assert report.verdict is Verdict.VALID, report.problems
    (tmp_path / "r.pdf").write_bytes(pdf)
    pdfsig = subprocess.run(["pdfsig", str(tmp_path / "r.pdf")], capture_output=True, text=True)
    assert "Signature is Valid" in pdfsig.stdout, pdfsig.stdout
    printed = squash(" ".join(page_texts(pdf)))
    assert "Mẫu số: EBL01" in printed and f"Ký hiệu: {snap.scheme.series}" in printed
    assert f"Số: {receipt.number:08d}" in printed
    assert "ỦY BAN NHÂN DÂN PHƯỜNG CHU VĂN AN" in printed


def test_a_tampered_xml_fails_both_verifiers(law_api: Api, tmp_path: Path) -> None:
    receipt = issue(law_api, dt.date(2026, 9, 1), lines=(COPIES,))
    with law_api.service.db.transaction() as s:
        xml = xml_original_of(s, receipt.id)
    assert xml is not None
    forged = xml.replace(b"<TgTien>24000</TgTien>", b"<TgTien>2400</TgTien>")
    assert forged != xml
    assert not verify_receipt_xml(
        forged, certificate=seal_key_store(law_api.service).certificate
    ).valid
    assert xmlsec1_verify(tmp_path, forged, law_api).returncode != 0


def test_old_receipts_have_none_and_keep_their_form(law_api: Api) -> None:
    receipt = issue(law_api, dt.date(2026, 6, 30))
    with law_api.service.db.transaction() as s:
        assert xml_original_of(s, receipt.id) is None
        pdf = bytes(s.get(type(receipt), receipt.id).document.content)  # type: ignore[union-attr]
    assert embedded_xml(pdf) is None
    snap = snapshot_of_receipt(receipt)
    assert snap.seal.xml_sha256 is None and '"xml_sha256"' not in (receipt.snapshot or "")
    assert snap.scheme.full_label == "01BLP0-001 · VA-26E · 0000001"
    report = verify_in_process(pdf, law_api.service.trust, expected_sha256=None)
    assert report.verdict is Verdict.VALID, report.problems


def test_a_replacement_states_what_it_replaces(law_api: Api, tmp_path: Path) -> None:
    first = issue(law_api, dt.date(2026, 11, 2), lines=(COPIES,))
    with law_api.service.db.transaction() as s:
        new = replace_receipt(s, clerk(law_api), law_api.service, first.id, reason="Sai số tiền")
        xml = xml_original_of(s, new.id)
    assert xml is not None and schema_errors(xml) == ()
    assert b"<BLLQuan><KHMSBLai>EBL01</KHMSBLai><KHBLai>26TVA</KHBLai><SBLai>1</SBLai>" in xml
    assert xmlsec1_verify(tmp_path, xml, law_api).returncode == 0
