"""The layout engine: flows blocks onto pages and draws them on a deterministic canvas.

A document is a sequence of blocks (:mod:`receipts.pdf.blocks`). Each block cuts itself into
:class:`Piece` s, unbreakable slices of known height for a given width (a table row, a line of a
paragraph, a signature row). :func:`paginate` fills pages top to bottom; a piece marked
``keep_with_next`` moves to the next page together with its successor, and a piece that opens
a page draws its ``header`` first (a table's column titles). :func:`render` then draws every
page, the footer ("Trang i/n") when there is more than one page, and the "ĐÃ HỦY" overlay of a
cancelled document, and returns the PDF with the geometry pieces recorded while drawing.

The same input gives the same bytes: reportlab runs in invariant mode, the info dates come from
the document (``issued_at``), and the trailer /ID is a digest of the document's identity.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from reportlab import rl_config
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfgen.canvas import Canvas

from .fonts import Face, ensure_fonts, registered, text_width
from .geometry import MM, PageSize, QrPlace, Rect, RenderedDocument, SignaturePlace

Color = tuple[float, float, float]
BLACK: Color = (0.0, 0.0, 0.0)
GREY: Color = (0.45, 0.45, 0.45)
RED: Color = (0.78, 0.05, 0.05)


class Align(Enum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class Style:
    face: Face
    size: float
    leading: float
    color: Color = BLACK


@functools.lru_cache(maxsize=256)
def _number(value: float) -> str:
    return str(fp_str(value))


class Painter:
    """The canvas of the page being drawn, plus the geometry recorded on the way."""

    def __init__(self, canvas: Any) -> None:
        self.canvas = canvas
        self._doc = canvas._doc  # what reportlab's fonts key their per-document subsets on
        self.page_index = 0
        self.signatures: list[SignaturePlace] = []
        self.qr: QrPlace | None = None
        self._fill: Color | None = BLACK
        self._line_width = -1.0

    def new_page(self) -> None:
        self.canvas.showPage()
        self.page_index += 1
        self.forget_state()

    def forget_state(self) -> None:
        """Make the next drawing set its colour and line width again (after showPage, a stamp)."""
        self._fill = None
        self._line_width = -1.0

    def fill(self, color: Color) -> None:
        if color != self._fill:
            self.canvas.setFillColorRGB(*color)
            self._fill = color

    def text(self, x: float, baseline: float, s: str, style: Style, *, align: Align) -> None:
        """Draw one line; ``x`` is the left edge, centre or right edge according to ``align``.

        Writes the text operators itself: reportlab's drawString builds a text object, measures
        and escapes per call, about four times slower, and documents have a hundred lines.
        """
        if not s:
            return
        if align is not Align.LEFT:
            width = text_width(s, style.face, style.size)
            x -= width / 2 if align is Align.CENTER else width
        self.fill(style.color)
        font = registered(style.face)
        size = _number(style.size)
        shows = [
            f"{font.getSubsetInternalName(subset, self._doc)} {size} Tf <{chunk.hex()}> Tj"
            for subset, chunk in font.encode_line(s, self._doc)
        ]
        self.canvas.addLiteral(f"BT 1 0 0 1 {x:.2f} {baseline:.2f} Tm {' '.join(shows)} ET")

    def line_width(self, width: float) -> None:
        if width != self._line_width:
            self.canvas.setLineWidth(width)
            self._line_width = width

    def line(self, x1: float, y1: float, x2: float, y2: float, *, width: float = 0.6) -> None:
        """A stroked segment: a path object of its own (tests find table rules by it)."""
        self.line_width(width)
        self.canvas.addLiteral(f"{x1:.2f} {y1:.2f} m {x2:.2f} {y2:.2f} l S")

    def frame(self, rect: Rect, *, width: float, color: Color) -> None:
        self.canvas.setStrokeColorRGB(*color)
        self.line_width(width)
        self.canvas.rect(rect.x1, rect.y1, rect.width, rect.height, stroke=1, fill=0)
        self.canvas.setStrokeColorRGB(*BLACK)


@dataclass(frozen=True)
class Piece:
    """An unbreakable slice of a block; ``draw(painter, x, top, width)``."""

    height: float
    draw: Callable[[Painter, float, float, float], None]
    keep_with_next: bool = False
    header: Piece | None = None
    is_space: bool = False  # dropped when it would open a page


class Block(Protocol):
    def pieces(self, width: float) -> list[Piece]: ...


def paginate(pieces: Sequence[Piece], *, height: float) -> list[list[Piece]]:
    """Distribute ``pieces`` over pages ``height`` points tall (see the module docstring)."""
    pages: list[list[Piece]] = [[]]
    used = 0.0
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        if piece.is_space and not pages[-1]:
            i += 1
            continue
        j = i
        chain = piece.height
        while pieces[j].keep_with_next and j + 1 < len(pieces):
            j += 1
            chain += pieces[j].height
        if pages[-1] and used + chain > height + 0.01:
            pages.append([])
            used = 0.0
            continue
        if not pages[-1] and piece.header is not None:
            pages[-1].append(piece.header)
            used += piece.header.height
        pages[-1].append(piece)
        used += piece.height
        i += 1
    return pages


@dataclass(frozen=True, kw_only=True)
class PageSetup:
    size: PageSize
    left: float
    right: float
    top: float
    bottom: float
    footer_style: Style
    footer_label: str  # left part of the footer on documents of several pages
    watermark: str | None = None  # "ĐÃ HỦY" on cancelled documents

    @property
    def content_width(self) -> float:
        return self.size.points[0] - self.left - self.right

    @property
    def content_height(self) -> float:
        return self.size.points[1] - self.top - self.bottom


@dataclass(frozen=True, kw_only=True)
class DocumentInfo:
    """Metadata written into the PDF; ``identity`` names the document for the trailer /ID."""

    title: str
    author: str
    subject: str
    identity: str
    created_at: dt.datetime
    keywords: tuple[str, ...] = field(default=())


def _pdf_date(moment: dt.datetime) -> str:
    offset = moment.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hh, mm = divmod(abs(minutes), 60)
    return moment.strftime("D:%Y%m%d%H%M%S") + f"{sign}{hh:02d}'{mm:02d}'"


def _new_canvas(buffer: io.BytesIO, setup: PageSetup, info: DocumentInfo) -> Any:
    canvas = Canvas(
        buffer,
        pagesize=setup.size.points,
        invariant=1,
        pageCompression=1,
        initialFontName=Face.SANS.value,  # a TTF: no unembedded Helvetica in the file
        lang="vi-VN",
    )
    canvas.setTitle(info.title)
    canvas.setAuthor(info.author)
    canvas.setSubject(info.subject)
    canvas.setCreator("ward-esign receipts.pdf")
    canvas.setKeywords(" ".join(info.keywords))
    stamp = _pdf_date(info.created_at)
    canvas.setDateFormatter(lambda *_: stamp)
    return canvas


def _document_id(info: DocumentInfo, content_key: str) -> tuple[bytes, str]:
    """The trailer /ID: [identity digest, content digest] (PDF 32000 §14.4), no clock."""
    permanent = hashlib.sha256(info.identity.encode()).hexdigest()[:32].upper()
    instance = hashlib.sha256(content_key.encode()).hexdigest()[:32].upper()
    return f"[<{permanent}><{instance}>]".encode(), permanent


def _draw_footer(painter: Painter, setup: PageSetup, page: int, pages: int) -> None:
    width, _ = setup.size.points
    baseline = setup.bottom - 5 * MM
    style = setup.footer_style
    painter.text(setup.left, baseline, setup.footer_label, style, align=Align.LEFT)
    painter.text(
        width - setup.right, baseline, f"Trang {page + 1}/{pages}", style, align=Align.RIGHT
    )


def _draw_watermark(painter: Painter, setup: PageSetup, text: str) -> None:
    """A large framed stamp, turned 35°, under the content and inside the margins."""
    angle = math.radians(35)
    cos, sin = math.cos(angle), math.sin(angle)
    # stamp box at font size 1: text width + padding by 1.3 high; fit it turned inside the frame
    box_w = text_width(text, Face.SANS_BOLD, 1.0) + 0.5
    box_h = 1.3
    size = 0.95 * min(
        setup.content_width / (box_w * cos + box_h * sin),
        setup.content_height / (box_w * sin + box_h * cos),
    )
    canvas = painter.canvas
    canvas.saveState()
    canvas.setFillAlpha(0.22)
    canvas.setStrokeAlpha(0.22)
    canvas.setFillColorRGB(*RED)
    canvas.setStrokeColorRGB(*RED)
    canvas.translate(setup.left + setup.content_width / 2, setup.bottom + setup.content_height / 2)
    canvas.rotate(35)
    canvas.setFont(Face.SANS_BOLD.value, size)
    canvas.drawCentredString(0, -size * 0.36, text)
    canvas.setLineWidth(size / 14)
    canvas.rect(-box_w * size / 2, -box_h * size / 2, box_w * size, box_h * size)
    canvas.restoreState()
    painter.forget_state()


def render(
    blocks: Sequence[Block], *, setup: PageSetup, info: DocumentInfo, content_key: str
) -> RenderedDocument:
    """Lay out ``blocks`` and draw them; ``content_key`` is a canonical text of the input."""
    ensure_fonts()
    pieces = [piece for block in blocks for piece in block.pieces(setup.content_width)]
    pages = paginate(pieces, height=setup.content_height)
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, setup, info)
    id_bytes, id_hex = _document_id(info, content_key)
    # reportlab has no public way to set /ID; its own is a hash that SOURCE_DATE_EPOCH changes.
    canvas._doc._ID = id_bytes
    painter = Painter(canvas)
    page_height = setup.size.points[1]
    for index, page in enumerate(pages):
        if index:
            painter.new_page()
        if setup.watermark:  # underneath: the text and the QR stay legible on top
            _draw_watermark(painter, setup, setup.watermark)
        top = page_height - setup.top
        for piece in page:
            piece.draw(painter, setup.left, top, setup.content_width)
            top -= piece.height
        if len(pages) > 1:
            _draw_footer(painter, setup, index, len(pages))
    canvas.showPage()
    # ASCII85 around compressed streams only serves 7-bit transports, and costs a third of the
    # save in pure Python. The switch is global in reportlab; we set it on every render (never
    # back), so our output cannot depend on who else touched it.
    rl_config.useA85 = 0
    canvas.save()
    if painter.qr is None:
        raise AssertionError("every document carries a QR block")
    return RenderedDocument(
        pdf=buffer.getvalue(),
        page_size=setup.size,
        page_count=len(pages),
        signatures=tuple(painter.signatures),
        qr=painter.qr,
        document_id=id_hex,
    )
