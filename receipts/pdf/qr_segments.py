"""A QR text as segments (numeric, alphanumeric, byte mode) that take the fewest bits.

Our QR text is a URL whose fragment is a seal of ~430-480 decimal digits. As one byte-mode
segment every digit costs 8 bits; in a numeric segment three digits cost 10, so the same text
needs version 11 instead of 17. A segment costs a header (4-bit mode indicator and a character
count whose width depends on the mode and the version range, :func:`count_bits`), so a short
digit run (a "2024" in a path) is cheaper left in the byte segment around it.

:func:`split` finds the split with the fewest bits exactly, by dynamic programming (Nayuki's QR
segment optimiser, over runs of characters instead of single ones): for each run and each mode,
the cheapest encoding of the text so far that goes on in that mode, costs kept in sixths of a bit
so that 10/3 (numeric) and 11/2 (alphanumeric) bits a character stay integers, rounded up to
whole bits where a segment ends. Ties go to the lower mode indicator: the result is
deterministic. A test checks it against an exhaustive search over all splits of short texts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from itertools import groupby


class Mode(IntEnum):
    """Mode indicators (ISO/IEC 18004 table 2); the same numbers as ``qrcode.util.MODE_*``."""

    NUMERIC = 1
    ALPHANUMERIC = 2
    BYTE = 4


ALPHANUMERIC_CHARS = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
"""The 45 characters of alphanumeric mode, in code order (upper case only)."""

VERSION_RANGES = ((1, 9), (10, 26), (27, 40))
"""Versions sharing the widths of their character-count indicators."""

_COUNT_BITS = {
    Mode.NUMERIC: (10, 12, 14),
    Mode.ALPHANUMERIC: (9, 11, 13),
    Mode.BYTE: (8, 16, 16),
}
_NOT_ALPHANUMERIC = bytes(b for b in range(256) if b not in ALPHANUMERIC_CHARS)


def _range_index(version: int) -> int:
    if not 1 <= version <= 40:
        raise ValueError(f"QR version {version} is not 1-40")
    return (version >= 10) + (version >= 27)


def count_bits(mode: Mode, version: int) -> int:
    """Width of the character-count indicator of a ``mode`` segment in ``version``."""
    return _COUNT_BITS[mode][_range_index(version)]


@dataclass(frozen=True)
class Segment:
    """One segment: ``data`` is ASCII digits (numeric), characters of
    :data:`ALPHANUMERIC_CHARS` (alphanumeric) or any bytes (byte mode)."""

    mode: Mode
    data: bytes

    def __post_init__(self) -> None:
        if self.mode is Mode.NUMERIC and self.data and not self.data.isdigit():
            raise ValueError("a numeric segment holds only the digits 0-9")
        if self.mode is Mode.ALPHANUMERIC and self.data.translate(None, ALPHANUMERIC_CHARS):
            raise ValueError("an alphanumeric segment holds only 0-9, A-Z and ' $%*+-./:'")

    def bits(self, version: int) -> int:
        """Length in ``version``: header, then 10 bits per 3 digits (4 or 7 for the last 1 or
        2), 11 bits per 2 alphanumeric characters (6 for a last one) or 8 bits per byte."""
        n = len(self.data)
        if self.mode is Mode.NUMERIC:
            body = 10 * (n // 3) + (0, 4, 7)[n % 3]
        elif self.mode is Mode.ALPHANUMERIC:
            body = 11 * (n // 2) + 6 * (n % 2)
        else:
            body = 8 * n
        return 4 + count_bits(self.mode, version) + body


def stream_bits(segments: Sequence[Segment], version: int) -> int:
    """Bits of the segments in ``version``, before the terminator and padding."""
    return sum(s.bits(version) for s in segments)


# Modes by index, lowest first; a byte's class is the lowest index of a mode that holds it
# (a digit: 0, numeric and up; an alphanumeric non-digit: 1; anything else: 2, byte only).
_MODES = (Mode.NUMERIC, Mode.ALPHANUMERIC, Mode.BYTE)
_SIXTHS = (20, 33, 48)  # a character's cost in sixths of a bit: 10/3, 11/2, 8
_CLASS = bytes(0 if 0x30 <= b <= 0x39 else 1 if b in ALPHANUMERIC_CHARS else 2 for b in range(256))
_RUN = re.compile(b"\x00+|\x01+|\x02+")
_INFINITY = 1 << 62


def least_bits(data: bytes) -> int:
    """A lower bound on the bits of ``data`` in any version and split: each character at the
    cost of the densest mode that holds it, without headers."""
    classes = data.translate(_CLASS)
    return -(-sum(_SIXTHS[c] * classes.count(c) for c in range(3)) // 6)


def split(data: bytes, version: int) -> tuple[Segment, ...]:
    """The segments holding ``data`` in the fewest bits in ``version``'s range.

    Modes change only between runs of bytes of one class (digits; other alphanumeric
    characters; the rest): inside such a run, where two modes both hold every byte, moving the
    boundary towards the dearer mode's side saves at least a bit a byte (numeric costs 3-4 bits
    a digit, alphanumeric 5-6 a character, byte 8), so no cheapest split changes mode there. A
    multi-byte UTF-8 character (bytes ≥ 0x80, byte mode only) is never split.
    """
    if not data:
        return ()
    head = [6 * (4 + count_bits(m, version)) for m in _MODES]
    runs = [m.span() for m in _RUN.finditer(data.translate(_CLASS))]
    costs = list(head)  # before the first run: a segment of each mode just begun
    # came[r][j]: the mode of run r in the cheapest encoding up to its end that goes on in
    # mode j (j itself, or another mode whose segment ends with run r)
    came: list[tuple[int, int, int]] = []
    for start, end in runs:
        low = _CLASS[data[start]]
        n = end - start
        cur = [costs[j] + n * _SIXTHS[j] if j >= low else _INFINITY for j in range(3)]
        # or end the segment with this run, rounded up to whole bits, and begin another: from
        # the cheapest ending (the lower mode on a tie); ending and beginning the same mode
        # costs a header more than going on, so it never wins
        ended = min(cur[low:])
        ender = cur.index(ended)
        ended = -(-ended // 6) * 6
        mode: list[int] = []
        for j in range(3):
            if ended + head[j] < cur[j]:
                cur[j] = ended + head[j]
                mode.append(ender)
            else:
                mode.append(j)
        came.append((mode[0], mode[1], mode[2]))
        costs = cur
    state = min(range(3), key=costs.__getitem__)  # ties: the lower mode, deterministically
    modes = [0] * len(runs)
    for r in range(len(runs) - 1, -1, -1):
        state = came[r][state]
        modes[r] = state
    segments = []
    r = 0
    for index, group in groupby(modes):
        count = sum(1 for _ in group)
        segments.append(Segment(_MODES[index], data[runs[r][0] : runs[r + count - 1][1]]))
        r += count
    return tuple(segments)
