"""Why a receipt was cancelled, replaced or adjusted: a code from a fixed list, shown publicly,
and the clerk's free text, kept internal (it may name people or say more than the public needs).
"""

from __future__ import annotations

import enum

from ..errors import ValidationError


class ReasonCode(enum.StrEnum):
    WRONG_PAYER = "sai_thong_tin_nguoi_nop"
    WRONG_AMOUNT = "sai_so_tien"
    DUPLICATE = "thu_trung"
    PAYER_REQUEST = "nguoi_nop_yeu_cau_huy"
    OTHER = "khac"

    @property
    def label_vi(self) -> str:
        return _LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _LABELS[self][1]

    @classmethod
    def parse(cls, value: str | ReasonCode | None) -> ReasonCode:
        """A code, ``None`` meaning "khác" (old clients send none); an unknown one is refused."""
        if value is None or value == "":
            return cls.OTHER
        try:
            return cls(value)
        except ValueError:
            known = ", ".join(c.value for c in cls)
            raise ValidationError(
                f"Mã lý do không hợp lệ: {value!r} (chọn một trong: {known})",
                f"Unknown reason code {value!r} (one of: {known})",
                code="invalid_reason_code",
            ) from None


_LABELS = {
    ReasonCode.WRONG_PAYER: ("Sai thông tin người nộp", "Wrong payer details"),
    ReasonCode.WRONG_AMOUNT: ("Sai số tiền", "Wrong amount"),
    ReasonCode.DUPLICATE: ("Thu trùng", "Collected twice"),
    ReasonCode.PAYER_REQUEST: ("Người nộp yêu cầu hủy", "Cancelled at the payer's request"),
    ReasonCode.OTHER: ("Lý do khác", "Other reason"),
}
