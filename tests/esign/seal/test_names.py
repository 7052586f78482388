from __future__ import annotations

import itertools
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esign.seal import mask_name
from esign.seal.names import is_masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("Bùi Thị Trang", "B** T** T****"),
        # The first letter is kept with its diacritics: Đ, Ư, Á are letters of their own.
        ("Đặng Văn Ánh", "Đ*** V** Á**"),
        ("Ưng Hoàng Phúc", "Ư** H**** P***"),
        # Whitespace of any kind collapses; the ends are trimmed.
        ("  Nguyễn\u00a0 Thị\tMinh   Khai ", "N***** T** M*** K***"),
        # Punctuation inside a name is kept: it is not a letter.
        ("H'Hen Niê", "H'H** N**"),
        ("Lê Thị Ngọc-Ánh", "L* T** N***-Á**"),
        ("Công ty TNHH An Phát", "C*** t* T*** A* P***"),
        ("A", "A"),
        ("", ""),
    ],
)
def test_mask_rule(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_decomposed_input_masks_like_composed() -> None:
    # A name typed with combining marks (NFD, as macOS keyboards produce) is the same name.
    nfd = unicodedata.normalize("NFD", "Đặng Thị Ước")
    assert nfd != "Đặng Thị Ước"
    assert mask_name(nfd) == mask_name("Đặng Thị Ước") == "Đ*** T** Ư**"
    assert mask_name(nfd) == unicodedata.normalize("NFC", mask_name(nfd))


def test_invisible_characters_do_not_leak_stars() -> None:
    # A zero-width space pasted inside a word must not add a star or split the word.
    assert mask_name("Tr\u200bang") == "T****"


@given(st.text(max_size=60))
def test_masking_is_idempotent_and_shows_one_letter_per_word(name: str) -> None:
    masked = mask_name(name)
    assert mask_name(masked) == masked and is_masked(masked)
    assert unicodedata.is_normalized("NFC", masked)
    # Combining marks ride with their letter; without them, no two letters may touch.
    visible = [c for c in masked if unicodedata.category(c)[0] != "M"]
    for a, b in itertools.pairwise(visible):
        assert not (unicodedata.category(a)[0] in "LN" and unicodedata.category(b)[0] in "LN")


def test_unmasked_names_are_recognised() -> None:
    assert not is_masked("Bùi Thị Trang")
    assert is_masked("B** T** T****")
