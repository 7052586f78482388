"""QR symbols as module matrices, encoded with one fixed mask and drawn as vector rectangles.

The ``qrcode`` package picks the mask by trying all eight and scoring each (20-40 ms in pure
Python); any of the eight is valid and phones read them alike, so we always use
:data:`FIXED_MASK`, which cuts encoding to a few milliseconds. The tests decode the printed
symbol with zxing-cpp to prove it.

The text's UTF-8 bytes are split into the segments that take the fewest bits
(:mod:`.qr_segments`): the URL in byte mode, the seal's decimal digits in numeric mode (3 digits
in 10 bits instead of 24), which is what keeps a realistic receipt at version 11 rather than 17.
The symbol is printed at a fixed physical size, so a longer text means a higher version with
smaller modules; :data:`MIN_MODULE_MM` bounds that, and a text that would need smaller modules
is refused (:func:`encode`) rather than printed unreadably.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from qrcode import constants, util

from ..text import fail
from .qr_encoder import modules
from .qr_segments import VERSION_RANGES, Segment, least_bits, split, stream_bits

FIXED_MASK = 2
"""Mask pattern used for every symbol (0-7 are all valid; on our URLs with their digit seals
pattern 2 has the lowest penalty score of the eight most often, in 15 of 30 sampled: the search's
usual pick)."""

MIN_MODULE_MM = 0.4
"""Smallest printed module: phone cameras and 150 dpi scans still resolve it."""

QUIET_ZONE = 4
"""Blank modules the standard requires around the symbol."""


_RUN = re.compile(b"\x01+")
_span = re.Match.span


class QrLevel(StrEnum):
    """Error correction levels we allow: M (15 %) or higher; L is not offered."""

    M = "M"
    Q = "Q"
    H = "H"

    @property
    def constant(self) -> int:
        return int(
            {
                QrLevel.M: constants.ERROR_CORRECT_M,
                QrLevel.Q: constants.ERROR_CORRECT_Q,
                QrLevel.H: constants.ERROR_CORRECT_H,
            }[self]
        )


def data_bits(level: QrLevel, version: int) -> int:
    """How many bits of segments ``version`` holds at ``level``."""
    return int(util.BIT_LIMIT_TABLE[level.constant][version])


def max_version(size_mm: float) -> int:
    """The highest version whose modules stay at least :data:`MIN_MODULE_MM` at ``size_mm``."""
    modules = int(size_mm / MIN_MODULE_MM)
    return max(1, min(40, (modules - 17) // 4))


@dataclass(frozen=True)
class QrMatrix:
    """An encoded symbol: ``rows[r][c]`` is 1 for a dark module, 0 for a light one; row 0 is
    the top."""

    version: int
    level: QrLevel
    mask: int
    segments: tuple[Segment, ...]
    rows: tuple[bytes, ...]

    @property
    def size(self) -> int:
        return len(self.rows)

    def path_operators(self) -> str:
        """PDF path operators filling the dark modules, one unit per module, origin bottom-left.

        Each row's runs of dark modules become one rectangle; all go in one path filled once,
        so a renderer shows no seams between neighbouring rectangles.
        """
        n = self.size
        ops: list[str] = []
        for r, row in enumerate(self.rows):
            tail = f" {n - 1 - r} "
            ops.extend([f"{a}{tail}{b - a} 1 re" for a, b in map(_span, _RUN.finditer(row))])
        ops.append("f")
        return "\n".join(ops)


def encode(text: str, *, level: QrLevel, size_mm: float) -> QrMatrix:
    """Encode ``text`` for printing ``size_mm`` wide, in the smallest version that holds its
    cheapest segments; refuses texts that do not fit."""
    data = text.encode("utf-8")
    top = max_version(size_mm)
    for low, high in VERSION_RANGES:
        if low > top:
            break
        if least_bits(data) > data_bits(level, min(high, top)):
            continue
        # one split serves a range: the count indicators' widths change only between ranges
        segments = split(data, low)
        bits = stream_bits(segments, low)
        for version in range(low, min(high, top) + 1):
            if data_bits(level, version) >= bits:
                rows = modules(
                    segments, version=version, error_correction=level.constant, mask=FIXED_MASK
                )
                return QrMatrix(version, level, FIXED_MASK, segments, tuple(rows))
    bits = stream_bits(split(data, top), top)
    raise fail(
        f"Nội dung mã QR ({len(text)} ký tự) cần {bits} bit, vượt quá {data_bits(level, top)} "
        f"bit mà mã QR rộng {size_mm:g} mm (mức sửa lỗi {level.value}) chứa được",
        f"QR text of {len(text)} characters takes {bits} bits; a {size_mm:g} mm symbol at level "
        f"{level.value} holds at most {data_bits(level, top)}",
        code="qr_text_too_long",
    )
