from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import qrcode
from qrcode import constants
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from typer.testing import CliRunner

from esign.cli.main import app
from esign.config import get_settings
from esign.seal import PUBLISHED_FILE, Keyring, make_seal, qr_url
from tests.esign.seal.helpers import HOST, TOKEN, receipt_claims, with_fields

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("ESIGN_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


@pytest.fixture
def ring(data_dir: Path) -> Keyring:
    return Keyring.load_or_create(data_dir / "seal")


def qr_png(text: str, path: Path, *, box_size: int = 4) -> Path:
    """A QR as a phone photo or 150 dpi scan sees it: 4 pixels a module, standard quiet zone."""
    qr = qrcode.QRCode(error_correction=constants.ERROR_CORRECT_M, box_size=box_size, border=4)
    qr.add_data(text, optimize=20)
    qr.make(fit=True)
    qr.make_image().save(path)
    return path


def qr_pdf(png: Path, path: Path) -> Path:
    """An A4 page with the QR printed 32 mm wide, as on our receipts."""
    c = canvas.Canvas(str(path))
    c.drawString(20 * mm, 270 * mm, "BIEN LAI THU PHI, LE PHI")
    c.drawImage(ImageReader(str(png)), 150 * mm, 240 * mm, width=32 * mm, height=32 * mm)
    c.save()
    return path


def test_verify_qr_image_genuine(ring: Keyring, tmp_path: Path) -> None:
    url = qr_url(HOST, TOKEN, make_seal(receipt_claims(), keyring=ring, token=TOKEN))
    result = runner.invoke(app, ["verify-qr", str(qr_png(url, tmp_path / "qr.png"))])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Kết luận: Hợp lệ" in out
    assert "Tổng tiền: 150.000 đ" in out and "Người nộp: B** T** T****" in out
    assert "Số: 0001234" in out and "Ngày: 27/11/2026" in out
    assert "Bùi" not in out  # only the masked name is ever shown


def test_verify_qr_pdf_page_and_json(ring: Keyring, tmp_path: Path) -> None:
    url = qr_url(HOST, TOKEN, make_seal(receipt_claims(), keyring=ring, token=TOKEN))
    pdf = qr_pdf(qr_png(url, tmp_path / "qr.png", box_size=8), tmp_path / "receipt.pdf")
    result = runner.invoke(app, ["verify-qr", str(pdf), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["genuine"] is True and report["token"] == TOKEN
    assert report["facts"]["total"] == 150_000 and report["kid"] == ring.active.kid


def test_verify_qr_tampered_seal_exit_1(ring: Keyring, tmp_path: Path) -> None:
    seal = with_fields(make_seal(receipt_claims(), keyring=ring, token=TOKEN), f7=1_500_000)
    result = runner.invoke(
        app, ["verify-qr", str(qr_png(qr_url(HOST, TOKEN, seal), tmp_path / "q.png"))]
    )
    assert result.exit_code == 1, result.output
    assert "Kết luận: KHÔNG hợp lệ" in result.output
    assert "1.500.000" not in result.output  # forged facts are not displayed


def test_verify_qr_with_explicit_key_file(ring: Keyring, tmp_path: Path) -> None:
    url = qr_url(HOST, TOKEN, make_seal(receipt_claims(), keyring=ring, token=TOKEN))
    png = qr_png(url, tmp_path / "qr.png")
    good = tmp_path / "keys.json"
    good.write_text(json.dumps(ring.published()))
    assert runner.invoke(app, ["verify-qr", str(png), "--keys", str(good)]).exit_code == 0
    # Another ward's key set does not know this key: not genuine.
    other = Keyring.load_or_create(tmp_path / "other")
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps(other.published()))
    result = runner.invoke(app, ["verify-qr", str(png), "--keys", str(foreign)])
    assert result.exit_code == 1 and "không có trong tập khóa" in result.output


def test_verify_qr_cannot_check_exit_2(ring: Keyring, tmp_path: Path) -> None:
    blank = tmp_path / "blank.png"
    from PIL import Image

    Image.new("L", (200, 200), 255).save(blank)
    result = runner.invoke(app, ["verify-qr", str(blank)])
    assert result.exit_code == 2 and "qr_not_found" in result.output
    not_image = tmp_path / "x.png"
    not_image.write_text("hello")
    assert runner.invoke(app, ["verify-qr", str(not_image)]).exit_code == 2
    bad_keys = tmp_path / "k.json"
    bad_keys.write_text("{}")
    url_png = qr_png(f"{HOST}/v/{TOKEN}#1", tmp_path / "u.png")
    assert runner.invoke(app, ["verify-qr", str(url_png), "--keys", str(bad_keys)]).exit_code == 2


def test_verify_qr_foreign_qr_is_not_genuine(ring: Keyring, tmp_path: Path) -> None:
    png = qr_png("https://example.com/pay?amount=150000", tmp_path / "other.png")
    result = runner.invoke(app, ["verify-qr", str(png)])
    assert result.exit_code == 1 and "không phải đường dẫn xác minh" in result.output


def test_seal_key_commands(data_dir: Path) -> None:
    listed = runner.invoke(app, ["seal", "keys", "--json"])
    assert listed.exit_code == 0, listed.output
    (first,) = json.loads(listed.output)["keys"]
    assert first["status"] == "active"
    rotated = runner.invoke(app, ["seal", "rotate"])
    assert rotated.exit_code == 0 and "Khóa mới đang dùng" in rotated.output
    refused = runner.invoke(app, ["seal", "withdraw", "--", first["kid"]], input="n\n")
    # "--": a key id may start with "-" (base64url), which would read as an option.
    assert refused.exit_code == 1, refused.output  # aborted at the question: nothing withdrawn
    assert Keyring.load(data_dir / "seal").keys[0].status.value == "retired"
    withdrawn = runner.invoke(app, ["seal", "withdraw", "--yes", "--", first["kid"]])
    assert withdrawn.exit_code == 0, withdrawn.output
    doc = json.loads((data_dir / "seal" / PUBLISHED_FILE).read_text())
    assert [k["status"] for k in doc["keys"]] == ["withdrawn", "active"]
    table = runner.invoke(app, ["seal", "keys"])
    assert "đã thu hồi" in table.output and "đang dùng" in table.output
    unknown = runner.invoke(app, ["seal", "withdraw", "AAAAAA", "--yes"])
    assert unknown.exit_code == 2 and "seal_key_unknown" in unknown.output


def test_verify_qr_without_any_key_set_exit_2(data_dir: Path, tmp_path: Path) -> None:
    png = qr_png(f"{HOST}/v/{TOKEN}#1", tmp_path / "u.png")
    result = runner.invoke(app, ["verify-qr", str(png)])
    assert result.exit_code == 2 and "no_key_set" in result.output
    assert not (data_dir / "seal").exists()  # checking never creates keys
