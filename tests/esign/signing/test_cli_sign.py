"""``esign sign`` and ``esign verify`` against a copy of the test PKI in a data folder."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from typer.testing import CliRunner

from certs import BuiltPki, PkiFolder
from esign.cli.main import app
from esign.config import get_settings
from esign.signing.sign import field_name_for, prepare_approval_fields
from tests.utils.certs_helpers import TOKEN_PIN
from tests.utils.softhsm import SOFTHSM_MODULE, SoftHsmToken

from . import tampering
from .conftest import RESULT_PLACES, simple_pdf

runner = CliRunner()
BOX = "330,60,560,120"


@pytest.fixture
def data_dir(pki_folder: PkiFolder, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ESIGN_DATA_DIR", str(pki_folder.path.parent))
    monkeypatch.delenv("ESIGN_TIMESTAMP_URLS", raising=False)
    get_settings.cache_clear()
    yield pki_folder.path.parent
    get_settings.cache_clear()


@pytest.fixture
def receipt(tmp_path: Path) -> Path:
    path = tmp_path / "bien-lai.pdf"
    path.write_bytes(simple_pdf())
    return path


def test_sign_a_receipt_then_verify_it(
    data_dir: Path, receipt: Path, pki_folder: PkiFolder, tmp_path: Path
) -> None:
    out = tmp_path / "bien-lai-da-ky.pdf"
    signed = runner.invoke(
        app,
        [
            "sign",
            str(receipt),
            "--out",
            str(out),
            "--key",
            "seal",
            "--certify",
            "--box",
            BOX,
            "--page",
            "1",
            "--level",
            "B-T",
        ],
    )
    assert signed.exit_code == 0, signed.output
    assert "Đã ký" in signed.output and "mức B-T" in signed.output

    result = runner.invoke(app, ["verify", str(out)])
    assert result.exit_code == 0, result.output
    text = result.output
    serial = format(pki_folder.certificate("seal").serial_number, "X")
    for expected in (
        "Kết luận: Hợp lệ",
        "trường Seal · chữ ký chứng thực",
        "Người ký: UBND phường Chu Văn An",
        f"Số hiệu chứng thư: {serial}",
        "Tổ chức cấp: ",
        "CA cấp phát thử nghiệm phường Chu Văn An",
        "Thời điểm ký (người ký tự khai): ",
        "do Dấu thời gian thử nghiệm phường Chu Văn An cấp",
        "Mức chữ ký: B-T",
        "Kết quả: Đạt (TOTAL_PASSED)",
        "Nhận xét: chữ ký hợp lệ",
        "Phủ toàn bộ tệp: có",
        "Thay đổi sau khi ký: không có (NONE)",
        "(giờ Việt Nam)",
    ):
        assert expected in text, (expected, text)

    as_json = runner.invoke(app, ["verify", str(out), "--json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    assert data["verdict"] == "valid" and data["exit_code"] == 0
    (sig,) = data["signatures"]
    assert sig["level"] == "B-T" and sig["indication"] == "TOTAL_PASSED"
    assert sig["timestamp_time"] is not None and sig["covers_whole_file"] is True


def test_verify_exit_codes_for_invalid_and_unreadable(
    data_dir: Path, receipt: Path, tmp_path: Path
) -> None:
    out = tmp_path / "signed.pdf"
    args = ["sign", str(receipt), "--out", str(out), "--key", "seal", "--certify", "--box", BOX]
    assert runner.invoke(app, args).exit_code == 0
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(tampering.add_content(out.read_bytes()))
    invalid = runner.invoke(app, ["verify", str(tampered)])
    assert invalid.exit_code == 1, invalid.output
    assert "KHÔNG hợp lệ" in invalid.output and "DISALLOWED_CHANGES" in invalid.output

    not_pdf = tmp_path / "anh.pdf"
    not_pdf.write_bytes(b"\x89PNG\r\n\x1a\n....")
    unreadable = runner.invoke(app, ["verify", str(not_pdf), "--json"])
    assert unreadable.exit_code == 2, unreadable.output
    assert json.loads(unreadable.output)["verdict"] == "cannot_verify"

    missing = runner.invoke(app, ["verify", str(tmp_path / "khong-co.pdf")])
    assert missing.exit_code == 2


def test_verify_with_trust_roots_given_on_the_command_line(
    data_dir: Path, receipt: Path, pki_folder: PkiFolder, test_pki: BuiltPki, tmp_path: Path
) -> None:
    out = tmp_path / "signed.pdf"
    args = ["sign", str(receipt), "--out", str(out), "--key", "seal", "--certify", "--box", BOX]
    assert runner.invoke(app, args).exit_code == 0
    ours, stranger = tmp_path / "root.pem", tmp_path / "other.pem"
    ours.write_bytes(test_pki.certificate("root-ca").public_bytes(Encoding.PEM))
    stranger.write_bytes(test_pki.certificate("other-root").public_bytes(Encoding.PEM))
    crls = []
    for ca in ("issuing-ca", "root-ca"):  # the signer's status, and its issuing CA's
        crls += ["--crl", str(tmp_path / f"{ca}.crl")]
        (tmp_path / f"{ca}.crl").write_bytes(pki_folder.crl(ca))

    no_crl = runner.invoke(app, ["verify", str(out), "--trust", str(ours)])
    assert no_crl.exit_code == 1, no_crl.output  # revocation status unknown: not valid
    trusted = runner.invoke(app, ["verify", str(out), "--trust", str(ours), *crls])
    assert trusted.exit_code == 0, trusted.output
    untrusted = runner.invoke(app, ["verify", str(out), "--trust", str(stranger), "--json"])
    assert untrusted.exit_code == 1, untrusted.output
    (sig,) = json.loads(untrusted.output)["signatures"]
    assert sig["indication"] == "INDETERMINATE" and not sig["trusted"]


@pytest.mark.softhsm
def test_officials_sign_with_a_p12_file_and_a_token(
    data_dir: Path,
    test_pki: BuiltPki,
    token: SoftHsmToken,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prepared = tmp_path / "ket-qua.pdf"
    prepared.write_bytes(prepare_approval_fields(simple_pdf("TRÍCH LỤC"), RESULT_PLACES))
    p12 = tmp_path / "huong.p12"
    p12.write_bytes(test_pki.export_pkcs12("judicial-officer", password="mật-khẩu"))
    half, done = tmp_path / "half.pdf", tmp_path / "done.pdf"

    wrong = runner.invoke(
        app,
        [
            "sign",
            str(prepared),
            "--out",
            str(half),
            "--p12",
            str(p12),
            "--password-env",
            "HUONG_P12",
            "--field",
            field_name_for(1, "judicial_officer"),
        ],
        env={"HUONG_P12": "sai"},
    )
    assert wrong.exit_code == 2 and "Sai mật khẩu" in wrong.output, wrong.output
    assert not half.exists()

    monkeypatch.setenv("HUONG_P12", "mật-khẩu")
    first = runner.invoke(
        app,
        [
            "sign",
            str(prepared),
            "--out",
            str(half),
            "--p12",
            str(p12),
            "--password-env",
            "HUONG_P12",
            "--field",
            field_name_for(1, "judicial_officer"),
            "--role",
            "judicial_officer",
        ],
    )
    assert first.exit_code == 0, first.output

    second = runner.invoke(
        app,
        [
            "sign",
            str(half),
            "--out",
            str(done),
            "--pkcs11-module",
            str(SOFTHSM_MODULE),
            "--token-label",
            token.label,
            "--key-label",
            "tran-van-minh",
            "--field",
            field_name_for(2, "chairman"),
            "--role",
            "chairman",
            "--json",
        ],
        input=f"{TOKEN_PIN}\n",  # typed at the hidden prompt
    )
    assert second.exit_code == 0, second.output
    assert TOKEN_PIN not in second.output  # the PIN is never echoed
    summary = json.loads(second.output[second.output.index("{") :])
    assert summary["signer"] == "Trần Văn Minh"

    result = runner.invoke(app, ["verify", str(done), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [s["signer_name"] for s in report["signatures"]] == ["Nguyễn Thị Hương", "Trần Văn Minh"]


def test_sign_refuses_ambiguous_or_missing_choices(data_dir: Path, receipt: Path) -> None:
    out = str(receipt.with_name("out.pdf"))
    no_key = runner.invoke(app, ["sign", str(receipt), "--out", out, "--certify", "--box", BOX])
    assert no_key.exit_code == 2 and "--key" in no_key.output
    no_mode = runner.invoke(app, ["sign", str(receipt), "--out", out, "--key", "seal"])
    assert no_mode.exit_code == 2 and "--certify" in no_mode.output
    bad_box = runner.invoke(
        app, ["sign", str(receipt), "--out", out, "--key", "seal", "--certify", "--box", "1,2"]
    )
    assert bad_box.exit_code == 2 and "--box" in bad_box.output
    refused = runner.invoke(
        app,
        [
            "sign",
            str(receipt),
            "--out",
            out,
            "--key",
            "expired-official",
            "--certify",
            "--box",
            BOX,
        ],
    )
    assert refused.exit_code == 2 and "hết hạn" in refused.output, refused.output
    assert not Path(out).exists()


@pytest.mark.softhsm
def test_a_missing_token_is_said_before_any_pin_is_asked(
    data_dir: Path, receipt: Path, token: SoftHsmToken
) -> None:
    out = receipt.with_name("out.pdf")
    result = runner.invoke(
        app,
        [
            "sign",
            str(receipt),
            "--out",
            str(out),
            "--pkcs11-module",
            str(SOFTHSM_MODULE),
            "--token-label",
            "khong-co",
            "--key-label",
            "x",
            "--field",
            "Sig1_chairman",
        ],
    )  # no input: a PIN prompt would abort with exit code 1
    assert result.exit_code == 2, result.output
    assert "Không thấy thiết bị ký số 'khong-co'" in result.output
    assert not out.exists()


def _sign_args(path: Path, out: Path, *extra: str) -> list[str]:
    return [
        "sign",
        str(path),
        "--out",
        str(out),
        "--key",
        "seal",
        "--certify",
        "--box",
        BOX,
        *extra,
    ]


@pytest.mark.parametrize(
    ("name", "codes"),
    [
        ("js_open_action", ["[javascript]", "[open_action]"]),
        ("text_field", ["[form_field]", "[annotation]"]),
        ("embedded_file", ["[embedded_file]"]),
        ("dangling_xobject", ["[dangling_reference]"]),
        ("second_revision", ["[incremental_update]"]),
    ],
)
def test_sign_refuses_active_content_and_signs_the_rebuild_with_sanitize(
    data_dir: Path, tmp_path: Path, name: str, codes: list[str]
) -> None:
    from esign.signing.sanitize import find_active_content

    from .active_pdfs import ACTIVE

    supplied = tmp_path / "cua-nguoi-khac.pdf"
    supplied.write_bytes(ACTIVE[name][0]())
    out = tmp_path / "da-ky.pdf"
    refused = runner.invoke(app, _sign_args(supplied, out))
    assert refused.exit_code == 3, refused.output
    assert "nội dung động" in refused.output and "--sanitize" in refused.output
    for code in codes:
        assert code in refused.output, (code, refused.output)
    assert not out.exists()

    signed = runner.invoke(app, [*_sign_args(supplied, out, "--sanitize"), "--json"])
    assert signed.exit_code == 0, signed.output
    summary = json.loads(signed.output[signed.output.index("{") :])
    assert summary["sanitized"] is True
    assert {r["kind"] for r in summary["removed"]} == ACTIVE[name][1]
    # Only our signature is left in the signed rebuild, which verifies.
    assert [f.kind for f in find_active_content(out.read_bytes())] == [
        "existing_signature",
        "incremental_update",
    ]
    assert runner.invoke(app, ["verify", str(out)]).exit_code == 0

    text = runner.invoke(app, _sign_args(supplied, tmp_path / "lan-hai.pdf", "--sanitize"))
    assert text.exit_code == 0 and "Đã ký bản dựng lại từ hình ảnh các trang" in text.output


def test_our_own_documents_are_signed_as_they_are(data_dir: Path, tmp_path: Path) -> None:
    from receipts.pdf import render_receipt, render_result
    from tests.utils.pdf_samples import certification, make_receipt

    for i, pdf in enumerate(
        (render_receipt(make_receipt()).pdf, render_result(certification()).pdf)
    ):
        path = tmp_path / f"ours-{i}.pdf"
        path.write_bytes(pdf)
        out = tmp_path / f"ours-{i}-signed.pdf"
        result = runner.invoke(app, [*_sign_args(path, out), "--json"])
        assert result.exit_code == 0, result.output
        summary = json.loads(result.output[result.output.index("{") :])
        assert summary["sanitized"] is False and summary["removed"] == []
        assert out.read_bytes().startswith(pdf)  # an incremental signature over our bytes


def test_an_approval_refuses_what_our_prepared_documents_never_carry(
    data_dir: Path, tmp_path: Path
) -> None:
    from .active_pdfs import ACTIVE

    prepared = prepare_approval_fields(ACTIVE["js_page_aa"][0](), RESULT_PLACES)
    path = tmp_path / "ket-qua.pdf"
    path.write_bytes(prepared)
    field = field_name_for(1, "judicial_officer")
    args = ["sign", str(path), "--out", str(tmp_path / "o.pdf"), "--key", "judicial-officer"]
    refused = runner.invoke(app, [*args, "--field", field])
    assert refused.exit_code == 3, refused.output
    assert "[javascript]" in refused.output and "[incremental_update]" not in refused.output
    no_rebuild = runner.invoke(app, [*args, "--field", field, "--sanitize"])
    assert no_rebuild.exit_code == 2 and "--sanitize" in no_rebuild.output

    clean = tmp_path / "ket-qua-sach.pdf"
    clean.write_bytes(prepare_approval_fields(simple_pdf("TRÍCH LỤC"), RESULT_PLACES))
    half = tmp_path / "half.pdf"
    first = runner.invoke(
        app, ["sign", str(clean), "--out", str(half), "--key", "judicial-officer", "--field", field]
    )
    assert first.exit_code == 0, first.output
    done = str(tmp_path / "done.pdf")
    second = runner.invoke(
        app, ["sign", str(half), "--out", done, "--key", "chairman", "--field", "Sig2_chairman"]
    )
    assert second.exit_code == 0, second.output  # the first official's signature is allowed


def test_sign_says_a_file_it_cannot_read_before_any_key(data_dir: Path, tmp_path: Path) -> None:
    broken = tmp_path / "hong.pdf"
    broken.write_bytes(simple_pdf()[:400])
    out = tmp_path / "o.pdf"
    result = runner.invoke(app, [*_sign_args(broken, out), "--sanitize"])
    assert result.exit_code == 2 and "[unreadable_pdf]" in result.output, result.output
    assert not out.exists()
    clean = tmp_path / "sach.pdf"
    clean.write_bytes(simple_pdf())
    # Nothing to remove: --sanitize signs the file as it is (an update over its bytes).
    assert runner.invoke(app, [*_sign_args(clean, out), "--sanitize"]).exit_code == 0
    assert out.read_bytes().startswith(clean.read_bytes())
