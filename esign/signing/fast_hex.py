"""A faster reader of PDF hex strings for pyHanko, same answers.

pyHanko reads a hex string one byte at a time through a generator (``read_non_whitespace`` per
digit); a signature's ``/Contents`` is 16–64 thousand hex digits, and a verification reads it
more than once (pyHanko's validation, our structure check of every object): measured, 40 % of
a warm verification of a two-signature result went there. This reads up to the closing ``>``
in blocks and decodes with ``bytes.fromhex`` after dropping PDF whitespace.

Same answers as pyHanko's: the same digits accepted (hex digits and PDF whitespace), the same
error for any other byte, an odd count padded with ``0``, the stream left just after ``>``.
A hex string holding ``%`` (pyHanko skips a comment there) or never closed is handed to
pyHanko's own reader, so those rare cases keep its exact behaviour and error.
"""

from __future__ import annotations

import binascii
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PDF_WHITESPACE, PdfStreamError

_ORIGINAL = generic.read_hex_string_from_stream
_BLOCK = 16384


def read_hex_string_from_stream(stream: Any) -> Any:
    start = stream.tell()
    stream.read(1)  # the "<"
    chunks: list[bytes] = []
    while True:
        chunk = stream.read(_BLOCK)
        if not chunk:  # unterminated: pyHanko's reader says which error, as always
            stream.seek(start)
            return _ORIGINAL(stream)
        end = chunk.find(b">")
        if end < 0:
            chunks.append(chunk)
            continue
        chunks.append(chunk[:end])
        stream.seek(end + 1 - len(chunk), 1)  # just after the ">"
        break
    digits = b"".join(chunks)
    if b"%" in digits:
        stream.seek(start)
        return _ORIGINAL(stream)
    digits = digits.translate(None, PDF_WHITESPACE)
    stray = digits.translate(None, generic.HEX_DIGITS)
    if stray:
        raise PdfStreamError("Unexpected token in hex string: " + repr(stray[:1]))
    if len(digits) % 2:
        digits += b"0"
    return generic.pdf_string(binascii.unhexlify(digits))


def install() -> None:
    """Make pyHanko's object reader use this one (idempotent; the module global it calls)."""
    generic.read_hex_string_from_stream = read_hex_string_from_stream
