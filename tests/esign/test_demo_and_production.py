from __future__ import annotations

import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from esign.app import create_app
from esign.config import Settings
from esign.demo import CREDENTIALS, setup_demo
from esign.errors import ConfigurationError
from esign.production import check_production, problems
from esign.service import Service
from tests.utils import scheme_now


def _service(tmp_path: Path, **overrides: object) -> Service:
    settings = Settings(data_dir=tmp_path / "data", signing_level="B-T", **overrides)  # type: ignore[arg-type]
    return Service.from_settings(settings)


def _password(text: str, username: str) -> str:
    line = next(line for line in text.splitlines() if line.strip().startswith(username + " "))
    return line.split()[1]


def test_demo_on_an_empty_folder_is_a_working_ward(tmp_path: Path) -> None:
    service = _service(tmp_path)
    text = setup_demo(service)
    creds = service.settings.data_dir / CREDENTIALS
    assert stat.S_IMODE(creds.stat().st_mode) == 0o600
    assert "ketoan" in text and "chutich" in text
    assert setup_demo(service) == text  # a second run creates nothing new
    with TestClient(create_app(service=service)) as client:
        r = client.post(
            "/api/v1/auth/login", json={"username": "ketoan", "password": _password(text, "ketoan")}
        )
        assert r.status_code == 200
        receipt = client.post(
            "/api/v1/receipts",
            json={
                "payer_name": "Bùi Thị Trang",
                "payer_address": "Văn An",
                "payment_method": "cash",
                "fees": {"procedure_code": "CT-BS", "pages": 3},
            },
        )
        assert receipt.status_code == 201, receipt.text
        assert receipt.json()["total"] == 5_000 and receipt.json()["series"] == scheme_now.SERIES
    service.close()


def test_production_refuses_development_keys_and_defaults(tmp_path: Path) -> None:
    service = _service(tmp_path, environment="production")
    setup_demo(service)
    found = problems(service)
    assert any("thử nghiệm" in p for p in found)
    assert any("PostgreSQL" in p for p in found) and any("https" in p for p in found)
    with pytest.raises(ConfigurationError) as err:
        check_production(service)
    assert err.value.code == "unfit_for_production"
    service.close()
    # Development mode starts with the same folder.
    dev = _service(tmp_path)
    check_production(dev)
    dev.close()


def test_production_wants_a_token_for_our_own_tsa(tmp_path: Path) -> None:
    own = ["https://vanan.example.vn/pki/tsa"]
    for urls, token, missing in (
        (own, None, True),
        (own, "esk_bi-mat", False),
        (["https://tsa.ca-khac.example/tsa"], None, False),
    ):
        service = _service(
            tmp_path, environment="production", timestamp_urls=urls, timestamp_token=token
        )
        found = problems(service)
        assert any("ESIGN_TIMESTAMP_TOKEN" in p for p in found) is missing, found
        service.close()
