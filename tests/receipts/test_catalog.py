from __future__ import annotations

import re
from pathlib import Path

import pytest

from receipts.catalog import DATA_DIR, Field_, Rule, load_catalog
from receipts.errors import CatalogError

NATIONAL = (DATA_DIR / "catalog.toml").read_text(encoding="utf-8")
HD = (DATA_DIR / "provinces" / "HD.toml").read_text(encoding="utf-8")


def _load(tmp_path: Path, national: str = NATIONAL, province: str | None = HD) -> object:
    (tmp_path / "provinces").mkdir(exist_ok=True)
    (tmp_path / "catalog.toml").write_text(national, encoding="utf-8")
    if province is not None:
        (tmp_path / "provinces" / "HD.toml").write_text(province, encoding="utf-8")
    return load_catalog(
        tmp_path / "catalog.toml",
        province="HD" if province is not None else None,
        province_dir=tmp_path / "provinces",
    )


def test_shipped_catalog_covers_a_wards_procedures() -> None:
    catalog = load_catalog(province="HD")
    procs = catalog.procedures
    assert len(procs) >= 15
    required = {
        "HT-KS-DH",
        "HT-KS-QH",
        "HT-KS-LAI",
        "HT-KT-DH",
        "HT-KT-QH",
        "HT-KH",
        "HT-XNTTHN",
        "HT-NCMC",
        "HT-TDCC",
        "HT-GH",
        "HT-BSTL",
        "CT-BS",
        "CT-CK",
        "CT-HD",
    }
    assert required <= set(procs)
    assert {p.field for p in procs.values()} == {Field_.CIVIL_STATUS, Field_.CERTIFICATION}
    for p in procs.values():
        assert p.name_vi and p.name_en and p.legal_basis and p.items
    assert procs["CT-BS"].items[0].rule is Rule.PER_PAGE_TIERED
    assert {"poor_household", "revolutionary_merit", "disability"} <= set(catalog.exemptions)


def test_unknown_key_names_file_and_key(tmp_path: Path) -> None:
    bad = NATIONAL.replace('code = "CT-CK"\n', 'code = "CT-CK"\ncolour = "red"\n')
    with pytest.raises(CatalogError) as err:
        _load(tmp_path, bad)
    assert "catalog.toml" in err.value.message
    assert "procedures[CT-CK].colour" in err.value.message


def test_negative_amount_is_refused(tmp_path: Path) -> None:
    bad = NATIONAL.replace("amount = 10000", "amount = -10000")
    with pytest.raises(CatalogError) as err:
        _load(tmp_path, bad)
    assert re.search(
        r"procedures\[CT-CK\]\.items\[signature\]\.tariffs\[0\]\.amount", err.value.message
    )


def test_missing_legal_basis_is_refused(tmp_path: Path) -> None:
    bad = NATIONAL.replace(
        '    legal_basis = "Thông tư 226/2016/TT-BTC, Điều 4, Biểu mức thu dòng 2"\n', ""
    )
    with pytest.raises(CatalogError) as err:
        _load(tmp_path, bad)
    assert "procedures[CT-CK].items[signature].tariffs[0].legal_basis" in err.value.message


def test_empty_legal_basis_is_refused(tmp_path: Path) -> None:
    bad = HD.replace(
        'legal_basis = "Nghị quyết số 09/2020/NQ-HĐND tỉnh Hải Dương"', 'legal_basis = "  "'
    )
    with pytest.raises(CatalogError) as err:
        _load(tmp_path, province=bad)
    assert "HD.toml" in err.value.message and "legal_basis" in err.value.message


def test_overlapping_periods_are_refused(tmp_path: Path) -> None:
    bad = HD.replace("effective_to = 2020-12-31", "effective_to = 2021-06-30")
    with pytest.raises(CatalogError) as err:
        _load(tmp_path, province=bad)
    assert "HD.toml" in err.value.message
    assert "overlapping" in err.value.message and "HT-XNTTHN/confirmation" in err.value.message


def test_override_of_unknown_item_is_refused(tmp_path: Path) -> None:
    bad = HD.replace(
        'procedure = "HT-NCMC"\nitem = "registration"', 'procedure = "HT-NCMC"\nitem = "stamp"'
    )
    with pytest.raises(CatalogError) as err:
        _load(tmp_path, province=bad)
    assert "overrides[HT-NCMC/stamp]" in err.value.message


def test_tiered_tariff_needs_tiers(tmp_path: Path) -> None:
    bad = NATIONAL.replace(
        "    tiers = [{ from_page = 1, amount = 2000 }, { from_page = 3, amount = 1000 }]\n"
        '    cap_per_copy = 200000\n\n[[procedures]]\ncode = "CT-CK"',
        '    amount = 2000\n\n[[procedures]]\ncode = "CT-CK"',
    )
    assert bad != NATIONAL
    with pytest.raises(CatalogError) as err:
        _load(tmp_path, bad)
    assert "procedures[CT-BS].items[copy]" in err.value.message


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as err:
        _load(tmp_path, NATIONAL + "\n[[procedures]\n")
    assert "catalog.toml" in err.value.message and "TOML" in err.value.message


def test_missing_province_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="QN"):
        load_catalog(province="QN")


def test_text_is_nfc(tmp_path: Path) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Chứng thực chữ ký trong giấy tờ, văn bản")
    catalog = _load(
        tmp_path, NATIONAL.replace("Chứng thực chữ ký trong giấy tờ, văn bản", decomposed)
    )
    name = catalog.procedures["CT-CK"].name_vi  # type: ignore[attr-defined]
    assert name == unicodedata.normalize("NFC", name) == "Chứng thực chữ ký trong giấy tờ, văn bản"
