from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from receipts.catalog import Channel, default_catalog, load_catalog
from receipts.errors import NoTariffInForceError, QuoteInputError, UnknownProcedureError
from receipts.fees import TariffSource, quote

DAY = dt.date(2026, 11, 27)
# The former Hải Dương province's file: its history (2017–2025) and its unsourced online rule.
HD = load_catalog(province="HD")


@pytest.mark.parametrize(
    ("pages", "copies", "total"),
    [
        (1, 1, 2_000),
        (2, 1, 4_000),
        (3, 1, 5_000),
        (10, 1, 12_000),
        (3, 2, 10_000),
        (198, 1, 200_000),
        (199, 1, 200_000),
        (500, 1, 200_000),
        (500, 3, 600_000),
    ],
)
def test_certified_copy_tiers_and_cap(pages: int, copies: int, total: int) -> None:
    q = quote("CT-BS", on=DAY, pages=pages, copies=copies)
    assert q.total == total
    (line,) = q.lines
    assert line.quantity == copies and line.amount == line.unit_price * copies
    # TT 226/2016 Điều 4 is a table: cited by its row, not by a "khoản".
    assert line.legal_basis == "Thông tư 226/2016/TT-BTC, Điều 4, Biểu mức thu dòng 1"
    assert line.tariff_source is TariffSource.NATIONAL


def test_cap_is_explained() -> None:
    line = quote("CT-BS", on=DAY, pages=300).lines[0]
    assert line.rule_text is not None
    assert "tối đa 200.000 đ/bản" in line.rule_text
    assert "1.000 đ/trang × 298 trang" in line.rule_text


def test_signature_certification_per_case() -> None:
    q = quote("CT-CK", on=DAY, cases=3)
    assert q.total == 30_000 and q.lines[0].quantity == 3 and q.lines[0].unit_price == 10_000


def test_on_time_birth_is_exempt_with_reason() -> None:
    q = quote("HT-KS-DH", on=DAY)
    (line,) = q.lines
    assert q.total == 0 and line.amount == 0
    assert line.exemption is not None
    assert line.exemption.reason_vi == "Đăng ký khai sinh đúng hạn"
    assert line.exemption.legal_basis == "Luật Hộ tịch số 60/2014/QH13, Điều 11 khoản 1 điểm b"


def test_payer_category_exemption_keeps_line_at_zero() -> None:
    full = quote("HT-NCMC", on=DAY)
    exempt = quote("HT-NCMC", on=DAY, categories=["poor_household"])
    assert full.total == 15_000
    assert exempt.total == 0
    assert exempt.lines[0].unit_price == 15_000 and exempt.lines[0].amount == 0
    assert exempt.exemptions[0].code == "poor_household"


def test_category_exemption_does_not_cover_certification_fees() -> None:
    assert quote("CT-CK", on=DAY, categories=["disability"]).total == 10_000


def test_provincial_override_takes_precedence() -> None:
    # Civil-status charges are provincial: without a province file there is none.
    with pytest.raises(NoTariffInForceError):
        quote("HT-NCMC", on=DAY, catalog=load_catalog(province=None))
    with_province = quote("HT-NCMC", on=DAY)
    assert with_province.total == 15_000
    assert with_province.lines[0].tariff_source is TariffSource.PROVINCIAL
    assert "Hải Dương" in with_province.lines[0].legal_basis


def test_tariff_change_on_its_effective_date() -> None:
    before = quote("HT-XNTTHN", on=dt.date(2020, 12, 31), catalog=HD)
    after = quote("HT-XNTTHN", on=dt.date(2021, 1, 1), catalog=HD)
    assert (before.total, after.total) == (10_000, 15_000)
    assert before.lines[0].legal_basis != after.lines[0].legal_basis
    assert after.lines[0].tariff_period == "01/01/2021–nay"


def test_online_reduction_applies_when_configured() -> None:
    q = quote("HT-NCMC", on=DAY, channel=Channel.ONLINE, catalog=HD)
    line = q.lines[0]
    assert q.total == 7_500 and line.unit_price == 7_500
    assert line.reduction is not None and line.reduction.percent == 50
    assert line.reduction.unit_price_before == 15_000
    # Not for certification fees, and not before the rule's effective date.
    assert quote("CT-CK", on=DAY, channel=Channel.ONLINE, catalog=HD).total == 10_000
    assert (
        quote("HT-NCMC", on=dt.date(2022, 12, 31), channel=Channel.ONLINE, catalog=HD).total
        == 15_000
    )
    # A Ministry fee is never reduced by a provincial rule (TT 281/2016/TT-BTC).
    assert quote("HT-BSTL", on=DAY, channel=Channel.ONLINE, catalog=HD).total == 8_000


def test_no_tariff_in_force_is_said_not_guessed() -> None:
    with pytest.raises(NoTariffInForceError, match="01/01/2010"):
        quote("HT-NCMC", on=dt.date(2010, 1, 1))
    # Without a province file the civil-status charges have no tariff at all.
    with pytest.raises(NoTariffInForceError):
        quote("HT-NCMC", on=DAY, catalog=load_catalog(province=None))


def test_unknown_code_names_closest() -> None:
    with pytest.raises(UnknownProcedureError) as err:
        quote("CT-BX", on=DAY, pages=1)
    assert "CT-BS" in err.value.suggestions
    assert "CT-BS" in err.value.message


@pytest.mark.parametrize(
    "kwargs",
    [{"pages": 0}, {"pages": -3}, {"pages": 1, "copies": 0}, {"pages": 1, "copies": -1}, {}],
)
def test_bad_counts(kwargs: dict[str, int]) -> None:
    with pytest.raises(QuoteInputError):
        quote("CT-BS", on=DAY, pages=kwargs.get("pages"), copies=kwargs.get("copies"))


def test_unknown_category() -> None:
    with pytest.raises(QuoteInputError, match="poor_household"):
        quote("HT-NCMC", on=DAY, categories=["veteran_cat"])


def test_quote_is_immutable() -> None:
    q = quote("CT-CK", on=DAY)
    with pytest.raises(AttributeError):
        q.total = 1  # type: ignore[misc]


# Hải Phòng from 1 July 2025 has a tariff (own, inherited or national) for every procedure.
_CATALOG = default_catalog("HP")


@settings(max_examples=400, deadline=None)
@given(
    code=st.sampled_from(sorted(_CATALOG.procedures)),
    on=st.dates(min_value=dt.date(2025, 7, 1), max_value=dt.date(2035, 12, 31)),
    pages=st.integers(1, 10_000),
    copies=st.integers(1, 1_000),
    cases=st.integers(1, 1_000),
    online=st.booleans(),
    categories=st.lists(
        st.sampled_from(["poor_household", "disability", "revolutionary_merit"]), max_size=2
    ),
    facts=st.fixed_dictionaries(
        {},
        optional={
            "vneid_level": st.integers(0, 3),
            "documents_integrated": st.booleans(),
            "existing_personal_papers": st.booleans(),
            "mortgage_nd55": st.booleans(),
        },
    ),
)
def test_quotes_never_go_negative(
    code: str,
    on: dt.date,
    pages: int,
    copies: int,
    cases: int,
    online: bool,
    categories: list[str],
    facts: dict[str, object],
) -> None:
    q = quote(
        code,
        on=on,
        pages=pages,
        copies=copies,
        cases=cases,
        categories=categories,
        channel=Channel.ONLINE if online else Channel.COUNTER,
        catalog=_CATALOG,
        facts=facts,
    )
    assert q.total >= 0
    assert q.total == sum(line.amount for line in q.lines)
    for line in q.lines:
        assert isinstance(line.amount, int) and line.amount >= 0
        assert line.amount == (0 if line.exemption else line.quantity * line.unit_price)
        assert line.legal_basis
        assert (line.evidence is not None) == (line.exemption is not None)
