"""Typed settings and identifiers: a wrong value stops the start with a message naming it,
instead of a string checked (or not) at the first receipt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from esign.cli.main import app
from esign.config import Environment, Settings, get_settings
from esign.db import Database
from esign.db.models import UserRole
from esign.errors import ConfigurationError, ValidationError
from esign.identifiers import OfficialRole
from esign.signing import sign
from esign.signing.levels import PadesLevel
from esign.workflows.actors import SYSTEM, Actor
from esign.workflows.users import create_user
from receipts.pdf import PageSize


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("ESIGN_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("ESIGN_ENVIRONMENT", "prod", "ESIGN_ENVIRONMENT"),
        ("ESIGN_ENVIRONMENT", "Production ", "ESIGN_ENVIRONMENT"),
        ("ESIGN_SIGNING_LEVEL", "B-X", "ESIGN_SIGNING_LEVEL"),
        ("ESIGN_SIGNING_LEVEL", "b-t", "ESIGN_SIGNING_LEVEL"),
        ("ESIGN_RECEIPT_PAGE_SIZE", "A3", "ESIGN_RECEIPT_PAGE_SIZE"),
        ("ESIGN_PROVINCE", "XX", "ESIGN_PROVINCE"),
        # TT 91/2026 Phụ lục II.2.b: two letters, not F I J O W Z.
        ("ESIGN_RECEIPT_SERIES_LETTERS", "VF", "ESIGN_RECEIPT_SERIES_LETTERS"),
        ("ESIGN_RECEIPT_SERIES_LETTERS", "va", "ESIGN_RECEIPT_SERIES_LETTERS"),
        ("ESIGN_PUBLIC_URL", "vanan.chilinh.gov.vn", "ESIGN_PUBLIC_URL"),
        ("ESIGN_TIMESTAMP_URLS", '["ftp://tsa.example"]', "ESIGN_TIMESTAMP_URLS"),
        ("ESIGN_UNIT_TAX_CODE", "08001234", "ESIGN_UNIT_TAX_CODE"),
        ("ESIGN_RATE_LIMIT_PER_MINUTE", "0", "ESIGN_RATE_LIMIT_PER_MINUTE"),
    ],
)
def test_a_wrong_setting_is_refused_by_name(
    env: pytest.MonkeyPatch, variable: str, value: str, named: str
) -> None:
    env.setenv(variable, value)
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    assert named in caught.value.message_en and caught.value.code == "configuration_error"
    # and the command line says so in one line, before doing anything
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"Lỗi [configuration_error]: Cấu hình không hợp lệ: {named}" in result.output


def test_good_settings_are_typed(env: pytest.MonkeyPatch) -> None:
    env.setenv("ESIGN_ENVIRONMENT", "production")
    env.setenv("ESIGN_SIGNING_LEVEL", "B-LT")
    env.setenv("ESIGN_RECEIPT_PAGE_SIZE", "A5")
    env.setenv("ESIGN_PUBLIC_URL", "https://vanan.chilinh.haiduong.gov.vn/")
    env.setenv("ESIGN_TIMESTAMP_URLS", '["http://tsa.example/tsr"]')
    settings = get_settings()
    assert settings.environment is Environment.PRODUCTION and settings.production
    assert settings.signing_level is PadesLevel.B_LT
    assert settings.receipt_page_size is PageSize.A5
    assert settings.public_url == "https://vanan.chilinh.haiduong.gov.vn"
    assert settings.timestamp_urls == ["http://tsa.example/tsr"]
    # One type per concept: the signer's level is the settings' level.
    assert sign.PadesLevel is PadesLevel
    assert not Settings(environment=Environment.DEVELOPMENT).production


def test_official_roles_are_an_enum(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'esign.sqlite3'}")
    database.migrate()
    try:
        with database.transaction() as s:
            for role in OfficialRole:
                user = create_user(
                    s,
                    SYSTEM,
                    username=f"u-{role.value.replace('_', '-')}",
                    full_name="Người ký",
                    role=UserRole.OFFICIAL,
                    password="mat-khau-du-dai",
                    official_role=role.value,  # as text, as a form or an old caller sends it
                )
                assert Actor.of(user).official_role is role
            for wrong in ("mayor", "Chairman", None):
                with pytest.raises(ValidationError, match="chức danh ký"):
                    create_user(
                        s,
                        SYSTEM,
                        username="u-wrong",
                        full_name="Người ký",
                        role=UserRole.OFFICIAL,
                        password="mat-khau-du-dai",
                        official_role=wrong,
                    )
            clerk = create_user(
                s,
                SYSTEM,
                username="u-clerk",
                full_name="Thu ngân",
                role=UserRole.CLERK,
                password="mat-khau-du-dai",
                official_role=OfficialRole.CHAIRMAN,  # ignored: only officials sign
            )
            assert clerk.official_role is None and Actor.of(clerk).official_role is None
    finally:
        database.dispose()
