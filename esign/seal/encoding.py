"""The seal's text form: the COSE_Sign1 bytes as one big-endian unsigned integer, in decimal.

Why decimal: the seal is the fragment of a URL in a QR code, and the QR size is set by the bits
the data takes. QR *numeric* mode packs 3 digits in 10 bits, so N bytes written in decimal cost
N × 8 × log10(256)/3 × 10 / 8 ≈ 8.03 bits a byte: the densest a QR symbol carries bytes at all.
The alternatives, for the same 180-byte seal of a realistic receipt (URL
``https://vanan.chilinh.haiduong.gov.vn/v/<22-char token>#<seal>``, level M, measured with
``qrcode`` and ``optimize=20``, which puts the URL prefix in a byte segment and the seal in the
densest segment its characters allow; ``tests/esign/seal/test_qr_size.py`` measures it again):

=====================  =============  ====================  =================================
encoding               seal chars     QR version (mixed)    QR version (one byte segment)
=====================  =============  ====================  =================================
decimal (this)         434 digits     **11** (61 modules)   17
base45 (RFC 9285)      270            11, but not usable:   14
                                      space breaks the URL
base45, ' '→%20, %→%25 ≈288           12                    14
base64url (RFC 4648)   240            13 (69 modules)       13
=====================  =============  ====================  =================================

The realistic receipt uses 1987 of version 11's 2032 bits; a long name, a 7-digit number and a
dependent unit's tax code (202 bytes) take version 12, where base64url needs 14. The token's
alphabet changes nothing here: base32 or decimal tokens measure the same versions.

Digits are also the one alphabet nothing rewrites: a browser percent-encodes a space in a
fragment (and leaves ``%`` alone, so escaped base45 is ambiguous unless *every* space and ``%`` is
escaped, and some scanner apps unescape before opening the link); digits need no case, no
escaping and no padding. The page's JavaScript reads them with ``BigInt(digits).toString(16)``,
then left-pads the hex to an even length: a COSE_Sign1 begins with 0xD2 (tag 18), never 0x00,
so no leading zero byte is lost and the integer gives back the bytes exactly.

The catch, for whoever prints the QR: the digits must go in a numeric-mode segment. Written as
one byte-mode segment, decimal is the worst of the four (version 17).

The form is canonical: no leading zero, ASCII digits only, so one seal has one text.
"""

from __future__ import annotations

from .errors import MalformedSeal

MAX_DIGITS = 1200
"""About 500 bytes: twice a real seal. Also keeps ``int()`` far below Python's 4300-digit limit and
its quadratic conversion time on hostile input."""


def to_text(data: bytes) -> str:
    if not data or data[0] == 0:
        # Leading zero bytes would not survive the round trip; a CBOR item never starts so.
        raise ValueError("seal bytes must not start with a zero byte")
    return str(int.from_bytes(data, "big"))


def from_text(text: str) -> bytes:
    """The bytes of a seal text; :class:`MalformedSeal` when it is not in the canonical form."""
    if not text:
        raise MalformedSeal("Con dấu QR trống", "the seal is empty")
    if len(text) > MAX_DIGITS:
        raise MalformedSeal(
            f"Con dấu QR quá dài ({len(text)} ký tự)", f"the seal is too long ({len(text)} chars)"
        )
    # str.isdigit() also accepts "²" and Arabic-Indic digits: ASCII first.
    if not (text.isascii() and text.isdigit()):
        raise MalformedSeal(
            "Con dấu QR phải chỉ gồm chữ số 0-9", "the seal must contain only the digits 0-9"
        )
    if text[0] == "0":
        raise MalformedSeal("Con dấu QR không được bắt đầu bằng 0", "the seal starts with 0")
    n = int(text)
    return n.to_bytes((n.bit_length() + 7) // 8, "big")
