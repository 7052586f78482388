"""How big the QR of a realistic receipt is, for our seal encoding and the alternatives.

Run with ``-s`` to see the table; the numbers are in ``esign/seal/encoding.py``'s docstring.
"""

from __future__ import annotations

import base64

import qrcode
from qrcode import constants, util

from esign.seal import Keyring, SealClaims, encoding, make_seal, qr_url
from tests.esign.seal.helpers import HOST, TOKEN, receipt_claims, result_claims

_MODE = {util.MODE_NUMBER: "numeric", util.MODE_ALPHA_NUM: "alnum", util.MODE_8BIT_BYTE: "byte"}
_B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def _base45(data: bytes) -> str:  # RFC 9285 §4, to measure it without the dependency
    out = []
    for i in range(0, len(data), 2):
        chunk = data[i : i + 2]
        n = int.from_bytes(chunk, "big")
        digits = 3 if len(chunk) == 2 else 2
        out += [_B45[(n // 45**k) % 45] for k in range(digits)]
    return "".join(out)


def qr_version(text: str) -> tuple[int, list[tuple[str, int]]]:
    """Version at level M as ``qrcode`` builds it with its segment optimiser, and the segments."""
    qr = qrcode.QRCode(error_correction=constants.ERROR_CORRECT_M)
    qr.add_data(text, optimize=20)
    qr.make(fit=True)
    assert qr.version is not None
    return qr.version, [(_MODE[d.mode], len(d.data)) for d in qr.data_list]


def byte_only_version(text: str) -> int:
    """Version when the whole text is one byte-mode segment (``receipts/pdf/qr.py`` today)."""
    data = text.encode()
    bits = util.BIT_LIMIT_TABLE[constants.ERROR_CORRECT_M]
    return next(v for v in range(1, 41) if 4 + (8 if v < 10 else 16) + 8 * len(data) <= bits[v])


def minimal_version(prefix: int, digits: int) -> int:
    """The smallest version holding a byte segment of ``prefix`` bytes and a numeric segment."""
    for v in range(1, 41):
        count = (8, 16)[v >= 10], (10, 12, 14)[(v >= 10) + (v >= 27)]
        numeric = 10 * (digits // 3) + (0, 4, 7)[digits % 3]
        bits = 4 + count[0] + 8 * prefix + 4 + count[1] + numeric
        if bits <= util.BIT_LIMIT_TABLE[constants.ERROR_CORRECT_M][v]:
            return v
    raise AssertionError("does not fit")


def _measure(keyring: Keyring, claims: SealClaims) -> dict[str, tuple[int, int, int]]:
    seal = make_seal(claims, keyring=keyring, token=TOKEN)
    raw = encoding.from_text(seal)
    b45 = _base45(raw)
    candidates = {
        "decimal (ours)": seal,
        "base64url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "base45 %-escaped": b45.replace("%", "%25").replace(" ", "%20"),
    }
    table = {}
    print(f"\nCOSE_Sign1 {len(raw)} bytes; URL prefix {HOST}/v/<{len(TOKEN)}>#")
    for name, text in candidates.items():
        url = f"{HOST}/v/{TOKEN}#{text}"
        version, segments = qr_version(url)
        table[name] = (version, byte_only_version(url), len(text))
        print(
            f"  {name:18} seal {len(text):3} chars: QR version {version:2} (level M, "
            f"segments {segments}); one byte segment: version {byte_only_version(url)}"
        )
    return table


def test_realistic_receipt_qr_size(keyring: Keyring) -> None:
    table = _measure(keyring, receipt_claims())
    seal = make_seal(receipt_claims(), keyring=keyring, token=TOKEN)
    url = qr_url(HOST, TOKEN, seal)
    version, segments = qr_version(url)
    prefix = len(url) - len(seal)
    # The whole seal rides in one numeric segment: that is what the decimal form is for.
    assert segments[-1] == ("numeric", len(seal))
    needed = minimal_version(prefix, len(seal))
    assert version <= needed <= 11
    # And it beats the standard alternatives by a version or more.
    assert version < table["base45 %-escaped"][0] < table["base64url"][0]


def test_result_document_qr_size(keyring: Keyring) -> None:
    table = _measure(keyring, result_claims())
    assert table["decimal (ours)"][0] <= 11
    assert table["decimal (ours)"][0] < table["base64url"][0]
