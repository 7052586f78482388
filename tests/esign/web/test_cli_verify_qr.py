"""``esign verify-qr`` on our own receipts, with the keys the public endpoint serves: the
forgeries the page refuses are refused offline too (the seal tests cover a changed field and a
foreign key set; here also a signature from another key under our key id, another receipt's
seal, a withdrawn key)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from esign.cli.main import app
from esign.seal import qr_url
from tests.esign.seal.test_cli_seal import qr_png

from .conftest import Web
from .forgery import forgeries, genuine_claims, withdrawn_seal

runner = CliRunner()


def _keys(web: Web, path: Path) -> Path:
    path.write_bytes(web.client.get("/.well-known/esign-seal-keys.json").content)
    return path


def test_verify_qr_on_our_receipts(web_sqlite: Web, tmp_path: Path) -> None:
    web = web_sqlite
    r = web.issue()
    other = web.issue(payer="Trần Văn Nam")
    public = web.service.settings.public_url
    # The signed PDF as issued: its printed QR is genuine.
    pdf = tmp_path / "bien-lai.pdf"
    pdf.write_bytes(web.client.post(f"/v/{r.token}/pdf", data={"seal": r.seal}).content)
    keys = _keys(web, tmp_path / "keys.json")
    genuine = runner.invoke(app, ["verify-qr", str(pdf), "--keys", str(keys)])
    assert genuine.exit_code == 0, genuine.output
    assert "Kết luận: Hợp lệ" in genuine.output and "B** T** T****" in genuine.output

    cases = forgeries(
        web.service.keyring,
        seal=r.seal,
        token=r.token,
        other_seal=other.seal,
        attacker=tmp_path / "attacker",
    )
    # Offline there is no record to compare with: a seal the ward's key signed is the ward's.
    del cases["facts_differ"]
    expected = {
        "bad_signature": "Chữ ký không khớp",
        "unknown_key": "không có trong tập khóa công bố",
        "malformed": "Con dấu QR hỏng",
    }
    for name, (seal, verdict) in cases.items():
        png = qr_png(qr_url(public, r.token, seal), tmp_path / f"{name}.png")
        result = runner.invoke(app, ["verify-qr", str(png), "--keys", str(keys)])
        assert result.exit_code == 1, (name, result.output)
        assert "Kết luận: KHÔNG hợp lệ" in result.output, name
        assert expected[verdict] in result.output, (name, result.output)


def test_verify_qr_withdrawn_key(web_sqlite: Web, tmp_path: Path) -> None:
    web = web_sqlite
    r = web.issue()
    claims = genuine_claims(web.service.keyring, r.seal, r.token)
    seal = withdrawn_seal(web.service.keyring.folder, claims, r.token)
    keys = _keys(web, tmp_path / "keys.json")  # fetched after the withdrawal
    png = qr_png(qr_url(web.service.settings.public_url, r.token, seal), tmp_path / "w.png")
    result = runner.invoke(app, ["verify-qr", str(png), "--keys", str(keys)])
    assert result.exit_code == 1 and "đã bị thu hồi" in result.output, result.output
