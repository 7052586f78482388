"""The e-receipt page: :func:`render_receipt` turns a :class:`Receipt` into a PDF."""

from __future__ import annotations

from ..fees import FeeLine
from ..money import amount_in_words, format_vnd
from ..scheme import number_text
from ..text import check_choice, check_glyphs, in_vietnam, strings_of
from .blocks import Columns, Fields, Paragraph, QrBlock, Rule, SignatureBox, Spacer
from .engine import Align, Block, DocumentInfo, render
from .fonts import coverage
from .geometry import MM, PageSize, RenderedDocument
from .qr import QrLevel, encode
from .receipt_models import Receipt, ReceiptReference, ReferenceKind
from .table import Column, Table, TableRow
from .theme import Theme, receipt_theme

SEAL_FIELD = "Seal"
SEAL_ROLE = "ward"
CANCELLED_MARK = "ĐÃ HỦY"


def _date_line(receipt: Receipt) -> str:
    local = in_vietnam(receipt.issued_at)
    return f"Ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def _reference_text(ref: ReceiptReference) -> str:
    verb = "thay thế" if ref.kind is ReferenceKind.REPLACES else "điều chỉnh cho"
    return (
        f"Biên lai này {verb} biên lai mẫu số {ref.template_symbol}, ký hiệu {ref.series}, "
        f"số {number_text(ref.template_symbol, ref.number)} ngày {ref.issued_on:%d/%m/%Y}. "
        f"Lý do: {ref.reason}"
    )


def _header(receipt: Receipt, t: Theme) -> list[Block]:
    unit = receipt.unit
    left: tuple[Block, ...] = (
        Paragraph(unit.name.upper(), t.heading),
        Fields(
            (("Mã số thuế", unit.tax_code), ("Địa chỉ", unit.address)),
            t.body,
            t.body,
            label_width=t.label_width * 0.62,
        ),
    )
    right: tuple[Block, ...] = (
        Fields(
            (("Mẫu số", receipt.template_symbol), ("Ký hiệu", receipt.series)),
            t.body,
            t.bold,
            label_width=t.label_width * 0.5,
        ),
        Fields((("Số", receipt.number_text),), t.body, t.emphasis, label_width=t.label_width * 0.5),
    )
    blocks: list[Block] = [
        Columns(((0.66, left), (0.34, right)), gap=6 * MM),
        Spacer(2 * MM),
        Rule(),
        Spacer(3 * MM),
        Paragraph(receipt.title, t.title, Align.CENTER, one_line=True),
        Paragraph("(Bản thể hiện của biên lai điện tử)", t.small, Align.CENTER),
        Paragraph(_date_line(receipt), t.body, Align.CENTER),
    ]
    if receipt.cancelled:
        blocks.append(Paragraph(f"BIÊN LAI {CANCELLED_MARK}", t.emphasis, Align.CENTER))
    if receipt.reference is not None:
        blocks += [Spacer(1.5 * MM), Paragraph(_reference_text(receipt.reference), t.emphasis)]
    return blocks


def _payer(receipt: Receipt, t: Theme) -> Block:
    payer = receipt.payer
    rows = [("Người nộp", payer.name), ("Địa chỉ", payer.address)]
    if payer.dossier_code:
        rows.append(("Mã hồ sơ", payer.dossier_code))
    return Fields(tuple(rows), t.body, t.body, label_width=t.label_width)


def _line_row(index: int, line: FeeLine, t: Theme, *, last: bool) -> TableRow:
    content = [Paragraph(line.name, t.body), Paragraph(f"Căn cứ: {line.legal_basis}", t.small)]
    if line.exemption_reason:
        content.append(Paragraph(f"Miễn: {line.exemption_reason}", t.emphasis))
    return TableRow(
        cells=(
            (Paragraph(str(index), t.body, Align.CENTER),),
            tuple(content),
            (Paragraph(str(line.quantity), t.body, Align.CENTER, one_line=True),),
            (Paragraph(format_vnd(line.unit_price), t.body, Align.RIGHT, one_line=True),),
            (Paragraph(format_vnd(line.amount), t.body, Align.RIGHT, one_line=True),),
        ),
        keep_with_next=last,  # the last fee line never leaves the total alone on a page
    )


def _fee_table(receipt: Receipt, t: Theme) -> Table:
    rows = [
        _line_row(i, line, t, last=i == len(receipt.lines))
        for i, line in enumerate(receipt.lines, 1)
    ]
    rows.append(
        TableRow(
            cells=(
                (Paragraph("Tổng cộng", t.bold, Align.RIGHT),),
                (Paragraph(format_vnd(receipt.total), t.bold, Align.RIGHT, one_line=True),),
            ),
            spans=(4, 1),
            keep_with_next=True,  # the total stays on the page of the signature and the QR
        )
    )
    columns = (
        Column("STT", 0.06, Align.CENTER),
        Column("Nội dung thu", 0.47, Align.LEFT),
        Column("SL", 0.07, Align.CENTER),
        Column("Đơn giá", 0.19, Align.RIGHT),
        Column("Thành tiền", 0.21, Align.RIGHT),
    )
    return Table(columns, t.bold, tuple(rows))


def _closing(receipt: Receipt, t: Theme, qr: QrBlock) -> Block:
    local = in_vietnam(receipt.issued_at)
    facts = Fields(
        (
            ("Số tiền bằng chữ", amount_in_words(receipt.total) + "."),
            ("Hình thức thanh toán", receipt.payment_method.label),
            ("Thời điểm thu", f"{local:%H:%M} ngày {local:%d/%m/%Y} (giờ Việt Nam, UTC+7)"),
            ("Người thu tiền", receipt.clerk_name),
        ),
        t.body,
        t.body,
        label_width=t.label_width,
    )
    seal = SignatureBox(
        role=SEAL_ROLE,
        field_name=SEAL_FIELD,
        heading=("ĐƠN VỊ THU PHÍ, LỆ PHÍ",),
        note="(Chữ ký số)",
        name=receipt.unit.name,
        heading_style=t.bold,
        note_style=t.small,
        name_style=t.bold,
        box_width=t.box_width,
        box_height=t.box_height,
    )
    # one piece: the words, the QR and the seal never part from each other
    return Columns(((1.0, (facts, Spacer(3 * MM), Columns(((0.5, (qr,)), (0.5, (seal,)))))),))


def _qr_block(receipt: Receipt, t: Theme, level: QrLevel) -> QrBlock:
    matrix = encode(receipt.qr_text, level=level, size_mm=t.qr_mm)
    short_url = receipt.qr_text.split("#", 1)[0]
    caption = (
        Paragraph("Quét mã QR để kiểm tra biên lai điện tử", t.bold),
        Paragraph("(số tiền, tình trạng, chữ ký số của đơn vị thu)", t.small),
        Paragraph(short_url, t.small),
    )
    return QrBlock(matrix, t.qr_mm * MM, caption)


def render_receipt(
    receipt: Receipt, *, page_size: PageSize = PageSize.A4, qr_level: QrLevel = QrLevel.M
) -> RenderedDocument:
    """Draw ``receipt``; raises :class:`~receipts.errors.DocumentError` before drawing if a
    character has no glyph or the QR text does not fit the symbol printed on ``page_size``."""
    page_size = check_choice(PageSize, page_size, label="Khổ giấy", field="page_size")
    qr_level = check_choice(QrLevel, qr_level, label="Mức sửa lỗi QR", field="qr_level")
    check_glyphs(strings_of(receipt), coverage())
    t = receipt_theme(page_size)
    qr = _qr_block(receipt, t, qr_level)
    blocks: list[Block] = [
        *_header(receipt, t),
        Spacer(2.5 * MM),
        _payer(receipt, t),
        Spacer(2 * MM),
        _fee_table(receipt, t),
        Spacer(3 * MM),
        _closing(receipt, t, qr),
    ]
    label = f"Biên lai {receipt.template_symbol} · {receipt.series} · số {receipt.number_text}"
    info = DocumentInfo(
        title=f"{receipt.title} {receipt.template_symbol} {receipt.series} {receipt.number_text}",
        author=receipt.unit.name,
        subject="Biên lai thu phí, lệ phí điện tử",
        identity=f"receipt|{receipt.unit.tax_code}|{receipt.template_symbol}|{receipt.series}"
        f"|{receipt.number_text}",
        created_at=in_vietnam(receipt.issued_at),
    )
    setup = t.setup(footer_label=label, watermark=CANCELLED_MARK if receipt.cancelled else None)
    key = f"{receipt!r}|{page_size.value}|{qr_level.value}"
    return render(blocks, setup=setup, info=info, content_key=key)
