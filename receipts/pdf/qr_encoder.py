"""A fast QR encoder for given segments and a fixed mask, built on ``qrcode``'s tables.

``qrcode`` computes Reed-Solomon codes with polynomial objects, writes its bit stream one bit
per call and places every module through a mask function call: about 5 ms for a 300-byte URL
even with the mask fixed. Here:

- the bit stream is one integer and the Reed-Solomon division uses log/antilog tables
  (:func:`codewords` returns exactly what ``qrcode.util.create_data`` does for the same
  segments; a test checks it for every version and level);
- the symbol's function patterns, format bits and mask are taken once per (version, level,
  mask) from ``qrcode`` itself, by laying out all-zero and all-one data: the modules that differ
  are the data modules, in ``qrcode``'s placement order, and placing real data is then flipping
  the modules whose bit is 1 (:func:`modules`).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence

import qrcode
from qrcode import base

from .qr_segments import ALPHANUMERIC_CHARS, Mode, Segment, count_bits, stream_bits

_PRIMITIVE = 0x11D  # x^8 + x^4 + x^3 + x^2 + 1, the QR field polynomial
_EXP = [0] * 512
_LOG = [0] * 256
_value = 1
for _i in range(255):
    _EXP[_i] = _value
    _LOG[_value] = _i
    _value <<= 1
    if _value & 0x100:
        _value ^= _PRIMITIVE
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]

_PAD = (0xEC, 0x11)


def _multiply(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else _EXP[_LOG[a] + _LOG[b]]


@functools.cache
def _generator(degree: int) -> tuple[int, ...]:
    """The generator polynomial's coefficients after the leading 1."""
    poly = [1]
    for i in range(degree):
        root = _EXP[i]
        nxt = [0] * (len(poly) + 1)
        for j, c in enumerate(poly):
            nxt[j] ^= c
            nxt[j + 1] ^= _multiply(c, root)
        poly = nxt
    return tuple(poly[1:])


@functools.cache
def _feedback(degree: int) -> tuple[int, ...]:
    """For each byte f, f × generator as one integer of ``degree`` bytes.

    The division register is then one integer too: each data byte costs a shift and an XOR.
    """
    gen = _generator(degree)
    table = []
    for factor in range(256):
        value = 0
        for coefficient in gen:
            value = value << 8 | _multiply(factor, coefficient)
        table.append(value)
    return tuple(table)


def _error_correction(data: list[int], degree: int) -> list[int]:
    table = _feedback(degree)
    shift = 8 * (degree - 1)
    keep = (1 << (8 * degree)) - 1
    register = 0
    for byte in data:
        factor = byte ^ (register >> shift)
        register = ((register << 8) & keep) ^ table[factor]
    return list(register.to_bytes(degree, "big"))


_ALPHANUMERIC_CODE = {c: i for i, c in enumerate(ALPHANUMERIC_CHARS)}


def _bit_stream(segments: Sequence[Segment], version: int) -> int:
    stream = 0
    for segment in segments:
        data = segment.data
        n = len(data)
        width = count_bits(segment.mode, version)
        if n >> width:
            raise ValueError(f"a segment of {n} characters overflows its {width}-bit count")
        stream = (stream << 4 | segment.mode) << width | n
        if segment.mode is Mode.NUMERIC:
            for i in range(0, n - 2, 3):
                stream = stream << 10 | int(data[i : i + 3])
            if n % 3:
                stream = stream << (3 * (n % 3) + 1) | int(data[n - n % 3 :])
        elif segment.mode is Mode.ALPHANUMERIC:
            code = [_ALPHANUMERIC_CODE[c] for c in data]
            for i in range(0, n - 1, 2):
                stream = stream << 11 | code[i] * 45 + code[i + 1]
            if n % 2:
                stream = stream << 6 | code[-1]
        else:
            stream = stream << (8 * n) | int.from_bytes(data, "big")
    return stream


def codewords(segments: Sequence[Segment], *, version: int, error_correction: int) -> list[int]:
    """Interleaved data and EC codewords for ``segments``, in order."""
    blocks = base.rs_blocks(version, error_correction)
    capacity = sum(b.data_count for b in blocks)
    bits = stream_bits(segments, version)
    if bits > capacity * 8:
        raise ValueError("data does not fit the version")
    stream = _bit_stream(segments, version)
    terminator = min(4, capacity * 8 - bits)
    stream <<= terminator
    bits += terminator
    align = -bits % 8
    stream <<= align
    bits += align
    raw = list(stream.to_bytes(bits // 8, "big"))
    raw += [_PAD[i % 2] for i in range(capacity - len(raw))]

    data_blocks: list[list[int]] = []
    ec_blocks: list[list[int]] = []
    offset = 0
    for block in blocks:
        chunk = raw[offset : offset + block.data_count]
        offset += block.data_count
        data_blocks.append(chunk)
        ec_blocks.append(_error_correction(chunk, block.total_count - block.data_count))
    result: list[int] = []
    for group in (data_blocks, ec_blocks):
        for i in range(max(len(b) for b in group)):
            result.extend(b[i] for b in group if i < len(b))
    return result


@functools.lru_cache(maxsize=64)
def _layout(
    version: int, error_correction: int, mask: int
) -> tuple[tuple[bytes, ...], tuple[tuple[int, int], ...]]:
    """(the symbol with all data bits 0, rows of 0/1 bytes; the data modules in placement
    order)."""
    total = sum(b.total_count for b in base.rs_blocks(version, error_correction))

    def laid_out(fill: int) -> list[bytes]:
        symbol = qrcode.QRCode(version=version, error_correction=error_correction, border=0)
        symbol.data_cache = [fill] * total
        symbol.makeImpl(False, mask)
        return [bytes(1 if m else 0 for m in row) for row in symbol.modules]

    zeros, ones = laid_out(0x00), laid_out(0xFF)
    n = len(zeros)
    order: list[tuple[int, int]] = []
    # qrcode's (and the standard's) zigzag: column pairs from the right, skipping the vertical
    # timing column, alternately upwards and downwards
    col = n - 1
    upwards = True
    while col > 0:
        if col == 6:
            col -= 1
        rows = range(n - 1, -1, -1) if upwards else range(n)
        for r in rows:
            for c in (col, col - 1):
                if zeros[r][c] != ones[r][c]:
                    order.append((r, c))
        upwards = not upwards
        col -= 2
    return tuple(zeros), tuple(order)


_BITS = bytes.maketrans(b"01", b"\x00\x01")


def modules(
    segments: Sequence[Segment], *, version: int, error_correction: int, mask: int
) -> list[bytes]:
    """The symbol's rows (row 0 at the top), one byte per module: 1 dark, 0 light."""
    blank, order = _layout(version, error_correction, mask)
    words = codewords(segments, version=version, error_correction=error_correction)
    matrix = [bytearray(row) for row in blank]
    count = 8 * len(words)
    bits = format(int.from_bytes(bytes(words), "big"), f"0{count}b").encode().translate(_BITS)
    # the remainder bits (0-7) after the codewords stay 0; compress stops at the shorter input
    for r, c in itertools.compress(order, bits):
        matrix[r][c] ^= 1
    return [bytes(row) for row in matrix]
