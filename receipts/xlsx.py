"""The reports to the tax authority as Excel workbooks, for a person to read (openpyxl).

The workbook says the same as the XML (:mod:`receipts.xml.tax`): same rows, same order, same
totals; amounts are integer đồng in number cells (formatted with a thousands separator), so a
reader can re-add them. Saved deterministically enough for a test to read back (not byte-equal:
openpyxl stamps the time).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from .xml.tax import FORM_NOTICE, FORM_REGISTRATION, FORM_SUMMARY
from .xml.tax_model import (
    RELATION_VI,
    STATUS_VI,
    DailySummary,
    NoticeReport,
    NoticeRow,
    Registration,
    TaxUnit,
)

SUMMARY_COLUMNS = (
    "STT",
    "Ký hiệu mẫu",
    "Ký hiệu",
    "Số",
    "Ngày lập",
    "Người nộp",
    "Khoản thu",
    "Tổng tiền (đồng)",
    "Tính chất (TThai)",
    "Trạng thái",
    "Biên lai liên quan",
    "Ghi chú",
)
NOTICE_COLUMNS = ("STT", "Số thông báo", "Ngày thông báo", "Biên lai", "Ngày lập", "Lý do")
MONEY = "#,##0"


def _head(ws: Worksheet, *, form: str, title: str, unit: TaxUnit, lines: Sequence[str]) -> int:
    ws.append([f"Mẫu số {form}"])
    ws.append([title])
    ws["A2"].font = Font(bold=True, size=13)
    ws.append([f"Tên tổ chức thu: {unit.name}"])
    ws.append([f"Mã số thuế: {unit.tax_code}"])
    ws.append([f"Địa chỉ: {unit.address}"])
    for line in lines:
        ws.append([line])
    ws.append([])
    return ws.max_row + 1


def _table(ws: Worksheet, columns: Sequence[str]) -> None:
    ws.append(list(columns))
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _notices(ws: Worksheet, notices: Sequence[NoticeRow]) -> None:
    _table(ws, NOTICE_COLUMNS)
    for index, n in enumerate(notices, start=1):
        ws.append(
            [
                index,
                n.notice_number,
                n.notice_date.strftime("%d/%m/%Y"),
                n.receipt.label,
                n.receipt.issued_on.strftime("%d/%m/%Y"),
                n.reason,
            ]
        )


def _bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def summary_workbook(summary: DailySummary) -> bytes:
    """Mẫu 01/TH-BLĐT: sheet ``01-TH-BLDT`` (rows, then the totals), sheet ``04-SS`` (notices)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "01-TH-BLDT"
    _head(
        ws,
        form=FORM_SUMMARY,
        title="BẢNG TỔNG HỢP DỮ LIỆU BIÊN LAI ĐIỆN TỬ GỬI CƠ QUAN THUẾ",
        unit=summary.unit,
        lines=(
            f"Kỳ dữ liệu: ngày {summary.day.strftime('%d/%m/%Y')}",
            f"Lần: {summary.sequence} · Ngày lập: {summary.made_on.strftime('%d/%m/%Y')}",
        ),
    )
    _table(ws, SUMMARY_COLUMNS)
    for index, r in enumerate(summary.rows, start=1):
        ws.append(
            [
                index,
                r.receipt.template_symbol,
                r.receipt.series,
                r.receipt.number,
                r.receipt.issued_on.strftime("%d/%m/%Y"),
                r.payer_name,
                r.fee_names,
                r.total,
                f"{int(r.state)} - {r.state.label_vi}",
                STATUS_VI[r.status],
                "; ".join(f"{RELATION_VI[x.relation]} {x.receipt.label}" for x in r.related),
                r.note or "",
            ]
        )
        ws.cell(row=ws.max_row, column=8).number_format = MONEY
    t = summary.totals
    ws.append([])
    for label, value in (
        ("Tổng số dòng", t.rows),
        ("Tổng tiền (đồng)", t.amount),
        ("Số biên lai còn hiệu lực", t.in_force),
        ("Tổng tiền còn hiệu lực (đồng)", t.amount_in_force),
        ("Số thông báo sai sót", t.notices),
    ):
        ws.append(["", label, "", "", "", "", "", value])
        ws.cell(row=ws.max_row, column=2).font = Font(bold=True)
        ws.cell(row=ws.max_row, column=8).number_format = MONEY
    notices = wb.create_sheet("04-SS")
    _notices(notices, summary.notices)
    return _bytes(wb)


def notice_workbook(report: NoticeReport) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "04-SS-CTDT"
    _head(
        ws,
        form=FORM_NOTICE,
        title="THÔNG BÁO BIÊN LAI ĐIỆN TỬ CÓ SAI SÓT",
        unit=report.unit,
        lines=(f"Ngày lập: {report.made_on.strftime('%d/%m/%Y')}",),
    )
    _notices(ws, report.notices)
    return _bytes(wb)


def registration_workbook(reg: Registration) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "01-DKTD-CTDT"
    _head(
        ws,
        form=FORM_REGISTRATION,
        title="TỜ KHAI ĐĂNG KÝ/THAY ĐỔI THÔNG TIN SỬ DỤNG BIÊN LAI ĐIỆN TỬ",
        unit=reg.unit,
        lines=(
            f"Hình thức: {'Thay đổi thông tin' if reg.change else 'Đăng ký mới'}",
            f"Người liên hệ: {reg.contact_name}",
            f"Điện thoại: {reg.contact_phone or ''} · Thư điện tử: {reg.contact_email or ''}",
            f"Ngày lập: {reg.made_on.strftime('%d/%m/%Y')}",
        ),
    )
    _table(ws, ("STT", "Ký hiệu mẫu", "Ký hiệu"))
    for index, (template_symbol, series) in enumerate(reg.symbols, start=1):
        ws.append([index, template_symbol, series])
    ws.append([])
    _table(ws, ("STT", "Tổ chức cấp", "Chủ thể", "Số sê-ri", "Từ ngày", "Đến ngày", "Hình thức"))
    for index, c in enumerate(reg.certificates, start=1):
        ws.append(
            [
                index,
                c.issuer,
                c.subject,
                c.serial,
                c.valid_from.strftime("%d/%m/%Y"),
                c.valid_to.strftime("%d/%m/%Y"),
                c.action,
            ]
        )
    return _bytes(wb)
