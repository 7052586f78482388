"""Our QR encoder against ``qrcode`` itself for the same explicit segments, and our segment
split against an exhaustive search."""

from __future__ import annotations

import itertools
import random

import pytest
import qrcode
from qrcode import constants, util

from receipts.pdf.qr import FIXED_MASK
from receipts.pdf.qr_encoder import codewords, modules
from receipts.pdf.qr_segments import (
    ALPHANUMERIC_CHARS,
    Mode,
    Segment,
    count_bits,
    least_bits,
    split,
)
from tests.utils.pdf_samples import LONGEST_QR, REALISTIC_QR

LEVELS = (
    constants.ERROR_CORRECT_L,
    constants.ERROR_CORRECT_M,
    constants.ERROR_CORRECT_Q,
    constants.ERROR_CORRECT_H,
)
_ALNUM_ONLY = bytes(c for c in ALPHANUMERIC_CHARS if not chr(c).isdigit())
_BYTES = b"abcxyz#?=&_~" + "é".encode()


def data_bits(level: int, version: int) -> int:
    return int(util.BIT_LIMIT_TABLE[level][version])


def _random_segments(rng: random.Random, version: int, level: int) -> list[Segment]:
    """Up to five segments of random modes that fill at most the version's capacity."""
    budget = data_bits(level, version)
    segments: list[Segment] = []
    for _ in range(rng.randrange(1, 6)):
        mode = rng.choice(list(Mode))
        header = 4 + count_bits(mode, version)
        per = {Mode.NUMERIC: 10 / 3, Mode.ALPHANUMERIC: 5.5, Mode.BYTE: 8.0}[mode]
        most = int((budget - header - 1) / per)
        if most < 1:
            break
        n = rng.randrange(1, most + 1) if rng.random() < 0.7 else most
        if mode is Mode.NUMERIC:
            data = bytes(rng.choices(b"0123456789", k=n))
        elif mode is Mode.ALPHANUMERIC:
            data = bytes(rng.choices(ALPHANUMERIC_CHARS, k=n))
        else:
            data = rng.randbytes(n)
        segment = Segment(mode, data)
        segments.append(segment)
        budget -= segment.bits(version)
    return segments


def _qrcode_data(segments: list[Segment]) -> list[util.QRData]:
    return [util.QRData(s.data, mode=int(s.mode), check_data=False) for s in segments]


def test_count_indicator_widths() -> None:
    widths = {
        mode: [count_bits(mode, v) for v in (1, 9, 10, 26, 27, 40)]
        for mode in (Mode.NUMERIC, Mode.ALPHANUMERIC, Mode.BYTE)
    }
    assert widths == {
        Mode.NUMERIC: [10, 10, 12, 12, 14, 14],
        Mode.ALPHANUMERIC: [9, 9, 11, 11, 13, 13],
        Mode.BYTE: [8, 8, 16, 16, 16, 16],
    }
    for v in range(1, 41):  # and qrcode agrees
        for mode in Mode:
            assert count_bits(mode, v) == util.length_in_bits(int(mode), v)


def test_segments_check_their_characters() -> None:
    with pytest.raises(ValueError):
        Segment(Mode.NUMERIC, b"12a")
    with pytest.raises(ValueError):
        Segment(Mode.ALPHANUMERIC, b"abc")
    with pytest.raises(ValueError):  # a byte count of 8 bits holds at most 255
        codewords([Segment(Mode.BYTE, b"x" * 256)], version=9, error_correction=LEVELS[0])


@pytest.mark.parametrize("level", LEVELS)
def test_fixed_mask_matrix_is_what_qrcode_itself_draws(level: int) -> None:
    rng = random.Random(7 + level)
    cases = [(v, _random_segments(rng, v, level)) for v in (1, 2, 7, 9, 10, 11, 12, 17, 26, 27, 40)]
    for text in (REALISTIC_QR, LONGEST_QR):
        for version in (11, 12, 15, 18):
            segments = list(split(text.encode(), version))
            if sum(s.bits(version) for s in segments) <= data_bits(level, version):
                cases.append((version, segments))
    for version, segments in cases:
        reference = qrcode.QRCode(version=version, error_correction=level, mask_pattern=FIXED_MASK)
        for data in _qrcode_data(segments):
            reference.add_data(data)
        reference.make(fit=False)
        ours = modules(segments, version=version, error_correction=level, mask=FIXED_MASK)
        assert ours == [bytes(1 if m else 0 for m in row) for row in reference.modules]


def test_codewords_match_qrcode_for_every_version() -> None:
    rng = random.Random(11)
    for version in range(1, 41):
        for level in (LEVELS[version % 4],):  # each level every fourth version
            segments = _random_segments(rng, version, level)
            expected = util.create_data(version, level, _qrcode_data(segments))
            assert codewords(segments, version=version, error_correction=level) == expected


_BODY = {
    Mode.NUMERIC: (10, 3, (0, 4, 7)),
    Mode.ALPHANUMERIC: (11, 2, (0, 6)),
    Mode.BYTE: (8, 1, (0,)),
}


def _holds(mode: Mode, chunk: bytes) -> bool:
    if mode is Mode.NUMERIC:
        return all(48 <= c <= 57 for c in chunk)
    if mode is Mode.ALPHANUMERIC:
        return all(c in ALPHANUMERIC_CHARS for c in chunk)
    return True


def _fewest_bits(data: bytes, version: int) -> int:
    """Over every way to cut ``data`` into segments (each piece in every mode that holds it)."""
    best = [0] + [1 << 30] * len(data)
    for end in range(1, len(data) + 1):
        for start in range(end):
            chunk = data[start:end]
            for mode in Mode:
                if _holds(mode, chunk):
                    bits, group, tail = _BODY[mode]
                    n = len(chunk)
                    cost = 4 + count_bits(mode, version) + bits * (n // group) + tail[n % group]
                    best[end] = min(best[end], best[start] + cost)
    return best[-1]


def test_split_takes_the_fewest_bits() -> None:
    rng = random.Random(3)
    pools = [b"0123456789", _ALNUM_ONLY, _BYTES]
    for _ in range(100):
        # runs of one kind, so that the choices between modes are close calls
        data = b""
        while len(data) < rng.randrange(1, 30):
            data += bytes(rng.choices(rng.choice(pools), k=rng.randrange(1, 14)))
        for version in (1, 10, 27):
            segments = split(data, version)
            assert b"".join(s.data for s in segments) == data
            assert all(a.mode != b.mode for a, b in itertools.pairwise(segments))
            fewest = _fewest_bits(data, version)
            assert sum(s.bits(version) for s in segments) == fewest
            assert least_bits(data) <= fewest


def test_split_leaves_short_digit_runs_in_bytes() -> None:
    url = b"https://a.vn/v/tok#"
    # at the end (versions 10-26): 3 digits as bytes take 24 bits, as a numeric segment 16 + 10
    assert split(url + b"123", 10) == (Segment(Mode.BYTE, url + b"123"),)
    assert split(url + b"1234", 10) == (Segment(Mode.BYTE, url), Segment(Mode.NUMERIC, b"1234"))
    # inside, a second byte segment's header is due too: 7 digits stay, 8 pay for both (63 < 64)
    for n, parts in ((7, 1), (8, 3)):
        text = b"https://a.vn/" + b"2" * n + b"/v/tok"
        assert len(split(text, 10)) == parts
    assert split(b"", 1) == ()
    accented = "https://ví.dụ/" + "9" * 30  # a multi-byte character stays whole in byte mode
    segments = split(accented.encode(), 1)
    assert [s.mode for s in segments] == [Mode.BYTE, Mode.NUMERIC]
    assert segments[0].data.decode() == "https://ví.dụ/"


def test_one_split_per_range_of_versions() -> None:
    for version in (10, 11, 26):
        segments = split(REALISTIC_QR.encode(), version)
        assert [(s.mode, len(s.data)) for s in segments] == [(Mode.BYTE, 63), (Mode.NUMERIC, 434)]
        assert sum(s.bits(version) for s in segments) == 1987
