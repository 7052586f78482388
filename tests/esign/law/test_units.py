"""The ward's identity by date (esign/data/units.toml): UBND phường Văn An (Chí Linh, Hải
Dương; 10579) until 30/6/2025, UBND phường Chu Văn An, thành phố Hải Phòng (NQ 1669/NQ-
UBTVQH15 Điều 1 khoản 34; 10549) from 1/7/2025; settings override only today's profile."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from esign.config import Settings
from esign.errors import ConfigurationError
from esign.units import current_unit, load_units, unit_on, unit_unverified
from esign.workflows.snapshot import DocumentSnapshot, unit_profile
from tests.esign.api.conftest import Api

BEFORE = [dt.date(2020, 1, 1), dt.date(2025, 1, 15), dt.date(2025, 6, 30)]
AFTER = [dt.date(2025, 7, 1), dt.date(2026, 6, 30), dt.date(2026, 7, 1), dt.date(2027, 1, 1)]


@pytest.mark.parametrize("day", BEFORE)
def test_van_an_until_june_2025(day: dt.date) -> None:
    unit = unit_on(Settings(), on=day)
    assert unit.code == "10579" and unit.province == "HD"
    assert unit.name == "Ủy ban nhân dân phường Văn An"
    assert unit.parent == "Thành phố Chí Linh, tỉnh Hải Dương"
    assert unit.header_lines == ("UBND THÀNH PHỐ CHÍ LINH", "ỦY BAN NHÂN DÂN PHƯỜNG VĂN AN")
    assert unit.place == "Văn An"


@pytest.mark.parametrize("day", AFTER)
def test_chu_van_an_hai_phong_from_july_2025(day: dt.date) -> None:
    unit = unit_on(Settings(), on=day)
    assert unit.code == "10549" and unit.province == "HP"
    assert unit.name == "Ủy ban nhân dân phường Chu Văn An"
    assert unit.address == "Phường Chu Văn An, thành phố Hải Phòng"
    # NĐ 30/2020: the actual body's name, no district line (no district level since 1/7/2025).
    assert unit.header_lines == ("ỦY BAN NHÂN DÂN PHƯỜNG CHU VĂN AN",)
    assert not any("CHÍ LINH" in line or "HẢI DƯƠNG" in line for line in unit.header_lines)
    assert unit.place == "Chu Văn An"
    assert unit.signing_location == "Phường Chu Văn An, thành phố Hải Phòng"
    assert "UBND phường Chu Văn An" in unit.seal_subject
    assert unit.series_letters == "VA"
    assert any("1669/NQ-UBTVQH15" in c and "khoản 34" in c for c in unit.citations)
    assert unit.tax_code_unverified is not None  # LAW.md: the new tax code is unverified


def test_the_profiles_cover_time_without_gaps() -> None:
    units = load_units()
    assert [u.code for u in units] == ["10579", "10549"]
    assert units[0].effective_to == dt.date(2025, 6, 30)
    assert units[1].effective_from == dt.date(2025, 7, 1)


def test_a_gap_is_refused(tmp_path: Path) -> None:
    text = (Path(__file__).parents[3] / "esign" / "data" / "units.toml").read_text("utf-8")
    broken = tmp_path / "units.toml"
    broken.write_text(text.replace("effective_from = 2025-07-01", "effective_from = 2025-07-02"))
    with pytest.raises(ConfigurationError):
        load_units(broken)


def test_settings_override_todays_profile_only() -> None:
    settings = Settings(unit_name="UBND phường Chu Văn An (thử nghiệm)", unit_tax_code="0200000001")
    assert unit_on(settings, on=dt.date(2026, 12, 1)).name == "UBND phường Chu Văn An (thử nghiệm)"
    assert unit_on(settings, on=dt.date(2026, 12, 1)).tax_code_unverified is None
    old = unit_on(settings, on=dt.date(2025, 3, 1))
    assert old.name == "Ủy ban nhân dân phường Văn An" and old.tax_code == "0800123456"


def test_the_unverified_tax_code_is_listed_until_a_deployment_states_it() -> None:
    marks = unit_unverified(Settings())
    assert (
        len(marks) == 1
        and "10549" in marks[0].where
        and "chưa xác minh" in marks[0].reason.casefold()
    )
    assert unit_unverified(Settings(unit_tax_code="0200000001")) == ()


def test_defaults_are_todays_unit() -> None:
    settings = Settings()
    assert settings.province == "HP"
    assert current_unit(settings).code == "10549"


def test_a_document_snapshot_carries_the_dated_unit() -> None:
    """Old snapshots (without code and signing location) read back to the same text."""
    new = unit_profile(Settings(), on=dt.date(2026, 7, 1))
    old = unit_profile(Settings(), on=dt.date(2025, 6, 30))
    assert (new.code, old.code) == ("10549", "10579")
    assert new.signing_location == "Phường Chu Văn An, thành phố Hải Phòng"
    stored = (
        '{"dossier_code":null,"issued_at":"2026-01-05T03:00:00+00:00","kind":"receipt",'
        '"lines":[],"payment_method":"cash","people":[{"address":null,"name":"Bùi Thị Trang",'
        '"role":"payer"}],"procedure_code":null,"reference":null,"scheme":{"label":'
        '"receipt/nd123-2020","number":1,"series":"VA-26E","template_symbol":"01BLP0-001"},'
        '"seal":{"pdf_sha256":"00","person_role":"payer","text":"x"},"signatures":[],'
        '"template":"receipt","title":"BIÊN LAI THU PHÍ, LỆ PHÍ","unit":{"address":"Phường Văn '
        'An","header_lines":[],"name":"Ủy ban nhân dân phường Văn An","parent":"","place":"",'
        '"tax_code":"0800123456"},"version":1}'
    )
    snap = DocumentSnapshot.from_json(stored)
    assert snap.unit.code is None and snap.seal.xml_sha256 is None
    assert snap.to_json() == stored
    assert snap.scheme.full_label == "01BLP0-001 · VA-26E · 0000001"


def test_the_staff_pages_name_todays_unit(law_api: Api) -> None:
    html = law_api.client.get("/staff/").text
    assert "Ủy ban nhân dân phường Chu Văn An — Thành phố Hải Phòng" in html
    assert "None" not in html
