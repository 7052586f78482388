"""The fast hex-string reader answers exactly as pyHanko's own: value, type, position, error."""

from __future__ import annotations

import io
import random
from typing import Any, cast

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError

from esign.signing import fast_hex

ALPHABET = b"0123456789abcdefABCDEF \n\r\t\x0c\x00>zG%"


def _read(reader: object, data: bytes) -> tuple[object, ...]:
    stream = io.BytesIO(data)
    try:
        value = reader(stream)  # type: ignore[operator]
    except PdfStreamError as exc:
        return ("error", str(exc))
    return ("ok", type(value).__name__, bytes(value.original_bytes), stream.tell())


FAMILIES = [
    b"<>",
    b"<41>",
    b"<4>",
    b"<41 42\n43\x00>tail",
    b"<4g>",
    b"<41",
    b"<41%comment\n42>",
    b"< >x",
    b"<" + b"ab" * 40_000 + b">rest",  # longer than a block: a signature's /Contents
    b"<" + b"0" * 16_383 + b">",  # the ">" at a block's edge
    b"<FEFF00410042>",  # a UTF-16 text string
]


@pytest.mark.parametrize("data", FAMILIES)
def test_each_family_reads_as_pyhanko_reads_it(data: bytes) -> None:
    assert _read(fast_hex.read_hex_string_from_stream, data) == _read(fast_hex._ORIGINAL, data)


def test_random_hex_strings_read_as_pyhanko_reads_them() -> None:
    rnd = random.Random(13)
    for _ in range(2000):
        body = bytes(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, 40)))
        data = b"<" + body + rnd.choice([b">", b"", b">more"])
        assert _read(fast_hex.read_hex_string_from_stream, data) == _read(
            fast_hex._ORIGINAL, data
        ), data


def test_importing_the_verifier_installs_it() -> None:
    import esign.signing.verify  # noqa: F401

    assert generic.read_hex_string_from_stream is fast_hex.read_hex_string_from_stream
    parsed: Any = generic.read_object(io.BytesIO(b"<48 65 6c6c6f>"), container_ref=cast(Any, None))
    assert bytes(parsed.original_bytes) == b"Hello"
