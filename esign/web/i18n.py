"""The public pages' words, in Vietnamese (the default) and English (``?lang=en``).

One table, keyed by a short name; templates call ``t("key")`` and the page's script gets the
few sentences it needs from the server in the chosen language, so the script has no tables of
its own. Any ``lang`` other than ``en`` means Vietnamese: a bad value is never an error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from receipts.calendar import VIETNAM_TZ
from receipts.money import format_vnd

LangCode = Literal["vi", "en"]

MESSAGES: dict[str, tuple[str, str]] = {
    # frame
    "site.title": ("Tra cứu văn bản điện tử", "Electronic document verification"),
    "site.nation": ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "SOCIALIST REPUBLIC OF VIET NAM"),
    "site.switch": ("English", "Tiếng Việt"),
    "site.footer": (
        "Trang tra cứu chính thức. Không cần đăng nhập; phường không thu thập thông tin cá nhân "
        "của người tra cứu.",
        "Official verification page. No login; the ward collects no personal data about you.",
    ),
    "site.verify_link": ("Kiểm tra một tệp PDF", "Check a PDF file"),
    # verdicts of the document page
    "verdict.valid": ("Văn bản thật, đang có hiệu lực", "Genuine and valid"),
    "verdict.valid.detail": (
        "Văn bản này do đơn vị dưới đây phát hành và ký số; thông tin khớp với hồ sơ lưu.",
        "This document was issued and digitally signed by the unit below; it matches the record.",
    ),
    "verdict.cancelled": ("ĐÃ HỦY — không còn giá trị", "CANCELLED — no longer valid"),
    "verdict.replaced": ("ĐÃ BỊ THAY THẾ", "REPLACED"),
    "verdict.replaced.detail": (
        "Văn bản này đã được thay thế, không còn giá trị. Văn bản thay thế:",
        "This document was replaced and is no longer valid. Its replacement:",
    ),
    "verdict.adjusted": ("Văn bản thật, đã được điều chỉnh", "Genuine, since adjusted"),
    "verdict.adjusted.detail": (
        "Văn bản vẫn có giá trị cùng với văn bản điều chỉnh:",
        "The document stays valid together with its adjustment:",
    ),
    "verdict.pending": ("Chưa có hiệu lực: chưa ký đủ", "Not yet in force: not fully signed"),
    "verdict.pending.detail": (
        "Văn bản đang chờ người có thẩm quyền ký; chưa dùng được.",
        "The document is awaiting its signatures and cannot be relied on yet.",
    ),
    "verdict.unsure": ("Chưa xác nhận được", "Could not be confirmed"),
    "verdict.unsure.detail": (
        "Chữ ký số trên bản lưu không kiểm tra được là hợp lệ. Vui lòng liên hệ bộ phận một cửa.",
        "The digital signature of the stored copy did not check as valid. Please contact the "
        "one-stop office.",
    ),
    "verdict.unknown": ("Không tìm thấy văn bản", "No such document"),
    "verdict.unknown.detail": (
        "Mã tra cứu không đúng hoặc văn bản không do phường phát hành. Đừng tin giấy tờ mang mã "
        "này; hãy liên hệ bộ phận một cửa của phường.",
        "The code is wrong or the document was not issued by the ward. Do not rely on a paper "
        "bearing this code; contact the ward's one-stop office.",
    ),
    "cancel.reason": ("Lý do hủy", "Reason"),
    "cancel.date": ("Ngày hủy", "Cancelled on"),
    "relation.replaces": ("Văn bản này thay thế", "This document replaces"),
    "relation.adjusts": ("Văn bản này điều chỉnh", "This document adjusts"),
    "relation.reason": ("Lý do", "Reason"),
    # facts
    "facts.title": ("Thông tin văn bản", "Document details"),
    "facts.kind": ("Loại văn bản", "Document"),
    "facts.kind.receipt": ("Biên lai thu phí, lệ phí", "Fee receipt"),
    "facts.kind.result": ("Văn bản kết quả", "Result document"),
    "facts.number": ("Mẫu số · Ký hiệu · Số", "Template · Series · Number"),
    "facts.doc_number": ("Số văn bản", "Document number"),
    "facts.issued": ("Ngày lập", "Issued"),
    "facts.payer": ("Người nộp", "Payer"),
    "facts.applicant": ("Người yêu cầu", "Applicant"),
    "facts.masked": ("(đã che để bảo vệ thông tin cá nhân)", "(masked to protect privacy)"),
    "facts.items": ("Nội dung thu", "Fees"),
    "facts.total": ("Tổng tiền", "Total"),
    "facts.method": ("Hình thức thanh toán", "Payment"),
    "facts.unit": ("Đơn vị phát hành", "Issued by"),
    "facts.tax_code": ("Mã số thuế", "Tax code"),
    "method.cash": ("Tiền mặt", "Cash"),
    "method.bank_transfer": ("Chuyển khoản", "Bank transfer"),
    "method.online": ("Thanh toán trực tuyến", "Online payment"),
    # signatures
    "sign.title": ("Chữ ký số", "Digital signatures"),
    "sign.by": ("Người ký", "Signed by"),
    "sign.at": ("Thời điểm ký", "Signed at"),
    "sign.timestamped": ("có dấu thời gian", "timestamped"),
    "sign.claimed": ("theo máy người ký", "as claimed by the signer"),
    "sign.done": ("Đã ký", "Signed"),
    "sign.waiting": ("Đang chờ ký", "Awaiting signature"),
    "sign.ok": ("Chữ ký hợp lệ", "Signature valid"),
    "sign.bad": ("Chữ ký KHÔNG hợp lệ", "Signature NOT valid"),
    "sign.none": ("Không đọc được chữ ký của bản lưu", "The stored copy's signature is unreadable"),
    "sign.kind.certification": ("Ký số của đơn vị", "Unit's certification"),
    "sign.kind.signature": ("Ký duyệt", "Approval"),
    "sign.kind.document_timestamp": ("Dấu thời gian", "Document timestamp"),
    "pdf.download": ("Tải bản PDF gốc đã ký", "Download the original signed PDF"),
    "xml.download": ("Tải bản XML gốc đã ký", "Download the original signed XML"),
    "pdf.refused": ("Không tải được tệp PDF từ liên kết này", "The PDF is not offered here"),
    "pdf.refused.receipt": (
        "Biên lai chỉ tải được từ trang mở bằng mã QR in trên biên lai (mã QR mang con dấu).",
        "A receipt downloads only from the page its printed QR opens (the QR carries the seal).",
    ),
    "pdf.refused.result": (
        "Văn bản này ghi đầy đủ thông tin cá nhân nên không tải công khai; nếu bạn đang giữ tệp "
        "PDF, hãy kiểm tra tệp đó.",
        "This document names people in full, so it is not offered publicly; if you hold the "
        "PDF, check that file.",
    ),
    "pdf.check_own": ("Kiểm tra tệp PDF bạn đang giữ", "Check a PDF you hold"),
    "facts.subject": ("Người được cấp", "Issued for"),
    "pdf.hint": (
        "Bản PDF gốc có đầy đủ thông tin và chữ ký số; có thể kiểm tra lại tại trang Kiểm tra "
        "tệp PDF.",
        "The original PDF has every detail and the digital signature; check it on the PDF "
        "check page.",
    ),
    # the QR seal (also sent to the script)
    "seal.title": ("Con dấu QR trên giấy", "QR seal on the paper"),
    "seal.checking": ("Đang kiểm tra con dấu QR…", "Checking the QR seal…"),
    "seal.genuine": (
        "Con dấu QR đúng là của phường, khớp với hồ sơ lưu.",
        "The QR seal is genuine: signed by the ward and matching the record.",
    ),
    "seal.not_genuine": ("Con dấu QR KHÔNG đúng", "The QR seal is NOT genuine"),
    "seal.warning.title": ("Không tin được giấy tờ này", "Do not trust this paper"),
    "seal.state_note": (
        "Con dấu chỉ cho biết giấy do phường phát hành; văn bản còn hiệu lực hay không xem ở "
        "khung trên.",
        "The seal only shows that the ward issued this paper; whether it is still in force is "
        "shown above.",
    ),
    "seal.reason": ("Lý do", "Reason"),
    "seal.not_genuine.warning": (
        "Con dấu QR trên giấy không đúng: giấy có thể đã bị sửa hoặc làm giả. Chỉ tin thông tin "
        "trên trang này, đối chiếu từng dòng với giấy và báo cho bộ phận một cửa của phường.",
        "The QR seal on the paper is not genuine: the paper may have been altered or forged. "
        "Rely only on this page, compare it line by line with the paper, and tell the ward's "
        "one-stop office.",
    ),
    "seal.absent": (
        "Đường dẫn không kèm con dấu QR (phần sau dấu #): kết quả chỉ dựa vào hồ sơ của phường.",
        "The link carries no QR seal (the part after '#'): the answer rests on the ward's record.",
    ),
    "seal.server_checked": (
        "Trình duyệt này không tự kiểm tra được (cần kết nối HTTPS); máy chủ của phường đã "
        "kiểm tra thay.",
        "This browser cannot check by itself (it needs HTTPS); the ward's server checked it.",
    ),
    "seal.browser_checked": (
        "Đã kiểm tra ngay trên điện thoại của bạn bằng khóa công khai của phường.",
        "Checked on your own device against the ward's published key.",
    ),
    "seal.error": ("Không kiểm tra được con dấu QR", "Could not check the QR seal"),
    "seal.key": ("Khóa ký", "Signing key"),
    "seal.reason.malformed": ("con dấu bị hỏng hoặc bị sửa", "the seal is damaged or altered"),
    "seal.reason.unknown_key": (
        "khóa ký không có trong tập khóa công bố của phường",
        "the signing key is not among the ward's published keys",
    ),
    "seal.reason.withdrawn_key": (
        "khóa ký đã bị thu hồi: con dấu không còn giá trị",
        "the signing key was withdrawn: the seal is void",
    ),
    "seal.reason.bad_signature": (
        "chữ ký không khớp: nội dung hoặc mã tra cứu đã bị sửa, hoặc không do phường ký",
        "the signature does not match: content or code altered, or not signed by the ward",
    ),
    "seal.reason.mismatch": (
        "thông tin trong con dấu khác với hồ sơ lưu",
        "the seal's facts differ from the record",
    ),
    "seal.reason.keys": ("không tải được khóa công khai", "the published keys could not load"),
    "seal.reason.server": ("máy chủ không trả lời", "the server did not answer"),
    "seal.key.retired": (
        "(khóa cũ, đã thay bằng khóa mới; con dấu vẫn có giá trị)",
        "(an older key, since replaced; the seal stays valid)",
    ),
    # rate limit
    "limit.title": ("Quá nhiều lượt tra cứu", "Too many requests"),
    "limit.detail": (
        "Bạn đã tra cứu quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau {seconds} giây.",
        "You have made too many requests in a short time. Please try again in {seconds} seconds.",
    ),
    # the PDF check page
    "verify.title": ("Kiểm tra chữ ký số của tệp PDF", "Check the digital signatures of a PDF"),
    "verify.intro": (
        "Chọn tệp PDF (biên lai, văn bản kết quả…) để kiểm tra chữ ký số. Tệp chỉ được dùng để "
        "kiểm tra, không được lưu lại.",
        "Choose a PDF (receipt, result document…) to check its digital signatures. The file is "
        "only checked, never kept.",
    ),
    "verify.file": ("Tệp PDF (tối đa {limit})", "PDF file (at most {limit})"),
    "verify.submit": ("Kiểm tra", "Check"),
    "verify.result": ("Kết quả kiểm tra", "Result"),
    "verify.valid": ("Chữ ký số hợp lệ", "Signatures valid"),
    "verify.invalid": ("Chữ ký số KHÔNG hợp lệ", "Signatures NOT valid"),
    "verify.cannot_verify": ("Không kiểm tra được", "Cannot verify"),
    "verify.incomplete": (
        "Chưa đủ chữ ký: văn bản còn chờ người ký",
        "Not yet fully signed: the document awaits a signature",
    ),
    "verify.file_name": ("Tệp", "File"),
    "verify.not_issued": (
        "KHÔNG phải bản do phường phát hành",
        "NOT a document the ward issued",
    ),
    "verify.state.cancelled": (
        "Giấy tờ này ĐÃ BỊ HỦY — không còn giá trị",
        "This document was CANCELLED — no longer valid",
    ),
    "verify.state.replaced": (
        "Giấy tờ này ĐÃ ĐƯỢC THAY THẾ bằng bản khác — không còn giá trị",
        "This document was REPLACED by another — no longer valid",
    ),
    "verify.state.adjusted": (
        "Giấy tờ này đã được điều chỉnh — xem bản điều chỉnh",
        "This document was adjusted — see the adjustment",
    ),
    "verify.sha256": ("Mã băm SHA-256", "SHA-256"),
    "verify.record.match": (
        "Đúng là bản lưu của phường:",
        "This is exactly the copy on the ward's record:",
    ),
    "verify.record.older": (
        "Trùng với một phiên bản cũ được lưu (trước khi ký đủ) của văn bản:",
        "Matches an earlier stored version (before all signatures) of:",
    ),
    "verify.record.none": (
        "Không phải bản lưu của phường, hoặc không do phường phát hành: tệp có thể đã bị sửa "
        "(dù chỉ một byte) hoặc là văn bản của đơn vị khác.",
        "Not the copy on the ward's record, or not issued by the ward: the file may have been "
        "changed (even by one byte) or come from another issuer.",
    ),
    "verify.record.state": ("Trạng thái hiện tại", "Current status"),
    "verify.open_page": ("Xem trang tra cứu", "Open its verification page"),
    "verify.too_large": (
        "Tệp lớn hơn giới hạn {limit}: không kiểm tra.",
        "The file is larger than the {limit} limit: not checked.",
    ),
    "verify.no_file": ("Chưa chọn tệp PDF.", "No PDF file was chosen."),
    "verify.busy": (
        "Máy chủ đang bận kiểm tra các tệp khác. Vui lòng thử lại sau ít phút.",
        "The server is busy checking other files. Please try again in a few minutes.",
    ),
    "verify.signature": ("Chữ ký", "Signature"),
    "verify.level": ("Chuẩn chữ ký", "Level"),
    "verify.covers": ("Phạm vi", "Coverage"),
    "verify.covers.whole": ("toàn bộ tệp", "the whole file"),
    "verify.covers.part": ("một phần tệp (có sửa đổi sau khi ký)", "part of the file"),
    "verify.issuer": ("Cấp bởi", "Issued by"),
}


@dataclass(frozen=True)
class Lang:
    code: LangCode

    @classmethod
    def pick(cls, value: str | None) -> Lang:
        return cls("en" if value == "en" else "vi")

    @property
    def other(self) -> Lang:
        return Lang("vi" if self.code == "en" else "en")

    def t(self, key: str, **values: object) -> str:
        vi, en = MESSAGES[key]
        text = en if self.code == "en" else vi
        return text.format(**values) if values else text

    def pair(self, vi: str, en: str) -> str:
        """One of two sentences made elsewhere (the verification report's)."""
        return en if self.code == "en" else vi

    def when(self, moment: dt.datetime | None) -> str:
        """A moment in Vietnam time, as people there write it."""
        if moment is None:
            return "—"
        local = moment.astimezone(VIETNAM_TZ)
        return local.strftime("%H:%M %d/%m/%Y") + " (GMT+7)"

    def day(self, day: dt.date | dt.datetime | None) -> str:
        if day is None:
            return "—"
        if isinstance(day, dt.datetime):
            day = day.astimezone(VIETNAM_TZ).date()
        return day.strftime("%d/%m/%Y")

    def money(self, amount: int) -> str:
        return format_vnd(amount)

    def size(self, n: int) -> str:
        if n >= 1024 * 1024:
            return f"{n / (1024 * 1024):.0f} MB"
        return f"{max(1, n // 1024)} KB"
