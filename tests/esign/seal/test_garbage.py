"""Whatever a camera reads, checking answers "not genuine" with a reason and never raises."""

from __future__ import annotations

import base64

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esign.seal import Keyring, SealCheck, SealVerdict, encoding, make_seal, verify_seal
from tests.esign.seal.helpers import TOKEN, receipt_claims

Genuine = tuple[dict[str, object], str]


@pytest.fixture(scope="module")
def genuine(tmp_path_factory: pytest.TempPathFactory) -> Genuine:
    """The published keys and one genuine seal, shared by every example of the module."""
    ring = Keyring.load_or_create(tmp_path_factory.mktemp("garbage") / "seal")
    return ring.published(), make_seal(receipt_claims(), keyring=ring, token=TOKEN)


def _not_genuine(check: SealCheck) -> None:
    assert check.ok is False and check.claims is None
    assert check.verdict is not SealVerdict.GENUINE
    assert check.reason_vi and check.reason_en


def test_the_genuine_seal_is_genuine(genuine: Genuine) -> None:
    published, seal = genuine
    assert verify_seal(seal, published_keys=published, token=TOKEN).ok


FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FAST
@given(text=st.text(max_size=300))
def test_random_text(genuine: Genuine, text: str) -> None:
    _not_genuine(verify_seal(text, published_keys=genuine[0], token=TOKEN))


@FAST
@given(digits=st.from_regex(r"[1-9][0-9]{0,1300}", fullmatch=True))
def test_random_digits(genuine: Genuine, digits: str) -> None:
    _not_genuine(verify_seal(digits, published_keys=genuine[0], token=TOKEN))


@FAST
@given(cut=st.integers(min_value=1, max_value=433), from_start=st.booleans())
def test_truncated(genuine: Genuine, cut: int, from_start: bool) -> None:
    published, seal = genuine
    text = seal[cut:] if from_start else seal[:-cut]
    _not_genuine(verify_seal(text.lstrip("0"), published_keys=published, token=TOKEN))


@FAST
@given(data=st.data())
def test_changed_bytes(genuine: Genuine, data: st.DataObject) -> None:
    published, seal = genuine
    raw = bytearray(encoding.from_text(seal))
    i = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
    raw[i] ^= data.draw(st.integers(min_value=1, max_value=255))
    if raw[0] == 0:
        return  # not representable as a seal text
    _not_genuine(verify_seal(encoding.to_text(bytes(raw)), published_keys=published, token=TOKEN))


@FAST
@given(
    value=st.recursive(
        st.none() | st.booleans() | st.integers() | st.binary(max_size=70) | st.text(max_size=20),
        lambda inner: (
            st.lists(inner, max_size=5) | st.dictionaries(st.integers(-8, 12), inner, max_size=5)
        ),
        max_leaves=12,
    ),
    tag=st.sampled_from([None, 18, 98, 1, 100, 2]),
)
def test_random_cbor(genuine: Genuine, value: object, tag: int | None) -> None:
    raw = cbor2.dumps(value if tag is None else cbor2.CBORTag(tag, value))
    if raw[0] == 0:
        return
    _not_genuine(verify_seal(encoding.to_text(raw), published_keys=genuine[0], token=TOKEN))


def test_wrong_base_and_wrong_types(genuine: Genuine) -> None:
    published, seal = genuine
    raw = encoding.from_text(seal)
    for text in (
        base64.urlsafe_b64encode(raw).decode().rstrip("="),  # the right bytes, wrong alphabet
        base64.b32encode(raw).decode(),
        raw.hex(),
        "0" + seal,  # a leading zero: not the canonical form
        seal + " ",
        "١٢٣",  # Arabic-Indic digits pass str.isdigit()
        "9" * 5000,
        "",
    ):
        check = verify_seal(text, published_keys=published, token=TOKEN)
        _not_genuine(check)
        assert check.verdict is SealVerdict.MALFORMED, text[:20]
    for bad in (None, b"123", 123):
        _not_genuine(verify_seal(bad, published_keys=published, token=TOKEN))  # type: ignore[arg-type]
    _not_genuine(verify_seal(seal, published_keys=published, token="short"))
    _not_genuine(verify_seal(seal, published_keys=published, token=None))  # type: ignore[arg-type]


def test_trailing_bytes_are_refused(genuine: Genuine) -> None:
    published, seal = genuine
    raw = encoding.from_text(seal) + b"\x00"
    check = verify_seal(encoding.to_text(raw), published_keys=published, token=TOKEN)
    assert check.verdict is SealVerdict.MALFORMED
