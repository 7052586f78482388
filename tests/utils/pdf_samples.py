"""Sample receipts and result documents for the PDF tests (receipts.pdf)."""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from receipts.pdf import (
    CollectingUnit,
    FeeLine,
    Issuer,
    Official,
    Payer,
    PaymentMethod,
    Receipt,
    ResultDocument,
)
from receipts.pdf.templates import (
    Parent,
    Person,
    birth_registration_extract,
    copy_certification,
    marital_status_confirmation,
)

ISSUED_AT = dt.datetime(2024, 11, 5, 2, 30, tzinfo=dt.UTC)  # 09:30 in Vietnam
TOKEN = "k3Jq9XwR2pL7sT5vN8yB4c"  # 22 characters, as esign makes them
HOST = "https://dichvucong.phuongvanan.chilinh.haiduong.gov.vn"


def seal_digits(count: int, *, seed: int = 0) -> str:
    """A seal as esign prints it (a COSE_Sign1, first byte 0xD2, as one decimal number),
    ``count`` digits long, the same for the same arguments."""
    raw = b"\xd2" + random.Random(seed).randbytes(count // 2)
    digits = str(int.from_bytes(raw, "big"))[:count]
    assert len(digits) == count
    return digits


# the longest QR text we print: our longest host and a 480-digit seal (seals are ~430-480)
SEAL = seal_digits(480)
LONGEST_QR = f"{HOST}/v/{TOKEN}#{SEAL}"
assert len(LONGEST_QR) == 560
# a realistic receipt's QR text: the ward's host and a 434-digit seal (esign/seal/encoding.py)
REALISTIC_QR = "https://vanan.chilinh.haiduong.gov.vn/v/AbCdEfGhIjKlMnOpQrStUv#" + seal_digits(434)
# a text without a long digit run (an older base64url seal), written as bytes: 300 characters
BYTE_QR = f"{HOST}/v/{TOKEN}#" + ("pQ1-" + "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-" * 6)[:220]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "receipts-pdf"


def vietnamese_letters() -> str:
    """All 134 non-ASCII Vietnamese letters (every vowel with every tone, and đ), NFC."""
    vowels = "aăâeêioôơuưy"
    tones = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
    lower = [unicodedata.normalize("NFC", v + t) for v in vowels for t in tones] + ["đ"]
    letters = "".join(c for c in lower if ord(c) > 0x7F)
    return letters + letters.upper()


def long_text(prefix: str, length: int) -> str:
    """Words of Vietnamese text, exactly ``length`` characters."""
    words = [
        "Nguyễn",
        "Thị",
        "Ngọc",
        "Ánh",
        "khu",
        "dân",
        "cư",
        "Văn",
        "An",
        "một",
        "phường",
        "Chí",
        "Linh",
        "tỉnh",
        "Hải",
        "Dương",
    ]
    text = prefix
    i = 0
    while len(text) < length:
        text += " " + words[i % len(words)]
        i += 1
    return text[:length].rstrip() + "x" * (length - len(text[:length].rstrip()))


def fee_line(i: int = 0, **changes: Any) -> FeeLine:
    qty = 1 + i % 3
    fields: dict[str, Any] = {
        "name": f"Lệ phí đăng ký khai sinh (đăng ký lại) lần {i + 1}",
        "legal_basis": "Nghị quyết số 12/2020/NQ-HĐND tỉnh Hải Dương; Thông tư 85/2019/TT-BTC",
        "quantity": qty,
        "unit_price": 5_000,
        "amount": qty * 5_000,
    }
    fields.update(changes)
    return FeeLine(**fields)


def make_receipt(*, lines: int = 6, **changes: Any) -> Receipt:
    fee_lines = [fee_line(i) for i in range(lines)]
    fee_lines.append(
        FeeLine(
            name="Lệ phí xác nhận tình trạng hôn nhân",
            legal_basis="Nghị quyết số 12/2020/NQ-HĐND",
            quantity=1,
            unit_price=15_000,
            amount=0,
            exemption_reason="Người thuộc hộ nghèo",
        )
    )
    fields: dict[str, Any] = {
        "unit": CollectingUnit(
            name="Ủy ban nhân dân phường Văn An",
            tax_code="0800123456",
            address="Khu dân cư Văn An 1, phường Văn An, thành phố Chí Linh, tỉnh Hải Dương",
        ),
        "template_symbol": "01BLP0-001",
        "series": "VA-24E",
        "number": 123,
        "payer": Payer(
            name="Bùi Thị Trang",
            address="Thôn Trại Sen, phường Văn An, thành phố Chí Linh, tỉnh Hải Dương",
            dossier_code="H23.45-241105-0001",
        ),
        "lines": tuple(fee_lines),
        "payment_method": PaymentMethod.CASH,
        "issued_at": ISSUED_AT,
        "clerk_name": "Nguyễn Thị Hoa",
        "qr_text": LONGEST_QR,
    }
    fields.update(changes)
    return Receipt(**fields)


ISSUER = Issuer(lines=("ỦY BAN NHÂN DÂN", "PHƯỜNG VĂN AN"), place="Văn An")
JUDICIAL = Official(
    role="judicial_officer", title="CÔNG CHỨC TƯ PHÁP - HỘ TỊCH", name="Trần Văn Bình"
)
CHAIRMAN = Official(
    role="chairman", title="PHÓ CHỦ TỊCH", on_behalf_of="KT. CHỦ TỊCH", name="Lê Thị Thu Hương"
)
PERSON = Person(
    full_name="Phạm Quốc Việt",
    date_of_birth=dt.date(1996, 3, 5),
    gender="Nam",
    ethnicity="Kinh",
    nationality="Việt Nam",
    personal_id="030096001234",
    residence="Số 12 đường Trần Hưng Đạo, khu dân cư Văn An 2, phường Văn An, Chí Linh, Hải Dương",
)


def marital(**changes: Any) -> ResultDocument:
    fields: dict[str, Any] = {
        "issuer": ISSUER,
        "number": "125/UBND-XNTTHN",
        "issued_at": ISSUED_AT,
        "requester": "Phạm Quốc Việt",
        "person": PERSON,
        "marital_status": "Chưa đăng ký kết hôn với ai",
        "purpose": "Làm thủ tục đăng ký kết hôn",
        "officials": (JUDICIAL, CHAIRMAN),
        "qr_text": LONGEST_QR,
    }
    fields.update(changes)
    return marital_status_confirmation(**fields)


def birth(**changes: Any) -> ResultDocument:
    fields: dict[str, Any] = {
        "issuer": ISSUER,
        "number": "86/TLKS-BS",
        "issued_at": ISSUED_AT,
        "child": Person(
            full_name="Phạm Ngọc Ánh",
            date_of_birth=dt.date(2024, 10, 15),
            gender="Nữ",
            ethnicity="Kinh",
            nationality="Việt Nam",
            personal_id="030324005678",
            residence="Văn An",
        ),
        "place_of_birth": "Bệnh viện đa khoa thành phố Chí Linh, tỉnh Hải Dương",
        "hometown": "Phường Văn An, thành phố Chí Linh, tỉnh Hải Dương",
        "mother": Parent(
            full_name="Đỗ Thị Hằng",
            birth_year=1998,
            ethnicity="Kinh",
            nationality="Việt Nam",
            residence="Phường Văn An, Chí Linh, Hải Dương",
        ),
        "father": Parent(
            full_name="Phạm Quốc Việt", birth_year=1996, ethnicity="Kinh", nationality="Việt Nam"
        ),
        "registered_by": "Ủy ban nhân dân phường Văn An, thành phố Chí Linh, tỉnh Hải Dương",
        "registered_on": dt.date(2024, 11, 5),
        "officials": (CHAIRMAN,),
        "qr_text": LONGEST_QR,
        "copy": True,
    }
    fields.update(changes)
    return birth_registration_extract(**fields)


def certification(**changes: Any) -> ResultDocument:
    fields: dict[str, Any] = {
        "issuer": ISSUER,
        "certification_number": 1254,
        "book_number": "01/2024-SCT/BS",
        "issued_at": ISSUED_AT,
        "document_name": "Bằng tốt nghiệp trung học phổ thông số B0123456",
        "copy_pages": 2,
        "copies": 3,
        "officials": (CHAIRMAN,),
        "qr_text": LONGEST_QR,
    }
    fields.update(changes)
    return copy_certification(**fields)


TEMPLATES: dict[str, Callable[..., ResultDocument]] = {
    "marital_status": marital,
    "birth_extract": birth,
    "copy_certification": certification,
}
