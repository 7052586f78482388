"""The blocks documents are made of; each knows how to cut itself into pieces for a width.

Templates and the receipt only assemble these; none of them knows about receipts or
procedures, so a new document type never needs a change here or in the engine.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from .engine import GREY, Align, Block, Painter, Piece, Style
from .fonts import text_width
from .geometry import QrPlace, Rect, SignaturePlace
from .qr import QUIET_ZONE, QrMatrix
from .wrap import fit_size, wrap


def _baseline(top: float, style: Style, size: float | None = None) -> float:
    """Baseline that keeps a line's glyphs inside its leading.

    Vietnamese capitals with stacked marks (Ẫ, Ổ) rise to 1.145 em in DejaVu Serif Bold, and
    descenders (g, ỵ) drop to 0.22 em: the styles' leading is at least 1.37 em, and any excess
    is shared above and below.
    """
    s = style.size if size is None else size
    return top - s * 1.15 - max(0.0, style.leading - s * 1.37) / 2


def _noop(painter: Painter, x: float, top: float, width: float) -> None:
    return None


@dataclass(frozen=True)
class Spacer:
    """Vertical space; it belongs to what follows (never ends a page, dropped at a page top)."""

    height: float

    def pieces(self, width: float) -> list[Piece]:
        return [Piece(self.height, _noop, keep_with_next=True, is_space=True)]


@dataclass(frozen=True)
class Paragraph:
    """Wrapped text. ``one_line`` shrinks the font (down to 75 %) to keep a title on one line
    and wraps only if that is not enough; ``underline`` rules each line (the national motto)."""

    text: str
    style: Style
    align: Align = Align.LEFT
    indent: float = 0.0
    one_line: bool = False
    underline: bool = False
    keep_together: bool = False
    keep_with_next: bool = False

    def lines(self, width: float) -> tuple[tuple[str, ...], float]:
        avail = width - self.indent
        size = self.style.size
        if self.one_line:
            size = fit_size(self.text, self.style.face, size, avail, minimum=size * 0.75)
        return wrap(self.text, self.style.face, size, avail), size

    def height(self, width: float) -> float:
        return len(self.lines(width)[0]) * self.style.leading

    def draw_lines(
        self,
        painter: Painter,
        lines: Sequence[str],
        size: float,
        x: float,
        top: float,
        width: float,
    ) -> None:
        style = (
            self.style
            if size == self.style.size
            else Style(self.style.face, size, self.style.leading, self.style.color)
        )
        left = x + self.indent
        avail = width - self.indent
        anchor = {Align.LEFT: left, Align.CENTER: left + avail / 2, Align.RIGHT: left + avail}
        for line in lines:
            baseline = _baseline(top, style)
            painter.text(anchor[self.align], baseline, line, style, align=self.align)
            if self.underline and line:
                w = text_width(line, style.face, size)
                start = {Align.LEFT: left, Align.CENTER: left + (avail - w) / 2}.get(
                    self.align, left + avail - w
                )
                rule_y = baseline - size * 0.3
                painter.line(start, rule_y, start + w, rule_y, width=0.6)
            top -= style.leading

    def pieces(self, width: float) -> list[Piece]:
        lines, size = self.lines(width)
        leading = self.style.leading
        if self.keep_together or len(lines) == 1:

            def draw_all(painter: Painter, x: float, top: float, w: float) -> None:
                self.draw_lines(painter, lines, size, x, top, w)

            return [Piece(leading * len(lines), draw_all, keep_with_next=self.keep_with_next)]
        result = []
        for n, line in enumerate(lines):

            def draw_one(
                painter: Painter, x: float, top: float, w: float, line: str = line
            ) -> None:
                self.draw_lines(painter, [line], size, x, top, w)

            last = n == len(lines) - 1
            # no line left alone at the top or bottom of a page (widows and orphans)
            keep = n == 0 or n == len(lines) - 2 or (last and self.keep_with_next)
            result.append(Piece(leading, draw_one, keep_with_next=keep))
        return result


@dataclass(frozen=True)
class KeepWithNext:
    """``block`` whose last piece goes to the next page with whatever follows it."""

    block: Block

    def pieces(self, width: float) -> list[Piece]:
        pieces = self.block.pieces(width)
        return [*pieces[:-1], dataclasses.replace(pieces[-1], keep_with_next=True)]


@dataclass(frozen=True)
class Fields:
    """Rows of "label: value", the label in a column of ``label_width`` points; both wrap."""

    rows: tuple[tuple[str, str], ...]
    label_style: Style
    value_style: Style
    label_width: float
    gap: float = 4.0
    row_gap: float = 1.5

    def pieces(self, width: float) -> list[Piece]:
        result = []
        value_width = width - self.label_width - self.gap
        for label, value in self.rows:
            label_lines = wrap(
                label + ":", self.label_style.face, self.label_style.size, self.label_width
            )
            value_lines = wrap(value, self.value_style.face, self.value_style.size, value_width)
            leading = self.value_style.leading
            height = max(len(label_lines), len(value_lines)) * leading + self.row_gap

            def draw(
                painter: Painter,
                x: float,
                top: float,
                w: float,
                label_lines: tuple[str, ...] = label_lines,
                value_lines: tuple[str, ...] = value_lines,
            ) -> None:
                for n, line in enumerate(label_lines):
                    b = _baseline(
                        top - n * self.value_style.leading, self.value_style, self.label_style.size
                    )
                    painter.text(x, b, line, self.label_style, align=Align.LEFT)
                vx = x + self.label_width + self.gap
                for n, line in enumerate(value_lines):
                    b = _baseline(top - n * self.value_style.leading, self.value_style)
                    painter.text(vx, b, line, self.value_style, align=Align.LEFT)

            result.append(Piece(height, draw))
        return result


@dataclass(frozen=True)
class Rule:
    """A horizontal rule ``share`` of the width long, aligned like text."""

    share: float = 1.0
    align: Align = Align.LEFT
    thickness: float = 0.6
    space: float = 3.0

    def pieces(self, width: float) -> list[Piece]:
        def draw(painter: Painter, x: float, top: float, w: float) -> None:
            length = w * self.share
            start = {Align.LEFT: x, Align.CENTER: x + (w - length) / 2}.get(
                self.align, x + w - length
            )
            y = top - self.space / 2
            painter.line(start, y, start + length, y, width=self.thickness)

        return [Piece(self.space, draw)]


@dataclass(frozen=True)
class Columns:
    """Blocks side by side (``(share of width, blocks)`` each), kept on one page."""

    columns: tuple[tuple[float, tuple[Block, ...]], ...]
    gap: float = 8.0
    keep_with_next: bool = False

    def pieces(self, width: float) -> list[Piece]:
        usable = width - self.gap * (len(self.columns) - 1)
        laid: list[tuple[float, list[Piece]]] = []
        for share, blocks in self.columns:
            col_width = usable * share
            laid.append((col_width, [p for b in blocks for p in b.pieces(col_width)]))
        height = max(sum(p.height for p in pieces) for _, pieces in laid)

        def draw(painter: Painter, x: float, top: float, w: float) -> None:
            left = x
            for col_width, pieces in laid:
                y = top
                for piece in pieces:
                    piece.draw(painter, left, y, col_width)
                    y -= piece.height
                left += col_width + self.gap

        return [Piece(height, draw, keep_with_next=self.keep_with_next)]


@dataclass(frozen=True)
class SignatureBox:
    """Title, an empty framed box esign signs into, and the signer's name, centred."""

    role: str
    field_name: str
    heading: tuple[str, ...]
    name: str
    note: str | None
    heading_style: Style
    note_style: Style
    name_style: Style
    box_width: float
    box_height: float

    def pieces(self, width: float) -> list[Piece]:
        heading = [Paragraph(h, self.heading_style, Align.CENTER) for h in self.heading]
        if self.note:
            heading.append(Paragraph(self.note, self.note_style, Align.CENTER))
        name = Paragraph(self.name, self.name_style, Align.CENTER)
        head_height = sum(p.height(width) for p in heading)
        box_w = min(self.box_width, width)
        gap = 3.0
        height = head_height + gap + self.box_height + gap + name.height(width)

        def draw(painter: Painter, x: float, top: float, w: float) -> None:
            y = top
            for p in heading:
                p.draw_lines(painter, *p.lines(w), x, y, w)
                y -= p.height(w)
            box = Rect.of(x + (w - box_w) / 2, y - gap - self.box_height, box_w, self.box_height)
            painter.frame(box, width=0.4, color=GREY)
            painter.signatures.append(
                SignaturePlace(
                    role=self.role,
                    field_name=self.field_name,
                    title=" ".join(self.heading),
                    name=self.name,
                    page_index=painter.page_index,
                    rect=box,
                )
            )
            name.draw_lines(painter, *name.lines(w), x, box.y1 - gap, w)

        return [Piece(height, draw)]


@dataclass(frozen=True)
class QrBlock:
    """The QR symbol (``size`` points wide, quiet zone around it) and its caption beside it."""

    matrix: QrMatrix
    size: float
    caption: tuple[Paragraph, ...]
    caption_gap: float = 6.0

    def pieces(self, width: float) -> list[Piece]:
        module = self.size / self.matrix.size
        quiet = QUIET_ZONE * module
        outer = self.size + 2 * quiet
        caption_width = width - outer - self.caption_gap
        beside = caption_width >= 90
        if not beside:
            caption_width = width
        caption_height = sum(p.height(caption_width) for p in self.caption)
        height = max(outer, caption_height) if beside else outer + caption_height
        operators = self.matrix.path_operators()

        def draw(painter: Painter, x: float, top: float, w: float) -> None:
            rect = Rect.of(x + quiet, top - quiet - self.size, self.size, self.size)
            canvas = painter.canvas
            canvas.saveState()
            # a white quiet zone, whatever lies under it (the "ĐÃ HỦY" stamp)
            canvas.setFillColorRGB(1, 1, 1)
            canvas.rect(rect.x1 - quiet, rect.y1 - quiet, outer, outer, stroke=0, fill=1)
            canvas.setFillColorRGB(0, 0, 0)
            canvas.transform(module, 0, 0, module, rect.x1, rect.y1)
            canvas.addLiteral(operators)
            canvas.restoreState()
            painter.qr = QrPlace(
                page_index=painter.page_index,
                rect=rect,
                version=self.matrix.version,
                error_correction=self.matrix.level.value,
                mask=self.matrix.mask,
                modules=self.matrix.size,
            )
            if beside:
                cx, y = x + outer + self.caption_gap, top - quiet
            else:
                cx, y = x, top - outer
            for p in self.caption:
                p.draw_lines(painter, *p.lines(caption_width), cx, y, caption_width)
                y -= p.height(caption_width)

        return [Piece(height, draw)]
