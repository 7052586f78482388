"""``esign certs``: Vietnamese output, one-line errors, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from typer.testing import CliRunner, Result

from certs import BuiltPki, open_pki_folder
from esign.cli.certs import app
from esign.config import get_settings

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ESIGN_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def run(*args: str) -> Result:
    return runner.invoke(app, list(args))


def assert_one_line_error(result: Result, words: str) -> None:
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Lỗi ["), result.output
    assert words in lines[0]


def test_init_list_show_revoke(data_dir: Path) -> None:
    result = run("init")
    assert result.exit_code == 0, result.output
    assert "Đã tạo PKI 'ward'" in result.stdout
    assert (data_dir / "pki" / "manifest.json").is_file()
    root = (data_dir / "pki" / "certs" / "root-ca.pem").read_bytes()

    again = run("init")
    assert again.exit_code == 0 and "giữ nguyên" in again.stdout
    assert (data_dir / "pki" / "certs" / "root-ca.pem").read_bytes() == root

    listing = run("list")
    assert listing.exit_code == 0
    assert "Nguyễn Thị Hương" in listing.stdout and "Con dấu UBND phường" in listing.stdout
    assert listing.stdout.count("còn hiệu lực") == len(open_pki_folder(data_dir / "pki").entries())

    shown = run("show", "judicial-officer")
    assert shown.exit_code == 0
    for words in ("Nguyễn Thị Hương", "Công chức Tư pháp - Hộ tịch", "nonRepudiation", "ĐƯỢC KÝ"):
        assert words in shown.stdout
    assert "KHÔNG ĐƯỢC KÝ" not in shown.stdout

    revoked = run("revoke", "judicial-officer", "--reason", "key_compromise")
    assert revoked.exit_code == 0, revoked.output
    assert "Đã thu hồi chứng thư 'judicial-officer'" in revoked.stdout
    assert "lộ khóa bí mật" in revoked.stdout
    shown = run("show", "judicial-officer")
    assert "KHÔNG ĐƯỢC KÝ: chứng thư số đã bị thu hồi" in shown.stdout
    assert "đã thu hồi (lộ khóa bí mật)" in run("list").stdout

    assert_one_line_error(
        run("revoke", "judicial-officer", "--reason", "superseded"), "đã bị thu hồi trước đó"
    )

    rebuilt = run("init", "--force")
    assert rebuilt.exit_code == 0 and "Đã tạo PKI" in rebuilt.stdout
    assert (data_dir / "pki" / "certs" / "root-ca.pem").read_bytes() != root


def test_errors_are_one_clean_line(data_dir: Path) -> None:
    assert_one_line_error(run("list"), "esign certs init")
    assert run("init").exit_code == 0
    assert_one_line_error(run("show", "mayor"), "Không có chứng thư số tên 'mayor'")
    assert_one_line_error(
        run("revoke", "seal", "--reason", "superseded", "--date", "hôm qua"), "không hợp lệ"
    )
    assert_one_line_error(run("revoke", "root-ca", "--reason", "superseded"), "CA gốc")
    assert_one_line_error(
        run("import", str(data_dir / "absent.p12"), "--role", "chairman"), "absent.p12"
    )
    usage = run("revoke", "seal", "--reason", "tired")
    assert usage.exit_code == 2 and "Traceback" not in usage.output


def test_import_through_the_cli(data_dir: Path, test_pki: BuiltPki, tmp_path: Path) -> None:
    assert run("init", "--architecture", "ward-test").exit_code == 0
    shown = run("show", "expired-official")
    assert "KHÔNG ĐƯỢC KÝ: chứng thư số đã hết hạn" in shown.stdout

    p12 = tmp_path / "thu.p12"
    p12.write_bytes(test_pki.export_pkcs12("stranger-official", password="bí mật"))
    assert_one_line_error(
        run("import", str(p12), "--role", "judicial_officer", "--password", "bí mật"),
        "không dẫn tới CA gốc được tin cậy",
    )
    root = test_pki.certificate("other-root").public_bytes(Encoding.PEM)
    (data_dir / "pki" / "trust" / "other-root.pem").write_bytes(root)
    assert_one_line_error(
        run("import", str(p12), "--role", "judicial_officer", "--password", "sai"), "Sai mật khẩu"
    )
    done = run("import", str(p12), "--role", "judicial_officer", "--password", "bí mật")
    assert done.exit_code == 0, done.output
    assert "Đã đăng ký chứng thư 'ngo-thi-thu' (Ngô Thị Thu)" in done.stdout
    assert "kèm khóa bí mật" in done.stdout
    shown = run("show", "ngo-thi-thu")
    assert "nhập từ CA khác" in shown.stdout and "ĐƯỢC KÝ" in shown.stdout


def test_registered_in_the_esign_app(data_dir: Path) -> None:
    from esign.cli.main import app as esign_app

    result = runner.invoke(esign_app, ["certs", "--help"])
    assert result.exit_code == 0
    for command in ("init", "list", "show", "revoke", "import"):
        assert command in result.stdout
