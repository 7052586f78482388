"""``esign tax``, ``esign paper``, ``esign law`` over the same workflows (sqlite: the CLI's
commands are the same over PostgreSQL, which the API tests cover)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from esign.cli.main import app
from esign.config import get_settings
from tests.esign.api.conftest import Api

from .test_daily_summary import _clerk, _issue

runner = CliRunner()


@pytest.fixture
def cli(api: Api, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    monkeypatch.setenv("ESIGN_DATABASE_URL", api.service.db.url)
    monkeypatch.setenv("ESIGN_DATA_DIR", str(api.service.settings.data_dir))
    get_settings.cache_clear()
    yield api
    get_settings.cache_clear()


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
def test_tax_summary_send_and_law_acknowledge(cli: Api, tmp_path: Path) -> None:
    _issue(cli, _clerk(cli), "Bùi Thị Trang", 2, at=None)
    _issue(cli, _clerk(cli), "Lê Quang Hưng", 1, at=None)
    made = runner.invoke(app, ["tax", "summary"])
    assert made.exit_code == 0, made.output
    sub = json.loads(made.output)
    assert (sub["state"], sub["rows"]) == ("queued", 2)
    sent = runner.invoke(app, ["tax", "send", "--folder", str(tmp_path / "out")])
    assert sent.exit_code == 0, sent.output
    assert json.loads(sent.output)["data"][0]["state"] == "sent"
    book = openpyxl.load_workbook(tmp_path / "out" / f"{sub['reference']}.xlsx")
    payers = [r[5] for r in book["01-TH-BLDT"].iter_rows(values_only=True) if isinstance(r[0], int)]
    assert payers == ["Bùi Thị Trang", "Lê Quang Hưng"]
    blocked = tmp_path / "file"
    blocked.write_text("x")
    runner.invoke(app, ["tax", "summary"])
    failed = runner.invoke(app, ["tax", "send", "--folder", str(blocked)])
    assert failed.exit_code == 1 and '"failed"' in failed.output

    listed = runner.invoke(app, ["law", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    law = json.loads(listed.output)
    assert law["count"] > 0 and law["acknowledged"] is None
    wrong = runner.invoke(app, ["law", "acknowledge", "0" * 64])
    assert wrong.exit_code == 2 and "law_list_changed" in wrong.output
    done = runner.invoke(app, ["law", "acknowledge", law["fingerprint"], "--note", "đã xem"])
    assert done.exit_code == 0, done.output
    again = json.loads(runner.invoke(app, ["law", "list", "--json"]).output)
    assert again["acknowledged"]["fingerprint"] == law["fingerprint"]

    stock = runner.invoke(
        app,
        [
            "paper",
            "stock",
            "--template",
            "01BLP0-001",
            "--series",
            "AA-22E",
            "--from",
            "1",
            "--to",
            "9",
        ],
    )
    assert stock.exit_code == 0, stock.output
    early = runner.invoke(
        app,
        [
            "paper",
            "destroy",
            "--template",
            "01BLP0-001",
            "--series",
            "AA-22E",
            "--from",
            "1",
            "--to",
            "9",
            "--day",
            "2026-12-31",
            "--decision",
            "QĐ 01",
        ],
    )
    assert early.exit_code == 2 and "paper_destruction_too_early" in early.output
