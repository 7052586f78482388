from __future__ import annotations

import json

from typer.testing import CliRunner

from esign.cli.main import app

runner = CliRunner()


def test_fees_list() -> None:
    result = runner.invoke(app, ["fees", "list"])
    assert result.exit_code == 0
    assert "CT-BS" in result.output and "Đăng ký khai sinh (đúng hạn)" in result.output


def test_fees_quote_table() -> None:
    result = runner.invoke(
        app, ["fees", "quote", "CT-BS", "--pages", "3", "--copies", "2", "--date", "2026-11-27"]
    )
    assert result.exit_code == 0, result.output
    assert "Tổng cộng: 10.000 đ" in result.output
    assert "Bằng chữ: Mười nghìn đồng" in result.output
    assert "Thông tư 226/2016/TT-BTC" in result.output


def test_fees_quote_json() -> None:
    result = runner.invoke(
        app,
        [
            "fees",
            "quote",
            "HT-NCMC",
            "--category",
            "poor_household",
            "--date",
            "2026-11-27",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"] == 0
    assert data["lines"][0]["exemption"]["code"] == "poor_household"
    assert data["lines"][0]["unit_price"] == 15000


def test_fees_quote_online() -> None:
    """The default province is Hải Phòng (the ward's since 1/7/2025: NQ 1669/NQ-UBTVQH15 Điều 1
    khoản 34): the former Hải Dương charge of 15.000 đ applies there (inherited, unverified),
    without the Hải Dương file's flat 50 % online reduction, which has no source (LAW.md)."""
    result = runner.invoke(
        app, ["fees", "quote", "HT-NCMC", "--online", "--date", "2026-11-27", "--json"]
    )
    assert json.loads(result.output)["total"] == 15_000


def test_errors_are_one_clear_line() -> None:
    for args, code in [
        (["fees", "quote", "CT-BX"], "unknown_procedure"),
        (["fees", "quote", "CT-BS", "--pages", "0"], "invalid_quote_input"),
        (["fees", "quote", "HT-NCMC", "--date", "2010-01-01"], "no_tariff_in_force"),
        (["fees", "quote", "HT-NCMC", "--date", "27/11/2026"], "invalid_date"),
        (["fees", "quote", "HT-NCMC", "--category", "nobody"], "invalid_quote_input"),
    ]:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, args
        assert f"Lỗi [{code}]" in result.output
        assert "Traceback" not in result.output
