"""The words the staff pages show for the service's codes."""

from __future__ import annotations

from receipts.pdf import PaymentMethod

from ..db.models import ReceiptStatus, UserRole
from ..workflows.reasons import ReasonCode

PAYMENT_METHODS: dict[str, str] = {  # keyed by PaymentMethod, a str
    PaymentMethod.CASH: "Tiền mặt",
    PaymentMethod.BANK_TRANSFER: "Chuyển khoản",
    PaymentMethod.ONLINE: "Trực tuyến",
}
RECEIPT_STATUS = {
    ReceiptStatus.ISSUED: "Đã xuất",
    ReceiptStatus.CANCELLED: "Đã hủy",
    ReceiptStatus.REPLACED: "Đã thay thế",
    ReceiptStatus.ADJUSTED: "Đã điều chỉnh",
}
TEMPLATES = {
    "marital_status": "Giấy xác nhận tình trạng hôn nhân",
    "birth_extract": "Trích lục khai sinh",
    "copy_certification": "Chứng thực bản sao",
}
OFFICIAL_ROLES = {
    "judicial_officer": "Công chức Tư pháp - Hộ tịch",
    "chairman": "Chủ tịch",
    "vice_chairman": "Phó Chủ tịch",
}
DASHBOARD_TITLES = {
    UserRole.CLERK: "Thu phí tại bộ phận một cửa",
    UserRole.OFFICIAL: "Văn bản chờ ký",
    UserRole.ADMIN: "Quản trị hệ thống",
}
ROLES = {
    UserRole.CLERK: "Cán bộ thu phí",
    UserRole.OFFICIAL: "Người ký",
    UserRole.ADMIN: "Quản trị viên",
}


def role_of(role: UserRole, official_role: str | None) -> str:
    if role is UserRole.OFFICIAL and official_role:
        return OFFICIAL_ROLES.get(official_role, ROLES[role])
    return ROLES[role]


REASON_CODES = [(c.value, c.label_vi) for c in ReasonCode]
CHANNELS = {"counter": "Nộp trực tiếp tại bộ phận một cửa", "online": "Nộp trực tuyến"}

NAV: dict[UserRole, list[tuple[str, str, str]]] = {
    # (key, address, label): the page's ``nav`` names the key of the link it is.
    UserRole.CLERK: [
        ("counter", "/staff/", "Quầy thu phí"),
        ("intake", "/staff/intake", "Tiếp nhận hồ sơ"),
        ("search", "/staff/receipts/search", "Tra cứu biên lai"),
        ("daybook", "/staff/daybook", "Bảng kê thu"),
        ("reports", "/staff/reports", "Báo cáo"),
    ],
    UserRole.OFFICIAL: [("inbox", "/staff/", "Văn bản chờ ký")],
    UserRole.ADMIN: [
        ("admin", "/staff/", "Quản trị"),
        ("users", "/staff/admin/users", "Người dùng"),
        ("reports", "/staff/reports", "Báo cáo"),
    ],
}


def nav_links(role: UserRole) -> list[tuple[str, str, str]]:
    return NAV.get(role, [])
