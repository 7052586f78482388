"""A ruled table whose rows flow across pages, repeating the column titles on each page."""

from __future__ import annotations

from dataclasses import dataclass

from .blocks import Paragraph
from .engine import Align, Painter, Piece, Style

_HEADER_SHADE = (0.92, 0.92, 0.92)


@dataclass(frozen=True)
class Column:
    title: str
    share: float  # of the table's width
    align: Align


@dataclass(frozen=True)
class TableRow:
    """One row; ``cells[i]`` spans ``spans[i]`` columns (all 1 when ``spans`` is empty)."""

    cells: tuple[tuple[Paragraph, ...], ...]
    spans: tuple[int, ...] = ()
    keep_with_next: bool = False


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    header_style: Style
    rows: tuple[TableRow, ...]
    padding: float = 3.0
    rule: float = 0.5

    def _edges(self, x: float, width: float) -> list[float]:
        edges = [x]
        for column in self.columns:
            edges.append(edges[-1] + width * column.share)
        return edges

    def _row_piece(
        self, row: TableRow, width: float, *, shaded: bool, header: Piece | None
    ) -> Piece:
        spans = row.spans or (1,) * len(row.cells)
        if sum(spans) != len(self.columns) or len(spans) != len(row.cells):
            raise ValueError("row spans do not match the columns")
        fractions: list[tuple[int, int]] = []
        start = 0
        for span in spans:
            fractions.append((start, start + span))
            start += span
        rel_edges = self._edges(0.0, width)
        pad = self.padding
        cells: list[tuple[float, float, tuple[Paragraph, ...]]] = []
        height = 0.0
        for (a, b), paragraphs in zip(fractions, row.cells, strict=True):
            inner = rel_edges[b] - rel_edges[a] - 2 * pad
            height = max(height, sum(p.height(inner) for p in paragraphs) + 2 * pad)
            cells.append((rel_edges[a], inner, paragraphs))
        boundaries = sorted({rel_edges[a] for a, _ in fractions} | {width})

        def draw(painter: Painter, x: float, top: float, w: float) -> None:
            canvas = painter.canvas
            bottom = top - height
            if shaded:
                canvas.setFillColorRGB(*_HEADER_SHADE)
                canvas.rect(x, bottom, w, height, stroke=0, fill=1)
                painter.forget_state()
            painter.line(x, top, x + w, top, width=self.rule)
            painter.line(x, bottom, x + w, bottom, width=self.rule)
            # one stroke per rule, so a reader of the page sees each cell edge on its own
            for edge in boundaries:
                painter.line(x + edge, top, x + edge, bottom, width=self.rule)
            for left, inner, paragraphs in cells:
                y = top - pad
                for p in paragraphs:
                    p.draw_lines(painter, *p.lines(inner), x + left + pad, y, inner)
                    y -= p.height(inner)

        return Piece(height, draw, keep_with_next=row.keep_with_next, header=header)

    def pieces(self, width: float) -> list[Piece]:
        titles = TableRow(
            cells=tuple(
                (Paragraph(c.title, self.header_style, Align.CENTER),) for c in self.columns
            ),
            keep_with_next=True,
        )
        header = self._row_piece(titles, width, shaded=True, header=None)
        rows = [self._row_piece(r, width, shaded=False, header=header) for r in self.rows]
        return [header, *rows]
