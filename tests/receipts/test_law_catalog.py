"""The law of December 2026 in the catalog: each figure and rule pinned with its citation.

Sources and their certainty: ../shared/LAW.md (issue 15).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from receipts.catalog import DATA_DIR, Catalog, Channel, load_catalog
from receipts.errors import CatalogError, NoTariffInForceError, QuoteInputError
from receipts.fees import TariffSource, quote

HD = load_catalog(province="HD")
HP = load_catalog(province="HP")
NATIONAL = load_catalog(province=None)
CATALOGS = {"national": NATIONAL, "HD": HD, "HP": HP}
TODAY = dt.date(2026, 12, 2)
NATIONAL_TEXT = (DATA_DIR / "catalog.toml").read_text(encoding="utf-8")
HD_TEXT = (DATA_DIR / "provinces" / "HD.toml").read_text(encoding="utf-8")
HP_TEXT = (DATA_DIR / "provinces" / "HP.toml").read_text(encoding="utf-8")


def _copy(
    tmp_path: Path, *, national: str = NATIONAL_TEXT, hd: str = HD_TEXT, hp: str = HP_TEXT
) -> Path:
    (tmp_path / "provinces").mkdir(parents=True, exist_ok=True)
    (tmp_path / "catalog.toml").write_text(national, encoding="utf-8")
    (tmp_path / "provinces" / "HD.toml").write_text(hd, encoding="utf-8")
    (tmp_path / "provinces" / "HP.toml").write_text(hp, encoding="utf-8")
    return tmp_path


def _load(tmp_path: Path, province: str = "HP", **texts: str) -> Catalog:
    root = _copy(tmp_path, **texts)
    return load_catalog(root / "catalog.toml", province=province, province_dir=root / "provinces")


# ------------------------------------------------------------------ HT-BSTL: a Ministry fee


@pytest.mark.parametrize("name", sorted(CATALOGS))
@pytest.mark.parametrize(
    "on",
    [dt.date(2017, 1, 1), dt.date(2024, 6, 1), dt.date(2025, 7, 1), TODAY, dt.date(2030, 1, 1)],
)
@pytest.mark.parametrize("channel", list(Channel))
def test_extract_copies_are_8000_per_copy_everywhere(
    name: str, on: dt.date, channel: Channel
) -> None:
    # TT 281/2016/TT-BTC Điều 4 row 4: 8.000 đ per copy, no provincial override or reduction.
    catalog = CATALOGS[name]
    if name == "HP" and on < dt.date(2025, 7, 1):
        return  # Hải Phòng's file covers the ward only from 1/7/2025; the national fee is the same
    for copies in (1, 2, 7):
        q = quote("HT-BSTL", on=on, copies=copies, channel=channel, catalog=catalog)
        (line,) = q.lines
        assert (line.unit_price, line.amount) == (8_000, 8_000 * copies)
        assert line.tariff_source is TariffSource.NATIONAL and line.reduction is None
        assert line.legal_basis == "Thông tư 281/2016/TT-BTC, Điều 4, Biểu mức thu dòng 4"
    assert catalog.procedures["HT-BSTL"].legal_basis == "Luật Hộ tịch số 60/2014/QH13, Điều 63–64"


@pytest.mark.parametrize(
    ("code", "item"), [("HT-BSTL", "copy"), ("CT-CK", "signature"), ("CT-HD", "contract")]
)
def test_a_province_cannot_override_a_ministry_fee(tmp_path: Path, code: str, item: str) -> None:
    extra = (
        f'\n[[overrides]]\nprocedure = "{code}"\nitem = "{item}"\n'
        'effective_from = 2024-01-01\namount = 5000\nlegal_basis = "Nghị quyết giả định"\n'
    )
    with pytest.raises(CatalogError) as err:
        _load(tmp_path, "HD", hd=HD_TEXT + extra)
    assert f"overrides[{code}/{item}]" in err.value.message
    assert "Bộ Tài chính" in err.value.message


# ------------------------------------------------------------------ exemptions


@pytest.mark.parametrize("catalog", [HD, HP])
@pytest.mark.parametrize("on", [dt.date(2020, 5, 5), dt.date(2025, 6, 30), TODAY])
def test_ending_a_guardianship_is_exempt(catalog: Catalog, on: dt.date) -> None:
    if catalog is HP and on < dt.date(2025, 7, 1):
        return
    for code in ("HT-GH", "HT-CDGH"):
        q = quote(code, on=on, catalog=catalog, channel=Channel.ONLINE)
        assert q.total == 0 and q.lines[0].exemption is not None
        assert "Luật Hộ tịch số 60/2014/QH13, Điều 11 khoản 1 điểm b" in (
            q.lines[0].exemption.legal_basis
        )
    ended = quote("HT-CDGH", on=on, catalog=catalog).lines[0]
    assert "Thông tư 250/2016/TT-BTC, Điều 5 khoản 2 điểm c" in ended.legal_basis
    assert ended.unverified and "85/2019" in ended.unverified[0]  # TT 250 wording unverified


@pytest.mark.parametrize("cases", [1, 2, 5])
def test_mortgage_under_nd55_is_not_charged(cases: int) -> None:
    # TT 226/2016/TT-BTC Điều 5.
    charged = quote("CT-HD", on=TODAY, cases=cases, catalog=HP)
    assert charged.total == 50_000 * cases and charged.lines[0].exemption is None
    for facts in ({}, {"mortgage_nd55": False}):
        assert (
            quote("CT-HD", on=TODAY, cases=cases, catalog=HP, facts=facts).total == 50_000 * cases
        )
    free = quote("CT-HD", on=TODAY, cases=cases, catalog=HP, facts={"mortgage_nd55": True})
    line = free.lines[0]
    assert free.total == 0 and line.unit_price == 50_000
    assert (
        line.evidence is not None
        and line.evidence.legal_basis == "Thông tư 226/2016/TT-BTC, Điều 5"
    )
    assert [(f.fact, f.value) for f in line.evidence.facts] == [("mortgage_nd55", True)]
    # Only contracts: an amendment is still charged.
    assert quote("CT-HD-SD", on=TODAY, catalog=HP, facts={"mortgage_nd55": True}).total == 30_000


NQ66 = {"vneid_level": 2, "documents_integrated": True}
NQ66_CODES = {
    "HT-KS-QH": {"existing_personal_papers": True},
    "HT-KS-LAI": {},
    "HT-KH-LAI": {},
    "HT-XNTTHN": {},
    "HT-BSTL": {},
}


@pytest.mark.parametrize("code", sorted(NQ66_CODES))
@pytest.mark.parametrize(
    "on", [dt.date(2026, 8, 15), dt.date(2026, 11, 27), TODAY, dt.date(2027, 2, 28)]
)
def test_nq66_22_exempts_online_vneid_filings(code: str, on: dt.date) -> None:
    # Nghị quyết 66.22/2026/NQ-CP Điều 5.1, Phụ lục II: 15/8/2026–28/2/2027.
    facts = {**NQ66, **NQ66_CODES[code]}
    free = quote(code, on=on, catalog=HP, channel=Channel.ONLINE, facts=facts)
    (line,) = free.lines
    assert free.total == 0 and line.unit_price > 0
    assert line.exemption is not None and line.exemption.code == "nq66_22_online_vneid"
    ev = line.evidence
    assert ev is not None
    assert ev.legal_basis == "Nghị quyết 66.22/2026/NQ-CP, Điều 5 khoản 1; Phụ lục II"
    assert ev.period == "15/08/2026–28/02/2027"
    stated = {f.fact: f.value for f in ev.facts}
    assert stated["vneid_level"] == 2 and stated["channel"] == "online"
    assert stated["documents_integrated"] is True and stated["procedure"] == code
    assert any("Công báo" in m for m in line.unverified)  # read in a mirror


@pytest.mark.parametrize("code", sorted(NQ66_CODES))
@pytest.mark.parametrize(
    ("on", "channel", "facts"),
    [
        (dt.date(2026, 8, 14), Channel.ONLINE, {}),  # the day before
        (dt.date(2027, 3, 1), Channel.ONLINE, {}),  # the day after
        (TODAY, Channel.COUNTER, {}),  # at the counter
        (TODAY, Channel.ONLINE, {"vneid_level": 1}),  # level-1 account
        (TODAY, Channel.ONLINE, {"documents_integrated": False}),
        (TODAY, Channel.ONLINE, {"drop": "vneid_level"}),  # not stated: not met
        (TODAY, Channel.ONLINE, {"drop": "documents_integrated"}),
    ],
)
def test_nq66_22_needs_every_condition(
    code: str, on: dt.date, channel: Channel, facts: dict[str, object]
) -> None:
    stated: dict[str, object] = {**NQ66, **NQ66_CODES[code]}
    facts = dict(facts)
    drop = facts.pop("drop", None)
    stated.update(facts)
    if drop:
        del stated[str(drop)]
    q = quote(code, on=on, catalog=HP, channel=channel, facts=stated)
    assert q.total > 0 and q.lines[0].exemption is None and q.lines[0].evidence is None


def test_nq66_22_late_birth_only_with_existing_papers() -> None:
    for papers in (False, None):
        facts = {**NQ66} if papers is None else {**NQ66, "existing_personal_papers": papers}
        q = quote("HT-KS-QH", on=TODAY, catalog=HP, channel=Channel.ONLINE, facts=facts)
        assert q.total == 5_000
    # Not a procedure of Phụ lục II: a marriage re-registration is, a late death one is not.
    facts = {**NQ66, "existing_personal_papers": True}
    assert quote("HT-KT-QH", on=TODAY, catalog=HP, channel=Channel.ONLINE, facts=facts).total > 0


@pytest.mark.parametrize(
    "facts",
    [{"vneid": 2}, {"vneid_level": "2"}, {"vneid_level": True}, {"documents_integrated": 1}],
)
def test_stated_facts_are_checked(facts: dict[str, object]) -> None:
    with pytest.raises(QuoteInputError):
        quote("HT-XNTTHN", on=TODAY, catalog=HP, facts=facts)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ('{ fact = "vneid", ge = 2 }', "unknown fact"),
        ('{ fact = "vneid_level", eq = "two" }', "vneid_level"),
        ('{ fact = "documents_integrated", eq = 1 }', "documents_integrated"),
        ('{ fact = "channel", eq = "fax" }', "channel"),
        ('{ fact = "channel", ge = 1 }', "compares numbers"),
        ('{ fact = "vneid_level", ge = 2, le = 3 }', "exactly one"),
        ("{ all = [] }", "all"),
    ],
)
def test_condition_language_is_validated_on_load(tmp_path: Path, bad: str, message: str) -> None:
    text = NATIONAL_TEXT.replace('when = { fact = "mortgage_nd55", eq = true }', f"when = {bad}")
    assert text != NATIONAL_TEXT
    with pytest.raises(CatalogError) as err:
        _load(tmp_path, national=text)
    assert "exemptions[mortgage_nd55]" in err.value.message and message in err.value.message


def test_a_conditional_exemption_needs_its_condition(tmp_path: Path) -> None:
    text = NATIONAL_TEXT.replace('when = { fact = "mortgage_nd55", eq = true }\n', "")
    with pytest.raises(CatalogError, match="conditional"):
        _load(tmp_path, national=text)


# ------------------------------------------------------------------ citations that exist


def _all_bases(catalog: Catalog) -> list[str]:
    out = [p.legal_basis for p in catalog.procedures.values()]
    out += [t.legal_basis for p in catalog.procedures.values() for i in p.items for t in i.tariffs]
    out += [e.legal_basis for e in catalog.exemptions.values()]
    return out


def test_no_citation_of_provisions_that_do_not_exist() -> None:
    bases = _all_bases(HP)
    assert not [b for b in bases if "226/2016" in b and "khoản 3 điểm d" in b]
    assert not [b for b in bases if "123/2015" in b and "Điều 64" in b]
    rows = {
        "CT-BS": ("dòng 1", 2_000),
        "CT-CK": ("dòng 2", 10_000),
        "CT-HD": ("dòng 3a", 50_000),
        "CT-HD-SD": ("dòng 3b", 30_000),
        "CT-HD-SL": ("dòng 3c", 25_000),
    }
    for code, (row, amount) in rows.items():
        line = quote(code, on=TODAY, pages=1, catalog=HP).lines[0]
        assert line.legal_basis == f"Thông tư 226/2016/TT-BTC, Điều 4, Biểu mức thu {row}"
        assert line.unit_price == amount
    copy = quote("CT-BSHD", on=TODAY, pages=1, catalog=HP).lines[0]
    assert copy.legal_basis.endswith("dòng 1") and copy.unverified  # our reading: marked


# ------------------------------------------------------------------ Hải Phòng and Hải Dương


HD_AMOUNTS = {
    "HT-KS-QH": 5_000,
    "HT-KS-LAI": 5_000,
    "HT-KT-QH": 5_000,
    "HT-KH-LAI": 30_000,
    "HT-XNTTHN": 15_000,
    "HT-NCMC": 15_000,
    "HT-TDCC": 15_000,
}


@pytest.mark.parametrize(("code", "amount"), sorted(HD_AMOUNTS.items()))
def test_hai_phong_keeps_the_hai_duong_resolutions_from_1_july_2025(code: str, amount: int) -> None:
    with pytest.raises(NoTariffInForceError):
        quote(code, on=dt.date(2025, 6, 30), catalog=HP)
    for on in (dt.date(2025, 7, 1), TODAY, dt.date(2031, 1, 1)):
        line = quote(code, on=on, catalog=HP).lines[0]
        assert line.unit_price == amount and line.tariff_source is TariffSource.PROVINCIAL
        assert "tỉnh Hải Dương" in line.legal_basis and "Hải Dương cũ" in line.legal_basis
        assert line.tariff_period == "01/07/2025–nay"
        assert any("Hải Dương" in m for m in line.unverified)
    # The same figure in the Hải Dương file itself, for a day before the merger.
    assert quote(code, on=dt.date(2025, 6, 30), catalog=HD).lines[0].unit_price == amount


def test_hai_phong_own_entry_takes_precedence(tmp_path: Path) -> None:
    own = (
        '\n[[overrides]]\nprocedure = "HT-NCMC"\nitem = "registration"\n'
        "effective_from = 2027-01-01\namount = 20000\n"
        'legal_basis = "Nghị quyết HĐND TP Hải Phòng X"\n'
    )
    catalog = _load(tmp_path, hp=HP_TEXT + own)
    assert quote("HT-NCMC", on=dt.date(2026, 12, 31), catalog=catalog).total == 15_000
    line = quote("HT-NCMC", on=dt.date(2027, 1, 1), catalog=catalog).lines[0]
    assert line.unit_price == 20_000 and line.legal_basis == "Nghị quyết HĐND TP Hải Phòng X"


def test_no_flat_online_reduction_in_hai_phong() -> None:
    for code in ("HT-NCMC", "HT-XNTTHN", "HT-TDCC"):
        counter = quote(code, on=TODAY, catalog=HP)
        online = quote(code, on=TODAY, catalog=HP, channel=Channel.ONLINE)
        assert online.total == counter.total > 0 and online.lines[0].reduction is None
    # In the Hải Dương file it stays for past quotes, marked unsourced.
    line = quote("HT-NCMC", on=dt.date(2024, 1, 1), catalog=HD, channel=Channel.ONLINE).lines[0]
    assert line.reduction is not None and any("Unsourced" in m for m in line.unverified)


def test_every_hdnd_amount_is_marked_unverified() -> None:
    for catalog in (HD, HP):
        assert catalog.province is not None
        entries = (*catalog.province.overrides, *catalog.inherited_overrides)
        assert entries
        for o in entries:
            assert o.unverified, (catalog.province.code, o.procedure)
        for r in catalog.channel_rules:
            assert r.unverified
        listed = {u.where for u in catalog.unverified_items()}
        assert len(listed) == len(catalog.unverified_items())  # each shown once
        for o in entries:
            assert any(f"overrides[{o.procedure}/{o.item}]" in w for w in listed)


def test_unverified_fingerprint_changes_with_the_list(tmp_path: Path) -> None:
    base = _load(tmp_path / "a").unverified_fingerprint()
    assert base == _load(tmp_path / "b").unverified_fingerprint() == HP.unverified_fingerprint()
    changed = HD_TEXT.replace("amount = 30000", "amount = 35000", 1)
    assert _load(tmp_path / "c", hd=changed).unverified_fingerprint() != base
    marked = HP_TEXT.replace(
        'procedure = "HT-BSHT"\nitem = "registration"\n',
        'procedure = "HT-BSHT"\nitem = "registration"\nunverified = "another reason"\n',
    )
    assert _load(tmp_path / "d", hp=marked).unverified_fingerprint() != base


def test_inheriting_from_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="inherits\\[QN\\]"):
        _load(tmp_path, hp=HP_TEXT.replace('province = "HD"', 'province = "QN"'))


# ------------------------------------------------------------------ the ward since 1/7/2025

TAKEN_OVER = {
    # code: (processing days, extra days with verification, Luật Hộ tịch articles)
    "HT-KS-NN": (0, 0, "Điều 35–36"),
    "HT-KH-NN": (15, 0, "Điều 37–38"),
    "HT-KT-NN": (0, 0, "Điều 51–52"),
    "HT-NCMC-NN": (25, 0, "Điều 43–44"),
    "HT-TDCC-14": (3, 3, "Điều 46–47"),
    "HT-XDLDT": (3, 3, "Điều 46–47"),
    "HT-GCHT": (5, 0, "Điều 48–50"),
    "HT-KT-LAI": (5, 0, "Nghị định 123/2015"),
}


@pytest.mark.parametrize(("code", "expected"), sorted(TAKEN_OVER.items()))
def test_procedures_taken_over_by_the_ward(code: str, expected: tuple[int, int, str]) -> None:
    days, extra, article = expected
    proc = HP.procedures[code]
    assert proc.ward_from == dt.date(2025, 7, 1)
    assert proc.ward_basis == "Nghị định 120/2025/NĐ-CP, Điều 4"
    assert article in proc.legal_basis
    assert proc.processing_days == days and proc.verification_extra_days == extra
    assert proc.unverified  # competence read in secondary summaries
    line = quote(code, on=TODAY, catalog=HP).lines[0]
    assert line.unit_price > 0 and line.unverified  # placeholder charge, marked
    with pytest.raises(NoTariffInForceError):
        quote(code, on=TODAY, catalog=HD)  # Hải Dương's ward never charged these


@pytest.mark.parametrize("code", ["CT-DC", "CT-VBTK"])
def test_wills_and_inheritance_documents(code: str) -> None:
    proc = HP.procedures[code]
    assert proc.legal_basis == "Nghị định 23/2015/NĐ-CP, Điều 5 khoản 2"
    assert proc.processing_days == 2 and "Điều 37" in (proc.deadline_basis or "")
    line = quote(code, on=TODAY, catalog=HP).lines[0]
    assert line.unit_price == 50_000 and line.legal_basis.endswith("dòng 3a")
    assert line.unverified


@pytest.mark.parametrize(
    ("code", "days", "with_verification"),
    [
        ("HT-KS-DH", 0, 0),
        ("HT-KH", 0, 5),  # Luật Hộ tịch Điều 18: +5 when verification is needed
        ("HT-GH", 3, 3),
        ("HT-CDGH", 2, 2),
        ("HT-TDCC", 3, 6),  # 3 (+3)
        ("HT-BSHT", 0, 0),  # "bổ sung hộ tịch": same day
        ("HT-BSTL", 0, 0),
        ("CT-BS", 0, 0),
        ("CT-HD", 2, 2),  # NĐ 23/2015 Điều 37: at most 2 working days
        ("HT-XNTTHN", 3, 3),
    ],
)
def test_deadline_rules(code: str, days: int, with_verification: int) -> None:
    proc = HP.procedures[code]
    assert proc.working_days() == days
    assert proc.working_days(verification_needed=True) == with_verification
    if code == "HT-XNTTHN":
        assert proc.unverified and "3" in proc.unverified


@pytest.mark.parametrize("category", ["poor_household", "disability", "revolutionary_merit"])
def test_copies_of_extracts_are_charged_to_exempt_categories(category: str) -> None:
    # Luật Hộ tịch Điều 11.2: the fee for copies of extracts is charged even to the categories
    # of Điều 11.1.a, whose civil-status charges are exempt.
    assert quote("HT-BSTL", on=TODAY, copies=2, categories=[category], catalog=HP).total == 16_000
    assert quote("HT-NCMC", on=TODAY, categories=[category], catalog=HP).total == 0
