"""One list of what the law-as-data has not verified, for the administrator (issue 15)."""

from __future__ import annotations

from receipts.calendar import WorkCalendar
from receipts.catalog import load_catalog
from receipts.unverified import fingerprint, unverified_law


def test_the_list_gathers_catalog_schemes_and_calendar() -> None:
    catalog = load_catalog(province="HP")
    items = unverified_law(catalog, calendar=WorkCalendar())
    wheres = [u.where for u in items]
    assert len(set(wheres)) == len(wheres)
    assert any(w.startswith("HP.toml overrides[") for w in wheres)
    assert any("inherited" in w for w in wheres)
    assert "schemes.toml schemes[nd254_2026]" in wheres  # TT 91 read in a mirror
    assert "schemes.toml schemes[nd123_2020]" in wheres  # vendor-practice symbols
    assert "calendar.toml 2026-08-31" in wheres and "calendar.toml 2026-08-22" in wheres
    assert "calendar.toml years[2027]" in wheres
    assert "calendar.toml culture_day" not in wheres  # off by default: nothing to acknowledge
    assert all(u.reason for u in items)


def test_turning_on_24_november_adds_its_mark_and_changes_the_fingerprint() -> None:
    catalog = load_catalog(province="HP")
    off = unverified_law(catalog, calendar=WorkCalendar())
    on = unverified_law(catalog, calendar=WorkCalendar(culture_day_off=True))
    assert len(on) == len(off) + 1
    assert any(u.where == "calendar.toml culture_day" for u in on)
    assert fingerprint(on) != fingerprint(off)
    assert fingerprint(off) == fingerprint(unverified_law(catalog, calendar=WorkCalendar()))


def test_each_province_has_its_own_list() -> None:
    hd = unverified_law(load_catalog(province="HD"))
    hp = unverified_law(load_catalog(province="HP"))
    assert fingerprint(hd) != fingerprint(hp)
    assert any("channel_rules[online]" in u.where for u in hd)  # the unsourced 50 %
    assert not any("channel_rules" in u.where for u in hp)  # not inherited by Hải Phòng
