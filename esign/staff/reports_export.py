"""The reports' CSV and Excel (xlsx) exports: the same tables the page shows, cell for cell
(whole đồng as integers, shares as percents rounded as the page rounds them)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from openpyxl import Workbook

from ..workflows.reports import Share, Summary
from . import labels

Row = Sequence[str | int | float | None]


def _percent(share: Share) -> float | None:
    return share.percent


def indicators(report: Summary) -> list[tuple[str, int, int, float | None]]:
    """The ward's headline indicators: (label, count, of, percent)."""
    intake = report.intake
    rows: list[tuple[str, int, int, float | None]] = []
    if intake is not None:
        rows.append(
            (
                "Hồ sơ tiếp nhận trực tuyến",
                intake.online.count,
                intake.online.of,
                _percent(intake.online),
            )
        )
    p = report.payments.online
    rows.append(("Thanh toán trực tuyến / chuyển khoản", p.count, p.of, _percent(p)))
    t = report.dossiers.on_time
    rows.append(("Hồ sơ trả kết quả đúng hạn", t.count, t.of, _percent(t)))
    return rows


def tables(report: Summary) -> Iterator[tuple[str, Row, Sequence[Row]]]:
    """(sheet name, header, rows) of every table of the report."""
    fees = report.fees
    yield (
        "Theo ngày",
        ("Ngày", "Số biên lai", "Điều chỉnh", "Số tiền (đồng)"),
        [(f"{d.day:%d/%m/%Y}", d.receipts, d.adjustments, d.amount) for d in fees.by_day]
        + [("Tổng cộng", fees.receipts, fees.adjustments, fees.total)],
    )
    yield (
        "Theo tháng",
        ("Tháng", "Số biên lai", "Điều chỉnh", "Số tiền (đồng)"),
        [(m.month, m.receipts, m.adjustments, m.amount) for m in fees.by_month],
    )
    yield (
        "Theo khoản phí",
        ("Khoản phí, lệ phí", "Căn cứ pháp lý", "Số lượng", "Số tiền (đồng)"),
        [(i.name, i.legal_basis, i.quantity, i.amount) for i in fees.by_fee_item],
    )
    yield (
        "Hình thức thanh toán",
        ("Hình thức", "Số lần", "Số tiền (đồng)"),
        [
            (labels.PAYMENT_METHODS[m.method], m.payments, m.amount)
            for m in report.payments.by_method
        ],
    )
    d = report.dossiers
    counts = (
        ("Hồ sơ đến hạn", d.due),
        ("Trả đúng hạn", d.returned_on_time),
        ("Trong đó trước hạn", d.returned_early),
        ("Trả trễ hạn", d.returned_late),
        ("Quá hạn chưa trả", d.open_overdue),
        ("Chưa đến hạn", d.open_not_yet_due),
    )
    yield ("Hồ sơ đến hạn", ("Hồ sơ", "Số lượng"), counts)
    yield ("Chỉ số", ("Chỉ số", "Số lượng", "Trên tổng số", "Tỷ lệ (%)"), list(indicators(report)))


def to_csv(report: Summary) -> bytes:
    """UTF-8 with a BOM (Excel opens it with the diacritics right); one block per table,
    each headed by its name, blocks separated by an empty line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Báo cáo", f"{report.date_from:%d/%m/%Y}", f"{report.date_to:%d/%m/%Y}"])
    for name, header, rows in tables(report):
        writer.writerow([])
        writer.writerow([name])
        writer.writerow(header)
        writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(report: Summary) -> bytes:
    """One sheet per table; numbers stay numbers."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for name, header, rows in tables(report):
        sheet = book.create_sheet(name[:31])
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        sheet.column_dimensions["A"].width = 36
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
