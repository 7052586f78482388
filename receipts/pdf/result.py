"""Result documents: :func:`render_result` draws any :class:`ResultDocument`."""

from __future__ import annotations

from ..text import check_choice, check_glyphs, in_vietnam, strings_of
from .blocks import (
    Columns,
    Fields,
    KeepWithNext,
    Paragraph,
    QrBlock,
    Rule,
    SignatureBox,
    Spacer,
)
from .engine import Align, Block, DocumentInfo, render
from .fonts import coverage
from .geometry import MM, PageSize, RenderedDocument
from .qr import QrLevel, encode
from .result_models import Field, Official, Passage, ResultDocument
from .templates.common import date_line
from .theme import Theme, result_theme

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_SUB = "Độc lập - Tự do - Hạnh phúc"
CANCELLED_MARK = "ĐÃ HỦY"


def _header(doc: ResultDocument, t: Theme) -> list[Block]:
    issuer_blocks: list[Block] = [
        Paragraph(
            line, t.bold if i == len(doc.issuer.lines) - 1 else t.body, Align.CENTER, one_line=True
        )
        for i, line in enumerate(doc.issuer.lines)
    ]
    issuer_blocks += [
        Rule(share=0.35, align=Align.CENTER),
        Spacer(1.5 * MM),
        Paragraph(f"Số: {doc.number}", t.body, Align.CENTER),
    ]
    local = in_vietnam(doc.issued_at)
    motto: tuple[Block, ...] = (
        Paragraph(MOTTO, t.bold, Align.CENTER, one_line=True),
        Paragraph(MOTTO_SUB, t.bold, Align.CENTER, one_line=True, underline=True),
        Spacer(3 * MM),
        Paragraph(
            date_line(doc.issuer.place, local.date()),
            t.body,
            Align.CENTER,
        ),
    )
    blocks: list[Block] = [
        Columns(((0.4, tuple(issuer_blocks)), (0.6, motto)), gap=4 * MM),
        Spacer(8 * MM),
        Paragraph(doc.title, t.title, Align.CENTER, one_line=True),
    ]
    if doc.subtitle:
        blocks.append(Paragraph(doc.subtitle, t.body, Align.CENTER))
    if doc.cancelled:
        blocks.append(Paragraph(f"GIẤY TỜ {CANCELLED_MARK}", t.emphasis, Align.CENTER))
    blocks.append(Spacer(5 * MM))
    return blocks


def _body(doc: ResultDocument, t: Theme) -> list[Block]:
    """Consecutive fields share one label column; passages are paragraphs."""
    blocks: list[Block] = []
    fields: list[tuple[str, str]] = []

    def flush() -> None:
        if fields:
            if blocks:
                blocks.append(Spacer(2 * MM))
            blocks.append(
                Fields(tuple(fields), t.body, t.bold, label_width=t.label_width, row_gap=2.0)
            )
            fields.clear()

    for item in doc.body:
        if isinstance(item, Field):
            fields.append((item.label, item.value))
            continue
        flush()
        assert isinstance(item, Passage)
        style = t.bold if item.bold else t.body
        align = Align.CENTER if item.centered else Align.LEFT
        blocks += [Spacer(2 * MM), Paragraph(item.text, style, align)]
    flush()
    return blocks


def _signature(official: Official, t: Theme) -> SignatureBox:
    heading = tuple(
        line for line in (official.collective, official.on_behalf_of, official.title) if line
    )
    return SignatureBox(
        role=official.role,
        field_name=official.field_name,
        heading=heading,
        name=official.name,
        note="(Chữ ký số)",
        heading_style=t.bold,
        note_style=t.small,
        name_style=t.bold,
        box_width=t.box_width,
        box_height=t.box_height,
    )


def _closing(doc: ResultDocument, t: Theme, qr: QrBlock) -> Block:
    signatures = tuple(_signature(o, t) for o in doc.officials)
    rows: list[Block]
    if len(signatures) <= 2:
        share = 0.62 / len(signatures)
        rows = [Columns(((0.38, (qr,)), *((share, (s,)) for s in signatures)), gap=3 * MM)]
    else:
        rows = [
            Columns(tuple((1 / len(signatures), (s,)) for s in signatures), gap=3 * MM),
            Spacer(3 * MM),
            qr,
        ]
    return Columns(((1.0, (Spacer(6 * MM), *rows)),))


def render_result(
    document: ResultDocument,
    *,
    page_size: PageSize = PageSize.A4,
    qr_level: QrLevel = QrLevel.M,
) -> RenderedDocument:
    """Draw ``document``; one signature place per official (``Sig_<role>``), one QR."""
    page_size = check_choice(PageSize, page_size, label="Khổ giấy", field="page_size")
    qr_level = check_choice(QrLevel, qr_level, label="Mức sửa lỗi QR", field="qr_level")
    check_glyphs(strings_of(document), coverage())
    t = result_theme(page_size)
    matrix = encode(document.qr_text, level=qr_level, size_mm=t.qr_mm)
    qr = QrBlock(matrix, t.qr_mm * MM, (Paragraph(document.qr_caption, t.small),))
    body = _body(document, t)
    # the body's last line goes with the signatures: never a page of signatures alone
    blocks = [*_header(document, t), *body[:-1], KeepWithNext(body[-1]), _closing(document, t, qr)]
    info = DocumentInfo(
        title=f"{document.title} số {document.number}",
        author=" ".join(document.issuer.lines),
        subject=document.kind,
        identity=f"result|{document.kind}|{'|'.join(document.issuer.lines)}|{document.number}",
        created_at=in_vietnam(document.issued_at),
    )
    setup = t.setup(
        footer_label=f"{document.title} · Số: {document.number}",
        watermark=CANCELLED_MARK if document.cancelled else None,
    )
    key = f"{document!r}|{page_size.value}|{qr_level.value}"
    return render(blocks, setup=setup, info=info, content_key=key)
